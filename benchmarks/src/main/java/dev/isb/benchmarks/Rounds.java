package dev.isb.benchmarks;

import dev.isb.Message;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * The timed loops, shared by both sides so that the same work is asked of each. Each returns the
 * elapsed time of the work alone (opening and closing writers and readers is not timed) and the CPU
 * time of the calling threads, and fails with {@link BenchFailure} unless every message was stored,
 * or read and acked, exactly once.
 */
final class Rounds {

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /**
   * What a round took.
   *
   * @param nanos wall-clock time from the first call to the last result
   * @param callerCpuNanos CPU time of the threads that called the client (not of the clients' own I/O
   *     threads, jnats' or lettuce's): where the library's own work runs
   */
  record Timing(long nanos, long callerCpuNanos) {}

  /** The read timeout Numaflow's readers use. */
  static final Duration READ_WAIT = Duration.ofSeconds(1);

  private Rounds() {}

  static Timing write(Contender side, String buffer, List<Message> messages, int batchSize) {
    try (Contender.BatchWriter writer = side.writer(buffer)) {
      long cpu = THREADS.getCurrentThreadCpuTime();
      long start = System.nanoTime();
      int stored = writeAll(writer, messages, batchSize);
      long elapsed = System.nanoTime() - start;
      cpu = THREADS.getCurrentThreadCpuTime() - cpu;
      requireStored(side, stored, messages.size());
      return new Timing(elapsed, cpu);
    }
  }

  static Timing read(Contender side, String buffer, int expected, int batchSize) {
    try (Contender.BatchReader reader = side.reader(buffer)) {
      var tally = new Tally(expected);
      long cpu = THREADS.getCurrentThreadCpuTime();
      long start = System.nanoTime();
      readAll(side, reader, tally, batchSize, () -> true);
      long elapsed = System.nanoTime() - start;
      cpu = THREADS.getCurrentThreadCpuTime() - cpu;
      tally.requireComplete(side.name());
      return new Timing(elapsed, cpu);
    }
  }

  /** One thread writes, another reads and acks; timed from the start signal until both are done. */
  static Timing endToEnd(Contender side, String buffer, List<Message> messages, int batchSize,
      ExecutorService threads) {
    try (Contender.BatchWriter writer = side.writer(buffer);
         Contender.BatchReader reader = side.reader(buffer)) {
      var tally = new Tally(messages.size());
      var go = new CountDownLatch(1);
      var writerDone = new AtomicBoolean();
      var cpu = new AtomicLong();
      Future<Integer> writing = threads.submit(() -> {
        go.await();
        long before = THREADS.getCurrentThreadCpuTime();
        try {
          return writeAll(writer, messages, batchSize);
        } finally {
          writerDone.set(true);
          cpu.addAndGet(THREADS.getCurrentThreadCpuTime() - before);
        }
      });
      Future<?> reading = threads.submit(() -> {
        go.await();
        long before = THREADS.getCurrentThreadCpuTime();
        readAll(side, reader, tally, batchSize, writerDone::get);
        cpu.addAndGet(THREADS.getCurrentThreadCpuTime() - before);
        return null;
      });
      long start = System.nanoTime();
      go.countDown();
      int stored = join(side, writing);
      join(side, reading);
      long elapsed = System.nanoTime() - start;
      requireStored(side, stored, messages.size());
      tally.requireComplete(side.name());
      return new Timing(elapsed, cpu.get());
    }
  }

  private static int writeAll(Contender.BatchWriter writer, List<Message> messages, int batchSize) {
    int stored = 0;
    for (int from = 0; from < messages.size(); from += batchSize) {
      stored += writer.write(messages.subList(from, Math.min(messages.size(), from + batchSize)));
    }
    return stored;
  }

  /** Reads until every message came; an empty read once nothing more can come fails the round. */
  private static void readAll(Contender side, Contender.BatchReader reader, Tally tally, int batchSize,
      BooleanSupplier writerDone) {
    while (!tally.complete()) {
      boolean nothingMoreWillCome = writerDone.getAsBoolean();
      if (reader.readAndAck(batchSize, READ_WAIT, tally) == 0 && nothingMoreWillCome) {
        tally.requireComplete(side.name());
      }
    }
  }

  private static void requireStored(Contender side, int stored, int expected) {
    if (stored != expected) {
      throw new BenchFailure(side.name() + " stored " + stored + " messages, expected " + expected);
    }
  }

  private static <T> T join(Contender side, Future<T> task) {
    try {
      return task.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchFailure(side.name() + ": interrupted", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof BenchFailure f ? f : new BenchFailure(side.name() + " failed: " + e.getCause(), e.getCause());
    }
  }
}
