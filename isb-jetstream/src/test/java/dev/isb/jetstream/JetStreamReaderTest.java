package dev.isb.jetstream;

import static dev.isb.jetstream.StreamConfigs.MEMORY;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isb.BufferConfig;
import dev.isb.BufferReader;
import dev.isb.BufferWriter;
import dev.isb.IsbClient;
import dev.isb.IsbException;
import dev.isb.Message;
import dev.isb.MessageId;
import dev.isb.ReadMessage;
import dev.isb.ReaderOptions;
import dev.isb.Storage;
import dev.isb.WriteResult;
import dev.isb.testkit.NatsServerExtension;
import io.nats.client.api.ConsumerInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** How the JetStream reader reads, keeps alive, survives a server restart and skips bad bytes. */
@DisplayName("JetStream reader")
class JetStreamReaderTest extends JetStreamTestBase {

  @RegisterExtension
  static final NatsServerExtension NATS = NatsServerExtension.single();

  private static final BufferConfig ACK_WAIT_1S = MEMORY.toBuilder()
      .consumer(BufferConfig.Consumer.defaults().withAckWait(Duration.ofSeconds(1)))
      .build();

  private static final BufferConfig FILE = StreamConfigs.withStream(1, Storage.FILE);

  @Override
  NatsServerExtension nats() {
    return NATS;
  }

  private String newBuffer(BufferConfig config, int partition) {
    String buffer = "ns-pl-r" + UUID.randomUUID().toString().substring(0, 8) + "-" + partition;
    client.admin().createBuffers(List.of(buffer), config);
    return buffer;
  }

  private static List<Message> batch(String prefix, int n) {
    return IntStream.range(0, n)
        .mapToObj(i -> Message.data(new MessageId("in", prefix + i, 0), ("payload-" + i).getBytes(UTF_8)))
        .toList();
  }

  private List<WriteResult> write(String buffer, List<Message> messages) {
    try (BufferWriter writer = client.writer(buffer)) {
      List<WriteResult> results = writer.write(messages);
      assertThat(results).allMatch(r -> r instanceof WriteResult.Written);
      return results;
    }
  }

  /** Reads until {@code n} messages came or the timeout passed. */
  private static List<ReadMessage> readAtLeast(BufferReader reader, int n, Duration timeout) {
    var got = new ArrayList<ReadMessage>();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (got.size() < n && System.nanoTime() - deadline < 0) {
      got.addAll(reader.read(n - got.size(), Duration.ofMillis(250)));
    }
    return got;
  }

  /** Reads for the whole duration and returns everything read. */
  private static List<ReadMessage> readFor(BufferReader reader, Duration duration) {
    var got = new ArrayList<ReadMessage>();
    long deadline = System.nanoTime() + duration.toNanos();
    while (System.nanoTime() - deadline < 0) {
      long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
      got.addAll(reader.read(10, Duration.ofMillis(Math.min(250, left))));
    }
    return got;
  }

  private static String id(ReadMessage m) {
    return m.message().id().dedupKey();
  }

  @Test
  @DisplayName("a buffer deleted while a read waits on it: the pull ends with the server's 'Consumer Deleted' (409),"
      + " which the reader reports as BufferNotFoundException, as it does an empty read of a deleted buffer")
  void deletedDuringAWaitingRead() throws Exception {
    String buffer = newBuffer(MEMORY, 0);
    try (BufferReader reader = client.reader(buffer, ReaderOptions.defaults())) {
      CompletableFuture<List<ReadMessage>> waiting =
          CompletableFuture.supplyAsync(() -> reader.read(10, Duration.ofSeconds(20)));
      dev.isb.testkit.Await.until(Duration.ofSeconds(10), "the pull waiting on the server",
          () -> consumerWaiting(buffer) > 0);
      client.admin().deleteBuffers(List.of(buffer));

      assertThatThrownBy(() -> waiting.get(15, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(dev.isb.BufferNotFoundException.class).hasMessageContaining(buffer);
    }
  }

  private long consumerWaiting(String buffer) {
    try {
      return jsm.getConsumerInfo(buffer, buffer).getNumWaiting();
    } catch (Exception e) {
      return 0;
    }
  }

  @Test
  @DisplayName("ack returns only once the server has processed every ack of the batch, though only the last one"
      + " is answered: the consumer holds none of them at that moment")
  void ackOfABatchIsConfirmedAsAWhole() throws Exception {
    String buffer = newBuffer(MEMORY, 0);
    write(buffer, batch("a", 2_000));
    try (BufferReader reader = client.reader(buffer, ReaderOptions.builder().consumerName("acker").build())) {
      int acked = 0;
      while (acked < 2_000) {
        List<ReadMessage> got = readAtLeast(reader, 250, Duration.ofSeconds(5));
        assertThat(got).as("messages read after %d acked", acked).isNotEmpty();
        reader.ack(got.stream().map(ReadMessage::offset).toList());
        acked += got.size();
        assertThat(jsm.getConsumerInfo(buffer, buffer).getNumAckPending()).as("ack-pending after acking %d", acked)
            .isZero();
      }
      assertThat(acked).isEqualTo(2_000);
    }
  }

  @Test
  @DisplayName("a batch acked while the server restarts is confirmed once the connection is back (or fails and is"
      + " acked again): none of it is delivered again")
  void ackAcrossAReconnect() throws Exception {
    String buffer = newBuffer(FILE.toBuilder()
        .consumer(BufferConfig.Consumer.defaults().withAckWait(Duration.ofSeconds(2))).build(), 0);
    write(buffer, batch("k", 100));
    try (BufferReader reader = client.reader(buffer, ReaderOptions.builder().consumerName("k").build())) {
      List<ReadMessage> held = readAtLeast(reader, 100, Duration.ofSeconds(5));
      assertThat(held).hasSize(100);
      var offsets = held.stream().map(ReadMessage::offset).toList();

      NATS.server().stop();
      var acking = CompletableFuture.runAsync(() -> reader.ack(offsets));
      NATS.server().restart();
      try {
        acking.get(30, TimeUnit.SECONDS);
      } catch (ExecutionException notConfirmedInTime) {
        assertThat(notConfirmedInTime.getCause()).isInstanceOf(IsbException.class)
            .hasMessageContaining("not confirmed");
        reader.ack(offsets);
      }

      assertThat(readFor(reader, Duration.ofSeconds(3))).as("delivered again after ackWait").isEmpty();
    }
  }

  @Test
  @DisplayName("offsets print as <streamSeq>-<partition>, for writers and readers alike")
  void offsetsPrintSequenceAndPartition() {
    String buffer = newBuffer(MEMORY, 3);
    List<WriteResult> written = write(buffer, batch("o", 3));
    assertThat(written).extracting(r -> ((WriteResult.Written) r).offset().toString())
        .containsExactly("1-3", "2-3", "3-3");

    try (BufferReader reader = client.reader(buffer, ReaderOptions.defaults())) {
      assertThat(reader.partition()).isEqualTo(3);
      List<ReadMessage> read = readAtLeast(reader, 3, Duration.ofSeconds(5));
      assertThat(read).extracting(m -> m.offset().toString()).containsExactly("1-3", "2-3", "3-3");
      assertThat(read).extracting(m -> m.offset().sequence()).containsExactly("1", "2", "3");
      assertThat(read).allSatisfy(m -> assertThat(m.offset().buffer()).isEqualTo(buffer));
      assertThat(read).extracting(JetStreamReaderTest::id).containsExactly("in-o0-0", "in-o1-0", "in-o2-0");
      reader.ack(read.stream().map(ReadMessage::offset).toList());
    }
  }

  @Test
  @DisplayName("the delivery count comes from the server: 1 at first, 2 after a nak, 3 after a nak with delay that is honoured")
  void deliveryCountFromMetadata() {
    String buffer = newBuffer(MEMORY, 0);
    write(buffer, batch("n", 1));
    try (BufferReader reader = client.reader(buffer, ReaderOptions.defaults())) {
      ReadMessage first = readAtLeast(reader, 1, Duration.ofSeconds(5)).get(0);
      assertThat(first.deliveryCount()).isEqualTo(1);

      reader.nak(List.of(first.offset()));
      ReadMessage second = readAtLeast(reader, 1, Duration.ofSeconds(5)).get(0);
      assertThat(second.offset().sequence()).isEqualTo(first.offset().sequence());
      assertThat(second.deliveryCount()).isEqualTo(2);

      Duration delay = Duration.ofMillis(700);
      long nakked = System.nanoTime();
      reader.nak(List.of(second.offset()), delay);
      List<ReadMessage> third = readAtLeast(reader, 1, Duration.ofSeconds(5));
      Duration after = Duration.ofNanos(System.nanoTime() - nakked);
      assertThat(third).singleElement().satisfies(m -> assertThat(m.deliveryCount()).isEqualTo(3));
      assertThat(after).as("redelivered after the nak delay").isGreaterThanOrEqualTo(delay.minusMillis(50));
      reader.ack(third.get(0).offset());
    }
  }

  @Test
  @DisplayName("a held message kept alive survives 3 x ackWait while another reader of the group gets nothing, and is then acked with no redelivery")
  void keepAliveHoldsAMessageForThreeAckWaits() throws Exception {
    String buffer = newBuffer(ACK_WAIT_1S, 0);
    write(buffer, batch("k", 1));
    try (IsbClient other = newClient();
        BufferReader holder = client.reader(buffer, ReaderOptions.builder().consumerName("holder").build());
        BufferReader rival = other.reader(buffer, ReaderOptions.builder().consumerName("rival").build())) {
      List<ReadMessage> held = readAtLeast(holder, 1, Duration.ofSeconds(5));
      assertThat(held).hasSize(1);

      assertThat(readFor(rival, Duration.ofMillis(3300))).as("redelivered to the other reader").isEmpty();
      holder.ack(held.get(0).offset());

      assertThat(readFor(rival, Duration.ofMillis(1500))).as("redelivered after the ack").isEmpty();
      assertThat(readFor(holder, Duration.ofMillis(300))).isEmpty();
    }
    ConsumerInfo info = jsm.getConsumerInfo(buffer, buffer);
    assertThat(info.getNumAckPending()).isZero();
    assertThat(info.getRedelivered()).isZero();
    assertThat(info.getAckFloor().getStreamSequence()).isEqualTo(1);
  }

  @Test
  @DisplayName("with keep-alive off, a held message is redelivered to the group after ackWait, with delivery count 2")
  void withoutKeepAliveAHeldMessageIsRedelivered() {
    String buffer = newBuffer(ACK_WAIT_1S, 0);
    write(buffer, batch("r", 1));
    try (IsbClient other = newClient();
        BufferReader holder = client.reader(buffer,
            ReaderOptions.builder().consumerName("holder").keepAlive(false).build());
        BufferReader rival = other.reader(buffer, ReaderOptions.builder().consumerName("rival").build())) {
      ReadMessage first = readAtLeast(holder, 1, Duration.ofSeconds(5)).get(0);

      List<ReadMessage> again = readAtLeast(rival, 1, Duration.ofSeconds(5));

      assertThat(again).singleElement().satisfies(m -> {
        assertThat(m.offset().sequence()).isEqualTo(first.offset().sequence());
        assertThat(m.deliveryCount()).isEqualTo(2);
        assertThat(m.message()).isEqualTo(first.message());
      });
      rival.ack(again.get(0).offset());
    }
  }

  @Test
  @DisplayName("a server killed (SIGKILL) and restarted mid-stream (file storage) loses no written message: the same reader gets each un-acked one exactly once")
  void serverKillLosesNoWrittenMessage() throws Exception {
    BufferReader reader = readerPastFirstHalf("s");
    try (reader) {
      NATS.server().kill();
      NATS.server().restart();

      Map<String, Integer> after = readAndAckUntil(reader, ids("s", 100, 200));
      Map<String, Integer> rest = new HashMap<>(after);
      rest.keySet().retainAll(ids("s", 100, 200));
      assertThat(rest).as("each un-acked message read once after the restart")
          .hasSize(100).allSatisfy((id, count) -> assertThat(count).isEqualTo(1));
      // Acked messages may come again: nats-server persists consumer acks lazily, and SIGKILL can lose
      // the last ones (at-least-once). What is asserted is that no written message is lost.
    }
    assertThat(jsm.getStreamInfo(reader.buffer()).getStreamState().getMsgCount()).isEqualTo(200);
  }

  @Test
  @DisplayName("a server stopped cleanly and restarted mid-stream (file storage) gives the same reader exactly the un-acked messages, each once")
  void serverStopAndRestartIsExactlyOnce() throws Exception {
    try (BufferReader reader = readerPastFirstHalf("t")) {
      NATS.server().stop();
      NATS.server().restart();

      Map<String, Integer> after = readAndAckUntil(reader, ids("t", 100, 200));
      assertThat(after.keySet()).as("no acked message comes again")
          .containsExactlyInAnyOrderElementsOf(ids("t", 100, 200));
      assertThat(after).allSatisfy((id, count) -> assertThat(count).as(id).isEqualTo(1));
      assertThat(readFor(reader, Duration.ofMillis(500))).as("nothing more").isEmpty();
    }
  }

  private static List<String> ids(String prefix, int from, int to) {
    return IntStream.range(from, to).mapToObj(i -> "in-" + prefix + i + "-0").toList();
  }

  /**
   * A reader of a new file-storage buffer holding 200 messages of {@code prefix}, that has read and acked the
   * first 100; the caller closes it.
   */
  private BufferReader readerPastFirstHalf(String prefix) {
    String buffer = newBuffer(FILE, 0);
    write(buffer, batch(prefix, 200));
    BufferReader reader = client.reader(buffer, ReaderOptions.defaults());
    readAndAckFirst(reader, 100);
    return reader;
  }

  /** Reads and acks the first {@code n} messages, checking they come in write order. */
  private static void readAndAckFirst(BufferReader reader, int n) {
    var read = new ArrayList<ReadMessage>();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (read.size() < n && System.nanoTime() - deadline < 0) {
      List<ReadMessage> got = reader.read(Math.min(30, n - read.size()), Duration.ofMillis(500));
      reader.ack(got.stream().map(ReadMessage::offset).toList());
      read.addAll(got);
    }
    String prefix = id(read.get(0)).substring(3, 4);
    assertThat(read).extracting(JetStreamReaderTest::id).containsExactlyElementsOf(ids(prefix, 0, n));
  }

  /**
   * Reads and acks, riding out the reconnect, until every one of {@code expected} was read (or 30 s
   * passed); returns how often each id was read.
   */
  private static Map<String, Integer> readAndAckUntil(BufferReader reader, List<String> expected) {
    Map<String, Integer> seen = new HashMap<>();
    var failures = new ArrayList<String>();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!seen.keySet().containsAll(expected) && System.nanoTime() - deadline < 0) {
      try {
        List<ReadMessage> got = reader.read(50, Duration.ofMillis(500));
        got.forEach(m -> seen.merge(id(m), 1, Integer::sum));
        if (!got.isEmpty()) {
          reader.ack(got.stream().map(ReadMessage::offset).toList());
        }
      } catch (IsbException reconnecting) {
        failures.add(reconnecting.toString());
      }
    }
    assertThat(seen.keySet()).as("read after the restart (failures while reconnecting: %s)", failures)
        .containsAll(expected);
    return seen;
  }

  @Test
  @DisplayName("a read of an empty buffer returns an empty list after the wait, and a closed reader refuses calls")
  void emptyReadAndClosedReader() {
    String buffer = newBuffer(MEMORY, 0);
    BufferReader reader = client.reader(buffer, ReaderOptions.defaults());
    long start = System.nanoTime();
    assertThat(reader.read(5, Duration.ofMillis(300))).isEmpty();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
    reader.close();
    reader.close();
    assertThatThrownBy(() -> reader.read(1, Duration.ZERO)).isInstanceOf(IllegalStateException.class);
  }
}
