package dev.isb.testkit;

import dev.isb.BufferFullException;
import dev.isb.BufferInfo;
import dev.isb.BufferWriter;
import dev.isb.IsbBackendException;
import dev.isb.IsbException;
import dev.isb.Kind;
import dev.isb.Message;
import dev.isb.OnFull;
import dev.isb.Retention;
import dev.isb.WriteResult;
import dev.isb.WriterOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An in-memory buffer writer.
 *
 * <p>Design: the "full" flag is Numaflow's: it starts true, a task refreshes it from the buffer's
 * usage every refresh interval, and a failed refresh sets it. Writers waiting for room under
 * retryUntilSuccess wait on a condition that each refresh and {@link #close()} signal.
 */
final class InMemoryBufferWriter implements BufferWriter {

  private static final Duration CLOSE_DRAIN_TIMEOUT = Duration.ofSeconds(5);

  private final InMemoryBuffer buffer;
  private final WriterOptions options;
  private final InMemoryFaults faults;
  private final Runnable onClose;
  private final ScheduledFuture<?> refresher;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition refreshed = lock.newCondition();
  private final Condition idle = lock.newCondition();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean full = true;
  private int writesInProgress;

  InMemoryBufferWriter(InMemoryBuffer buffer, WriterOptions options, InMemoryFaults faults,
      ScheduledExecutorService scheduler, Runnable onClose) {
    this.buffer = buffer;
    this.options = options;
    this.faults = faults;
    this.onClose = onClose;
    long period = options.refreshInterval().toNanos();
    this.refresher = scheduler.scheduleAtFixedRate(this::refresh, 0, period, TimeUnit.NANOSECONDS);
  }

  @Override
  public String buffer() {
    return buffer.name();
  }

  @Override
  public int partition() {
    return buffer.partition();
  }

  /** Numaflow's rule: full when both the soft and the solid usage reach the limit. */
  private void refresh() {
    boolean nowFull;
    try {
      faults.onUsageRefresh(buffer.name());
      BufferInfo info = buffer.info();
      double soft = (double) (info.pendingCount() + info.ackPendingCount()) / options.maxLength();
      double solid = buffer.config().stream().retention() == Retention.LIMITS
          ? soft : (double) buffer.storedMessages() / options.maxLength();
      nowFull = faults.forcedFull(buffer.name())
          || (soft >= options.usageLimit() && solid >= options.usageLimit());
    } catch (RuntimeException e) {
      nowFull = true;
    }
    lock.lock();
    try {
      full = nowFull;
      refreshed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public List<WriteResult> write(List<Message> messages) {
    Objects.requireNonNull(messages, "messages");
    enter();
    try {
      long waitUntil = deadline(options.fullWaitTimeout());
      var results = new ArrayList<WriteResult>(messages.size());
      for (Message m : messages) {
        results.add(writeOne(Objects.requireNonNull(m, "message"), waitUntil));
      }
      return results;
    } finally {
      exit();
    }
  }

  private WriteResult writeOne(Message message, long waitUntil) {
    if (Thread.currentThread().isInterrupted()) {
      return failed("interrupted before the message was written");
    }
    if (closed.get()) {
      return failed("writer closed before the message was written");
    }
    try {
      faults.onWrite(buffer.name());
      if (message.kind() == Kind.WMB) {
        return toResult(buffer.append(message), message);
      }
      while (true) {
        if (!full) {
          InMemoryBuffer.Appended appended = buffer.append(message);
          if (appended.outcome() != InMemoryBuffer.Outcome.NO_ROOM) {
            return toResult(appended, message);
          }
          // The stream's own limits (DiscardNew) refused it: full until the next refresh says otherwise.
          full = true;
        }
        if (options.onFull() == OnFull.DISCARD_LATEST) {
          return new WriteResult.Dropped(WriteResult.DropReason.BUFFER_FULL);
        }
        WriteResult gaveUp = awaitRoom(waitUntil);
        if (gaveUp != null) {
          return gaveUp;
        }
      }
    } catch (IsbException e) {
      return new WriteResult.Failed(e, e.retryable());
    }
  }

  private WriteResult toResult(InMemoryBuffer.Appended appended, Message message) {
    return switch (appended.outcome()) {
      case WRITTEN -> new WriteResult.Written(new InMemoryOffset(buffer, appended.seq()));
      case DUPLICATE -> new WriteResult.Duplicate(new InMemoryOffset(buffer, appended.seq()));
      case NO_ROOM -> new WriteResult.Failed(new BufferFullException(buffer.name(),
          "no room for " + message.kind() + " message " + message.id()), true);
    };
  }

  /** Waits for a refresh that finds room; returns the result to report if waiting ends otherwise. */
  private WriteResult awaitRoom(long waitUntil) {
    lock.lock();
    try {
      while (full) {
        if (closed.get()) {
          return failed("writer closed while waiting for room in the full buffer");
        }
        long remaining = waitUntil - System.nanoTime();
        if (remaining <= 0) {
          return new WriteResult.Failed(new BufferFullException(buffer.name(), "still full after waiting "
              + options.fullWaitTimeout() + " (maxLength " + options.maxLength() + ", usageLimit "
              + options.usageLimit() + ")"), true);
        }
        refreshed.awaitNanos(remaining);
      }
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return failed("interrupted while waiting for room in the full buffer");
    } finally {
      lock.unlock();
    }
  }

  private WriteResult.Failed failed(String why) {
    return new WriteResult.Failed(new IsbBackendException(buffer.name(), null, why, true, null), true);
  }

  private static long deadline(Duration timeout) {
    long now = System.nanoTime();
    long nanos = timeout.compareTo(Duration.ofNanos(Long.MAX_VALUE / 2)) >= 0 ? Long.MAX_VALUE / 2 : timeout.toNanos();
    return now + nanos;
  }

  @Override
  public boolean isFull() {
    requireOpen();
    return full;
  }

  private void requireOpen() {
    if (closed.get()) {
      throw new IllegalStateException("writer for buffer '" + buffer.name() + "' is closed");
    }
  }

  private void enter() {
    lock.lock();
    try {
      requireOpen();
      writesInProgress++;
    } finally {
      lock.unlock();
    }
  }

  private void exit() {
    lock.lock();
    try {
      if (--writesInProgress == 0) {
        idle.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    refresher.cancel(false);
    boolean interrupted = false;
    lock.lock();
    try {
      refreshed.signalAll();
      long remaining = CLOSE_DRAIN_TIMEOUT.toNanos();
      while (writesInProgress > 0 && remaining > 0) {
        try {
          remaining = idle.awaitNanos(remaining);
        } catch (InterruptedException e) {
          interrupted = true;
          break;
        }
      }
    } finally {
      lock.unlock();
    }
    onClose.run();
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "InMemoryBufferWriter{" + buffer.name() + ", " + options.onFull() + '}';
  }
}
