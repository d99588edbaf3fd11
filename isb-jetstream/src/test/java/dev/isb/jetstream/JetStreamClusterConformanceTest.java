package dev.isb.jetstream;

import dev.isb.IsbClient;
import dev.isb.IsbOptions;
import dev.isb.testkit.BackendFeatures;
import dev.isb.testkit.IsbConformanceKit;
import dev.isb.testkit.NatsServerExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The JetStream backend passes the conformance kit on a 3-node cluster, every buffer with 3 replicas. */
class JetStreamClusterConformanceTest extends IsbConformanceKit {

  private static final int MAX_PAYLOAD = 2 * 1024 * 1024;

  @RegisterExtension
  static final NatsServerExtension NATS = NatsServerExtension.cluster(3).withMaxPayload(MAX_PAYLOAD);

  @Override
  protected IsbClient newClient() {
    return IsbClient.open(IsbOptions.builder().backend("jetstream").url(NATS.url()).build());
  }

  @Override
  protected BackendFeatures features() {
    return BackendFeatures.defaults().withMaxPayloadBytes(MAX_PAYLOAD / 2).withRejectsOversizePayloads(true)
        .withReplicas(3);
  }
}
