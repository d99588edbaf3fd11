package dev.isb.spi;

import dev.isb.watermark.WatermarkStore;
import dev.isb.watermark.WatermarkStore.Entry;
import dev.isb.watermark.WatermarkStore.Listener;
import dev.isb.watermark.WatermarkStore.Op;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * One running watch of an {@link AbstractWatermarkStore}, the end a backend delivers the watch's
 * changes to: {@link #entry} for each change, {@link #caughtUp()} once the current values are given.
 * It keeps the delivery rules of {@link WatermarkStore#watch}, whichever threads the backend calls it
 * from. As a {@link WatermarkStore.Watch}, it is what the user closes. Thread-safe.
 *
 * <pre>{@code
 * protected AutoCloseable startWatch(WatchFeed feed) {
 *   Subscription s = bucket.subscribe(change -> feed.entry(Op.PUT, change.key(), change.value(), change.millis()),
 *       feed::caughtUp);
 *   return s::cancel;
 * }
 * }</pre>
 *
 * <p>A backend that starts a broken watch again (after a lost connection) calls {@link #restart()},
 * which begins a new run of the watch: what follows is current values again until caught up, and
 * what the old run's subscription may still deliver, late, is dropped if the backend delivers with
 * the run's number ({@link #entry(int, Op, String, byte[], long)}, {@link #caughtUp(int)}).
 *
 * <p>Design: one lock around every call of the listener makes the calls one at a time, in the order
 * the backend delivers them (the backend delivers in order from one thread, except that it may say it
 * caught up from another); the run and the closed state are checked under that lock, so nothing
 * stale or late gets through; {@link #close()} waits, bounded, for a call in progress, so that
 * nothing reaches the listener after {@code close()} returns unless the listener itself is stuck.
 */
public final class WatchFeed implements WatermarkStore.Watch {

  private static final System.Logger LOG = System.getLogger(WatchFeed.class.getName());
  /** How long {@link #close()} waits for a listener call in progress. */
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
  private static final AutoCloseable CLOSED = () -> {};

  private final String bucket;
  private final Listener listener;
  private final Consumer<WatchFeed> onClose;
  private final ReentrantLock delivering = new ReentrantLock();
  /** The backend's side of the watch; {@link #CLOSED} once closed. */
  private final AtomicReference<AutoCloseable> source = new AtomicReference<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  /** Guarded by {@link #delivering}. */
  private boolean caughtUp;
  /** Guarded by {@link #delivering}. */
  private int run;

  WatchFeed(String bucket, Listener listener, Consumer<WatchFeed> onClose) {
    this.bucket = bucket;
    this.listener = Objects.requireNonNull(listener, "listener");
    this.onClose = onClose;
  }

  /** Hands over what stops the backend's side; closed at once if this watch already is. */
  void attach(AutoCloseable backendSide) {
    if (!source.compareAndSet(null, backendSide)) {
      closeQuietly(backendSide);
    }
  }

  /**
   * One change of the current run, given to the listener as a current value until {@link #caughtUp()},
   * as a new change after it; dropped once the watch is closed. A listener that throws is logged.
   *
   * @param value the value put; empty for a delete or purge
   * @param createdMillis when the server stored the change, epoch milliseconds
   */
  public void entry(Op op, String key, byte[] value, long createdMillis) {
    delivering.lock();
    try {
      entry(run, op, key, value, createdMillis);
    } finally {
      delivering.unlock();
    }
  }

  /** As {@link #entry(Op, String, byte[], long)}, dropped unless {@code run} is the current run. */
  public void entry(int run, Op op, String key, byte[] value, long createdMillis) {
    delivering.lock();
    try {
      if (closed.get() || run != this.run) {
        return;
      }
      Entry entry = new Entry(op, key, value, createdMillis, !caughtUp);
      try {
        listener.onEntry(entry);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "a watermark listener of bucket '" + bucket + "' failed on " + op
            + " of key '" + key + "'; the watch goes on", e);
      }
    } finally {
      delivering.unlock();
    }
  }

  /** Every current value of the current run has been given: tells the listener, once per run. */
  public void caughtUp() {
    delivering.lock();
    try {
      caughtUp(run);
    } finally {
      delivering.unlock();
    }
  }

  /** As {@link #caughtUp()}, dropped unless {@code run} is the current run. */
  public void caughtUp(int run) {
    delivering.lock();
    try {
      if (closed.get() || caughtUp || run != this.run) {
        return;
      }
      caughtUp = true;
      try {
        listener.caughtUp();
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "a watermark listener of bucket '" + bucket
            + "' failed when caught up; the watch goes on", e);
      }
    } finally {
      delivering.unlock();
    }
  }

  /** The number of the current run: 0 until the first {@link #restart()}. */
  public int run() {
    delivering.lock();
    try {
      return run;
    } finally {
      delivering.unlock();
    }
  }

  /**
   * The backend starts the watch again: begins a new run, whose deliveries are current values again
   * until caught up, and drops what older runs deliver from now on.
   *
   * @return the new run's number
   */
  public int restart() {
    delivering.lock();
    try {
      caughtUp = false;
      return ++run;
    } finally {
      delivering.unlock();
    }
  }

  /** Whether the watch is closed (by the user, or with its store): the backend may stop delivering. */
  public boolean isClosed() {
    return closed.get();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    AutoCloseable backendSide = source.getAndSet(CLOSED);
    if (backendSide != null) {
      closeQuietly(backendSide);
    }
    awaitDelivery();
    onClose.accept(this);
  }

  /** Waits, bounded, for a listener call in progress on another thread to return. */
  private void awaitDelivery() {
    if (delivering.isHeldByCurrentThread()) {
      return;
    }
    try {
      if (delivering.tryLock(CLOSE_WAIT.toNanos(), TimeUnit.NANOSECONDS)) {
        delivering.unlock();
      } else {
        LOG.log(System.Logger.Level.WARNING, "a watermark listener of bucket '" + bucket + "' did not return within "
            + CLOSE_WAIT + " of its watch closing");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void closeQuietly(AutoCloseable backendSide) {
    try {
      backendSide.close();
    } catch (Exception e) {
      LOG.log(System.Logger.Level.WARNING, "stopping a watch of bucket '" + bucket + "' failed", e);
    }
  }

  @Override
  public String toString() {
    return "WatchFeed{" + bucket + (closed.get() ? ", closed}" : "}");
  }
}
