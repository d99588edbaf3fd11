package dev.isb;

import java.util.List;
import java.util.Objects;

/**
 * A snapshot of one buffer, as Numaflow's {@code GetBufferInfo} reports it, with what the backend
 * found wrong in it.
 *
 * @param buffer the buffer name
 * @param pendingCount messages not yet delivered to the consumer group
 * @param ackPendingCount messages delivered and not yet acked
 * @param totalMessages pending plus ack-pending under Limits retention, else the messages stored
 * @param lostUnacked messages the buffer no longer holds although the consumer group never acked
 *     them (a JetStream stream under Limits retention discards its oldest messages, read or not); 0
 *     when none, or when the backend cannot tell
 * @param warnings what looks wrong, each naming its evidence: such a gap, or a consumer that reports
 *     nothing pending while the buffer holds messages it has not delivered
 */
public record BufferInfo(String buffer, long pendingCount, long ackPendingCount, long totalMessages,
    long lostUnacked, List<String> warnings) {

  /** Copies the warnings. */
  public BufferInfo {
    Objects.requireNonNull(buffer, "buffer");
    warnings = List.copyOf(warnings);
  }

  /** A snapshot in which nothing looks wrong. */
  public BufferInfo(String buffer, long pendingCount, long ackPendingCount, long totalMessages) {
    this(buffer, pendingCount, ackPendingCount, totalMessages, 0, List.of());
  }
}
