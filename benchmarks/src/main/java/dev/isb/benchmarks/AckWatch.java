package dev.isb.benchmarks;

import dev.isb.BufferReader;
import dev.isb.IsbClient;
import dev.isb.Offset;
import dev.isb.ReadMessage;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Notes the moment the last input of a {@link ForwarderBench} round is acked: the readers it hands
 * out count the offsets they ack, and the one that reaches the expected count stamps the time. Exact
 * and free of polling, which on a server backend would cost a round trip per poll on the cores the
 * round runs on; per ack call (a batch of 500) it costs one atomic add. Acks are counted, not offsets:
 * whether each input was acked exactly once is checked on the buffer afterwards. Thread-safe.
 */
final class AckWatch {

  private final long expected;
  private final AtomicLong acked = new AtomicLong();
  private final CountDownLatch allAcked = new CountDownLatch(1);
  private volatile long allAckedAt;

  AckWatch(long expected) {
    this.expected = expected;
  }

  /** A client that opens watched readers and delegates everything else; closing it closes nothing. */
  IsbClient client(IsbClient delegate) {
    return new BorrowedClient(delegate, UnaryOperator.identity(), this::watch);
  }

  /** A reader whose successful acks are counted. */
  BufferReader watch(BufferReader reader) {
    return new WatchedReader(reader);
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
          throw new BenchFailure("the round failed after " + acked.get() + " of " + expected + " acks: " + error, error);
        }
        if (System.nanoTime() - deadline > 0) {
          throw new BenchFailure("only " + acked.get() + " of " + expected + " inputs were acked within " + timeout);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchFailure("interrupted while waiting for the acks", e);
    }
    return allAckedAt;
  }

  private void counted(int offsets) {
    if (acked.addAndGet(offsets) >= expected && allAcked.getCount() > 0) {
      allAckedAt = System.nanoTime();
      allAcked.countDown();
    }
  }

  private final class WatchedReader implements BufferReader {
    private final BufferReader delegate;

    WatchedReader(BufferReader delegate) {
      this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public String buffer() {
      return delegate.buffer();
    }

    @Override
    public int partition() {
      return delegate.partition();
    }

    @Override
    public List<ReadMessage> read(int maxMessages, Duration maxWait) {
      return delegate.read(maxMessages, maxWait);
    }

    @Override
    public List<ReadMessage> read() {
      return delegate.read();
    }

    @Override
    public void ack(Collection<? extends Offset> offsets) {
      delegate.ack(offsets);
      counted(offsets.size());
    }

    @Override
    public void nak(Collection<? extends Offset> offsets, Duration delay) {
      delegate.nak(offsets, delay);
    }

    @Override
    public void keepAlive(Collection<? extends Offset> offsets) {
      delegate.keepAlive(offsets);
    }

    @Override
    public OptionalLong pending() {
      return delegate.pending();
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
