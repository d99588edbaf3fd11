package dev.isb.examples.pod;

import dev.isb.IsbClient;
import dev.isb.config.IsbConfig;
import dev.isb.vertex.Datum;
import dev.isb.vertex.Forwarder;
import dev.isb.vertex.MapFunction;
import dev.isb.vertex.Output;
import dev.isb.vertex.VertexSpec;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;
import java.util.Map;

/**
 * A map vertex as it runs in a Numaflow vertex pod: it upper-cases each payload (as UTF-8 text) and
 * keeps the keys. Everything else comes from the pod: the ISB service from {@link IsbConfig#load()},
 * the buffers it reads and the edges it writes along from {@link VertexSpec#fromEnvironment()}. See
 * {@code docs/deploying.md} for the image and the pod.
 */
public final class UppercaseVertex {

  private UppercaseVertex() {}

  /** Runs until SIGTERM. */
  public static void main(String[] args) throws InterruptedException {
    Pod.run(UppercaseVertex::forwarder);
  }

  /** The vertex's forwarder, not started, for the pod environment {@code env}. */
  static Forwarder forwarder(IsbClient client, Map<String, String> env, MeterRegistry registry) {
    return VertexSpec.fromEnvironment(env).forwarder(client)
        .map(MapFunction.of(UppercaseVertex::upperCase))
        .meterRegistry(registry)
        .build();
  }

  static Output upperCase(Datum in) {
    return Output.of(in.valueAsString().toUpperCase(Locale.ROOT)).withKeys(in.keys());
  }
}
