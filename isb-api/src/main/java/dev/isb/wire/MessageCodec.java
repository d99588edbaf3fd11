package dev.isb.wire;

import com.google.protobuf.CodedInputStream;
import dev.isb.Header;
import dev.isb.Message;
import dev.isb.MessageDecodeException;
import dev.isb.Metadata;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * Numaflow's protobuf wire format: {@link Message} to and from the bytes of {@code isb.Message}, and
 * {@link Header} to and from the bytes of {@code isb.Header} (the Redis backend stores header and
 * payload apart). Stateless and thread-safe.
 *
 * <pre>{@code
 * byte[] bytes = MessageCodec.encode(message);   // a JetStream message's payload
 * Message back = MessageCodec.decode(bytes);      // equals(message)
 * }</pre>
 *
 * <p><b>Writing</b> produces what Numaflow's Go and Rust writers produce: proto3 (fields holding their
 * default value are left out, fields in field-number order), except that {@code header},
 * {@code header.message_info}, its {@code event_time}, {@code header.id} and {@code body} are always
 * present, as Numaflow writes them. {@code metadata} is written only when it is not
 * {@linkplain Metadata#isEmpty() empty}. Map entries are written in UTF-8 byte order of their keys
 * (Go's deterministic order; Numaflow itself writes maps in hash order) and each entry carries both
 * its key and its value even when they are empty, as protobuf-go, protobuf-java and C++ do (prost
 * leaves empty ones out; every reader accepts both). Strings that are not valid Unicode (an unpaired
 * surrogate) are refused with {@link IllegalArgumentException}, as protobuf-go refuses invalid UTF-8.
 *
 * <p><b>Reading</b> follows protobuf: unknown fields are skipped at every level, a known field with an
 * unexpected wire type is skipped as unknown, a repeated scalar field keeps its last value, a repeated
 * embedded message is merged, and a repeated map key keeps its last entry. Absent parts read as their
 * defaults: no {@code message_info} means event time {@link Instant#EPOCH}, not late; no
 * {@code header} means an all-default header. An event time whose nanos are outside
 * {@code [0, 10^9)} is normalized, as Go's {@code AsTime()} does. Anything that is not a valid
 * encoding, including invalid UTF-8 in a string, an unknown {@code kind} or an event time outside
 * {@link Instant}'s range, raises {@link MessageDecodeException} and nothing else.
 */
public final class MessageCodec {

  private MessageCodec() {}

  /**
   * The bytes of {@code isb.Message} for a message.
   *
   * @param message the message
   * @return a new array holding exactly the encoding
   * @throws IllegalArgumentException if a string is not valid Unicode or the encoding would exceed
   *     the largest Java array
   */
  public static byte[] encode(Message message) {
    Objects.requireNonNull(message, "message");
    return MessageWriter.encode(message);
  }

  /**
   * The bytes of {@code isb.Header} alone, as the Redis backend stores it next to the raw payload.
   *
   * @param header the header
   * @return a new array holding exactly the encoding
   * @throws IllegalArgumentException if a string is not valid Unicode
   */
  public static byte[] encodeHeader(Header header) {
    Objects.requireNonNull(header, "header");
    return MessageWriter.encodeHeader(header);
  }

  /**
   * The message encoded in the bytes of an {@code isb.Message}.
   *
   * @param bytes the encoding; not kept (the payload is copied out)
   * @return the message
   * @throws MessageDecodeException if the bytes are not a valid encoding
   */
  public static Message decode(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    return MessageReader.decodeMessage(CodedInputStream.newInstance(bytes), bytes.length);
  }

  /**
   * The message encoded in part of an array.
   *
   * @param bytes the array; not kept (the payload is copied out)
   * @param offset where the encoding starts
   * @param length how many bytes it has
   * @return the message
   * @throws MessageDecodeException if the bytes are not a valid encoding
   * @throws IndexOutOfBoundsException if the range is not inside the array
   */
  public static Message decode(byte[] bytes, int offset, int length) {
    Objects.requireNonNull(bytes, "bytes");
    Objects.checkFromIndexSize(offset, length, bytes.length);
    return MessageReader.decodeMessage(CodedInputStream.newInstance(bytes, offset, length), length);
  }

  /**
   * The message encoded in a buffer's remaining bytes, read in place (heap or direct) without
   * changing the buffer's position.
   *
   * @param buffer the encoding, from its position to its limit; not kept
   * @return the message
   * @throws MessageDecodeException if the bytes are not a valid encoding
   */
  public static Message decode(ByteBuffer buffer) {
    Objects.requireNonNull(buffer, "buffer");
    return MessageReader.decodeMessage(CodedInputStream.newInstance(buffer), buffer.remaining());
  }

  /**
   * The header encoded in the bytes of an {@code isb.Header}.
   *
   * @param bytes the encoding; not kept
   * @return the header
   * @throws MessageDecodeException if the bytes are not a valid encoding
   */
  public static Header decodeHeader(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    return MessageReader.decodeHeader(CodedInputStream.newInstance(bytes), bytes.length);
  }

  /**
   * The header encoded in a buffer's remaining bytes, read in place without changing the buffer's
   * position.
   *
   * @param buffer the encoding, from its position to its limit; not kept
   * @return the header
   * @throws MessageDecodeException if the bytes are not a valid encoding
   */
  public static Header decodeHeader(ByteBuffer buffer) {
    Objects.requireNonNull(buffer, "buffer");
    return MessageReader.decodeHeader(CodedInputStream.newInstance(buffer), buffer.remaining());
  }
}
