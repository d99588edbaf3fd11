package dev.isb.memory;

import dev.isb.Message;
import dev.isb.MessageDecodeException;
import dev.isb.Offset;
import dev.isb.ReadMessage;
import dev.isb.ReaderOptions;
import dev.isb.spi.AbstractBufferReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;

/**
 * An in-memory buffer reader. It remembers the messages it holds (read, not acked or nakked) and,
 * while keep-alive is on, restarts their ackWait every keep-alive interval.
 */
final class InMemoryBufferReader extends AbstractBufferReader<InMemoryOffset> {

  /** Lets a blocked read see that its reader closed. */
  interface Liveness {
    boolean open();
  }

  private static final Duration CLOSE_DRAIN_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration LONGEST_WAIT = Duration.ofDays(1);

  private final InMemoryBuffer memory;
  private final InMemoryFaults faults;
  private final Set<Long> held = ConcurrentHashMap.newKeySet();

  InMemoryBufferReader(InMemoryBuffer memory, ReaderOptions options, InMemoryFaults faults,
      ScheduledExecutorService scheduler, Runnable onClose) {
    super(memory.name(), memory.partition(), options, InMemoryOffset.class, CLOSE_DRAIN_TIMEOUT, onClose);
    this.memory = memory;
    this.faults = faults;
    startKeepAlive(scheduler, memory.config().consumer().ackWait(), this::keepHeldAlive);
  }

  @Override
  protected List<ReadMessage> readBatch(int maxMessages, Duration maxWait) {
    faults.onRead(buffer);
    long waitNanos = (maxWait.compareTo(LONGEST_WAIT) > 0 ? LONGEST_WAIT : maxWait).toNanos();
    List<ReadMessage> batch = memory.read(this, maxMessages, waitNanos, () -> !calls.isClosed());
    List<ReadMessage> out = new ArrayList<>(batch.size());
    for (ReadMessage m : batch) {
      InMemoryOffset offset = (InMemoryOffset) m.offset();
      try {
        Message plain = decompressed(m.message());
        out.add(plain == m.message() ? m : new ReadMessage(plain, offset, m.deliveryCount()));
        held.add(offset.seq());
      } catch (MessageDecodeException e) {
        if (reportUndecodable(offset, m.deliveryCount(), m.message().payload(), e)) {
          memory.ack(List.of(offset.seq()));
        }
      }
    }
    return out;
  }

  @Override
  protected CompletionStage<Void> ackOwned(List<InMemoryOffset> offsets) {
    List<Long> seqs = sequences(offsets);
    try {
      faults.onAck(buffer);
      memory.ack(seqs);
    } finally {
      // A failed ack stops the keep-alive too, so the messages are delivered again after ackWait.
      seqs.forEach(held::remove);
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  protected void nakOwned(List<InMemoryOffset> offsets, Duration delay) {
    List<Long> seqs = sequences(offsets);
    memory.nak(seqs, delay.toNanos());
    seqs.forEach(held::remove);
  }

  @Override
  public void keepAlive(Collection<? extends Offset> offsets) {
    memory.keepAlive(this, own(offsets, InMemoryOffset::seq));
  }

  private void keepHeldAlive() {
    if (held.isEmpty() || calls.isClosed()) {
      return;
    }
    try {
      memory.keepAlive(this, List.copyOf(held)).forEach(held::remove);
    } catch (RuntimeException e) {
      // The buffer was deleted: nothing left to keep alive; reads will report it.
      held.clear();
    }
  }

  private static List<Long> sequences(List<InMemoryOffset> offsets) {
    return offsets.stream().map(InMemoryOffset::seq).toList();
  }

  /** A buffer deleted and created again under the same name is another buffer: its offsets are not ours. */
  @Override
  protected boolean belongsHere(InMemoryOffset offset) {
    return offset.owner() == memory;
  }

  @Override
  protected long pendingCount() {
    var info = memory.info();
    return info.pendingCount() + info.ackPendingCount();
  }

  @Override
  protected void stopReads() {
    held.clear();
    memory.wakeReaders();
  }

  @Override
  public String toString() {
    return "InMemoryBufferReader{" + buffer + ", consumer=" + options.consumerName() + '}';
  }
}
