package dev.isb.benchmarks;

import dev.isb.Message;
import java.time.Duration;
import java.util.List;

/**
 * One side of a comparison, the raw client or the library. Opening a writer or reader is setup and is
 * not timed; the calls on them are. Both sides are driven by the same loops in {@link Rounds}, so the
 * only code that differs between them is what they do in {@link BatchWriter#write} and
 * {@link BatchReader#readAndAck}.
 */
interface Contender extends AutoCloseable {

  /** {@code library}, or the raw baseline: {@code raw}, {@code raw-lua}, {@code raw-ff}. */
  String name();

  /** A writer on an existing stream, ready to write at once. */
  BatchWriter writer(String buffer);

  /**
   * A writer that stops while the buffer is full by Numaflow's default rule and waits for room, as a
   * vertex's writer does. The raw clients have no such rule: theirs is their plain writer.
   */
  default BatchWriter writerWithBackPressure(String buffer) {
    return writer(buffer);
  }

  /** A reader in the stream's durable consumer, ready to read at once. */
  BatchReader reader(String buffer);

  @Override
  void close();

  /** Writes batches; not thread-safe. */
  interface BatchWriter extends AutoCloseable {
    /**
     * Writes a batch and waits for its acks.
     *
     * @return how many messages were stored by this call, which must be all of them
     * @throws BenchFailure if any message was not stored exactly once
     */
    int write(List<Message> batch);

    @Override
    void close();
  }

  /** Reads and acks batches; not thread-safe. */
  interface BatchReader extends AutoCloseable {
    /**
     * Reads up to {@code max} messages (waiting up to {@code maxWait} for the first), decodes each, counts
     * it in {@code tally}, and acks them all with acks the server confirms (except {@code raw-ff}'s,
     * which are sent and not awaited).
     *
     * @return how many messages were read and acked; 0 when none came in time
     * @throws BenchFailure if a message was read twice or an ack was not confirmed
     */
    int readAndAck(int max, Duration maxWait, Tally tally);

    @Override
    void close();
  }
}
