/**
 * The in-memory backend: {@link dev.isb.memory.InMemoryIsb}, a complete ISB inside one JVM with the
 * semantics every backend shows, and fault injection through {@link dev.isb.memory.InMemoryFaults}
 * (force a buffer full, fail the next writes, reads, acks or usage refreshes, add latency, stall a
 * watermark key).
 *
 * <pre>{@code
 * try (InMemoryIsb isb = InMemoryIsb.create()) {
 *   isb.faults().forceFull("ns-pl-out-0", true);   // see the vertex under back-pressure
 * }
 * }</pre>
 *
 * <p>For users: demos, benchmarks and unit tests of vertex code. No test library is on its class
 * path, so it may be used at compile scope. {@link dev.isb.memory.InMemoryBackend} registers the
 * {@code memory} backend with {@link java.util.ServiceLoader}; the rest is package-private
 * implementation.
 */
package dev.isb.memory;
