/**
 * The vertex runtime: {@link dev.isb.vertex.Forwarder}, the read, apply, write, ack loop of a vertex,
 * with back-pressure, routing by key and tag, retries, graceful shutdown and Micrometer meters under
 * Numaflow's names; the function shapes it runs ({@link dev.isb.vertex.MapFunction},
 * {@link dev.isb.vertex.SinkFunction} and their asynchronous forms), its {@link dev.isb.vertex.Edge}s
 * and {@link dev.isb.vertex.RetryPolicy}, and {@link dev.isb.vertex.VertexSpec}, what a pod says about
 * its vertex.
 *
 * <p>For users. It runs on any backend through {@link dev.isb.IsbClient} and depends on none.
 */
package dev.isb.vertex;
