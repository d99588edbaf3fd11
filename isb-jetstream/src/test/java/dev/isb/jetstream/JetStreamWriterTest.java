package dev.isb.jetstream;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.isb.BufferConfig;
import dev.isb.BufferFullException;
import dev.isb.BufferReader;
import dev.isb.BufferWriter;
import dev.isb.Header;
import dev.isb.IsbClient;
import dev.isb.Kind;
import dev.isb.Message;
import dev.isb.MessageId;
import dev.isb.OnFull;
import dev.isb.ReadMessage;
import dev.isb.ReaderOptions;
import dev.isb.Retention;
import dev.isb.WriteResult;
import dev.isb.WriterOptions;
import dev.isb.testkit.Await;
import dev.isb.testkit.LogCapture;
import dev.isb.testkit.NatsServerExtension;
import dev.isb.wire.MessageCodec;
import io.nats.client.JetStreamApiException;
import io.nats.client.api.MessageInfo;
import io.nats.client.impl.Headers;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What the JetStream writer puts on the wire, and how it behaves when the server refuses or stalls. */
@DisplayName("JetStream writer")
class JetStreamWriterTest extends JetStreamTestBase {

  private static final int MAX_PAYLOAD = 64 * 1024;

  @RegisterExtension
  static final NatsServerExtension NATS = NatsServerExtension.single().withMaxPayload(MAX_PAYLOAD);

  private static final BufferConfig LIMITS = StreamConfigs.MEMORY;

  private static final BufferConfig WORK_QUEUE_OF_3 = LIMITS.toBuilder()
      .stream(LIMITS.stream().toBuilder().retention(Retention.WORK_QUEUE).maxMsgs(3).build())
      .build();

  @Override
  NatsServerExtension nats() {
    return NATS;
  }

  /** Runs before the client closes, which would otherwise wait on a paused server. */
  @AfterEach
  void resumeAPausedServer() {
    if (NATS.server().isPaused()) {
      NATS.server().resume();
    }
  }

  private String newBuffer(BufferConfig config) {
    String buffer = "ns-pl-w" + UUID.randomUUID().toString().substring(0, 8) + "-0";
    client.admin().createBuffers(List.of(buffer), config);
    return buffer;
  }

  private static Message data(String offset, String payload) {
    return Message.data(new MessageId("in", offset, 0), payload.getBytes(UTF_8));
  }

  private static List<Message> batch(String prefix, int n) {
    return IntStream.range(0, n).mapToObj(i -> data(prefix + i, "payload-" + i)).toList();
  }

  private long storedMessages(String buffer) {
    try {
      return jsm.getStreamInfo(buffer).getStreamState().getMsgCount();
    } catch (IOException | JetStreamApiException e) {
      throw new AssertionError("cannot read the stream info of " + buffer, e);
    }
  }

  private static long sequence(WriteResult result) {
    if (result instanceof WriteResult.Written w) {
      return Long.parseLong(w.offset().sequence());
    }
    if (result instanceof WriteResult.Duplicate d) {
      return Long.parseLong(d.original().sequence());
    }
    throw new AssertionError("not stored: " + result);
  }

  @Test
  @DisplayName("every DATA message carries Nats-Msg-Id = dedupKey(), and a watermark barrier carries none")
  void dataCarriesMessageIdAndWmbNone() throws Exception {
    String buffer = newBuffer(LIMITS);
    Message first = data("101", "a");
    Message wmb = Message.watermarkBarrier(new MessageId("in", "102", 0));
    Message second = Message.data(new MessageId("in", "103", 7), "b".getBytes(UTF_8));
    List<WriteResult> results;
    try (BufferWriter writer = client.writer(buffer)) {
      results = writer.write(List.of(first, wmb, second));
    }
    assertThat(results).allMatch(r -> r instanceof WriteResult.Written);

    Headers h1 = jsm.getMessage(buffer, sequence(results.get(0))).getHeaders();
    Headers hw = jsm.getMessage(buffer, sequence(results.get(1))).getHeaders();
    Headers h2 = jsm.getMessage(buffer, sequence(results.get(2))).getHeaders();

    assertThat(h1).isNotNull();
    assertThat(h1.get("Nats-Msg-Id")).containsExactly("in-101-0");
    assertThat(h2.get("Nats-Msg-Id")).containsExactly("in-103-7").containsExactly(second.id().dedupKey());
    assertThat(hw == null ? null : hw.get("Nats-Msg-Id")).isNull();
  }

  @Test
  @DisplayName("the stored bytes are exactly MessageCodec.encode(message), on the buffer's subject")
  void storedBytesAreTheEncoding() throws Exception {
    String buffer = newBuffer(LIMITS);
    Message rich = new Message(Header.builder(new MessageId("map-1", "4711-2", 3))
        .eventTime(Instant.parse("2024-05-06T07:08:09.123Z"))
        .keys("k1", "k2")
        .headers(Map.of("h", "v", "trace", "abc"))
        .late(true)
        .build(), "héllo wörld".getBytes(UTF_8));
    Message wmb = Message.watermarkBarrier(new MessageId("map-1", "4712", 0));
    List<WriteResult> results;
    try (BufferWriter writer = client.writer(buffer)) {
      results = writer.write(List.of(rich, wmb));
    }

    MessageInfo stored = jsm.getMessage(buffer, sequence(results.get(0)));
    assertThat(stored.getSubject()).isEqualTo(buffer);
    assertThat(stored.getData()).isEqualTo(MessageCodec.encode(rich));
    assertThat(MessageCodec.decode(stored.getData())).isEqualTo(rich);
    MessageInfo storedWmb = jsm.getMessage(buffer, sequence(results.get(1)));
    assertThat(storedWmb.getData()).isEqualTo(MessageCodec.encode(wmb));
    assertThat(MessageCodec.decode(storedWmb.getData()).kind()).isEqualTo(Kind.WMB);
  }

  @Test
  @DisplayName("writing the same ids after the writer and its client restarted reports Duplicate with the original offsets and stores one copy")
  void dedupAcrossWriterRestart() throws Exception {
    String buffer = newBuffer(LIMITS);
    List<Message> messages = batch("r", 5);
    List<WriteResult> first;
    try (IsbClient one = newClient(); BufferWriter writer = one.writer(buffer)) {
      first = writer.write(messages);
    }
    assertThat(first).allMatch(r -> r instanceof WriteResult.Written);

    List<WriteResult> again;
    try (IsbClient two = newClient(); BufferWriter writer = two.writer(buffer)) {
      again = writer.write(messages);
    }

    assertThat(again).allMatch(r -> r instanceof WriteResult.Duplicate);
    for (int i = 0; i < messages.size(); i++) {
      assertThat(sequence(again.get(i))).as("original offset of message %d", i).isEqualTo(sequence(first.get(i)));
      assertThat(((WriteResult.Duplicate) again.get(i)).original().toString())
          .isEqualTo(((WriteResult.Written) first.get(i)).offset().toString());
    }
    assertThat(storedMessages(buffer)).isEqualTo(5);
  }

  @Test
  @DisplayName("a writer opened on a Limits stream smaller than maxLength × usageLimit logs a warning naming the"
      + " buffer and both values (its oldest messages would be discarded unread); one that fits logs none")
  void streamTooSmallForTheWriterIsWarned() {
    String buffer = newBuffer(LIMITS.toBuilder().stream(LIMITS.stream().toBuilder().maxMsgs(1_000).build()).build());
    LogCapture logs = LogCapture.start();
    try {
      try (BufferWriter fits = client.writer(buffer, WriterOptions.builder().maxLength(1_250).build())) {
        assertThat(fits.buffer()).isEqualTo(buffer);
      }
      assertThat(logs.textSince(0)).doesNotContain("stream.maxMsgs");
      try (BufferWriter tooMuch = client.writer(buffer, WriterOptions.builder().maxLength(2_000).build())) {
        assertThat(tooMuch.buffer()).isEqualTo(buffer);
        assertThat(logs.textSince(0)).contains("buffer '" + buffer + "': stream.maxMsgs 1000 is below"
            + " writer.maxLength × writer.usageLimit = 2000 × 0.8 = 1600, the unacknowledged messages the writer"
            + " allows: under Limits retention the stream discards its oldest messages, read or not, before the"
            + " writer sees the buffer full");
      }
    } finally {
      logs.close();
    }
  }

  @Test
  @DisplayName("a DiscardNew stream that is out of room drops the next message under discardLatest")
  void discardNewDropsUnderDiscardLatest() throws Exception {
    String buffer = newBuffer(WORK_QUEUE_OF_3);
    WriterOptions options = WriterOptions.builder().onFull(OnFull.DISCARD_LATEST).build();
    try (BufferWriter writer = client.writer(buffer, options)) {
      Await.until(Duration.ofSeconds(5), "the writer's first usage refresh", () -> !writer.isFull());

      List<WriteResult> results = writer.write(batch("d", 4));

      assertThat(results.subList(0, 3)).allMatch(r -> r instanceof WriteResult.Written);
      assertThat(results.get(3)).isEqualTo(new WriteResult.Dropped(WriteResult.DropReason.BUFFER_FULL));
    }
    assertThat(storedMessages(buffer)).isEqualTo(3);
  }

  @Test
  @DisplayName("a DiscardNew stream that is out of room fails the next message retryably with BufferFullException, and once a reader acks, a retry writes it once")
  void discardNewBackPressureUnderRetryUntilSuccess() throws Exception {
    String buffer = newBuffer(WORK_QUEUE_OF_3);
    WriterOptions options = WriterOptions.builder()
        .onFull(OnFull.RETRY_UNTIL_SUCCESS).fullWaitTimeout(Duration.ofMillis(1500)).build();
    List<Message> messages = batch("f", 4);
    try (BufferWriter writer = client.writer(buffer, options);
        BufferReader reader = client.reader(buffer, ReaderOptions.defaults())) {
      List<WriteResult> results = writer.write(messages);

      assertThat(results.subList(0, 3)).allMatch(r -> r instanceof WriteResult.Written);
      assertThat(results.get(3)).isInstanceOfSatisfying(WriteResult.Failed.class, f -> {
        assertThat(f.retryable()).as("retryable: %s", f).isTrue();
        assertThat(f.cause()).as("cause of %s", f).isInstanceOf(BufferFullException.class);
        assertThat(f.cause().buffer()).contains(buffer);
      });
      assertThat(storedMessages(buffer)).isEqualTo(3);

      List<ReadMessage> one = reader.read(1, Duration.ofSeconds(2));
      assertThat(one).hasSize(1);
      reader.ack(one.get(0).offset());
      Await.until(Duration.ofSeconds(5), "the work queue removed the acked message", () -> storedMessages(buffer) == 2);

      WriteResult retried = writer.write(messages.get(3));
      assertThat(retried).isInstanceOf(WriteResult.Written.class);
      // Writing the whole batch again stores nothing new: every id is a duplicate.
      assertThat(writer.write(messages.subList(1, 4))).allMatch(r -> r instanceof WriteResult.Duplicate);
    }
    assertThat(storedMessages(buffer)).isEqualTo(3);
    var ids = new ArrayList<String>();
    try (BufferReader reader = client.reader(buffer, ReaderOptions.defaults())) {
      for (ReadMessage m : reader.read(10, Duration.ofSeconds(1))) {
        ids.add(m.message().id().dedupKey());
      }
    }
    assertThat(ids).containsExactly("in-f1-0", "in-f2-0", "in-f3-0");
  }

  @Test
  @DisplayName("a paused server makes a write fail retryably within the publish timeout, and after resume a retry stores each message exactly once")
  void pausedServerFailsRetryablyAndRetryStoresOnce() throws Exception {
    String buffer = newBuffer(LIMITS);
    List<Message> messages = batch("p", 5);
    try (BufferWriter writer = client.writer(buffer)) {
      Await.until(Duration.ofSeconds(5), "the writer's first usage refresh", () -> !writer.isFull());

      NATS.server().pause();
      long start = System.nanoTime();
      List<WriteResult> results;
      try {
        results = writer.write(messages);
      } finally {
        NATS.server().resume();
      }
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      assertThat(results).hasSize(5).allSatisfy(r -> assertThat(r).isInstanceOfSatisfying(
          WriteResult.Failed.class, f -> {
            assertThat(f.retryable()).isTrue();
            assertThat(f.cause().buffer()).contains(buffer);
          }));
      // One publish timeout (5 s) for the whole batch, plus scheduling slack.
      assertThat(took).as("time to report the failures").isLessThan(Duration.ofMillis(6500));

      // Retry the failed messages until each is stored (the client reconnects by itself).
      List<WriteResult> last = results;
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (!last.stream().allMatch(WriteResult::isStored)) {
        if (System.nanoTime() - deadline > 0) {
          fail("retries after resume never stored every message: " + last);
        }
        last = writer.write(messages);
      }
    }
    assertThat(storedMessages(buffer)).isEqualTo(5);
    var ids = new HashSet<String>();
    for (long seq = 1; seq <= 5; seq++) {
      ids.add(MessageCodec.decode(jsm.getMessage(buffer, seq).getData()).id().dedupKey());
    }
    assertThat(ids).containsExactlyInAnyOrder("in-p0-0", "in-p1-0", "in-p2-0", "in-p3-0", "in-p4-0");
  }

  @Test
  @DisplayName("an oversize payload fails non-retryably, naming the buffer and the sizes, and the rest of the batch is written")
  void oversizePayloadFailsAndRestIsWritten() throws Exception {
    String buffer = newBuffer(LIMITS);
    byte[] big = new byte[MAX_PAYLOAD + 1024];
    Message oversize = Message.data(new MessageId("in", "big", 0), big);
    int encoded = MessageCodec.encode(oversize).length;
    List<WriteResult> results;
    try (BufferWriter writer = client.writer(buffer)) {
      results = writer.write(List.of(data("s1", "small"), oversize, data("s2", "small")));
    }

    assertThat(results.get(0)).isInstanceOf(WriteResult.Written.class);
    assertThat(results.get(2)).isInstanceOf(WriteResult.Written.class);
    assertThat(results.get(1)).isInstanceOfSatisfying(WriteResult.Failed.class, f -> {
      assertThat(f.retryable()).isFalse();
      assertThat(f.cause().retryable()).isFalse();
      assertThat(f.cause().buffer()).contains(buffer);
      assertThat(f.cause().getMessage())
          .contains(buffer)
          .contains(Integer.toString(encoded))
          .contains(Integer.toString(MAX_PAYLOAD));
    });
    assertThat(storedMessages(buffer)).isEqualTo(2);
  }
}
