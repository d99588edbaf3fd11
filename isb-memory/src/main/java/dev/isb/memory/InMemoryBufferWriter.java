package dev.isb.memory;

import dev.isb.BufferFullException;
import dev.isb.BufferInfo;
import dev.isb.BufferWriter;
import dev.isb.IsbBackendException;
import dev.isb.IsbException;
import dev.isb.Kind;
import dev.isb.Message;
import dev.isb.WriteResult;
import dev.isb.WriterOptions;
import dev.isb.spi.BufferFullGate;
import dev.isb.spi.CallTracker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;

/**
 * An in-memory buffer writer: a {@link BufferFullGate} fed by a task that measures the buffer's usage
 * every refresh interval, in front of {@link InMemoryBuffer#append}.
 */
final class InMemoryBufferWriter implements BufferWriter {

  private static final Duration CLOSE_DRAIN_TIMEOUT = Duration.ofSeconds(5);

  private final InMemoryBuffer buffer;
  private final InMemoryFaults faults;
  private final Runnable onClose;
  private final ScheduledFuture<?> refresher;
  private final BufferFullGate gate;
  private final String description;

  private final CallTracker calls;

  InMemoryBufferWriter(InMemoryBuffer buffer, WriterOptions options, InMemoryFaults faults,
      ScheduledExecutorService scheduler, Runnable onClose) {
    this.buffer = buffer;
    this.faults = faults;
    this.onClose = onClose;
    this.gate = new BufferFullGate(buffer.name(), options);
    this.calls = new CallTracker("writer for buffer '" + buffer.name() + "'");
    this.description = "InMemoryBufferWriter{" + buffer.name() + ", " + options.onFull() + '}';
    this.refresher = gate.scheduleMeasurements(scheduler, this::refresh);
  }

  @Override
  public String buffer() {
    return buffer.name();
  }

  @Override
  public int partition() {
    return buffer.partition();
  }

  private void refresh() {
    try {
      faults.onUsageRefresh(buffer.name());
      if (faults.forcedFull(buffer.name())) {
        gate.markFull("forced full by InMemoryFaults");
        return;
      }
      BufferInfo info = buffer.info();
      gate.measured(info.pendingCount(), info.ackPendingCount(), buffer.storedMessages(),
          buffer.config().stream().retention());
    } catch (RuntimeException e) {
      gate.markFull("usage refresh failed: " + e.getMessage());
    }
  }

  @Override
  public List<WriteResult> write(List<Message> messages) {
    Objects.requireNonNull(messages, "messages");
    calls.enter();
    try {
      long deadline = gate.batchDeadline();
      var results = new ArrayList<WriteResult>(messages.size());
      for (Message m : messages) {
        results.add(writeOne(Objects.requireNonNull(m, "message"), deadline));
      }
      return results;
    } finally {
      calls.exit();
    }
  }

  private WriteResult writeOne(Message message, long deadline) {
    if (Thread.currentThread().isInterrupted()) {
      return failed("interrupted before the message was written");
    }
    if (calls.isClosed()) {
      return failed("writer closed before the message was written");
    }
    try {
      faults.onWrite(buffer.name());
      if (message.kind() == Kind.WMB) {
        return toResult(buffer.append(message), message);
      }
      while (true) {
        Optional<WriteResult> notWritten = gate.awaitRoom(deadline);
        if (notWritten.isPresent()) {
          return notWritten.get();
        }
        InMemoryBuffer.Appended appended = buffer.append(message);
        if (appended.outcome() != InMemoryBuffer.Outcome.NO_ROOM) {
          return toResult(appended, message);
        }
        gate.markFull("the buffer's own limits (maxMsgs / maxBytes) refused the message");
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

  private WriteResult.Failed failed(String why) {
    return new WriteResult.Failed(new IsbBackendException(buffer.name(), null, why, true, null), true);
  }

  @Override
  public boolean isFull() {
    calls.requireOpen();
    return gate.isFull();
  }

  @Override
  public void close() {
    if (!calls.markClosed()) {
      return;
    }
    refresher.cancel(false);
    gate.close();
    calls.awaitIdle(CLOSE_DRAIN_TIMEOUT);
    onClose.run();
  }

  @Override
  public String toString() {
    return description;
  }
}
