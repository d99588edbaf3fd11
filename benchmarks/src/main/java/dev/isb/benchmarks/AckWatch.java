package dev.isb.benchmarks;

import dev.isb.BufferReader;
import dev.isb.IsbClient;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Notes the moment the last input of a {@link ForwarderBench} round is acked: the readers it hands
 * out count the offsets they ack, and the one that reaches the expected count stamps the time. Exact
 * and free of polling, which on a server backend would cost a round trip per poll on the cores the
 * round runs on; per ack call (a batch of 500) it costs one atomic add. Acks are counted, not offsets:
 * whether each input was acked exactly once is checked on the buffer afterwards. A contender without
 * a library reader ({@link StreamingRawForwarder}) reports the acks the server confirmed with
 * {@link #acked}. Thread-safe.
 */
final class AckWatch {

  private final long expected;
  private final AtomicLong ackCount = new AtomicLong();
  private final CountDownLatch allAcked = new CountDownLatch(1);
  private volatile long allAckedAt;

  AckWatch(long expected) {
    this.expected = expected;
  }

  /** A client that opens watched readers and delegates everything else; closing it closes nothing. */
  IsbClient client(IsbClient delegate) {
    return BorrowedClient.tappingAcks(delegate, this::acked);
  }

  /** A reader whose successful acks are counted. */
  BufferReader watch(BufferReader reader) {
    return BorrowedClient.tappingAcks(reader, this::acked);
  }

  /**
   * Waits until the expected number of offsets is acked and returns {@link System#nanoTime()} at that
   * moment.
   *
   * @param failure the error of the threads doing the work, if any; checked every 50 ms
   * @throws BenchFailure if they failed or the deadline passed first
   */
  long awaitAllAcked(Duration timeout, Supplier<Throwable> failure) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (!allAcked.await(50, TimeUnit.MILLISECONDS)) {
        Throwable error = failure.get();
        if (error != null) {
          throw new BenchFailure("the round failed after " + ackCount.get() + " of " + expected + " acks: " + error, error);
        }
        if (System.nanoTime() - deadline > 0) {
          throw new BenchFailure("only " + ackCount.get() + " of " + expected + " inputs were acked within " + timeout);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchFailure("interrupted while waiting for the acks", e);
    }
    return allAckedAt;
  }

  /** Counts {@code offsets} acks that the server has confirmed. */
  void acked(int offsets) {
    if (ackCount.addAndGet(offsets) >= expected && allAcked.getCount() > 0) {
      allAckedAt = System.nanoTime();
      allAcked.countDown();
    }
  }
}
