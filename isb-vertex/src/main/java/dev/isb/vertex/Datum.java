package dev.isb.vertex;

import dev.isb.Message;
import dev.isb.Offset;
import dev.isb.ReadMessage;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One input message as a vertex function sees it: its keys, value, event time and headers, where it
 * was read from, how often it has been delivered, and the vertex's watermark when it was read.
 * Immutable; the value is shared, not copied.
 *
 * @param message the decoded ISB message
 * @param offset where it was read; its string form becomes the offset of every output's id
 * @param deliveryCount 1 on first delivery, more when it is a redelivery
 * @param watermark the vertex's input watermark as of this message, epoch milliseconds; -1 when not
 *     known or the forwarder does not track watermarks
 */
public record Datum(Message message, Offset offset, long deliveryCount, long watermark) {

  /** Checks for nulls. */
  public Datum {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(offset, "offset");
  }

  /** A datum whose watermark is not known. */
  public Datum(Message message, Offset offset, long deliveryCount) {
    this(message, offset, deliveryCount, -1);
  }

  static Datum of(ReadMessage read) {
    return new Datum(read.message(), read.offset(), read.deliveryCount(), read.watermark());
  }

  /** The message keys, used for routing by key; empty when it has none. */
  public List<String> keys() {
    return message.header().keys();
  }

  /** The payload bytes, shared: copy before changing them. */
  public byte[] value() {
    return message.payload();
  }

  /** The payload as UTF-8 text. */
  public String valueAsString() {
    return new String(message.payload(), StandardCharsets.UTF_8);
  }

  /** The event time the source gave it; outputs keep it. */
  public Instant eventTime() {
    return message.header().eventTime();
  }

  /**
   * Whether the source found the event late (its event time behind the source's watermark); outputs
   * keep the flag, as Numaflow's map vertices do.
   */
  public boolean isLate() {
    return message.header().late();
  }

  /** The user headers; outputs keep them. */
  public Map<String, String> headers() {
    return message.header().headers();
  }
}
