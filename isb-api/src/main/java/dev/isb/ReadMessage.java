package dev.isb;

import dev.isb.spi.Checks;
import java.util.Objects;

/**
 * A message as a reader delivers it: the message, the offset to ack it by, and how many times it
 * has been delivered. Immutable and thread-safe.
 *
 * @param message the message
 * @param offset the offset to pass to {@link BufferReader#ack}, {@link BufferReader#nak} or {@link BufferReader#keepAlive}
 * @param deliveryCount 1 on the first delivery, one more on each redelivery
 */
public record ReadMessage(Message message, Offset offset, long deliveryCount) {

  /** Checks for nulls and that the delivery count is at least 1. */
  public ReadMessage {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(offset, "offset");
    if (deliveryCount < 1) {
      throw new IllegalArgumentException("deliveryCount must be at least 1, was " + deliveryCount);
    }
  }
}
