package dev.isb.testkit;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isb.BufferReader;
import dev.isb.BufferWriter;
import dev.isb.Kind;
import dev.isb.Message;
import dev.isb.MessageId;
import dev.isb.OnFull;
import dev.isb.ReadMessage;
import dev.isb.WriteResult.Dropped;
import dev.isb.WriteResult.Failed;
import dev.isb.WriteResult.Written;
import dev.isb.WriteResult;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Conformance tests of a full buffer (DESIGN.md, semantics 2): usage = (pending + ackPending) /
 * maxLength, full at usageLimit.
 *
 * <p>{@link IsbConformanceKit} runs these tests against each backend as one of its {@code @Nested}
 * groups; the helpers and the per-test client come from {@link ConformanceGroup}.
 */
abstract class BufferFullConformance extends ConformanceGroup {

  @Test
  @DisplayName("a new writer counts an empty buffer as not full once its first usage refresh is done")
  void notFullAfterFirstRefresh() {
    String b = createBuffer();
    BufferWriter w = smallWriter(b, OnFull.RETRY_UNTIL_SUCCESS, PATIENCE);
    Await.until(PATIENCE, "a new writer sees the empty buffer as not full", () -> !w.isFull());
    assertThat(w.write(msg("first"))).isInstanceOf(Written.class);
  }

  @Test
  @DisplayName("a new writer on a full buffer counts it full from its very first write")
  void newWriterStartsFull() {
    String b = createBuffer();
    fill(smallWriter(b, OnFull.DISCARD_LATEST, PATIENCE));
    BufferWriter fresh = smallWriter(b, OnFull.DISCARD_LATEST, Duration.ZERO);
    assertThat(fresh.write(msg("early"))).isEqualTo(new Dropped(WriteResult.DropReason.BUFFER_FULL));
  }

  @Test
  @DisplayName("under DISCARD_LATEST each message written to a full buffer is Dropped(BUFFER_FULL)")
  void discardLatestDrops() {
    String b = createBuffer();
    BufferWriter w = filledSmallWriter(b, OnFull.DISCARD_LATEST, PATIENCE);
    assertThat(w.write(msgs("x", 0, 3)))
        .containsOnly(new Dropped(WriteResult.DropReason.BUFFER_FULL))
        .hasSize(3);
    assertHoldsOnlyTheFill(b);
  }

  @Test
  @DisplayName("a buffer is full when (pending + ackPending) / maxLength reaches usageLimit, and not full again after acks")
  void usageFormula() {
    String b = createBuffer();
    BufferWriter w = smallWriterWithRoom(b);
    writeAll(w, msgs("f", 0, FULL_AT - 1));
    try (BufferWriter probe = smallWriter(b, OnFull.RETRY_UNTIL_SUCCESS, PATIENCE)) {
      Await.until(PATIENCE, "a new writer measures 4 of 10 as below the 0.5 limit", () -> !probe.isFull());
    }
    writeAll(w, msgs("f", FULL_AT - 1, FULL_AT));
    Await.until(PATIENCE, "5 of 10 reaches the 0.5 limit", w::isFull);

    BufferReader r = reader(b);
    r.ack(readOne(r).offset());
    Await.until(PATIENCE, "after one ack, 4 of 10 is below the limit again", () -> !w.isFull());
  }

  @Test
  @DisplayName("messages read but not yet acked count towards usage")
  void ackPendingCounts() {
    String b = createBuffer();
    BufferWriter w = smallWriterWithRoom(b);
    writeAll(w, msgs("f", 0, 3));
    BufferReader r = reader(b);
    List<ReadMessage> held = readExactly(r, 3);
    writeAll(w, msgs("f", 3, 5));

    Await.until(PATIENCE, "3 read-but-unacked plus 2 unread messages reach the limit", w::isFull);
    r.ack(offsets(held));
    Await.until(PATIENCE, "acking the 3 frees the buffer", () -> !w.isFull());
  }

  @Test
  @DisplayName("under RETRY_UNTIL_SUCCESS a write to a full buffer waits fullWaitTimeout, then fails retryably")
  void retryUntilSuccessTimesOut() {
    String b = createBuffer();
    List<WriteResult> results = writeWaitingForRoom(b, Duration.ofMillis(300), "time the write waited for room",
        w -> w.write(msgs("x", 0, 2)));

    assertThat(assertFailedAsFull(results, 2)).allSatisfy(failed -> assertThat(failed.cause().buffer()).contains(b));
    assertHoldsOnlyTheFill(b);
  }

  @Test
  @DisplayName("a writer blocked on a full buffer writes as soon as a reader in another thread acks")
  void blockedWriterResumesAfterAcks() throws Exception {
    String b = createBuffer();
    BufferWriter w = filledSmallWriter(b, OnFull.RETRY_UNTIL_SUCCESS, PATIENCE.multipliedBy(3));
    Future<WriteResult> blocked = executor.submit(() -> w.write(msg("x")));
    assertThatThrownBy(() -> blocked.get(QUIET.toMillis(), MILLISECONDS))
        .as("the write waits while the buffer is full")
        .isInstanceOf(TimeoutException.class);

    BufferReader r = reader(b);
    r.ack(offsets(readExactly(r, FULL_AT)));

    assertThat(blocked.get(PATIENCE.toMillis(), MILLISECONDS)).isInstanceOf(Written.class);
    assertThat(payloads(readExactly(r, 1))).containsExactly("x");
  }

  @Test
  @DisplayName("watermark barriers are written even when the buffer is full")
  void watermarkBarriersSkipTheFullCheck() {
    String b = createBuffer();
    BufferWriter discarding = filledSmallWriter(b, OnFull.DISCARD_LATEST, PATIENCE);
    Message wmb1 = Message.watermarkBarrier(new MessageId("kit", "wmb-1", 0));
    Message wmb2 = Message.watermarkBarrier(new MessageId("kit", "wmb-2", 0));

    assertThat(discarding.write(List.of(msg("d1"), wmb1, msg("d2"))))
        .hasExactlyElementsOfTypes(Dropped.class, Written.class, Dropped.class);
    BufferWriter retrying = smallWriter(b, OnFull.RETRY_UNTIL_SUCCESS, Duration.ZERO);
    assertThat(retrying.write(wmb2)).isInstanceOf(Written.class);

    List<ReadMessage> read = readUntilQuiet(reader(b));
    assertThat(read).hasSize(FULL_AT + 2);
    assertThat(read.stream().filter(m -> m.message().kind() == Kind.WMB).map(m -> m.message().id()))
        .containsExactly(wmb1.id(), wmb2.id());
  }

  @Test
  @DisplayName("interrupting a writer blocked on a full buffer fails the batch retryably and keeps the interrupt flag")
  void interruptedWriter() throws InterruptedException {
    String b = createBuffer();
    BufferWriter w = filledSmallWriter(b, OnFull.RETRY_UNTIL_SUCCESS, PATIENCE.multipliedBy(3));
    AtomicReference<List<WriteResult>> results = new AtomicReference<>();
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    AtomicBoolean interruptFlagKept = new AtomicBoolean();
    CountDownLatch done = new CountDownLatch(1);
    Thread writing = new Thread(() -> {
      try {
        results.set(w.write(msgs("x", 0, 2)));
        interruptFlagKept.set(Thread.currentThread().isInterrupted());
      } catch (Throwable t) {
        thrown.set(t);
      } finally {
        done.countDown();
      }
    }, "isb-kit-blocked-writer");
    writing.setDaemon(true);
    writing.start();
    assertThat(done.await(QUIET.toMillis(), MILLISECONDS)).as("the write waits while the buffer is full").isFalse();

    writing.interrupt();

    assertThat(done.await(PATIENCE.toMillis(), MILLISECONDS)).as("the interrupted write returns").isTrue();
    assertThat(thrown.get()).as("exception thrown by the interrupted write").isNull();
    assertThat(results.get()).hasSize(2).allSatisfy(result -> {
      assertThat(result).isInstanceOf(Failed.class);
      assertThat(((Failed) result).retryable()).isTrue();
    });
    assertThat(interruptFlagKept).as("interrupt flag after the write").isTrue();
    assertHoldsOnlyTheFill(b);
  }
}
