package dev.isb;

import dev.isb.spi.Checks;
import java.util.Objects;

/**
 * A message in a buffer whose bytes are not a Numaflow {@code isb.Message}: a reader reports it to
 * {@link ReaderOptions#undecodableListener()} instead of delivering it, and delivers the rest of the
 * batch. What happens to it next is {@link ReaderOptions#onUndecodable()}.
 *
 * @param offset where it is; names buffer and sequence
 * @param deliveryCount how many times it has been delivered
 * @param bytes the raw bytes, shared: copy before changing
 * @param error why they do not decode
 */
public record UndecodableMessage(Offset offset, long deliveryCount, byte[] bytes, MessageDecodeException error) {

  /** Checks for nulls. */
  public UndecodableMessage {
    Objects.requireNonNull(offset, "offset");
    Objects.requireNonNull(bytes, "bytes");
    Objects.requireNonNull(error, "error");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof UndecodableMessage u && offset.equals(u.offset) && deliveryCount == u.deliveryCount
        && java.util.Arrays.equals(bytes, u.bytes) && error.equals(u.error);
  }

  @Override
  public int hashCode() {
    return Objects.hash(offset, deliveryCount, java.util.Arrays.hashCode(bytes), error);
  }

  /** The offset, delivery count, size and error; never the bytes. */
  @Override
  public String toString() {
    return "UndecodableMessage{offset=" + offset + ", deliveryCount=" + deliveryCount + ", "
        + bytes.length + " bytes, " + error.getMessage() + '}';
  }
}
