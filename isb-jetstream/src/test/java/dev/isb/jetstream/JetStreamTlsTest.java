package dev.isb.jetstream;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.isb.IsbClient;
import dev.isb.IsbException;
import dev.isb.IsbOptions;
import dev.isb.testkit.NatsServerExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.UUID;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Connecting to a TLS-only JetStream server: verified against a CA, never silently unverified. */
@DisplayName("JetStream over TLS")
class JetStreamTlsTest {

  @RegisterExtension
  static final NatsServerExtension NATS = NatsServerExtension.single().withTls();

  /** Sent along to show that no failure message prints a secret (this server does not ask for it). */
  private static final String SECRET = "s3cret-" + UUID.randomUUID();

  @TempDir
  Path dir;

  private static IsbOptions.Builder options(String url) {
    return IsbOptions.builder().backend("jetstream").url(url);
  }

  private static String plainUrl() {
    return "nats://127.0.0.1:" + NATS.server().port();
  }

  /** A PEM file holding a CA that did not sign the server's certificate: one from the JDK's trust store. */
  private Path otherCaFile() throws Exception {
    var factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init((KeyStore) null);
    X509TrustManager jdk = (X509TrustManager) factory.getTrustManagers()[0];
    X509Certificate other = jdk.getAcceptedIssuers()[0];
    String pem = "-----BEGIN CERTIFICATE-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(UTF_8)).encodeToString(other.getEncoded())
        + "\n-----END CERTIFICATE-----\n";
    return Files.writeString(dir.resolve("other-ca.pem"), pem);
  }

  /**
   * Checks that open failed with one of the library's errors whose message says why (one of the
   * words, found outside the echoed URL and options, which name "tls" themselves) and holds no secret.
   */
  private static void assertClearFailure(Throwable failure, IsbOptions options, String... mentionsOneOf) {
    assertThat(failure).as("open must fail").isNotNull()
        .isInstanceOfAny(IsbException.class, IllegalArgumentException.class);
    assertThat(failure.getMessage()).isNotBlank().doesNotContain(SECRET);
    String reason = failure.getMessage().replace(options.toString(), "").replace(options.url(), "");
    assertThat(reason.toLowerCase(java.util.Locale.ROOT)).as("why open failed").containsAnyOf(mentionsOneOf);
    for (Throwable t = failure.getCause(); t != null; t = t.getCause()) {
      assertThat(String.valueOf(t.getMessage())).doesNotContain(SECRET);
    }
  }

  @Test
  @DisplayName("a tls:// URL with the test CA as tls.caFile works end to end")
  void caFileWorks() {
    try (IsbClient client = IsbClient.open(options(NATS.url())
        .property("tls.caFile", NATS.caCertificate().toString()).build())) {
      RoundTrip.assertRoundTrip(client, "over tls");
    }
  }

  @Test
  @DisplayName("tls=true on a nats:// URL with the test CA works end to end")
  void tlsPropertyOnNatsUrlWorks() {
    try (IsbClient client = IsbClient.open(options(plainUrl())
        .property("tls", "true").property("tls.caFile", NATS.caCertificate().toString()).build())) {
      RoundTrip.assertRoundTrip(client, "over tls");
    }
  }

  @Test
  @DisplayName("a CA that did not sign the server's certificate fails open with a clear error and no secret")
  void wrongCaFailsClearly() throws Exception {
    IsbOptions options = options(NATS.url()).property("tls.caFile", otherCaFile().toString())
        .property("user", "isb").property("password", SECRET).build();

    Throwable failure = catchThrowable(() -> IsbClient.open(options).close());

    assertClearFailure(failure, options, "certificat", "pkix", "handshake", "trust");
  }

  @Test
  @DisplayName("without tls.caFile the JVM's trust store is used, so the test CA's server is refused")
  void defaultTrustStoreRefusesTheTestCa() {
    IsbOptions options = options(NATS.url()).build();

    Throwable failure = catchThrowable(() -> IsbClient.open(options).close());

    assertClearFailure(failure, options, "certificat", "pkix", "handshake", "trust");
  }

  @Test
  @DisplayName("a tls.caFile that holds no certificate is a clear configuration error naming the file")
  void caFileWithoutCertificateFails() throws Exception {
    Path notPem = Files.writeString(dir.resolve("not-a-ca.pem"), "hello\n");
    Throwable failure = catchThrowable(() -> IsbClient.open(options(NATS.url())
        .property("tls.caFile", notPem.toString()).build()).close());

    assertThat(failure).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(notPem.toString());
  }

  @Test
  @DisplayName("plaintext to a TLS-only server fails open with a clear error")
  void plaintextToTlsOnlyFailsClearly() {
    IsbOptions options = options(plainUrl()).property("user", "isb").property("password", SECRET).build();

    Throwable failure = catchThrowable(() -> IsbClient.open(options).close());

    assertClearFailure(failure, options, "tls", "ssl");
  }

  @Test
  @DisplayName("tls.insecureSkipVerify=true connects to the self-signed server without a CA")
  void insecureSkipVerifyConnects() {
    try (IsbClient client = IsbClient.open(options(NATS.url())
        .property("tls.insecureSkipVerify", "true").build())) {
      RoundTrip.assertRoundTrip(client, "over tls");
    }
  }
}
