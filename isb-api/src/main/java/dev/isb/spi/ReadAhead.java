package dev.isb.spi;

import dev.isb.ReadMessage;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A reader's read-ahead ({@link dev.isb.ReaderOptions#readAhead()}): a thread of its own keeps the next
 * read in flight while the caller works on what the last one brought. It reads one batch ahead: once
 * the caller has taken all of it, the next read starts. A failed read is handed to the caller's next
 * read, once. When the reader closes, what was read ahead and not taken is given back (nakked) so
 * that it is delivered again at once, not after ackWait.
 */
final class ReadAhead {

  private final String buffer;
  private final Supplier<List<ReadMessage>> read;
  private final BooleanSupplier closed;
  private final Consumer<List<ReadMessage>> giveBack;
  private final ReentrantLock lock = new ReentrantLock();
  /** Signalled when messages or a failure arrive, and when the reader closes. */
  private final Condition arrived = lock.newCondition();
  /** Signalled when the caller has taken everything, and when the reader closes. */
  private final Condition taken = lock.newCondition();
  private final ArrayDeque<ReadMessage> ready = new ArrayDeque<>();
  private RuntimeException failed;
  private boolean stopped;
  private Thread thread;

  /**
   * @param buffer for the thread's name
   * @param read one read of the options' batch size and timeout, tracked as a call of the reader
   * @param closed whether the reader is closed: a read that fails then ends the thread instead of
   *     reaching the caller (whose read, cut short by the close, returns empty)
   * @param giveBack naks messages read ahead and never taken; never throws
   */
  ReadAhead(String buffer, Supplier<List<ReadMessage>> read, BooleanSupplier closed,
      Consumer<List<ReadMessage>> giveBack) {
    this.buffer = buffer;
    this.read = read;
    this.closed = closed;
    this.giveBack = giveBack;
  }

  /**
   * Takes up to {@code max} messages read ahead, waiting up to {@code maxWait} for the read in flight;
   * starts the thread on the first call. Returns an empty list when nothing came in time, when the
   * calling thread is interrupted (the flag is kept), or once the reader stops.
   *
   * @throws RuntimeException what the last read ahead failed with
   */
  List<ReadMessage> take(int max, Duration maxWait) {
    lock.lock();
    try {
      if (thread == null && !stopped) {
        thread = new Thread(this::run, "isb-read-ahead-" + buffer);
        thread.setDaemon(true);
        thread.start();
      }
      long remaining = maxWait.toNanos();
      while (ready.isEmpty() && failed == null && !stopped) {
        if (remaining <= 0) {
          return List.of();
        }
        try {
          remaining = arrived.awaitNanos(remaining);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return List.of();
        }
      }
      if (failed != null) {
        RuntimeException e = failed;
        failed = null;
        taken.signalAll();
        throw e;
      }
      var out = new ArrayList<ReadMessage>(Math.min(max, ready.size()));
      while (out.size() < max && !ready.isEmpty()) {
        out.add(ready.poll());
      }
      if (ready.isEmpty()) {
        taken.signalAll();
      }
      return out;
    } finally {
      lock.unlock();
    }
  }

  /** Stops reading ahead and wakes the waiting; the thread gives back what it holds and ends. */
  void stop() {
    lock.lock();
    try {
      stopped = true;
      arrived.signalAll();
      taken.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void run() {
    while (awaitTaken()) {
      List<ReadMessage> batch;
      RuntimeException error = null;
      try {
        batch = read.get();
      } catch (RuntimeException e) {
        if (closed.getAsBoolean()) {
          break; // the reader closed between the wait and the read, or during it
        }
        batch = List.of();
        error = e;
      }
      lock.lock();
      try {
        ready.addAll(batch);
        failed = error;
        arrived.signalAll();
      } finally {
        lock.unlock();
      }
    }
    List<ReadMessage> held;
    lock.lock();
    try {
      held = new ArrayList<>(ready);
      ready.clear();
    } finally {
      lock.unlock();
    }
    if (!held.isEmpty()) {
      giveBack.accept(held);
    }
  }

  /** Waits until the caller took everything (and any failure); false once stopped. */
  private boolean awaitTaken() {
    lock.lock();
    try {
      while ((!ready.isEmpty() || failed != null) && !stopped) {
        taken.awaitUninterruptibly();
      }
      return !stopped;
    } finally {
      lock.unlock();
    }
  }

  /** Waits up to {@code timeout} for the thread to end, after {@link #stop()}. */
  void awaitEnd(Duration timeout) {
    Thread t;
    lock.lock();
    try {
      t = thread;
    } finally {
      lock.unlock();
    }
    if (t == null) {
      return;
    }
    try {
      t.join(Math.max(1, timeout.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
