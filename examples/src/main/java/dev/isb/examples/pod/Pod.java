package dev.isb.examples.pod;

import dev.isb.IsbClient;
import dev.isb.config.IsbConfig;
import dev.isb.vertex.Forwarder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;

/**
 * What the main of every vertex of this package does in a Numaflow vertex pod: connect to the ISB
 * service the pod's configuration names ({@link IsbConfig#load()}), build the vertex's forwarder for
 * the pod's environment, run it until SIGTERM, then close both.
 */
final class Pod {

  /** How a vertex builds its forwarder, not started, for a pod environment. */
  @FunctionalInterface
  interface Vertex {
    Forwarder forwarder(IsbClient client, Map<String, String> env, MeterRegistry registry);
  }

  private Pod() {}

  /** Runs {@code vertex} until SIGTERM. */
  static void run(Vertex vertex) throws InterruptedException {
    // Meters are kept in memory only: publishing them (micrometer-registry-prometheus and an HTTP
    // endpoint for scraping) would add a dependency this example does without.
    MeterRegistry registry = new SimpleMeterRegistry();
    try (IsbClient client = IsbConfig.load().open();
        Forwarder forwarder = vertex.forwarder(client, System.getenv(), registry)) {
      forwarder.runUntilShutdown();
    }
  }
}
