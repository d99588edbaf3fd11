package dev.isb.jetstream;

import dev.isb.testkit.BackendFeatures;
import dev.isb.testkit.NatsServerExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The JetStream backend passes the conformance kit on a 3-node cluster, every buffer with 3 replicas. */
class JetStreamClusterConformanceTest extends JetStreamConformanceBase {

  @RegisterExtension
  static final NatsServerExtension NATS = NatsServerExtension.cluster(3).withMaxPayload(MAX_PAYLOAD);

  @Override
  NatsServerExtension nats() {
    return NATS;
  }

  @Override
  protected BackendFeatures features() {
    return super.features().withReplicas(3);
  }
}
