package dev.isb.spi;

import dev.isb.BufferFullException;
import dev.isb.BufferNotFoundException;
import dev.isb.IsbBackendException;
import dev.isb.OnFull;
import dev.isb.Retention;
import dev.isb.WriteResult;
import dev.isb.WriterOptions;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Numaflow's "buffer full" state of one writer, for backend implementations: a backend measures the
 * buffer's usage every {@link WriterOptions#refreshInterval()} ({@link #scheduleMeasurements}: more
 * often while full) and reports it here; its writer asks {@link #awaitRoom} before each DATA message.
 * Thread-safe.
 *
 * <pre>{@code
 * BufferFullGate gate = new BufferFullGate(buffer, options);
 * gate.scheduleMeasurements(scheduler, () -> ...);      // which, each time, calls
 * gate.measured(pending, ackPending, storedMessages, retention);   // or gate.markFull() when it failed
 * // for each DATA message of a batch:
 * Optional<WriteResult> notWritten = gate.awaitRoom(gate.batchDeadline());
 * }</pre>
 *
 * <p>The rule: soft usage = (pending + ack-pending) / maxLength; solid usage = soft usage under
 * Limits retention, else stored messages / maxLength; the buffer is full when both reach the usage
 * limit. The gate starts full, so nothing is written before the first measurement succeeds, and a
 * failed measurement counts as full.
 */
public final class BufferFullGate {

  /** While the buffer is full, usage is measured this many times as often. */
  private static final int FULL_SPEEDUP = 10;
  private static final Duration MIN_FULL_PERIOD = Duration.ofMillis(10);

  private final String buffer;
  private final WriterOptions options;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private volatile boolean full = true;
  private volatile String lastMeasure = "no usage measured yet";
  private volatile BufferNotFoundException gone;
  /** Whether the last measurement succeeded and found the buffer full: measurements come faster then. */
  private volatile boolean fullByUsage;
  private boolean closed;
  /** The failure of the last batch whose wait timed out, shared by its messages (guarded by the lock). */
  private WriteResult.Failed timedOut;
  private long timedOutDeadline;

  /**
   * @param buffer the buffer, for error messages
   * @param options the writer's maxLength, usageLimit, onFull and fullWaitTimeout
   */
  public BufferFullGate(String buffer, WriterOptions options) {
    this.buffer = Objects.requireNonNull(buffer, "buffer");
    this.options = Objects.requireNonNull(options, "options");
  }

  /**
   * Why a stream that keeps at most {@code maxMsgs} messages cannot hold what a writer lets pile up
   * before it sees the buffer full ({@code maxLength × usageLimit} unacknowledged messages): under
   * Limits retention the stream discards its oldest messages first, read or not (numaflow #1551);
   * under Interest and WorkQueue it refuses writes with "maximum messages exceeded" instead of the
   * writer waiting for room.
   *
   * @param retention the stream's retention
   * @param maxMsgs the stream's message limit; 0 or less is no limit
   * @param maxLength the writer's maxLength
   * @param usageLimit the writer's usageLimit
   * @return what goes wrong, naming both values; empty when the stream can hold it
   */
  public static Optional<String> roomProblem(Retention retention, long maxMsgs, long maxLength, double usageLimit) {
    long fullAt = (long) Math.ceil(maxLength * usageLimit);
    if (maxMsgs <= 0 || maxMsgs >= fullAt) {
      return Optional.empty();
    }
    String values = "stream.maxMsgs " + maxMsgs + " is below writer.maxLength × writer.usageLimit = " + maxLength
        + " × " + usageLimit + " = " + fullAt + ", the unacknowledged messages the writer allows: ";
    return Optional.of(values + (retention == Retention.LIMITS
        ? "under Limits retention the stream discards its oldest messages, read or not, before the writer sees"
            + " the buffer full"
        : "the stream refuses writes (maximum messages exceeded) before the writer sees the buffer full"));
  }

  /**
   * Schedules a writer's usage measurements: the first at once, then every refresh interval, and while
   * the last measurement found the buffer full, every tenth of it (at least 10 ms), so that a writer
   * waiting for room resumes soon after the readers make some, not up to a whole interval later. A
   * measurement that failed does not speed them up: a server that is down is not asked ten times as
   * often.
   *
   * @param scheduler where the measurements run; one at a time
   * @param measure measures the buffer and reports here ({@link #measured}, {@link #markFull}, {@link #markGone})
   * @return the schedule, to cancel when the writer closes
   */
  public ScheduledFuture<?> scheduleMeasurements(ScheduledExecutorService scheduler, Runnable measure) {
    long interval = options.refreshInterval().toNanos();
    long tick = Math.min(interval, Math.max(interval / FULL_SPEEDUP, MIN_FULL_PERIOD.toNanos()));
    var last = new AtomicLong(System.nanoTime() - interval);
    return scheduler.scheduleAtFixedRate(() -> {
      long now = System.nanoTime();
      // Half a tick of slack keeps the normal cadence at the interval despite the ticks' jitter.
      if (fullByUsage || now - last.get() >= interval - tick / 2) {
        last.set(now);
        measure.run();
      }
    }, 0, tick, TimeUnit.NANOSECONDS);
  }

  /**
   * Records a successful usage measurement.
   *
   * @param pending messages not yet delivered to the consumer group
   * @param ackPending messages delivered and not acked
   * @param storedMessages messages stored in the buffer
   * @param retention the buffer's retention policy
   */
  public void measured(long pending, long ackPending, long storedMessages, Retention retention) {
    double soft = (double) (pending + ackPending) / options.maxLength();
    double solid = retention == Retention.LIMITS ? soft : (double) storedMessages / options.maxLength();
    boolean nowFull = soft >= options.usageLimit() && solid >= options.usageLimit();
    fullByUsage = nowFull;
    set(nowFull, String.format(java.util.Locale.ROOT, "usage %.3f (pending %d + ack-pending %d, %d stored) against limit %.3f of maxLength %d",
        Math.min(soft, solid), pending, ackPending, storedMessages, options.usageLimit(), options.maxLength()));
  }

  /**
   * Marks the buffer full until the next successful measurement says otherwise: the measurement
   * failed, or the service refused a message for lack of room.
   *
   * @param why what happened, for error messages
   */
  public void markFull(String why) {
    fullByUsage = false;
    set(true, why);
  }

  /**
   * Marks the buffer as not existing (deleted under the writer) until the next successful
   * measurement: DATA messages then fail at once with {@code notFound}, not retryably, instead of
   * waiting for room that will never come.
   *
   * @param notFound the error to report for each message
   */
  public void markGone(BufferNotFoundException notFound) {
    Objects.requireNonNull(notFound, "notFound");
    fullByUsage = false;
    set(true, "the buffer does not exist", notFound);
  }

  private void set(boolean nowFull, String why) {
    set(nowFull, why, null);
  }

  private void set(boolean nowFull, String why, BufferNotFoundException notFound) {
    lock.lock();
    try {
      full = nowFull;
      lastMeasure = why;
      gone = notFound;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Whether the buffer was found deleted, and no measurement has found it since. */
  public boolean isGone() {
    return gone != null;
  }

  /** Whether the buffer counts as full now. */
  public boolean isFull() {
    return full;
  }

  /** The deadline for one write call's waits: now plus {@link WriterOptions#fullWaitTimeout()}, saturated. */
  public long batchDeadline() {
    Duration timeout = options.fullWaitTimeout();
    long nanos = timeout.compareTo(Duration.ofDays(365)) > 0 ? Duration.ofDays(365).toNanos() : timeout.toNanos();
    return System.nanoTime() + nanos;
  }

  /**
   * Lets a DATA message through when the buffer has room. While it is full: under
   * {@link OnFull#DISCARD_LATEST} returns {@link WriteResult.Dropped} at once; under
   * {@link OnFull#RETRY_UNTIL_SUCCESS} waits for a measurement that finds room, and returns a retryable
   * {@link WriteResult.Failed} if the deadline passes, the thread is interrupted (the flag is kept) or
   * the gate is closed.
   *
   * @param deadline a {@link System#nanoTime()} deadline, from {@link #batchDeadline()}
   * @return empty when the message may be written, else the result to report for it
   */
  public Optional<WriteResult> awaitRoom(long deadline) {
    if (!full) {
      return Optional.empty();
    }
    BufferNotFoundException notFound = gone;
    if (notFound != null) {
      return Optional.of(new WriteResult.Failed(notFound, false));
    }
    if (options.onFull() == OnFull.DISCARD_LATEST) {
      return Optional.of(new WriteResult.Dropped(WriteResult.DropReason.BUFFER_FULL));
    }
    lock.lock();
    try {
      while (full) {
        if (gone != null) {
          return Optional.of(new WriteResult.Failed(gone, false));
        }
        if (closed) {
          return Optional.of(failed("the writer closed while waiting for room in the full buffer"));
        }
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
          // One exception per batch, not per message: retrying into a full buffer makes little garbage.
          if (timedOut == null || timedOutDeadline != deadline) {
            timedOut = new WriteResult.Failed(new BufferFullException(buffer,
                "still full after waiting " + options.fullWaitTimeout() + ": " + lastMeasure), true);
            timedOutDeadline = deadline;
          }
          return Optional.of(timedOut);
        }
        changed.awaitNanos(remaining);
      }
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of(failed("interrupted while waiting for room in the full buffer"));
    } finally {
      lock.unlock();
    }
  }

  private WriteResult.Failed failed(String why) {
    return new WriteResult.Failed(new IsbBackendException(buffer, null, why, true, null), true);
  }

  /** Wakes every waiter; they report retryable failures. Idempotent. */
  public void close() {
    lock.lock();
    try {
      closed = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
