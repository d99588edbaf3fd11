package dev.isb;

/**
 * Where a message sits in one partition of a buffer. A reader hands offsets out with the messages it
 * reads and takes them back to ack, nak or keep them alive; a writer reports where it wrote.
 * Implementations are immutable and thread-safe, and are specific to the backend that made them.
 *
 * <p>{@link #toString()} prints {@code "<sequence>-<partition>"}, as Numaflow prints read offsets.
 */
public interface Offset {

  /** The name of the buffer (one partition) this offset belongs to. */
  String buffer();

  /** The partition index of the buffer. */
  int partition();

  /**
   * The backend's position of the message: a JetStream stream sequence ({@code "42"}), a Redis
   * entry id ({@code "1690000000000-0"}), an in-memory sequence.
   */
  String sequence();

  /**
   * {@link #sequence()} as a number where it is one (a JetStream stream sequence, an in-memory
   * sequence): the offset Numaflow's watermarks are kept at; -1 where it is not (a Redis entry id).
   */
  default long sequenceNumber() {
    try {
      return Long.parseLong(sequence());
    } catch (NumberFormatException notANumber) {
      return -1;
    }
  }

  /** {@code "<sequence>-<partition>"}. */
  @Override
  String toString();
}
