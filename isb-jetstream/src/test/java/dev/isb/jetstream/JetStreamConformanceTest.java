package dev.isb.jetstream;

import dev.isb.IsbClient;
import dev.isb.IsbOptions;
import dev.isb.testkit.BackendFeatures;
import dev.isb.testkit.IsbConformanceKit;
import dev.isb.testkit.NatsServerExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The JetStream backend passes the conformance kit against a real nats-server. */
class JetStreamConformanceTest extends IsbConformanceKit {

  private static final int MAX_PAYLOAD = 2 * 1024 * 1024;

  @RegisterExtension
  static final NatsServerExtension NATS = NatsServerExtension.single().withMaxPayload(MAX_PAYLOAD);

  @Override
  protected IsbClient newClient() {
    return IsbClient.open(IsbOptions.builder().backend("jetstream").url(NATS.url()).build());
  }

  @Override
  protected BackendFeatures features() {
    return BackendFeatures.defaults().withMaxPayloadBytes(MAX_PAYLOAD / 2).withRejectsOversizePayloads(true);
  }
}
