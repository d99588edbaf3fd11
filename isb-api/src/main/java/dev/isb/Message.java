package dev.isb;

import dev.isb.spi.Checks;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A message in an inter-step buffer: a {@link Header} and a payload. Immutable and thread-safe as
 * long as nobody changes the payload array, which is not copied (payloads can be large): treat it as
 * read-only once it is in a message.
 *
 * <pre>{@code
 * Message m = Message.data(new MessageId("my-vertex", "1042", 0), "hello".getBytes(UTF_8));
 * }</pre>
 *
 * @param header the header
 * @param payload the payload bytes, possibly empty, never null
 */
public record Message(Header header, byte[] payload) {

  private static final int SHOWN_PAYLOAD_BYTES = 32;

  /** Checks for nulls. */
  public Message {
    Objects.requireNonNull(header, "header");
    Objects.requireNonNull(payload, "payload");
  }

  /** A DATA message with the given id and payload and a default header. */
  public static Message data(MessageId id, byte[] payload) {
    return new Message(Header.builder(id).build(), payload);
  }

  /** A watermark barrier (WMB) from the given id: Numaflow's idle signal, with an empty payload. */
  public static Message watermarkBarrier(MessageId id) {
    return new Message(Header.builder(id).kind(Kind.WMB).build(), new byte[0]);
  }

  /** The message id, from the header. */
  public MessageId id() {
    return header.id();
  }

  /** The kind, from the header. */
  public Kind kind() {
    return header.kind();
  }

  /** Compares headers and payload contents. */
  @Override
  public boolean equals(Object o) {
    return o instanceof Message m && header.equals(m.header) && Arrays.equals(payload, m.payload);
  }

  @Override
  public int hashCode() {
    return 31 * header.hashCode() + Arrays.hashCode(payload);
  }

  /** The header and the first bytes of the payload, in hex. */
  @Override
  public String toString() {
    int shown = Math.min(payload.length, SHOWN_PAYLOAD_BYTES);
    String hex = HexFormat.of().formatHex(payload, 0, shown);
    return "Message{" + header + ", payload[" + payload.length + "]=" + hex
        + (shown < payload.length ? "…" : "") + '}';
  }

  /** The payload decoded as UTF-8; a convenience for text payloads. */
  public String payloadAsString() {
    return new String(payload, StandardCharsets.UTF_8);
  }
}
