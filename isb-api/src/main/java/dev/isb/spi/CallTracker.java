package dev.isb.spi;

import dev.isb.Message;
import dev.isb.WriteResult;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The open/closed state of a writer or reader and the calls running on it, for backend
 * implementations: {@code close()} refuses new calls at once and then waits, bounded, for the running
 * ones. Thread-safe.
 *
 * <pre>{@code
 * private final CallTracker calls = new CallTracker("writer for buffer '" + buffer + "'");
 *
 * public List<WriteResult> write(List<Message> batch) {
 *   calls.enter();                    // IllegalStateException once closed
 *   try { ... } finally { calls.exit(); }
 * }
 *
 * public void close() {
 *   if (calls.markClosed()) {         // true only for the first close
 *     wakeWaiters();
 *     calls.awaitIdle(Duration.ofSeconds(10));
 *     releaseResources();
 *   }
 * }
 * }</pre>
 */
public final class CallTracker {

  private final String what;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition idle = lock.newCondition();
  private volatile boolean closed;
  private int running;

  /** @param what the handle, for the error message: {@code "<what> is closed"} */
  public CallTracker(String what) {
    this.what = Objects.requireNonNull(what, "what");
  }

  /**
   * Starts a call; pair it with {@link #exit()} in a {@code finally}.
   *
   * @throws IllegalStateException if the handle is closed
   */
  public void enter() {
    lock.lock();
    try {
      requireOpen();
      running++;
    } finally {
      lock.unlock();
    }
  }

  /** Ends a call started with {@link #enter()}. */
  public void exit() {
    lock.lock();
    try {
      if (--running == 0) {
        idle.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  /** @throws IllegalStateException if the handle is closed */
  public void requireOpen() {
    if (closed) {
      throw new IllegalStateException(what + " is closed");
    }
  }

  /** Whether the handle is closed. */
  public boolean isClosed() {
    return closed;
  }

  /** Refuses new calls; true for the call that closed the handle, false if it was closed already. */
  public boolean markClosed() {
    lock.lock();
    try {
      if (closed) {
        return false;
      }
      closed = true;
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until no call is running or the timeout passes. If interrupted, stops waiting and keeps
   * the interrupt flag.
   *
   * @return whether every call ended
   */
  public boolean awaitIdle(Duration timeout) {
    lock.lock();
    try {
      long remaining = timeout.toNanos();
      while (running > 0) {
        if (remaining <= 0) {
          return false;
        }
        remaining = idle.awaitNanos(remaining);
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      lock.unlock();
    }
  }
}
