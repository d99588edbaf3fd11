package dev.isb.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isb.BucketLayout;
import dev.isb.BufferConfig;
import dev.isb.IsbBackendException;
import dev.isb.IsbClient;
import dev.isb.IsbOptions;
import dev.isb.servers.ClientTls;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Mutual TLS as every backend must take it: a client that presents the certificate and key of
 * {@code tls.certFile} / {@code tls.keyFile} is accepted, one without them is refused with an error
 * that says so. A backend's test extends this with a server started with mutual TLS.
 *
 * <pre>{@code
 * class RedisMutualTlsTest extends MutualTlsConformanceKit {
 *
 *   @RegisterExtension
 *   static final RedisServerExtension REDIS = RedisServerExtension.standalone().withMutualTls();
 *
 *   @Override
 *   protected IsbOptions.Builder server() {
 *     return IsbOptions.builder().backend("redis").url(REDIS.uri());
 *   }
 *
 *   @Override
 *   protected ClientTls tls() {
 *     return REDIS;
 *   }
 *
 *   @Override
 *   protected String refusal() {
 *     return "cannot connect to Redis";
 *   }
 * }
 * }</pre>
 */
public abstract class MutualTlsConformanceKit {

  /** Constructor for subclasses. */
  protected MutualTlsConformanceKit() {}

  /** The backend and the URL of the server, which requires a client certificate. */
  protected abstract IsbOptions.Builder server();

  /** The server's TLS material: the CA to trust, the client certificate and its key. */
  protected abstract ClientTls tls();

  /** What the error says when the server refuses a client without a certificate. */
  protected abstract String refusal();

  /** The configuration of the buffer an accepted client creates: the defaults unless the server needs others. */
  protected BufferConfig bufferConfig() {
    return BufferConfig.defaults();
  }

  /** Options for the server with TLS on and its CA trusted, presenting no client certificate yet. */
  protected final IsbOptions.Builder trustingTheServer() {
    return server().property("tls", "true").property("tls.caFile", tls().caCertificate().toString());
  }

  @Test
  @DisplayName("the client certificate and key from tls.certFile / tls.keyFile are presented and accepted")
  void clientCertificateIsAccepted() {
    String buffer = "mtls-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()) + "-0";
    try (IsbClient client = IsbClient.open(trustingTheServer()
        .property("tls.certFile", tls().clientCertificate().toString())
        .property("tls.keyFile", tls().clientKey().toString()).build())) {
      client.admin().createBuffers(List.of(buffer), bufferConfig());
      assertThat(client.admin().validate(List.of(buffer), List.of(), BucketLayout.OFFSET_TIMELINE).isValid())
          .isTrue();
      client.admin().deleteBuffers(List.of(buffer));
    }
  }

  @Test
  @DisplayName("without a client certificate the server refuses the connection, and the error says so")
  void noClientCertificateIsRefused() {
    assertThatThrownBy(() -> IsbClient.open(trustingTheServer().build())).isInstanceOf(IsbBackendException.class)
        .hasMessageContaining(refusal());
  }
}
