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
 * was read from, and how often it has been delivered. Immutable; the value is shared, not copied.
 *
 * @param message the decoded ISB message
 * @param offset where it was read; its string form becomes the offset of every output's id
 * @param deliveryCount 1 on first delivery, more when it is a redelivery
 */
public record Datum(Message message, Offset offset, long deliveryCount) {

  /** Checks for nulls. */
  public Datum {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(offset, "offset");
  }

  static Datum of(ReadMessage read) {
    return new Datum(read.message(), read.offset(), read.deliveryCount());
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

  /** The user headers; outputs keep them. */
  public Map<String, String> headers() {
    return message.header().headers();
  }
}
