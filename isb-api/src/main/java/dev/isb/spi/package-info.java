/**
 * The backend service-provider interface: what a backend author implements and reuses. Vertex code
 * does not need this package.
 *
 * <p>A backend registers an {@link dev.isb.spi.IsbBackend} in
 * {@code META-INF/services/dev.isb.spi.IsbBackend} and builds its client, writers, readers and admin on
 * the skeletons {@link dev.isb.spi.AbstractIsbClient}, {@link dev.isb.spi.AbstractBufferWriter},
 * {@link dev.isb.spi.AbstractBufferReader} and {@link dev.isb.spi.AbstractBufferAdmin}, and, if it keeps
 * watermark buckets, {@link dev.isb.spi.AbstractWatermarkStore} (whose watches deliver through a
 * {@link dev.isb.spi.WatchFeed}), which hold what every backend repeats (argument checks, the close
 * protocol, call tracking, the keep-alive schedule, validation reports, the order and safety of
 * watermark deliveries), so that the backend writes only its wire work. The parts they are built from
 * are public for a backend that needs them directly: {@link dev.isb.spi.BufferFullGate} (Numaflow's
 * "buffer full" rule), {@link dev.isb.spi.CallTracker}, {@link dev.isb.spi.OpenHandles} and
 * {@link dev.isb.spi.Checks}.
 *
 * <p>A backend declares the properties of {@link dev.isb.IsbOptions} it reads besides the shared ones as
 * {@link dev.isb.spi.BackendSetting}s ({@link dev.isb.spi.IsbBackend#settings()}), so that the
 * configuration loader checks, redacts and describes them without knowing the backend.
 *
 * <p>A backend proves itself by passing the conformance kit of {@code isb-testkit}.
 */
package dev.isb.spi;
