package dev.isb.spi;

import dev.isb.BufferWriter;
import dev.isb.Compression;
import dev.isb.IsbBackendException;
import dev.isb.Kind;
import dev.isb.Message;
import dev.isb.WriteResult;
import dev.isb.WriterOptions;
import dev.isb.wire.PayloadCompression;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Supplier;

/**
 * The part of a {@link BufferWriter} every backend shares: argument checks, the close protocol
 * (refuse new writes at once, wait bounded for running ones, then {@link #release}), call tracking, and the
 * {@link BufferFullGate} with its usage measurements. A backend writes only its wire work:
 * {@link #writeBatch} and {@link #measure}, and {@link #writeBatchAsync} when it can return before its
 * server's acknowledgements (an asynchronous write counts as running until its stage completes).
 *
 * <p>A subclass calls {@link #startMeasuring} at the end of its constructor, once the fields that
 * {@link #measure} reads are set. Thread-safe if the subclass's wire work is.
 */
public abstract class AbstractBufferWriter extends BufferHandle implements BufferWriter {

  /** The buffer's full rule, fed by {@link #measure}. */
  protected final BufferFullGate gate;
  private final Compression compression;
  private volatile ScheduledFuture<?> measurements;

  /**
   * @param closeDrain how long {@link #close()} waits for running writes
   * @param onClose runs once, last, when the writer closes
   */
  protected AbstractBufferWriter(String buffer, int partition, WriterOptions options, Duration closeDrain,
      Runnable onClose) {
    super("writer", buffer, partition, closeDrain, onClose);
    this.gate = new BufferFullGate(buffer, options);
    this.compression = options.compression();
  }

  /**
   * The message as it is stored: a data message's payload compressed as the options say (numaflow-core
   * compresses nothing else); the message itself when nothing is to be compressed.
   */
  protected final Message stored(Message message) {
    if (compression == Compression.NONE || message.kind() != Kind.DATA) {
      return message;
    }
    return new Message(message.header(), PayloadCompression.compress(compression, message.payload()));
  }

  /** Starts measuring the buffer's usage every refresh interval; once, from the constructor. */
  protected final void startMeasuring(ScheduledExecutorService scheduler) {
    measurements = gate.scheduleMeasurements(scheduler, this::measureSafely);
  }

  /**
   * Measures the buffer's usage and tells {@link #gate} ({@link BufferFullGate#measured},
   * {@link BufferFullGate#markGone}). An exception marks the buffer full until the next measurement.
   */
  protected abstract void measure();

  /**
   * Writes a batch whose messages are not null, while the writer is open, one result per message in
   * order. Each message is admitted through {@link #admit} first.
   *
   * @param deadline the batch's {@link System#nanoTime()} deadline for room in a full buffer
   */
  protected abstract List<WriteResult> writeBatch(List<Message> messages, long deadline);

  /**
   * Like {@link #writeBatch}, but returns once the batch is on its way; the stage completes with the
   * results in order and may complete on any thread. This default writes synchronously.
   */
  protected CompletableFuture<List<WriteResult>> writeBatchAsync(List<Message> messages, long deadline) {
    return CompletableFuture.completedFuture(writeBatch(messages, deadline));
  }

  /**
   * Runs {@code work} on a thread of its own and completes with its result: for the rare part of an
   * asynchronous write that must wait (for room, for replicas, for a stream's info), which must not
   * wait on the client's I/O thread.
   */
  protected final <T> CompletableFuture<T> waitApart(Supplier<T> work) {
    return CompletableFuture.supplyAsync(work, task -> {
      Thread thread = new Thread(task, "isb-writer-wait-" + buffer);
      thread.setDaemon(true);
      thread.start();
    });
  }

  private void measureSafely() {
    try {
      measure();
    } catch (RuntimeException e) {
      gate.markFull("usage refresh failed: " + e.getMessage());
    }
  }

  @Override
  public final List<WriteResult> write(List<Message> messages) {
    Objects.requireNonNull(messages, "messages");
    messages.forEach(m -> Objects.requireNonNull(m, "message"));
    calls.enter();
    try {
      return writeBatch(messages, gate.batchDeadline());
    } finally {
      calls.exit();
    }
  }

  @Override
  public final CompletionStage<List<WriteResult>> writeAsync(List<Message> messages) {
    Objects.requireNonNull(messages, "messages");
    messages.forEach(m -> Objects.requireNonNull(m, "message"));
    calls.enter();
    CompletableFuture<List<WriteResult>> results;
    try {
      results = writeBatchAsync(messages, gate.batchDeadline());
    } catch (RuntimeException | Error e) {
      calls.exit();
      throw e;
    }
    // The contract: never exceptional; a failure the backend did not foresee fails every message retryably.
    // The stage completes before the call counts as ended, so that a close() that returns finds it complete.
    CompletableFuture<List<WriteResult>> stage = new CompletableFuture<>();
    results.whenComplete((written, error) -> {
      try {
        stage.complete(error == null ? written : Collections.nCopies(messages.size(), new WriteResult.Failed(
            new IsbBackendException(buffer, null, "write failed: " + error, true, error), true)));
      } finally {
        calls.exit();
      }
    });
    return stage;
  }

  /**
   * Why a message must not be written now, if it must not: the thread is interrupted, the writer is
   * closing, or (for data, not control messages) the buffer stays full past the deadline.
   */
  protected final Optional<WriteResult> admit(Message message, long deadline) {
    Optional<WriteResult> stopped = stopped();
    if (stopped.isPresent() || message.kind() != Kind.DATA) {
      return stopped;
    }
    return gate.awaitRoom(deadline);
  }

  /** A failure for the next message if the thread is interrupted or the writer is closing. */
  protected final Optional<WriteResult> stopped() {
    if (Thread.currentThread().isInterrupted()) {
      return Optional.of(failed("interrupted before the message was written"));
    }
    if (calls.isClosed()) {
      return Optional.of(failed("writer closed before the message was written"));
    }
    return Optional.empty();
  }

  /** A retryable failure that names this buffer. */
  protected final WriteResult.Failed failed(String why) {
    return new WriteResult.Failed(new IsbBackendException(buffer, null, why, true, null), true);
  }

  @Override
  public final boolean isFull() {
    calls.requireOpen();
    return gate.isFull();
  }

  @Override
  final void stopBackgroundWork() {
    ScheduledFuture<?> m = measurements;
    if (m != null) {
      m.cancel(false);
    }
    gate.close();
  }
}
