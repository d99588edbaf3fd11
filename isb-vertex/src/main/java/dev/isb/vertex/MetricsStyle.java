package dev.isb.vertex;

/**
 * How a {@link Forwarder} names and shapes its meters. Both styles carry Numaflow's labels
 * ({@code pipeline}, {@code vertex}, {@code vertex_type}, {@code replica}, and {@code partition_name},
 * {@code reason} or {@code buffer} where numaflow-core has them); see {@code docs/metrics.md} for the
 * two side by side.
 */
public enum MetricsStyle {
  /**
   * numaflow-core's (v1.7 and v1.8): its names, its histograms of microseconds with its buckets,
   * recorded per message where it records per message; {@code forwarder_read_total} counts data
   * messages only; a duplicate write counts as written and as dropped ({@code duplicate-id}); the
   * buffers the vertex writes get {@code isb_<backend>_buffer_*} gauges labelled {@code buffer}
   * ({@code isb_jetstream_*} on JetStream, exactly numaflow-core's). The default.
   */
  NUMAFLOW,
  /**
   * This library's earlier meters, for dashboards built on them: Micrometer timers (seconds),
   * one per call, control messages counted in {@code forwarder_read_total},
   * {@code forwarder_write_duplicate_total}, and {@code isb_buffer_*} gauges for every buffer.
   */
  TIMERS
}
