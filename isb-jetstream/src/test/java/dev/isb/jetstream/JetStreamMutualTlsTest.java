package dev.isb.jetstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isb.BufferConfig;
import dev.isb.IsbBackendException;
import dev.isb.IsbClient;
import dev.isb.IsbOptions;
import dev.isb.testkit.NatsServerExtension;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("JetStream over mutual TLS")
class JetStreamMutualTlsTest {

  @RegisterExtension
  static final NatsServerExtension NATS = NatsServerExtension.single().withMutualTls();

  private static IsbOptions.Builder tls() {
    return IsbOptions.builder().backend("jetstream").url(NATS.url())
        .property("tls", "true").property("tls.caFile", NATS.caCertificate().toString());
  }

  @Test
  @DisplayName("the client certificate and key from tls.certFile / tls.keyFile are presented and accepted")
  void clientCertificateIsAccepted() {
    String buffer = "mtls-" + UUID.randomUUID().toString().substring(0, 8) + "-0";
    try (IsbClient client = IsbClient.open(tls()
        .property("tls.certFile", NATS.server().clientCertificate().toString())
        .property("tls.keyFile", NATS.server().clientKey().toString()).build())) {
      client.admin().createBuffers(List.of(buffer), BufferConfig.defaults().toBuilder()
          .stream(BufferConfig.Stream.defaults().toBuilder().replicas(1).build()).build());
      assertThat(client.admin().validate(List.of(buffer), List.of(), dev.isb.BucketLayout.OFFSET_TIMELINE).isValid())
          .isTrue();
      client.admin().deleteBuffers(List.of(buffer));
    }
  }

  @Test
  @DisplayName("without a client certificate the server refuses the connection, and the error says so")
  void noClientCertificateIsRefused() {
    assertThatThrownBy(() -> IsbClient.open(tls().build())).isInstanceOf(IsbBackendException.class)
        .hasMessageContaining("cannot connect to JetStream");
  }

  @Test
  @DisplayName("a key file that is not a PKCS#8 PEM key is a clear error that does not quote the file")
  void badKeyFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    var key = dir.resolve("client.key");
    java.nio.file.Files.writeString(key, "s3cret-not-a-key");
    assertThatThrownBy(() -> IsbClient.open(tls().property("tls.certFile", NATS.server().clientCertificate().toString())
        .property("tls.keyFile", key.toString()).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tls.keyFile '" + key + "'")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cret"));
  }
}
