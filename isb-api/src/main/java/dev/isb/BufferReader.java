package dev.isb;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Reads messages from one buffer (one partition) as a member of the buffer's consumer group, and acks
 * them. Readers of one group share the messages: each goes to one of them. Thread-safe.
 *
 * <pre>{@code
 * try (BufferReader reader = client.reader("ns-pipeline-in-0", ReaderOptions.builder().consumerName("in-0").build())) {
 *   List<ReadMessage> batch = reader.read();
 *   process(batch);
 *   reader.ack(batch.stream().map(ReadMessage::offset).toList());
 * }
 * }</pre>
 *
 * <p>A message read and neither acked nor nakked is <em>held</em>. While {@link ReaderOptions#keepAlive()}
 * is on, the reader keeps held messages from redelivery; otherwise a held message is delivered again
 * (to any reader of the group, with a higher delivery count) once ackWait has passed.
 */
public interface BufferReader extends AutoCloseable {

  /** The buffer read from. */
  String buffer();

  /**
   * The watermark of the vertex's input as of the last read, epoch milliseconds; -1 when not known.
   * Always -1 unless the reader tracks watermarks ({@link dev.isb.watermark.WatermarkFetcher#track}).
   */
  default long watermark() {
    return -1;
  }

  /** The partition index of the buffer. */
  int partition();

  /**
   * Reads up to {@code maxMessages} messages. Returns as soon as some are available, with as many as
   * are available up to the maximum; when none is, waits up to {@code maxWait} and returns an empty
   * list if none came. Messages of the buffer come in write order, redeliveries aside.
   *
   * <p>If the calling thread is interrupted while waiting, returns what it has (possibly nothing) and
   * keeps the interrupt flag; if the reader is closed meanwhile, returns an empty list.
   *
   * @param maxMessages the most messages to return, at least 1
   * @param maxWait the longest wait for the first message
   * @return the messages read; empty when none came in time
   * @throws IllegalArgumentException if {@code maxMessages} is less than 1 or {@code maxWait} is negative
   * @throws IllegalStateException if the reader is closed
   * @throws IsbException if the ISB service failed the read
   */
  List<ReadMessage> read(int maxMessages, Duration maxWait);

  /** Reads with the batch size and timeout of this reader's {@link ReaderOptions}. */
  List<ReadMessage> read();

  /**
   * Acks messages: they are gone for this consumer group. Acking an offset that is already acked, or
   * that this group does not hold (never delivered, or redelivered elsewhere and acked there), does
   * nothing.
   *
   * @throws IllegalArgumentException if an offset is from another buffer or backend
   * @throws IllegalStateException if the reader is closed
   * @throws IsbException if the ISB service failed the ack; the reader stops keeping those messages
   *     alive, so they come again after ackWait (acking them again meanwhile is allowed)
   */
  void ack(Collection<? extends Offset> offsets);

  /**
   * Sends the acks and returns without waiting for the ISB service to confirm them, so that the next
   * read need not wait for this batch's acks: the stage completes once every ack is confirmed, which
   * is the promise {@link #ack(Collection)} keeps when it returns, or exceptionally with the
   * {@link IsbException} {@code ack} would have thrown (the messages then come again after ackWait).
   * Several acks may be in flight at once. A stage may complete after the reader closed; what it says
   * still holds.
   *
   * <p>This default acks synchronously and returns a completed stage; the JetStream and Redis readers
   * return before the server's replies arrive.
   * The stage may complete on the client's I/O thread: an action that blocks (a read, a write, an
   * {@code ack}) belongs in an {@code ...Async} dependent with an executor of its own, or it stalls
   * every reply of the connection.
   *
   * @throws IllegalArgumentException if an offset is from another buffer or backend
   * @throws IllegalStateException if the reader is closed
   */
  default CompletionStage<Void> ackAsync(Collection<? extends Offset> offsets) {
    try {
      ack(offsets);
      return CompletableFuture.completedFuture(null);
    } catch (IsbException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Acks one message; see {@link #ack(Collection)}. */
  default void ack(Offset offset) {
    ack(List.of(offset));
  }

  /**
   * Gives messages back to be delivered again, after {@code delay}, with a higher delivery count.
   *
   * @throws IllegalArgumentException if an offset is from another buffer or backend, or the delay is negative
   * @throws IllegalStateException if the reader is closed
   */
  void nak(Collection<? extends Offset> offsets, Duration delay);

  /** Gives messages back to be delivered again at once; see {@link #nak(Collection, Duration)}. */
  default void nak(Collection<? extends Offset> offsets) {
    nak(offsets, Duration.ZERO);
  }

  /**
   * Tells the ISB service that held messages are still being worked on, so that their ackWait starts
   * again. The reader does this by itself every keep-alive interval while keep-alive is on.
   *
   * @throws IllegalArgumentException if an offset is from another buffer or backend
   * @throws IllegalStateException if the reader is closed
   */
  void keepAlive(Collection<? extends Offset> offsets);

  /**
   * How many messages the group has yet to finish: not yet delivered plus delivered and not acked;
   * empty when the ISB service cannot tell.
   *
   * @throws IllegalStateException if the reader is closed
   */
  OptionalLong pending();

  /**
   * How many times this reader found its place in the ISB lost and recovered from it instead of
   * failing: a Redis fail-over that lost the stream or its consumer group. Each recovery is also
   * logged as a warning; what was lost with it cannot be counted. 0 where this cannot happen.
   * Thread-safe.
   */
  default long recoveries() {
    return 0;
  }

  /**
   * Stops reading, stops keeping held messages alive (they will be redelivered after ackWait), and
   * releases resources. Idempotent.
   */
  @Override
  void close();
}
