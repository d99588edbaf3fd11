package dev.isb.jetstream;

import dev.isb.IsbClient;
import dev.isb.IsbOptions;
import dev.isb.testkit.NatsServerExtension;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * For each test, an ISB client and a raw jnats connection to the test class's server: the test acts
 * through the API and checks through JetStream itself. Both are closed after the test class's own
 * {@code @AfterEach} methods have run.
 */
abstract class JetStreamTestBase {

  protected IsbClient client;
  protected Connection nc;
  protected JetStreamManagement jsm;

  /** The test class's server, a static {@code @RegisterExtension} field there. */
  abstract NatsServerExtension nats();

  @BeforeEach
  final void openConnections() throws Exception {
    client = newClient();
    nc = Nats.connect(nats().url());
    jsm = nc.jetStreamManagement();
  }

  @AfterEach
  final void closeConnections() throws Exception {
    client.close();
    nc.close();
  }

  /** Another ISB client of the same server; the caller closes it. */
  IsbClient newClient() {
    return IsbClient.open(IsbOptions.builder().backend("jetstream").url(nats().url()).build());
  }
}
