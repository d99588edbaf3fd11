package dev.isb.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isb.BufferReader;
import dev.isb.ReadMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Conformance tests of maxAckPending (DESIGN.md, semantics 6).
 *
 * <p>{@link IsbConformanceKit} runs these tests against each backend as one of its {@code @Nested}
 * groups; the helpers and the per-test client come from {@link ConformanceGroup}.
 */
abstract class MaxAckPendingConformance extends ConformanceGroup {

  @Test
  @DisplayName("a group holds at most maxAckPending un-acked messages: reads return no more until acks")
  void boundsHeldMessages() {
    String b = createBuffer(config(UnaryOperator.identity(), LONG_ACK_WAIT, 3));
    writeAll(writer(b), msgs(10));
    BufferReader r = reader(b);

    List<ReadMessage> held = readUntilQuiet(r);
    assertThat(payloads(held)).containsExactly("m0", "m1", "m2");
    r.ack(held.get(0).offset());
    List<ReadMessage> next = readUntilQuiet(r);
    assertThat(payloads(next)).as("read after one ack").containsExactly("m3");

    r.ack(offsets(held.subList(1, 3)));
    r.ack(offsets(next));
    List<ReadMessage> rest = new ArrayList<>();
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (rest.size() < 6 && System.nanoTime() - deadline < 0) {
      List<ReadMessage> batch = r.read(10, POLL);
      assertThat(batch.size()).as("messages held at once").isLessThanOrEqualTo(3);
      rest.addAll(batch);
      r.ack(offsets(batch));
    }
    assertThat(payloads(rest)).containsExactly("m4", "m5", "m6", "m7", "m8", "m9");
  }

  @Test
  @DisplayName("maxAckPending bounds the whole group, not each reader")
  void boundsTheGroup() {
    String b = createBuffer(config(UnaryOperator.identity(), LONG_ACK_WAIT, 4));
    writeAll(writer(b), msgs(10));
    List<ReadMessage> first = readUntilQuiet(reader(b, "kit-0", true));
    List<ReadMessage> second = readUntilQuiet(reader(b, "kit-1", true));
    assertThat(first.size() + second.size()).as("messages held by both readers").isEqualTo(4);
  }
}
