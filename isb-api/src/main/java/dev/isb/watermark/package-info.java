/**
 * Numaflow's watermarks on an ISB: the {@link dev.isb.watermark.WatermarkStore} a backend offers (an
 * edge's key/value buckets), the {@link dev.isb.watermark.WatermarkPublisher} a vertex publishes its
 * output watermark with, and the {@link dev.isb.watermark.WatermarkFetcher} that computes the
 * watermark of what a vertex reads, by the rules of numaflow-core v1.7 and v1.8 (see
 * {@link dev.isb.NumaflowVersion}). Vertex code usually meets them only through the
 * runtime; a backend implements only the store.
 */
package dev.isb.watermark;
