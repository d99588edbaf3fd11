package dev.isb.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.isb.BucketLayout;
import dev.isb.BufferConfig;
import dev.isb.BufferReader;
import dev.isb.BufferWriter;
import dev.isb.IsbBackendException;
import dev.isb.IsbClient;
import dev.isb.IsbOptions;
import dev.isb.Message;
import dev.isb.MessageId;
import dev.isb.ReadMessage;
import dev.isb.ReaderOptions;
import dev.isb.WriteResult;
import dev.isb.WriterOptions;
import dev.isb.testkit.RedisServerExtension;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** TLS to a server that accepts TLS only, with certificates from a CA generated for the run. */
class RedisConnectionTlsTest {

  @RegisterExtension
  static final RedisServerExtension REDIS = RedisServerExtension.standalone().withTls();

  private static final Duration PATIENCE = Duration.ofSeconds(10);
  /** Connecting must fail within this; lettuce's connect timeout is 10 s, the backend's command timeout 5 s. */
  private static final Duration FAIL_FAST = Duration.ofSeconds(15);
  /** What an error about an untrusted server certificate should say (the options it prints say "tls" anyway). */
  private static final String CERTIFICATE_PROBLEM = "(?i)certificat|PKIX|handshake|\\bSSL";

  @TempDir
  static Path tmp;

  private static int port() {
    return URI.create(REDIS.uri()).getPort();
  }

  private static IsbOptions.Builder options(String url) {
    return IsbOptions.builder().backend("redis").url(url);
  }

  @Test
  @DisplayName("a rediss:// address with the test CA as tls.caFile works end to end")
  void redissWithCaFile() {
    assertThat(REDIS.uri()).startsWith("rediss://");
    roundTrip(options(REDIS.uri()).property("tls.caFile", REDIS.caCertificate().toString()).build());
  }

  @Test
  @DisplayName("tls=true with a host:port address and tls.caFile works end to end")
  void tlsPropertyWithHostPort() {
    roundTrip(options("127.0.0.1:" + port()).property("tls", "true")
        .property("tls.caFile", REDIS.caCertificate().toString()).build());
  }

  @Test
  @DisplayName("tls=true is honoured for a redis:// address too, instead of sending the password in plaintext")
  void tlsPropertyWithRedisScheme() {
    assertThatCode(() -> roundTrip(options("redis://127.0.0.1:" + port()).property("tls", "true")
        .property("tls.caFile", REDIS.caCertificate().toString()).build()))
        .as("a round trip to the TLS-only server with tls=true and a redis:// address")
        .doesNotThrowAnyException();
  }

  @Test
  @DisplayName("tls.insecureSkipVerify=true connects without any CA")
  void insecureSkipVerify() {
    roundTrip(options(REDIS.uri()).property("tls.insecureSkipVerify", "true").build());
  }

  @Test
  @DisplayName("a CA that did not sign the server's certificate is refused, with an error that says it is a"
      + " certificate problem")
  void wrongCa() throws Exception {
    Path otherCa = otherCa();
    long start = System.nanoTime();
    Throwable e = catchThrowable(() -> IsbClient.open(options(REDIS.uri()).property("tls.caFile", otherCa.toString())
        .build()).close());
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(FAIL_FAST);
    assertThat(e).isInstanceOf(IsbBackendException.class).hasMessageContaining("127.0.0.1:" + port());
    assertSaysWhy(e, CERTIFICATE_PROBLEM);
  }

  @Test
  @DisplayName("without tls.caFile the JVM's trust store is used, which does not trust the test CA")
  void jvmTrustStoreRefusesTheTestCa() {
    Throwable e = catchThrowable(() -> IsbClient.open(options(REDIS.uri()).build()).close());
    assertThat(e).isInstanceOf(IsbBackendException.class);
    assertSaysWhy(e, CERTIFICATE_PROBLEM);
  }

  @Test
  @DisplayName("plaintext to a TLS-only server fails in bounded time with an error naming the server")
  void plaintextToTlsServer() {
    long start = System.nanoTime();
    assertThatThrownBy(() -> IsbClient.open(options("redis://127.0.0.1:" + port()).build()).close())
        .isInstanceOf(IsbBackendException.class)
        .hasMessageContaining("127.0.0.1:" + port());
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(FAIL_FAST);
  }

  @Test
  @DisplayName("a tls.caFile that cannot be read is reported as a bad option naming the file")
  void unreadableCaFile() {
    String missing = tmp.resolve("missing-ca.pem").toString();
    assertThatThrownBy(() -> IsbClient.open(options(REDIS.uri()).property("tls.caFile", missing).build()).close())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tls.caFile")
        .hasMessageContaining(missing);
  }

  // ---------------------------------------------------------------------------------------------

  /** The error's own message, not only a cause deep in its chain, matches {@code why}; fails showing the chain. */
  static void assertSaysWhy(Throwable e, String why) {
    var chain = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      chain.append("\n  ").append(t);
    }
    assertThat(e.getMessage()).as("message of the error, whose cause chain is:%s", chain).containsPattern(why);
  }

  /** Creates a buffer, writes, reads and acks a message, and deletes the buffer. */
  static void roundTrip(IsbOptions options) {
    String buffer = "tls-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()) + "-0";
    try (IsbClient client = IsbClient.open(options)) {
      client.admin().createBuffers(List.of(buffer), BufferConfig.defaults());
      try (BufferWriter writer = client.writer(buffer, WriterOptions.builder()
              .refreshInterval(Duration.ofMillis(100)).fullWaitTimeout(PATIENCE).build());
          BufferReader reader = client.reader(buffer, ReaderOptions.builder().consumerName("tls-0").build())) {
        assertThat(writer.write(Message.data(new MessageId("in", "1", 0), "over tls".getBytes(UTF_8))))
            .isInstanceOf(WriteResult.Written.class);
        var got = new ArrayList<ReadMessage>();
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (got.isEmpty() && System.nanoTime() - deadline < 0) {
          got.addAll(reader.read(1, Duration.ofMillis(200)));
        }
        assertThat(got).extracting(m -> m.message().payloadAsString()).containsExactly("over tls");
        reader.ack(got.get(0).offset());
        assertThat(reader.pending()).hasValue(0);
      }
      client.admin().deleteBuffers(List.of(buffer));
      assertThat(client.admin().validate(List.of(buffer), List.of(), BucketLayout.OFFSET_TIMELINE)
          .isValid()).isFalse();
    }
  }

  /** The PEM of a freshly made CA that signed nothing the server has. */
  private static Path otherCa() throws GeneralSecurityException, OperatorCreationException, IOException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(256);
    KeyPair keys = generator.generateKeyPair();
    X500Name name = new X500Name("CN=not the test CA");
    Instant now = Instant.now();
    X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
        Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(1))), name, keys.getPublic());
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    X509Certificate ca = new JcaX509CertificateConverter()
        .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
    String pem = "-----BEGIN CERTIFICATE-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(UTF_8)).encodeToString(ca.getEncoded())
        + "\n-----END CERTIFICATE-----\n";
    return Files.writeString(tmp.resolve("other-ca-" + System.nanoTime() + ".pem"), pem);
  }
}
