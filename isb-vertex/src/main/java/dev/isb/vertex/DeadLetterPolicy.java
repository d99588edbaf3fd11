package dev.isb.vertex;

import dev.isb.ReadMessage;
import dev.isb.spi.Checks;
import java.util.Objects;

/**
 * Where an input goes that keeps failing (its function threw every attempt, or an output of it
 * cannot be written at all) once the ISB has delivered it {@code maxDeliveries} times: written to a
 * dead-letter buffer, or given to a handler, and then acked, so that a poison message does not
 * come back for ever (numaflow #3076, #3111). Without a policy (the default) such an input is
 * nakked on every delivery, as Numaflow does.
 *
 * <p>A dead letter keeps the input's id (so the dead-letter buffer's de-duplication stores it once,
 * whatever retries follow), its keys, event time and headers, and adds the headers {@link
 * #ERROR_HEADER}, {@link #DELIVERIES_HEADER}, {@link #BUFFER_HEADER} and {@link #VERTEX_HEADER}.
 * An input that could not be dead-lettered (the buffer refused it, the handler threw) is nakked and
 * tried again on its next delivery. Each dead letter is counted ({@code forwarder.dead.letter},
 * tagged with the input partition) and logged as a warning. Immutable.
 *
 * <pre>{@code
 * Forwarder.builder(client, "enrich").from("ns-pl-enrich-0").to(edge).map(fn)
 *     .deadLetters(DeadLetterPolicy.toBuffer("ns-pl-enrich-dlq-0", 5))
 *     .build();
 * }</pre>
 *
 * @param maxDeliveries the delivery (1 = the first) from which a failing input is dead-lettered
 * @param buffer the dead-letter buffer, or null when {@code handler} takes the letters
 * @param handler what takes the letters, or null when they go to {@code buffer}
 */
public record DeadLetterPolicy(long maxDeliveries, String buffer, Handler handler) {

  /** The header that holds why the input failed: the error's class and message. */
  public static final String ERROR_HEADER = "isb-dead-letter-error";
  /** The header that holds how many times the input was delivered. */
  public static final String DELIVERIES_HEADER = "isb-dead-letter-deliveries";
  /** The header that holds the buffer the input was read from. */
  public static final String BUFFER_HEADER = "isb-dead-letter-buffer";
  /** The header that holds the vertex that gave up on the input. */
  public static final String VERTEX_HEADER = "isb-dead-letter-vertex";

  /** Takes the dead letters of a forwarder; called on the partition's forwarding thread. */
  @FunctionalInterface
  public interface Handler {
    /**
     * Takes one dead letter; the input is acked when this returns.
     *
     * @param letter the input as read, the buffer it came from and why it failed
     * @throws Exception when the letter was not taken: the input is nakked and comes back
     */
    void accept(DeadLetter letter) throws Exception;
  }

  /**
   * One input given up on.
   *
   * @param vertex the vertex that gave up
   * @param buffer the buffer the input was read from
   * @param input the input as read, with its delivery count
   * @param error why its last delivery failed
   */
  public record DeadLetter(String vertex, String buffer, ReadMessage input, Throwable error) {}

  /** Checks that exactly one of buffer and handler is set and that maxDeliveries is at least 1. */
  public DeadLetterPolicy {
    if (maxDeliveries < 1) {
      throw new IllegalArgumentException("maxDeliveries must be at least 1, was " + maxDeliveries);
    }
    if ((buffer == null) == (handler == null)) {
      throw new IllegalArgumentException("a dead-letter policy needs a buffer or a handler, not both");
    }
    if (buffer != null) {
      Checks.notBlank("buffer", buffer);
    }
  }

  /**
   * Dead letters written to {@code buffer} (which must exist; the forwarder opens a writer on it).
   *
   * @param buffer the dead-letter buffer
   * @param maxDeliveries the delivery from which a failing input is dead-lettered, at least 1
   */
  public static DeadLetterPolicy toBuffer(String buffer, long maxDeliveries) {
    return new DeadLetterPolicy(maxDeliveries, Objects.requireNonNull(buffer, "buffer"), null);
  }

  /**
   * Dead letters given to {@code handler}.
   *
   * @param handler what takes them
   * @param maxDeliveries the delivery from which a failing input is dead-lettered, at least 1
   */
  public static DeadLetterPolicy toHandler(Handler handler, long maxDeliveries) {
    return new DeadLetterPolicy(maxDeliveries, null, Objects.requireNonNull(handler, "handler"));
  }
}
