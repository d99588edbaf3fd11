/**
 * The client API: what a vertex author imports to write to, read from, ack and manage
 * Numaflow's inter-step buffers, whatever the backend.
 *
 * <p>The message model ({@link dev.isb.Message}, {@link dev.isb.MessageId}, {@link dev.isb.Header},
 * {@link dev.isb.ReadMessage}, {@link dev.isb.Offset}), the client and its parts
 * ({@link dev.isb.IsbClient}, {@link dev.isb.BufferWriter}, {@link dev.isb.BufferReader},
 * {@link dev.isb.BufferAdmin}), their options with Numaflow's defaults ({@link dev.isb.IsbOptions},
 * {@link dev.isb.WriterOptions}, {@link dev.isb.ReaderOptions}, {@link dev.isb.BufferConfig}) and the
 * unchecked {@link dev.isb.IsbException} hierarchy. The package names no backend: a backend module on
 * the class path is found by the name given to {@link dev.isb.IsbOptions.Builder#backend}.
 *
 * <pre>{@code
 * try (IsbClient client = IsbClient.open(IsbOptions.builder()
 *          .backend("jetstream").url("nats://isbsvc-default-js-svc:4222").build());
 *      BufferWriter writer = client.writer("ns-pl-out-0")) {
 *   writer.write(Message.data(new MessageId("in", "1042", 0), payload));
 * }
 * }</pre>
 *
 * <p>In a pod, {@link dev.isb.config.IsbConfig#load()} builds the options from Numaflow's mounts and
 * variables. For users.
 */
package dev.isb;
