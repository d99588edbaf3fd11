package dev.isb.memory;

import dev.isb.BufferReader;
import dev.isb.Offset;
import dev.isb.ReadMessage;
import dev.isb.ReaderOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An in-memory buffer reader. It remembers the messages it holds (read, not acked or nakked) and,
 * while keep-alive is on, restarts their ackWait every keep-alive interval.
 */
final class InMemoryBufferReader implements BufferReader {

  /** Lets a blocked read see that its reader closed. */
  interface Liveness {
    boolean open();
  }

  private final InMemoryBuffer buffer;
  private final ReaderOptions options;
  private final InMemoryFaults faults;
  private final Runnable onClose;
  private final Set<Long> held = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final ScheduledFuture<?> keepAliveTask;

  InMemoryBufferReader(InMemoryBuffer buffer, ReaderOptions options, InMemoryFaults faults,
      ScheduledExecutorService scheduler, Runnable onClose) {
    this.buffer = buffer;
    this.options = options;
    this.faults = faults;
    this.onClose = onClose;
    if (options.keepAlive()) {
      long period = options.keepAliveIntervalFor(buffer.config().consumer().ackWait()).toNanos();
      keepAliveTask = scheduler.scheduleAtFixedRate(this::keepHeldAlive, period, period, TimeUnit.NANOSECONDS);
    } else {
      keepAliveTask = null;
    }
  }

  @Override
  public String buffer() {
    return buffer.name();
  }

  @Override
  public int partition() {
    return buffer.partition();
  }

  @Override
  public List<ReadMessage> read(int maxMessages, Duration maxWait) {
    if (maxMessages < 1) {
      throw new IllegalArgumentException("maxMessages must be at least 1, was " + maxMessages);
    }
    Objects.requireNonNull(maxWait, "maxWait");
    if (maxWait.isNegative()) {
      throw new IllegalArgumentException("maxWait must not be negative, was " + maxWait);
    }
    requireOpen();
    faults.onRead(buffer.name());
    long waitNanos = maxWait.compareTo(Duration.ofDays(1)) > 0 ? Duration.ofDays(1).toNanos() : maxWait.toNanos();
    List<ReadMessage> batch = buffer.read(this, maxMessages, waitNanos, () -> !closed.get());
    for (ReadMessage m : batch) {
      held.add(((InMemoryOffset) m.offset()).seq());
    }
    return batch;
  }

  @Override
  public List<ReadMessage> read() {
    return read(options.batchSize(), options.readTimeout());
  }

  @Override
  public void ack(Collection<? extends Offset> offsets) {
    List<Long> seqs = sequences(offsets);
    try {
      faults.onAck(buffer.name());
      buffer.ack(seqs);
    } finally {
      // A failed ack stops the keep-alive too, so the messages are delivered again after ackWait.
      seqs.forEach(held::remove);
    }
  }

  @Override
  public void nak(Collection<? extends Offset> offsets, Duration delay) {
    Objects.requireNonNull(delay, "delay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay must not be negative, was " + delay);
    }
    List<Long> seqs = sequences(offsets);
    buffer.nak(seqs, delay.toNanos());
    seqs.forEach(held::remove);
  }

  @Override
  public void keepAlive(Collection<? extends Offset> offsets) {
    List<Long> seqs = sequences(offsets);
    buffer.keepAlive(this, seqs);
  }

  private void keepHeldAlive() {
    if (held.isEmpty() || closed.get()) {
      return;
    }
    try {
      buffer.keepAlive(this, List.copyOf(held)).forEach(held::remove);
    } catch (RuntimeException e) {
      // The buffer was deleted: nothing left to keep alive; reads will report it.
      held.clear();
    }
  }

  private List<Long> sequences(Collection<? extends Offset> offsets) {
    Objects.requireNonNull(offsets, "offsets");
    requireOpen();
    var seqs = new ArrayList<Long>(offsets.size());
    for (Offset offset : offsets) {
      Objects.requireNonNull(offset, "offset");
      if (!(offset instanceof InMemoryOffset mo) || mo.owner() != buffer) {
        throw new IllegalArgumentException("offset " + offset + " of buffer '" + offset.buffer()
            + "' does not belong to this reader's buffer '" + buffer.name() + "'");
      }
      seqs.add(mo.seq());
    }
    return seqs;
  }

  @Override
  public OptionalLong pending() {
    requireOpen();
    var info = buffer.info();
    return OptionalLong.of(info.pendingCount() + info.ackPendingCount());
  }

  private void requireOpen() {
    if (closed.get()) {
      throw new IllegalStateException("reader for buffer '" + buffer.name() + "' is closed");
    }
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (keepAliveTask != null) {
      keepAliveTask.cancel(false);
    }
    held.clear();
    buffer.wakeReaders();
    onClose.run();
  }

  @Override
  public String toString() {
    return "InMemoryBufferReader{" + buffer.name() + ", consumer=" + options.consumerName() + '}';
  }
}
