/**
 * The NATS JetStream backend, wire-compatible with Numaflow's JetStream ISB: streams, subjects,
 * durable consumers and key/value buckets under Numaflow's names, written and read with jnats.
 *
 * <p>Users do not import this package: with the module on the class path, {@code
 * IsbOptions.builder().backend("jetstream")} selects it through {@link java.util.ServiceLoader}.
 * {@link dev.isb.jetstream.JetStreamBackend} is the one public class, for that lookup; the rest is
 * package-private implementation.
 */
package dev.isb.jetstream;
