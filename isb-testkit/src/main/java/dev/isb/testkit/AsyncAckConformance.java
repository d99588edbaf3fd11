package dev.isb.testkit;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isb.BufferReader;
import dev.isb.IsbException;
import dev.isb.Offset;
import dev.isb.ReadMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Conformance tests of {@link BufferReader#ackAsync}: acks in flight while the reader reads on, each
 * stage completing once its acks are confirmed, with {@code ack}'s promise and argument checks.
 *
 * <p>{@link IsbConformanceKit} runs these tests against each backend as one of its {@code @Nested}
 * groups; the helpers and the per-test client come from {@link ConformanceGroup}.
 */
abstract class AsyncAckConformance extends ConformanceGroup {

  private static final int BATCHES = 10;
  private static final int BATCH = 20;

  @Test
  @DisplayName("acks of several batches in flight while the reader reads on all complete, and every message is gone")
  void acksInFlightWhileReading() {
    Duration ackWait = features().ackWait();
    String b = createBufferHolding(config(ackWait), msgs(BATCHES * BATCH));
    BufferReader r = reader(b, "kit-0", false);
    List<CompletionStage<Void>> acks = new ArrayList<>();
    List<ReadMessage> read = new ArrayList<>();
    for (int i = 0; i < BATCHES; i++) {
      List<ReadMessage> batch = readExactly(r, BATCH);
      read.addAll(batch);
      acks.add(r.ackAsync(offsets(batch)));
    }
    acks.forEach(AsyncAckConformance::awaitConfirmed);

    assertThat(payloads(read)).containsExactlyElementsOf(expectedPayloads(msgs(BATCHES * BATCH)));
    awaitNothingLeft(b);
    assertNothingToRead(r, ackWait.multipliedBy(2));
  }

  @Test
  @DisplayName("once the stage completes the acks are confirmed: another reader of the group never gets those messages")
  void completedMeansConfirmed() {
    Duration ackWait = features().ackWait();
    String b = createBufferHolding(config(ackWait), msgs(5));
    BufferReader first = reader(b, "kit-0", false);
    List<ReadMessage> batch = readExactly(first, 5);
    awaitConfirmed(first.ackAsync(offsets(batch)));
    first.close();

    assertNothingToRead(reader(b, "kit-1", false), ackWait.multipliedBy(2));
  }

  @Test
  @DisplayName("ackAsync of nothing, or of offsets this reader never delivered, completes and leaves the messages to read")
  void nothingToAck() {
    String b = createBuffer();
    List<Offset> written = writeAll(writer(b), msgs(2));
    BufferReader r = reader(b);
    awaitConfirmed(r.ackAsync(List.of()));
    awaitConfirmed(r.ackAsync(written));

    assertThat(payloads(readExactly(r, 2))).containsExactly("m0", "m1");
  }

  @Test
  @DisplayName("ackAsync checks its arguments when called: another buffer's offset, a null, a closed reader throw")
  void badArgumentsThrowAtTheCall() {
    String b1 = createBufferHolding(List.of(msg("one")));
    String b2 = createBufferHolding(List.of(msg("two")));
    BufferReader r1 = reader(b1);
    Offset own = readOne(r1).offset();
    Offset foreign = readOne(reader(b2)).offset();

    assertThatThrownBy(() -> r1.ackAsync(List.of(own, foreign))).as("another buffer's offset")
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(b2);
    assertNullRefused(() -> r1.ackAsync(null), "null offsets");
    assertThat(client.admin().bufferInfo(b1).ackPendingCount()).as("still held after the refused ack").isEqualTo(1);
    r1.close();
    assertClosed(() -> r1.ackAsync(List.of(own)), "ackAsync");
  }

  @Test
  @DisplayName("ackAsync after the buffer was deleted ends in bounded time: confirmed, or failed with an IsbException")
  void deletedBuffer() {
    String b = createBufferHolding(List.of(msg("gone")));
    BufferReader r = reader(b, "kit-0", false);
    Offset held = readOne(r).offset();
    client.admin().deleteBuffers(List.of(b));

    CompletableFuture<Void> stage = r.ackAsync(List.of(held)).toCompletableFuture();
    try {
      stage.get(PATIENCE.toMillis(), MILLISECONDS);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).as("the failure").isInstanceOf(IsbException.class).hasMessageContaining(b);
    } catch (Exception e) {
      throw new AssertionError("the stage did not end within " + PATIENCE, e);
    }
  }

  /** Waits for the stage within {@link #PATIENCE}; one that fails or does not complete fails the test. */
  private static void awaitConfirmed(CompletionStage<Void> acks) {
    completed(acks, "the acks were not confirmed");
  }
}
