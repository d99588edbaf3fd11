package dev.isb;

import dev.isb.spi.Checks;
import java.util.Objects;

/**
 * A message as a reader delivers it: the message, the offset to ack it by, how many times it has
 * been delivered and, when the reader tracks watermarks, the watermark of the vertex's input as of
 * this message. Immutable and thread-safe.
 *
 * @param message the message
 * @param offset the offset to pass to {@link BufferReader#ack}, {@link BufferReader#nak} or {@link BufferReader#keepAlive}
 * @param deliveryCount 1 on the first delivery, one more on each redelivery
 * @param watermark epoch milliseconds; -1 when not known, or not tracked (see
 *     {@link dev.isb.watermark.WatermarkFetcher#track})
 */
public record ReadMessage(Message message, Offset offset, long deliveryCount, long watermark) {

  /** Checks for nulls and that the delivery count is at least 1. */
  public ReadMessage {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(offset, "offset");
    if (deliveryCount < 1) {
      throw new IllegalArgumentException("deliveryCount must be at least 1, was " + deliveryCount);
    }
    if (watermark < -1) {
      throw new IllegalArgumentException("watermark must be -1 (unknown) or an epoch millisecond, was " + watermark);
    }
  }

  /** A message whose watermark is not known. */
  public ReadMessage(Message message, Offset offset, long deliveryCount) {
    this(message, offset, deliveryCount, -1);
  }

  /** This message with the given watermark. */
  public ReadMessage withWatermark(long watermark) {
    return new ReadMessage(message, offset, deliveryCount, watermark);
  }
}
