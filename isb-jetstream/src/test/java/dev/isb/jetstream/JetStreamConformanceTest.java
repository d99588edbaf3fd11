package dev.isb.jetstream;

import dev.isb.testkit.NatsServerExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The JetStream backend passes the conformance kit against a real nats-server. */
class JetStreamConformanceTest extends JetStreamConformanceBase {

  @RegisterExtension
  static final NatsServerExtension NATS = NatsServerExtension.single().withMaxPayload(MAX_PAYLOAD);

  @Override
  NatsServerExtension nats() {
    return NATS;
  }
}
