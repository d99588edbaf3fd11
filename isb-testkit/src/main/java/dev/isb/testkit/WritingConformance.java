package dev.isb.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.isb.BufferReader;
import dev.isb.BufferWriter;
import dev.isb.Header;
import dev.isb.Kind;
import dev.isb.Message;
import dev.isb.MessageId;
import dev.isb.Metadata;
import dev.isb.Offset;
import dev.isb.ReadMessage;
import dev.isb.WriteResult.Duplicate;
import dev.isb.WriteResult.Written;
import dev.isb.WriteResult;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Conformance tests of writing (DESIGN.md, semantics 1): each message of a batch gets its own
 * result, in order.
 *
 * <p>{@link IsbConformanceKit} runs these tests against each backend as one of its {@code @Nested}
 * groups; the helpers and the per-test client come from {@link ConformanceGroup}.
 */
abstract class WritingConformance extends ConformanceGroup {

  @Test
  @DisplayName("a batch gets one Written result per message, in batch order, with offsets of the buffer")
  void batchResultsInOrder() {
    String b = createBuffer();
    List<Offset> written = writeAll(writer(b), msgs(5));

    assertThat(written).allSatisfy(o -> {
      assertThat(o.buffer()).isEqualTo(b);
      assertThat(o.partition()).isZero();
      assertThat(o.toString()).isEqualTo(o.sequence() + "-0");
    });
    assertThat(written.stream().map(Offset::sequence).distinct()).as("distinct offsets").hasSize(5);
    List<ReadMessage> read = readExactly(reader(b), 5);
    assertThat(payloads(read)).containsExactly("m0", "m1", "m2", "m3", "m4");
    assertThat(read.stream().map(m -> m.offset().sequence()).toList())
        .as("the i-th result is the offset of the i-th message")
        .containsExactlyElementsOf(written.stream().map(Offset::sequence).toList());
  }

  @Test
  @DisplayName("write(Message) writes one message and returns its result")
  void singleMessage() {
    String b = createBuffer();
    WriteResult result = writer(b).write(msg("solo"));
    assertThat(result).isInstanceOf(Written.class);
    assertThat(result.isStored()).isTrue();
    assertThat(payloads(readExactly(reader(b), 1))).containsExactly("solo");
  }

  @Test
  @DisplayName("an empty batch returns no results and writes nothing")
  void emptyBatch() {
    String b = createBuffer();
    assertThat(writer(b).write(List.of())).isEmpty();
    assertNothingToRead(reader(b), QUIET);
  }

  @Test
  @DisplayName("a message with an empty payload is read back with an empty payload")
  void emptyPayload() {
    String b = createBuffer();
    Message empty = Message.data(new MessageId("kit", "empty", 0), new byte[0]);
    writeOne(writer(b), empty);
    ReadMessage read = readOne(reader(b));
    assertThat(read.message().payload()).isEmpty();
    assertThat(read.message()).isEqualTo(empty);
  }

  @Test
  @DisplayName("the largest payload the backend stores (1 MiB by default) is read back byte for byte")
  void largestPayload() {
    String b = createBuffer();
    byte[] payload = new byte[features().maxPayloadBytes()];
    new Random(42).nextBytes(payload);
    writeOne(writer(b), Message.data(new MessageId("kit", "large", 0), payload));
    byte[] read = readOne(reader(b)).message().payload();
    assertThat(read.length).isEqualTo(payload.length);
    assertThat(Arrays.mismatch(read, payload)).as("index of the first differing byte").isEqualTo(-1);
  }

  @Test
  @DisplayName("every header field round-trips: event time with nanos, late flag, unicode keys and headers, metadata")
  void headerRoundTrip() {
    String b = createBuffer();
    Metadata metadata = Metadata.of("upstream-vertex",
        Map.of("sys-group", Map.of("k1", new byte[] {0, 1, 2, (byte) 0xff})),
        Map.of("用户组", Map.of("ключ", "значение ✓".getBytes(UTF_8), "empty", new byte[0])));
    Header header = Header.builder(new MessageId("kit-vertex", "offset-42", 3))
        .eventTime(Instant.parse("2024-02-29T23:59:59.123456789Z"))
        .late(true)
        .keys("ключ", "鍵", "🔑 key", "")
        .headers(Map.of("x-trace", "abc", "ünïcødé", "wert ✓", "emoji-🚀", "🎉"))
        .metadata(metadata)
        .build();
    Message full = new Message(header, "payload ✓".getBytes(UTF_8));
    Message plain = Message.data(new MessageId("kit", "plain", 0), "plain".getBytes(UTF_8));
    writeAll(writer(b), List.of(full, plain));

    List<ReadMessage> read = readExactly(reader(b), 2);
    Header got = read.get(0).message().header();
    assertThat(got.eventTime()).isEqualTo(header.eventTime());
    assertThat(got.late()).isTrue();
    assertThat(got.kind()).isEqualTo(Kind.DATA);
    assertThat(got.id()).isEqualTo(header.id());
    assertThat(got.keys()).containsExactly("ключ", "鍵", "🔑 key", "");
    assertThat(got.headers()).isEqualTo(header.headers());
    assertThat(got.metadata()).isEqualTo(metadata);
    assertThat(read.get(0).message()).isEqualTo(full);
    assertThat(read.get(1).message()).as("a default header round-trips too").isEqualTo(plain);
  }

  @Test
  @DisplayName("a watermark barrier is read back with kind WMB and its header")
  void watermarkBarrierRoundTrip() {
    String b = createBuffer();
    Message wmb = new Message(Header.builder(new MessageId("kit", "wmb-1", 0))
        .kind(Kind.WMB).eventTime(Instant.ofEpochMilli(1_700_000_000_123L)).build(), new byte[0]);
    writeOne(writer(b), wmb);
    ReadMessage read = readOne(reader(b));
    assertThat(read.message().kind()).isEqualTo(Kind.WMB);
    assertThat(read.message()).isEqualTo(wmb);
  }

  @Test
  @DisplayName("the same MessageId in a later batch is a Duplicate of the first copy, and only the first copy is read")
  void duplicateAcrossBatches() {
    String b = createBuffer();
    BufferWriter w = writer(b);
    Offset first = writeOne(w, msg("dup"));
    Message sameIdOtherPayload = new Message(msg("dup").header(), "other payload".getBytes(UTF_8));

    WriteResult again = w.write(sameIdOtherPayload);

    assertThat(again).isInstanceOf(Duplicate.class);
    assertThat(again.isStored()).isTrue();
    if (features().duplicateReportsOriginal()) {
      assertThat(((Duplicate) again).original().sequence()).isEqualTo(first.sequence());
    }
    assertReadsExactly(b, "dup");
  }

  @Test
  @DisplayName("the same MessageId twice in one batch: Written then Duplicate, and one copy is read")
  void duplicateInOneBatch() {
    String b = createBuffer();
    Message a = msg("a");
    List<WriteResult> results = writer(b).write(List.of(a, msg("b"), a));

    assertThat(results).hasExactlyElementsOfTypes(Written.class, Written.class, Duplicate.class);
    if (features().duplicateReportsOriginal()) {
      assertThat(((Duplicate) results.get(2)).original().sequence())
          .isEqualTo(((Written) results.get(0)).offset().sequence());
    }
    assertReadsExactly(b, "a", "b");
  }

  @Test
  @DisplayName("watermark barriers are not de-duplicated: the same WMB written three times is read three times")
  void watermarkBarriersAreNotDeduplicated() {
    String b = createBuffer();
    BufferWriter w = writer(b);
    Message wmb = Message.watermarkBarrier(new MessageId("kit", "wmb", 0));
    assertThat(w.write(List.of(wmb, wmb))).hasExactlyElementsOfTypes(Written.class, Written.class);
    assertThat(w.write(wmb)).isInstanceOf(Written.class);

    BufferReader r = reader(b);
    assertThat(readExactly(r, 3)).allSatisfy(m -> assertThat(m.message().kind()).isEqualTo(Kind.WMB));
    assertNothingToRead(r, QUIET);
  }

  @Test
  @DisplayName("ids that differ only in index or vertex are different messages")
  void distinctIds() {
    String b = createBuffer();
    List<Message> batch = List.of(
        Message.data(new MessageId("kit", "7", 0), "a".getBytes(UTF_8)),
        Message.data(new MessageId("kit", "7", 1), "b".getBytes(UTF_8)),
        Message.data(new MessageId("other", "7", 0), "c".getBytes(UTF_8)));
    writeAll(writer(b), batch);
    assertThat(payloads(readExactly(reader(b), 3))).containsExactly("a", "b", "c");
  }

  @Test
  @DisplayName("writers and readers report their buffer and the partition at the end of its name")
  void bufferAndPartition() {
    String b = "kit-" + hex() + "-3";
    buffers.add(b);
    client.admin().createBuffers(List.of(b), config());
    BufferWriter w = writer(b);
    BufferReader r = reader(b);
    assertThat(w.buffer()).isEqualTo(b);
    assertThat(w.partition()).isEqualTo(3);
    assertThat(r.buffer()).isEqualTo(b);
    assertThat(r.partition()).isEqualTo(3);
    Offset offset = writeOne(w, msg("p3"));
    assertThat(offset.partition()).isEqualTo(3);
    assertThat(offset.toString()).endsWith("-3");
  }
}
