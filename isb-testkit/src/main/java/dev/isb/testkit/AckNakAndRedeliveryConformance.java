package dev.isb.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.isb.BufferReader;
import dev.isb.Offset;
import dev.isb.ReadMessage;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Conformance tests of ack, nak and redelivery (DESIGN.md, semantics 4).
 *
 * <p>{@link IsbConformanceKit} runs these tests against each backend as one of its {@code @Nested}
 * groups; the helpers and the per-test client come from {@link ConformanceGroup}.
 */
abstract class AckNakAndRedeliveryConformance extends ConformanceGroup {

  @Test
  @DisplayName("an acked message is not delivered again, even after ackWait")
  void ackedIsGone() {
    String b = createBufferHolding(config(features().ackWait()), List.of(msg("a")));
    BufferReader r = reader(b, "kit-0", false);
    r.ack(readOne(r).offset());
    assertNothingToRead(r, features().ackWait().multipliedBy(2));
  }

  @Test
  @DisplayName("a message that is not acked is delivered again after ackWait, with delivery count 2 or more")
  void redeliveredAfterAckWait() {
    Duration ackWait = features().ackWait();
    String b = createBuffer(config(ackWait));
    BufferReader r = reader(b, "kit-0", false);
    long start = System.nanoTime();
    writeOne(writer(b), msg("slow"));
    ReadMessage first = readOne(r);
    assertThat(first.deliveryCount()).isEqualTo(1);

    ReadMessage again = readRedelivery(r, ackWait);
    Duration took = since(start);

    assertThat(again.message()).isEqualTo(first.message());
    assertThat(again.offset().sequence()).isEqualTo(first.offset().sequence());
    assertRedelivered(again, "slow");
    assertTookAtLeast(took, ackWait, "time to redelivery");
    r.ack(again.offset());
  }

  @Test
  @DisplayName("a nakked message is delivered again at once, long before ackWait, with delivery count 2")
  void nakRedeliversAtOnce() {
    String b = createBufferHolding(config(LONG_ACK_WAIT), List.of(msg("n")));
    BufferReader r = reader(b);
    r.nak(List.of(readOne(r).offset()));

    assertDelivered(readOne(r), "n", 2);
  }

  @Test
  @DisplayName("a message nakked with a delay is not delivered before the delay, then with delivery count 2")
  void nakWithDelay() {
    assumeTrue(features().nakDelayHonoured(), "the backend does not honour nak delays");
    String b = createBufferHolding(config(LONG_ACK_WAIT), List.of(msg("later")));
    BufferReader r = reader(b);
    Offset offset = readOne(r).offset();
    Duration delay = Duration.ofMillis(800);
    long start = System.nanoTime();

    r.nak(List.of(offset), delay);

    assertThat(r.read(10, delay.dividedBy(2))).as("read during the nak delay").isEmpty();
    ReadMessage again = readOne(r);
    assertTookAtLeast(since(start), delay, "time to redelivery");
    assertDelivered(again, "later", 2);
  }

  @Test
  @DisplayName("acking an offset the reader has not delivered yet does nothing: the message is still delivered")
  void ackOfUndeliveredOffset() {
    String b = createBuffer();
    Offset written = writeOne(writer(b), msg("not-yet"));
    BufferReader r = reader(b);

    assertThatCode(() -> r.ack(written)).doesNotThrowAnyException();

    assertDelivered(readOne(r), "not-yet", 1);
  }

  @Test
  @DisplayName("acking an already acked offset does nothing, and other held messages stay held")
  void doubleAck() {
    Duration ackWait = features().ackWait();
    String b = createBufferHolding(config(ackWait), msgs(2));
    BufferReader r = reader(b, "kit-0", false);
    List<ReadMessage> read = readExactly(r, 2);
    Offset a = read.get(0).offset();

    r.ack(a);
    assertThatCode(() -> r.ack(a)).doesNotThrowAnyException();
    assertThatCode(() -> r.ack(List.of(a, a))).doesNotThrowAnyException();

    ReadMessage m1 = readRedelivery(r, ackWait);
    assertRedelivered(m1, "m1");
    r.ack(m1.offset());
    assertThatCode(() -> r.ack(m1.offset())).doesNotThrowAnyException();
    assertNothingToRead(r, ackWait);
  }

  @Test
  @DisplayName("acking a batch of offsets finishes all of them")
  void batchAck() {
    Duration ackWait = features().ackWait();
    String b = createBufferHolding(config(ackWait), msgs(5));
    BufferReader r = reader(b, "kit-0", false);
    r.ack(offsets(readExactly(r, 5)));

    awaitNothingLeft(b);
    assertNothingToRead(r, ackWait.multipliedBy(2));
  }

  @Test
  @DisplayName("a message held by a reader that closes is delivered to another reader of the group after ackWait")
  void closedReadersMessagesGoToAnother() {
    assertRedeliveredToAnotherReader("orphan", true, BufferReader::close);
  }
}
