package dev.isb.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isb.BucketLayout;
import dev.isb.BufferConfig;
import dev.isb.IsbBackendException;
import dev.isb.IsbClient;
import dev.isb.IsbOptions;
import dev.isb.testkit.RedisServerExtension;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("Redis over mutual TLS")
class RedisMutualTlsTest {

  @RegisterExtension
  static final RedisServerExtension REDIS = RedisServerExtension.standalone().withMutualTls();

  private static IsbOptions.Builder tls() {
    return IsbOptions.builder().backend("redis").url(REDIS.uri()).property("tls", "true")
        .property("tls.caFile", REDIS.caCertificate().toString());
  }

  @Test
  @DisplayName("the client certificate and key from tls.certFile / tls.keyFile are presented and accepted")
  void clientCertificateIsAccepted() {
    String buffer = "mtls-" + UUID.randomUUID().toString().substring(0, 8) + "-0";
    try (IsbClient client = IsbClient.open(tls().property("tls.certFile", REDIS.clientCertificate().toString())
        .property("tls.keyFile", REDIS.clientKey().toString()).build())) {
      client.admin().createBuffers(List.of(buffer), BufferConfig.defaults());
      assertThat(client.admin().validate(List.of(buffer), List.of(), BucketLayout.OFFSET_TIMELINE).isValid()).isTrue();
      client.admin().deleteBuffers(List.of(buffer));
    }
  }

  @Test
  @DisplayName("without a client certificate the server refuses the connection, and the error says so")
  void noClientCertificateIsRefused() {
    assertThatThrownBy(() -> IsbClient.open(tls().build())).isInstanceOf(IsbBackendException.class)
        .hasMessageContaining("cannot connect to Redis");
  }
}
