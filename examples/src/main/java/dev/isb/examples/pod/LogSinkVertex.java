package dev.isb.examples.pod;

import dev.isb.IsbClient;
import dev.isb.config.IsbConfig;
import dev.isb.vertex.Datum;
import dev.isb.vertex.Forwarder;
import dev.isb.vertex.VertexSpec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A sink vertex as it runs in a Numaflow vertex pod: it logs each message's keys and payload size
 * and counts the messages (meter {@value #RECEIVED}). The ISB service comes from
 * {@link IsbConfig#load()}, the buffers it reads from {@link VertexSpec#fromEnvironment()}. See
 * {@code docs/deploying.md} for the image and the pod.
 */
public final class LogSinkVertex {

  /** The counter of messages received. */
  static final String RECEIVED = "sink.log.received";

  private static final System.Logger LOG = System.getLogger(LogSinkVertex.class.getName());

  private LogSinkVertex() {}

  /** Runs until SIGTERM. */
  public static void main(String[] args) throws InterruptedException {
    Pod.run(LogSinkVertex::forwarder);
  }

  /** The vertex's forwarder, not started, for the pod environment {@code env}. */
  static Forwarder forwarder(IsbClient client, Map<String, String> env, MeterRegistry registry) {
    return forwarder(client, env, registry, datum -> { });
  }

  /** As {@link #forwarder(IsbClient, Map, MeterRegistry)}, also handing each message to {@code tap}. */
  static Forwarder forwarder(IsbClient client, Map<String, String> env, MeterRegistry registry,
      Consumer<Datum> tap) {
    Objects.requireNonNull(tap, "tap");
    VertexSpec spec = VertexSpec.fromEnvironment(env);
    Counter received = Counter.builder(RECEIVED).description("Messages the log sink received")
        .tag("vertex", spec.vertex()).register(registry);
    return spec.forwarder(client)
        .sink(in -> {
          received.increment();
          LOG.log(System.Logger.Level.INFO, "keys={0} bytes={1} total={2}", in.keys(), in.value().length,
              (long) received.count());
          tap.accept(in);
        })
        .meterRegistry(registry)
        .build();
  }
}
