package dev.isb;

import dev.isb.spi.Checks;
import java.util.Objects;

/**
 * The identity of a message: the vertex that produced it, the offset it was produced from, and its
 * index among the messages produced from that offset. Immutable and thread-safe.
 *
 * <p>{@link #dedupKey()} is what every backend uses to make writes exactly-once: two writes with the
 * same id inside the buffer's duplicates window store one message.
 *
 * @param vertexName the producing vertex, never null (may be empty)
 * @param offset the offset the message was produced from, never null (may be empty)
 * @param index the index of the message among those produced from {@code offset}
 */
public record MessageId(String vertexName, String offset, int index) {

  /** Checks that neither string is null. */
  public MessageId {
    Objects.requireNonNull(vertexName, "vertexName");
    Objects.requireNonNull(offset, "offset");
  }

  /**
   * The de-duplication key, {@code vertex-offset-index}: Numaflow's {@code MessageID.String()}, sent as
   * JetStream's {@code Nats-Msg-Id} and used as the Redis de-duplication key.
   */
  public String dedupKey() {
    return vertexName + '-' + offset + '-' + index;
  }

  /** The same as {@link #dedupKey()}. */
  @Override
  public String toString() {
    return dedupKey();
  }
}
