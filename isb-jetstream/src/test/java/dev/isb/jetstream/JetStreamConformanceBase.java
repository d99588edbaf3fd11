package dev.isb.jetstream;

import dev.isb.IsbClient;
import dev.isb.IsbOptions;
import dev.isb.testkit.BackendFeatures;
import dev.isb.testkit.IsbConformanceKit;
import dev.isb.testkit.NatsServerExtension;

/**
 * The conformance kit on the test class's nats-server, started with {@link #MAX_PAYLOAD}: how the
 * client under test opens and what the JetStream backend can do, the same on every kind of server.
 */
abstract class JetStreamConformanceBase extends IsbConformanceKit {

  /** The servers' max_payload; the kit writes payloads up to half of it and expects larger ones refused. */
  static final int MAX_PAYLOAD = 2 * 1024 * 1024;

  /** The test class's server, a static {@code @RegisterExtension} field there. */
  abstract NatsServerExtension nats();

  /** The options of the client under test: the server's URL, and what the test class adds. */
  IsbOptions.Builder options() {
    return IsbOptions.builder().backend("jetstream").url(nats().url());
  }

  @Override
  protected final IsbClient newClient() {
    return IsbClient.open(options().build());
  }

  @Override
  protected BackendFeatures features() {
    return BackendFeatures.defaults().withMaxPayloadBytes(MAX_PAYLOAD / 2).withRejectsOversizePayloads(true);
  }
}
