package dev.isb.benchmarks;

import dev.isb.Message;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Which of a round's messages have been read, by the index the benchmark put in each message id's
 * offset: a message read twice, or one the round never wrote, fails the round. Not thread-safe: one
 * reader thread per round, except {@link #sent}, which a timed tally takes from the writer thread.
 *
 * <p>A {@linkplain #timed timed} tally also measures each message's latency: from the moment the batch
 * holding it was handed to the writer ({@link #sent}) to the moment the reader counts it here.
 */
final class Tally {

  /** A send time not yet noted: a message read before its write was handed over fails the round. */
  private static final long NOT_SENT = Long.MIN_VALUE;

  private final int expected;
  private final BitSet seen;
  /** Per index, {@link System#nanoTime()} when its batch was handed to the writer; null unless timed. */
  private final AtomicLongArray sentAt;
  /** Write-to-read latency in nanoseconds of the messages seen so far, in the order seen. */
  private final long[] latencies;
  private int count;

  Tally(int expected) {
    this(expected, false);
  }

  private Tally(int expected, boolean timed) {
    this.expected = expected;
    this.seen = new BitSet(expected);
    this.sentAt = timed ? new AtomicLongArray(expected) : null;
    this.latencies = timed ? new long[expected] : null;
    if (timed) {
      for (int i = 0; i < expected; i++) {
        sentAt.set(i, NOT_SENT);
      }
    }
  }

  /** A tally that also measures each message's write-to-read latency. */
  static Tally timed(int expected) {
    return new Tally(expected, true);
  }

  /**
   * Notes that the messages with indexes {@code from} (inclusive) to {@code to} (exclusive) are handed
   * to the writer at {@code nanoTime}. Called by the writer thread, before the write.
   */
  void sent(int from, int to, long nanoTime) {
    for (int i = from; i < to; i++) {
      sentAt.set(i, nanoTime);
    }
  }

  void seen(Message message) {
    int index = Integer.parseInt(message.id().offset());
    if (index < 0 || index >= expected) {
      throw new BenchFailure("read message " + message.id() + " that this round never wrote");
    }
    if (seen.get(index)) {
      throw new BenchFailure("read message " + message.id() + " twice");
    }
    if (sentAt != null) {
      long sent = sentAt.get(index);
      if (sent == NOT_SENT) {
        throw new BenchFailure("read message " + message.id() + " before it was handed to the writer");
      }
      latencies[count] = System.nanoTime() - sent;
    }
    seen.set(index);
    count++;
  }

  boolean complete() {
    return count == expected;
  }

  void requireComplete(String who) {
    if (!complete()) {
      throw new BenchFailure(who + " read " + count + " distinct messages, expected " + expected
          + "; first missing index " + seen.nextClearBit(0));
    }
  }

  /** The write-to-read latencies in nanoseconds of the messages seen so far; only for a {@linkplain #timed timed} tally. */
  long[] latencies() {
    if (latencies == null) {
      throw new IllegalStateException("this tally does not measure latency");
    }
    return Arrays.copyOf(latencies, count);
  }

  /**
   * Write-to-read latency percentiles of one round (nearest rank), in nanoseconds.
   *
   * @param p50 the median
   * @param p99 the 99th percentile
   * @param max the slowest message
   */
  record Latency(long p50, long p99, long max) {

    /** Percentiles of {@code nanos}, which this sorts. */
    static Latency of(long[] nanos) {
      if (nanos.length == 0) {
        throw new IllegalArgumentException("no latencies measured");
      }
      Arrays.sort(nanos);
      return new Latency(rank(nanos, 0.50), rank(nanos, 0.99), nanos[nanos.length - 1]);
    }

    private static long rank(long[] sorted, double quantile) {
      int rank = (int) Math.ceil(quantile * sorted.length);
      return sorted[Math.max(0, rank - 1)];
    }

    /** {@code p50 0.81 p99 3.20 max 9.87 ms}. */
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "p50 %.2f p99 %.2f max %.2f ms", p50 / 1e6, p99 / 1e6, max / 1e6);
    }
  }
}
