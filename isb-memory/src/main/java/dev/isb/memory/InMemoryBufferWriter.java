package dev.isb.memory;

import dev.isb.BufferFullException;
import dev.isb.BufferInfo;
import dev.isb.BufferNotFoundException;
import dev.isb.IsbException;
import dev.isb.Kind;
import dev.isb.Message;
import dev.isb.WriteResult;
import dev.isb.WriterOptions;
import dev.isb.spi.AbstractBufferWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;

/**
 * An in-memory buffer writer: a {@link dev.isb.spi.BufferFullGate} fed by a task that measures the buffer's usage
 * every refresh interval, in front of {@link InMemoryBuffer#append}.
 */
final class InMemoryBufferWriter extends AbstractBufferWriter {

  private static final Duration CLOSE_DRAIN_TIMEOUT = Duration.ofSeconds(5);

  private final InMemoryBuffer memory;
  private final InMemoryFaults faults;
  private final String description;

  InMemoryBufferWriter(InMemoryBuffer memory, WriterOptions options, InMemoryFaults faults,
      ScheduledExecutorService scheduler, Runnable onClose) {
    super(memory.name(), memory.partition(), options, CLOSE_DRAIN_TIMEOUT, onClose);
    this.memory = memory;
    this.faults = faults;
    this.description = "InMemoryBufferWriter{" + buffer + ", " + options.onFull() + '}';
    startMeasuring(scheduler);
  }

  @Override
  protected void measure() {
    faults.onUsageRefresh(buffer);
    if (faults.forcedFull(buffer)) {
      gate.markFull("forced full by InMemoryFaults");
      return;
    }
    BufferInfo info;
    try {
      info = memory.info();
    } catch (BufferNotFoundException deleted) {
      gate.markGone(deleted); // as the server backends: writes fail at once instead of waiting for room
      return;
    }
    gate.measured(info.pendingCount(), info.ackPendingCount(), memory.storedMessages(),
        memory.config().stream().retention());
  }

  @Override
  protected List<WriteResult> writeBatch(List<Message> messages, long deadline) {
    var results = new ArrayList<WriteResult>(messages.size());
    for (Message m : messages) {
      results.add(writeOne(stored(m), deadline, true));
    }
    return results;
  }

  /**
   * Writes until the buffer's own limits refuse a message; that message and the rest of the batch
   * wait for room on a thread of their own, as a server backend's refused messages do.
   */
  @Override
  protected CompletableFuture<List<WriteResult>> writeBatchAsync(List<Message> messages, long deadline) {
    var results = new ArrayList<WriteResult>(messages.size());
    for (int i = 0; i < messages.size(); i++) {
      WriteResult result = writeOne(stored(messages.get(i)), deadline, false);
      if (result == null) {
        List<Message> rest = messages.subList(i, messages.size());
        return waitApart(() -> {
          rest.forEach(m -> results.add(writeOne(stored(m), deadline, true)));
          return results;
        });
      }
      results.add(result);
    }
    return CompletableFuture.completedFuture(results);
  }

  /** The result; null when the buffer's limits refused the message and {@code waitForRoom} is false. */
  private WriteResult writeOne(Message message, long deadline, boolean waitForRoom) {
    Optional<WriteResult> stopped = stopped();
    if (stopped.isPresent()) {
      return stopped.get();
    }
    try {
      faults.onWrite(buffer);
      if (message.kind() == Kind.WMB) {
        return toResult(memory.append(message), message);
      }
      while (true) {
        Optional<WriteResult> notWritten = gate.awaitRoom(deadline);
        if (notWritten.isPresent()) {
          return notWritten.get();
        }
        InMemoryBuffer.Appended appended = memory.append(message);
        if (appended.outcome() != InMemoryBuffer.Outcome.NO_ROOM) {
          return toResult(appended, message);
        }
        gate.markFull("the buffer's own limits (maxMsgs / maxBytes) refused the message");
        if (!waitForRoom) {
          return null;
        }
      }
    } catch (IsbException e) {
      return new WriteResult.Failed(e, e.retryable());
    }
  }

  private WriteResult toResult(InMemoryBuffer.Appended appended, Message message) {
    return switch (appended.outcome()) {
      case WRITTEN -> new WriteResult.Written(new InMemoryOffset(memory, appended.seq()));
      case DUPLICATE -> new WriteResult.Duplicate(new InMemoryOffset(memory, appended.seq()));
      case NO_ROOM -> new WriteResult.Failed(new BufferFullException(buffer,
          "no room for " + message.kind() + " message " + message.id()), true);
    };
  }

  @Override
  public String toString() {
    return description;
  }
}
