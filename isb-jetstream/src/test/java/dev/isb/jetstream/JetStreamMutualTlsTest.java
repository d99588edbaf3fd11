package dev.isb.jetstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isb.BufferConfig;
import dev.isb.IsbClient;
import dev.isb.IsbOptions;
import dev.isb.servers.ClientTls;
import dev.isb.testkit.MutualTlsConformanceKit;
import dev.isb.testkit.NatsServerExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("JetStream over mutual TLS")
class JetStreamMutualTlsTest extends MutualTlsConformanceKit {

  @RegisterExtension
  static final NatsServerExtension NATS = NatsServerExtension.single().withMutualTls();

  @Override
  protected IsbOptions.Builder server() {
    return IsbOptions.builder().backend("jetstream").url(NATS.url());
  }

  @Override
  protected ClientTls tls() {
    return NATS;
  }

  @Override
  protected String refusal() {
    return "cannot connect to JetStream";
  }

  /** One replica: the server is a single node. */
  @Override
  protected BufferConfig bufferConfig() {
    return BufferConfig.defaults().toBuilder()
        .stream(BufferConfig.Stream.defaults().toBuilder().replicas(1).build()).build();
  }

  @Test
  @DisplayName("a key file that is not a PKCS#8 PEM key is a clear error that does not quote the file")
  void badKeyFile(@TempDir Path dir) throws Exception {
    Path key = dir.resolve("client.key");
    Files.writeString(key, "s3cret-not-a-key");
    assertThatThrownBy(() -> IsbClient.open(trustingTheServer()
        .property("tls.certFile", tls().clientCertificate().toString())
        .property("tls.keyFile", key.toString()).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tls.keyFile '" + key + "'")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cret"));
  }
}
