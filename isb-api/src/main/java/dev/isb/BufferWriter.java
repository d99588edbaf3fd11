package dev.isb;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Writes messages into one buffer (one partition). Thread-safe: concurrent {@code write} calls are
 * allowed, and each call's results are in the order of its own batch.
 *
 * <pre>{@code
 * try (BufferWriter writer = client.writer("ns-pipeline-out-0")) {
 *   List<WriteResult> results = writer.write(List.of(message1, message2));
 * }
 * }</pre>
 *
 * <p>Every DATA message is written with its {@link MessageId#dedupKey()} as de-duplication id, so
 * writing the same message again inside the buffer's duplicates window stores nothing and reports
 * {@link WriteResult.Duplicate}: retrying a failed or unknown write is always safe. Watermark barriers
 * ({@link Kind#WMB}) carry no id and skip the full check, as in Numaflow.
 */
public interface BufferWriter extends AutoCloseable {

  /** The buffer written to. */
  String buffer();

  /** The partition index of the buffer. */
  int partition();

  /**
   * Writes a batch and reports what became of each message, in the order of the batch.
   *
   * <p>While the buffer is full (see {@link WriterOptions}) the writer follows its {@link OnFull}
   * policy: it waits for room, or reports {@link WriteResult.Dropped}; a wait that outlasts
   * {@link WriterOptions#fullWaitTimeout()} reports a retryable {@link WriteResult.Failed} whose cause
   * is a {@link BufferFullException}. A message the service did not
   * take is reported as {@link WriteResult.Failed}, with whether a retry may succeed. If the calling
   * thread is interrupted, what was not written is reported as retryable failures and the interrupt
   * flag is kept.
   *
   * @param messages the batch; may be empty
   * @return one result per message
   * @throws IllegalStateException if the writer is closed
   */
  List<WriteResult> write(List<Message> messages);

  /**
   * Starts writing a batch and returns once it is on its way: the stage completes with what became of
   * each message, in the order of the batch, exactly as {@link #write(List)} would report it. Several
   * batches may be in flight at once; a backend bounds them with one window of outstanding messages
   * per writer, and this call waits for room in that window (and, while the buffer is full, as its
   * {@link OnFull} policy says) before it returns, which is the back-pressure a caller streaming
   * batches feels. The de-dup ids, the buffer-full rule and the results are those of {@code write}.
   *
   * <p>Batches started one after the other from one thread are sent in that order; a message whose
   * first attempt met a full buffer and was sent again may be stored after messages of later batches.
   * The stage never completes exceptionally: a failure is a {@link WriteResult.Failed} in the list.
   * {@link #close()} waits (bounded) for the batches in flight.
   *
   * <p>This default writes synchronously and returns a completed stage; the JetStream and Redis
   * writers return before the server's acknowledgements arrive.
   * The stage may complete on the client's I/O thread: an action that blocks (a read, a write, an
   * {@code ack}) belongs in an {@code ...Async} dependent with an executor of its own, or it stalls
   * every reply of the connection.
   *
   * @param messages the batch; may be empty
   * @return the results, one per message, in order
   * @throws IllegalStateException if the writer is closed
   */
  default CompletionStage<List<WriteResult>> writeAsync(List<Message> messages) {
    return CompletableFuture.completedFuture(write(messages));
  }

  /** Writes one message; see {@link #write(List)}. */
  default WriteResult write(Message message) {
    return write(List.of(message)).get(0);
  }

  /**
   * Whether the buffer counted as full at the last usage refresh (or no refresh has succeeded yet).
   *
   * @throws IllegalStateException if the writer is closed
   */
  boolean isFull();

  /**
   * Stops accepting writes, waits (bounded) for writes in progress, and releases resources.
   * Idempotent.
   */
  @Override
  void close();
}
