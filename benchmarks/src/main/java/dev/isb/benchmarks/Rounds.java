package dev.isb.benchmarks;

import dev.isb.Message;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.LongStream;

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
   * @param nanos wall-clock time from the first call to the last result (for a streaming writer, until
   *     {@link Contender.BatchWriter#finish} has every ack)
   * @param callerCpuNanos CPU time of the threads that called the client (not of the clients' own I/O
   *     threads, jnats' or lettuce's): where the library's own work runs
   * @param latency write-to-read latency of every message of a paced round; empty for the others
   */
  record Timing(long nanos, long callerCpuNanos, Optional<Tally.Latency> latency) {}

  /** The read timeout Numaflow's readers use. */
  static final Duration READ_WAIT = Duration.ofSeconds(1);
  /** The paced writer's ticks per second: one batch each 10 ms. */
  static final int TICKS_PER_SECOND = 100;

  private Rounds() {}

  static Timing write(Contender side, String buffer, List<Message> messages, int batchSize) {
    try (Contender.BatchWriter writer = side.writer(buffer)) {
      long cpu = THREADS.getCurrentThreadCpuTime();
      long start = System.nanoTime();
      int stored = writeAll(writer, messages, batchSize, null);
      long elapsed = System.nanoTime() - start;
      cpu = THREADS.getCurrentThreadCpuTime() - cpu;
      requireStored(side, stored, messages.size());
      return new Timing(elapsed, cpu, Optional.empty());
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
      return new Timing(elapsed, cpu, Optional.empty());
    }
  }

  /**
   * Per buffer, one thread writes while another reads and acks, all buffers at once; timed from the
   * start signal until every thread is done. Each buffer gets all of {@code messages}.
   */
  static Timing endToEnd(Contender side, List<String> buffers, List<Message> messages, int batchSize,
      ExecutorService threads) {
    return concurrently(side, buffers, messages, batchSize, 0, false, threads);
  }

  /**
   * As {@link #endToEnd} on one buffer, but the writer keeps to {@code rate} messages per second, and
   * the timing has each message's latency from its hand-over to the writer to its arrival at the reader.
   */
  static Timing paced(Contender side, String buffer, List<Message> messages, int batchSize, int rate,
      ExecutorService threads) {
    return concurrently(side, List.of(buffer), messages, batchSize, rate, false, threads);
  }

  /**
   * As {@link #endToEnd} on one buffer, with each message's latency, and the side's writer under
   * back-pressure ({@link Contender#writerWithBackPressure}).
   */
  static Timing underBackPressure(Contender side, String buffer, List<Message> messages, int batchSize,
      ExecutorService threads) {
    return concurrently(side, List.of(buffer), messages, batchSize, 0, true, threads);
  }

  /**
   * One writer and one reader thread per buffer, on {@code threads}, which must have room for all of
   * them at once.
   *
   * @param rate the writers' messages per second, or 0 for as fast as they can
   * @param backPressure whether the writers stop while the buffer is full; the latency of each message is
   *     measured when this is set or {@code rate} is not 0
   */
  private static Timing concurrently(Contender side, List<String> buffers, List<Message> messages, int batchSize,
      int rate, boolean backPressure, ExecutorService threads) {
    boolean timed = rate > 0 || backPressure;
    var writers = new ArrayList<Contender.BatchWriter>(buffers.size());
    var readers = new ArrayList<Contender.BatchReader>(buffers.size());
    try {
      for (String buffer : buffers) {
        writers.add(backPressure ? side.writerWithBackPressure(buffer) : side.writer(buffer));
        readers.add(side.reader(buffer));
      }
      var go = new CountDownLatch(1);
      var cpu = new AtomicLong();
      var tallies = new ArrayList<Tally>(buffers.size());
      var writing = new ArrayList<Future<Integer>>(buffers.size());
      var reading = new ArrayList<Future<?>>(buffers.size());
      for (int p = 0; p < buffers.size(); p++) {
        Contender.BatchWriter writer = writers.get(p);
        Contender.BatchReader reader = readers.get(p);
        Tally tally = timed ? Tally.timed(messages.size()) : new Tally(messages.size());
        tallies.add(tally);
        var writerDone = new AtomicBoolean();
        writing.add(threads.submit(() -> {
          go.await();
          long before = THREADS.getCurrentThreadCpuTime();
          try {
            return rate > 0 ? writePaced(writer, messages, batchSize, rate, tally)
                : writeAll(writer, messages, batchSize, timed ? tally : null);
          } finally {
            writerDone.set(true);
            cpu.addAndGet(THREADS.getCurrentThreadCpuTime() - before);
          }
        }));
        reading.add(threads.submit(() -> {
          go.await();
          long before = THREADS.getCurrentThreadCpuTime();
          readAll(side, reader, tally, batchSize, writerDone::get);
          cpu.addAndGet(THREADS.getCurrentThreadCpuTime() - before);
          return null;
        }));
      }
      long start = System.nanoTime();
      go.countDown();
      int stored = 0;
      for (Future<Integer> w : writing) {
        stored += join(side, w);
      }
      for (Future<?> r : reading) {
        join(side, r);
      }
      long elapsed = System.nanoTime() - start;
      requireStored(side, stored, messages.size() * buffers.size());
      for (Tally tally : tallies) {
        tally.requireComplete(side.name());
      }
      Optional<Tally.Latency> latency = timed
          ? Optional.of(Tally.Latency.of(tallies.stream().map(Tally::latencies).flatMapToLong(LongStream::of).toArray()))
          : Optional.empty();
      return new Timing(elapsed, cpu.get(), latency);
    } finally {
      readers.forEach(Contender.BatchReader::close);
      writers.forEach(Contender.BatchWriter::close);
    }
  }

  /**
   * Writes {@code rate} messages per second: a batch of {@code rate / 100} messages (at least 1, at
   * most {@code batchSize}) every 10 ms, or more often if {@code batchSize} is the smaller, each batch
   * due when its first message is ({@code from / rate} seconds after the start): an absolute schedule,
   * so a late batch is followed by the next one at once rather than a full tick later. Notes in {@code
   * tally} when each batch is handed over.
   */
  private static int writePaced(Contender.BatchWriter writer, List<Message> messages, int batchSize, int rate,
      Tally tally) {
    int perTick = Math.min(batchSize, Math.max(1, rate / TICKS_PER_SECOND));
    int stored = 0;
    long start = System.nanoTime();
    for (int from = 0; from < messages.size(); from += perTick) {
      long due = start + from * 1_000_000_000L / rate;
      for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
        LockSupport.parkNanos(wait);
      }
      int to = Math.min(messages.size(), from + perTick);
      tally.sent(from, to, System.nanoTime());
      stored += writer.write(messages.subList(from, to));
    }
    return stored + writer.finish();
  }

  /** Writes every message in batches; notes in {@code timing}, when not null, when each batch is handed over. */
  private static int writeAll(Contender.BatchWriter writer, List<Message> messages, int batchSize, Tally timing) {
    int stored = 0;
    for (int from = 0; from < messages.size(); from += batchSize) {
      int to = Math.min(messages.size(), from + batchSize);
      if (timing != null) {
        timing.sent(from, to, System.nanoTime());
      }
      stored += writer.write(messages.subList(from, to));
    }
    return stored + writer.finish();
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
    reader.finish();
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
