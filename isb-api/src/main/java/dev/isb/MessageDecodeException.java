package dev.isb;

import java.util.Optional;

/**
 * Bytes that should hold a Numaflow {@code isb.Message} (or {@code isb.Header}) do not. Not retryable:
 * the same bytes fail the same way.
 */
public final class MessageDecodeException extends IsbException {

  private static final long serialVersionUID = 1L;

  private final String offset;

  /**
   * An error found by the codec, which knows neither buffer nor offset.
   *
   * @param detail what is wrong with the bytes
   * @param cause the protobuf error, or null
   */
  public MessageDecodeException(String detail, Throwable cause) {
    this(null, null, detail, cause);
  }

  /**
   * An error about the message at an offset of a buffer.
   *
   * @param buffer the buffer, or null
   * @param offset the offset of the bad message, or null
   * @param detail what is wrong with the bytes
   * @param cause the underlying error, or null
   */
  public MessageDecodeException(String buffer, String offset, String detail, Throwable cause) {
    super(buffer, offset == null ? "undecodable message: " + detail
        : "undecodable message at offset " + offset + ": " + detail, false, cause);
    this.offset = offset;
  }

  /** The offset of the bad message, when known. */
  public Optional<String> offset() {
    return Optional.ofNullable(offset);
  }
}
