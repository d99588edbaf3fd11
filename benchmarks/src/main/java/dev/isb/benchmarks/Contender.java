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

  /**
   * {@code library} or {@code library-async}, or a raw baseline: {@code raw}, {@code raw-lua}, {@code
   * raw-ff}, {@code raw-stream}, {@code raw-stream-xadd}.
   */
  String name();

  /**
   * Whether its writer keeps several batches in flight, without a barrier between them ({@code
   * library-async}, {@code raw-stream…}); such a side runs in the scenarios {@link #streamsIn} says,
   * where it is compared with the other streaming sides and with the library.
   */
  default boolean streams() {
    return false;
  }

  /**
   * Of a side that {@link #streams()}: whether it runs in {@code scenario}; {@code write} only, unless
   * its reader also goes on before its acks are confirmed ({@code library-async} in {@code read}).
   */
  default boolean streamsIn(Scenario scenario) {
    return scenario == Scenario.WRITE;
  }

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
     * Writes a batch and waits for its acks; a streaming writer ({@link Contender#streams()}) may
     * instead return once the batch is on its way, and report it from a later call or from {@link
     * #finish}.
     *
     * @return how many messages this call saw stored: all of the batch for a writer that waits
     * @throws BenchFailure if any message was not stored exactly once
     */
    int write(List<Message> batch);

    /**
     * Waits for every write still in flight and checks each; the round ends when this returns.
     *
     * @return how many messages those writes stored; 0 for a writer that waits in {@link #write}
     * @throws BenchFailure if any of them was not stored exactly once
     */
    default int finish() {
      return 0;
    }

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

    /**
     * Waits until every ack sent is confirmed, for a reader whose acks may still be on their way when
     * {@link #readAndAck} returns; the round ends when this returns.
     *
     * @throws BenchFailure if an ack was not confirmed
     */
    default void finish() {}

    @Override
    void close();
  }
}
