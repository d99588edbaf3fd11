package dev.isb.vertex;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The settling stage: a thread that completes the batches handed to it, in order, while the loop
 * applies the function to the next ones; permits bound the batches and bytes between the two.
 */
final class Settler implements Runnable {

  /** How often a wait for permits looks up to check that the settling thread still runs. */
  private static final Duration POLL = Duration.ofMillis(50);

  private final String buffer;
  private final Consumer<InFlightBatch> complete;
  private final Consumer<InFlightBatch> abandon;
  private final BlockingQueue<InFlightBatch> queue = new LinkedBlockingQueue<>();
  private final Semaphore batches;
  private final Semaphore bytes;
  /** Handed over last: no batch follows. */
  private final InFlightBatch end = new InFlightBatch(List.of(), 0, false, 0);
  private final AtomicReference<Throwable> died = new AtomicReference<>();
  private final Thread thread;

  /**
   * Starts the settling thread, named after the calling one.
   *
   * @param buffer the input partition, for errors
   * @param complete settles one batch (waits for its writes, acks or naks its inputs); never throws
   * @param abandon hands back a batch that will not be settled, if the settling thread dies; never throws
   */
  Settler(String buffer, PartitionLoop.Stages stages, Consumer<InFlightBatch> complete,
      Consumer<InFlightBatch> abandon) {
    this.buffer = buffer;
    this.complete = complete;
    this.abandon = abandon;
    this.batches = new Semaphore(stages.batches());
    this.bytes = new Semaphore((int) Math.min(stages.bytes(), Integer.MAX_VALUE));
    thread = new Thread(this, Thread.currentThread().getName() + "-settle");
    thread.start();
  }

  /**
   * Waits until the batch may go into flight; the wait is the loop's back-pressure.
   *
   * @throws IllegalStateException if the settling thread died: nothing more may go into flight
   */
  void admit(InFlightBatch batch) {
    requireAlive();
    boolean interrupted = Thread.interrupted();
    try {
      acquire(batches, 1);
      acquire(bytes, batch.bytes);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Takes permits, waiting as long as settling goes on: a shutdown does not cut this wait short, as the
   * batches ahead settle (or fail) within the shutdown deadline.
   */
  private void acquire(Semaphore permits, int count) {
    boolean interrupted = false;
    while (true) {
      try {
        if (permits.tryAcquire(count, POLL.toNanos(), TimeUnit.NANOSECONDS)) {
          break;
        }
      } catch (InterruptedException e) {
        interrupted = true;
      }
      if (!thread.isAlive()) {
        throw new IllegalStateException("settling '" + buffer + "' stopped on an error", died.get());
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  void submit(InFlightBatch batch) {
    queue.add(batch);
  }

  /** Hands over the end and waits until every batch handed over is settled. */
  void finish() {
    queue.add(end);
    boolean interrupted = false;
    while (thread.isAlive()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        interrupted = true; // the batches ahead settle or fail within the shutdown deadline
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (died.get() != null) {
      throw new IllegalStateException("settling '" + buffer + "' stopped on an error", died.get());
    }
  }

  @Override
  public void run() {
    try {
      while (true) {
        InFlightBatch batch = queue.take();
        if (batch == end) {
          return;
        }
        try {
          complete.accept(batch);
        } finally {
          bytes.release(batch.bytes);
          batches.release();
        }
      }
    } catch (Throwable t) {
      died.set(t);
      // Nobody will settle what is queued: hand it back now rather than leave it to ackWait.
      for (InFlightBatch batch = queue.poll(); batch != null; batch = queue.poll()) {
        if (batch != end) {
          abandon.accept(batch);
        }
      }
    }
  }

  /** @throws IllegalStateException if the settling thread died: the partition must stop */
  void requireAlive() {
    if (!thread.isAlive()) {
      throw new IllegalStateException("settling '" + buffer + "' stopped on an error", died.get());
    }
  }
}
