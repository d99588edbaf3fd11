package dev.isb.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.isb.BufferReader;
import dev.isb.Offset;
import dev.isb.ReadMessage;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Conformance tests of the keep-alive of held messages (DESIGN.md, semantics 4).
 *
 * <p>{@link IsbConformanceKit} runs these tests against each backend as one of its {@code @Nested}
 * groups; the helpers and the per-test client come from {@link ConformanceGroup}.
 */
abstract class KeepAliveConformance extends ConformanceGroup {

  @Test
  @DisplayName("a slowly processed message is not redelivered while its reader keeps it alive")
  void keptAliveIsNotRedelivered() {
    Duration ackWait = features().ackWait();
    String b = createBufferHolding(config(ackWait), List.of(msg("slow")));
    BufferReader r = reader(b, "kit-0", true);
    BufferReader other = reader(b, "kit-1", true);
    ReadMessage held = readOne(r);

    assertNothingToRead(other, ackWait.multipliedBy(3));
    assertNothingToRead(r, QUIET);
    r.ack(held.offset());
  }

  @Test
  @DisplayName("with keep-alive off, a message held longer than ackWait goes to another reader, with delivery count 2 or more")
  void keepAliveOffRedelivers() {
    assertRedeliveredToAnotherReader("slow", false, heldTooLong -> {});
  }

  @Test
  @DisplayName("explicit keepAlive() calls restart ackWait; once they stop, the message is redelivered")
  void explicitKeepAlive() {
    Duration ackWait = features().ackWait();
    String b = createBufferHolding(config(ackWait), List.of(msg("manual")));
    BufferReader r = reader(b, "kit-0", false);
    Offset offset = readOne(r).offset();

    Duration step = ackWait.dividedBy(4);
    for (int i = 0; i < 8; i++) { // twice ackWait in all
      assertThat(r.read(10, step)).as("read while keeping the message alive, step %d", i).isEmpty();
      r.keepAlive(List.of(offset));
    }

    assertRedelivered(readRedelivery(r, ackWait), "manual");
  }

  @Test
  @DisplayName("a message kept alive and then acked is never delivered again, even after its reader closes")
  void keptAliveThenAcked() {
    Duration ackWait = features().ackWait();
    String b = createBufferHolding(config(ackWait), List.of(msg("done")));
    BufferReader r = reader(b, "kit-0", true);
    Offset offset = readOne(r).offset();
    assertNothingToRead(r, ackWait.multipliedBy(2));

    r.ack(offset);
    assertThatCode(() -> r.keepAlive(List.of(offset))).as("keepAlive of an acked offset").doesNotThrowAnyException();
    r.close();

    assertNothingToRead(reader(b, "kit-1", true), ackWait.multipliedBy(2));
  }
}
