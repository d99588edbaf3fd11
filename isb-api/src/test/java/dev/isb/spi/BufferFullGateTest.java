package dev.isb.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isb.BufferFullException;
import dev.isb.BufferNotFoundException;
import dev.isb.OnFull;
import dev.isb.Retention;
import dev.isb.WriteResult;
import dev.isb.WriterOptions;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("BufferFullGate")
class BufferFullGateTest {

  private static final String BUFFER = "ns-pl-v-0";

  private static BufferFullGate gate(OnFull onFull) {
    return new BufferFullGate(BUFFER, WriterOptions.builder().maxLength(10).onFull(onFull)
        .fullWaitTimeout(Duration.ofMinutes(1)).build());
  }

  @Test
  @DisplayName("a buffer found deleted fails DATA messages at once and not retryably, under either onFull")
  void goneFailsAtOnce() {
    for (OnFull onFull : OnFull.values()) {
      BufferFullGate gate = gate(onFull);
      gate.measured(0, 0, 0, Retention.LIMITS);
      gate.markGone(new BufferNotFoundException(BUFFER, null));

      long start = System.nanoTime();
      WriteResult result = gate.awaitRoom(gate.batchDeadline()).orElseThrow();

      assertThat(Duration.ofNanos(System.nanoTime() - start)).as(onFull.name()).isLessThan(Duration.ofSeconds(5));
      assertThat(result).isInstanceOfSatisfying(WriteResult.Failed.class, f -> {
        assertThat(f.retryable()).isFalse();
        assertThat(f.cause()).isInstanceOf(BufferNotFoundException.class).hasMessageContaining(BUFFER);
      });
      assertThat(gate.isGone()).isTrue();
      assertThat(gate.isFull()).isTrue();
    }
  }

  @Test
  @DisplayName("the messages of one batch that found the buffer still full share one failure; the next batch gets its own")
  void timedOutBatchSharesOneFailure() {
    BufferFullGate gate = new BufferFullGate(BUFFER, WriterOptions.builder().maxLength(10)
        .onFull(OnFull.RETRY_UNTIL_SUCCESS).fullWaitTimeout(Duration.ofMillis(1)).build());
    long batch = gate.batchDeadline();
    WriteResult first = gate.awaitRoom(batch).orElseThrow();
    WriteResult second = gate.awaitRoom(batch).orElseThrow();
    WriteResult nextBatch = gate.awaitRoom(batch + 1).orElseThrow();

    assertThat(first).isInstanceOfSatisfying(WriteResult.Failed.class, f -> {
      assertThat(f.retryable()).isTrue();
      assertThat(f.cause()).isInstanceOf(BufferFullException.class).hasMessageContaining(BUFFER)
          .hasMessageContaining("still full");
    });
    assertThat(second).isSameAs(first);
    assertThat(nextBatch).isInstanceOfSatisfying(WriteResult.Failed.class,
        f -> assertThat(f.cause()).isInstanceOf(BufferFullException.class).isNotSameAs(((WriteResult.Failed) first).cause()));
  }

  @Test
  @DisplayName("usage is measured every refreshInterval, every tenth of it while a measurement finds the buffer full,"
      + " and not faster after a failed one")
  void measuresFasterWhileFull() {
    var scheduler = Executors.newSingleThreadScheduledExecutor();
    try {
      BufferFullGate gate = new BufferFullGate(BUFFER, WriterOptions.builder().maxLength(10)
          .refreshInterval(Duration.ofMillis(400)).build());
      var measurements = new AtomicInteger();
      var usage = new AtomicLong();
      var fails = new AtomicBoolean();
      ScheduledFuture<?> task = gate.scheduleMeasurements(scheduler, () -> {
        measurements.incrementAndGet();
        if (fails.get()) {
          gate.markFull("usage refresh failed: connection lost");
        } else {
          gate.measured(usage.get(), 0, usage.get(), Retention.LIMITS);
        }
      });
      assertThat(countFor(measurements, Duration.ofMillis(1_000))).as("measurements in 1 s, not full").isBetween(1, 4);
      usage.set(10);
      countFor(measurements, Duration.ofMillis(500)); // the next regular measurement finds it full
      assertThat(countFor(measurements, Duration.ofMillis(1_000))).as("measurements in 1 s, full").isBetween(10, 26);
      fails.set(true);
      countFor(measurements, Duration.ofMillis(200)); // the next one fails
      assertThat(countFor(measurements, Duration.ofMillis(1_000))).as("measurements in 1 s, failing").isBetween(1, 4);
      task.cancel(false);
    } finally {
      scheduler.shutdownNow();
    }
  }

  /** How many measurements happen in the next {@code span}. */
  private static int countFor(AtomicInteger measurements, Duration span) {
    int before = measurements.get();
    long deadline = System.nanoTime() + span.toNanos();
    for (long left = span.toNanos(); left > 0; left = deadline - System.nanoTime()) {
      LockSupport.parkNanos(left);
    }
    return measurements.get() - before;
  }

  @Test
  @DisplayName("a later successful measurement (the buffer was created again) lets messages through again")
  void measurementClearsGone() {
    BufferFullGate gate = gate(OnFull.RETRY_UNTIL_SUCCESS);
    gate.markGone(new BufferNotFoundException(BUFFER, null));
    gate.measured(1, 0, 1, Retention.LIMITS);

    assertThat(gate.isGone()).isFalse();
    assertThat(gate.awaitRoom(gate.batchDeadline())).isEmpty();
  }

  @Test
  @DisplayName("a measurement that fails for another reason after a deletion counts the buffer as full: its state is unknown")
  void markFullKeepsWaiting() {
    BufferFullGate gate = gate(OnFull.DISCARD_LATEST);
    gate.markGone(new BufferNotFoundException(BUFFER, null));
    gate.markFull("usage refresh failed: connection lost");

    assertThat(gate.isGone()).isFalse();
    assertThat(gate.awaitRoom(gate.batchDeadline())).containsInstanceOf(WriteResult.Dropped.class);
  }
}
