package dev.isb.benchmarks;

import dev.isb.Message;
import java.util.List;

/**
 * One backend under measurement: its server (started by the benchmark or given), the sides that
 * compete on it (one or more raw baselines, then the library), and how a round's buffer is made,
 * pre-filled, checked and removed. Everything here is setup or checking, never timed.
 */
interface BenchBackend extends AutoCloseable {

  /** {@code jetstream} or {@code redis}. */
  String name();

  /** Lines that say what the server is and how the buffers are configured. */
  List<String> describe();

  /** The competing sides in the order each round runs them: raw baselines first, the library last. */
  List<Contender> contenders();

  /** Whether a side runs in a scenario (a baseline that would repeat another's work there does not). */
  default boolean takesPart(Contender side, Scenario scenario) {
    return true;
  }

  /** Creates a round's buffer, empty, through the library's {@code BufferAdmin}. */
  void create(String buffer);

  /** Deletes a round's buffer and everything that belongs to it. */
  void delete(String buffer);

  /** Writes the round's messages before a {@code read} round, through a connection of its own. */
  void prefill(String buffer, List<Message> messages, int batchSize);

  /**
   * Asks the server whether the round did its work exactly once: every message stored once, and
   * after a read, every one delivered and acked.
   *
   * @throws BenchFailure if not
   */
  void check(String buffer, Scenario scenario, Contender side, int expected);

  @Override
  void close();
}
