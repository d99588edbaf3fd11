package dev.isb;

/**
 * A snapshot of one buffer, as Numaflow's {@code GetBufferInfo} reports it.
 *
 * @param buffer the buffer name
 * @param pendingCount messages not yet delivered to the consumer group
 * @param ackPendingCount messages delivered and not yet acked
 * @param totalMessages pending plus ack-pending under Limits retention, else the messages stored
 */
public record BufferInfo(String buffer, long pendingCount, long ackPendingCount, long totalMessages) {}
