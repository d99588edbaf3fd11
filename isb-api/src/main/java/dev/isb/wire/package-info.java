/**
 * What Numaflow's own vertices must agree on with this library: {@link dev.isb.wire.MessageCodec}
 * (the protobuf {@code isb.Message} and {@code isb.Header} encodings), {@link dev.isb.wire.BufferNames}
 * (buffer, bucket, stream, consumer and key names) and {@link dev.isb.wire.PartitionRouter} (the
 * partition Numaflow's Rust data plane picks for a message).
 *
 * <p>Used by the backends, the vertex runtime and the {@code isb} command, and open to users who need
 * a buffer's name or a message's bytes. The codec's reader, writer and field tags and the SipHash-1-3
 * hash are package-private implementation.
 */
package dev.isb.wire;
