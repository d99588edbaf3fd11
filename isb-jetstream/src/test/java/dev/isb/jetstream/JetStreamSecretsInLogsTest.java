package dev.isb.jetstream;

import static dev.isb.jetstream.StreamConfigs.MEMORY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.isb.IsbBackendException;
import dev.isb.IsbClient;
import dev.isb.IsbConfigException;
import dev.isb.IsbOptions;
import dev.isb.ReaderOptions;
import dev.isb.WriterOptions;
import dev.isb.config.IsbConfig;
import dev.isb.testkit.Await;
import dev.isb.testkit.NatsServerExtension;
import dev.isb.testkit.SecretsInLogs;
import io.nats.client.NKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * No secret in any log line, error or printout: every test runs a session with wrong or right
 * credentials while {@link SecretsInLogs} records all logging at every level and the standard
 * streams; after each test (and once more after all, for lines that come late) the captured text,
 * the failures with their causes and the {@code toString()} / {@code describe()} output the test
 * noted are searched for every secret of the class. The first test shows that the capture sees what
 * it must, so a leak would fail.
 */
@DisplayName("JetStream: no secret in logs, errors or printouts")
class JetStreamSecretsInLogsTest {

  private static final String USER = "isb-vertex";
  private static final String PASSWORD = "s3cr3t-Pa55-7f1e";
  private static final String WRONG_PASSWORD = "wr0ng-Pa55-3c9a";
  private static final String TOKEN = "t0k3n-S3cr3t-5d2b";
  private static final String WRONG_TOKEN = "t0k3n-Wr0ng-8e41";
  private static final String MALFORMED_SEED = "SUAM4lf0rmed-S33d-6a0f";
  private static final String BAD_KEY_BODY = "MIIBk3yf1leC0ntent2b7eQ";
  private static final NKey NKEY = newUser();
  private static final NKey OTHER_NKEY = newUser();

  @RegisterExtension
  static final NatsServerExtension TLS_NATS =
      NatsServerExtension.single().withMutualTls().withUser(USER, PASSWORD);

  @RegisterExtension
  static final NatsServerExtension TOKEN_NATS = NatsServerExtension.single().withToken(TOKEN);

  @RegisterExtension
  static final NatsServerExtension NKEY_NATS =
      NatsServerExtension.single().withNkey(new String(publicKey(NKEY)));

  /** Every secret of the class: passwords, tokens, seeds, and each line of the client's private key. */
  @Order(Integer.MAX_VALUE) // after the servers: starts capturing once they run
  @RegisterExtension
  static final SecretsInLogs LOGS = SecretsInLogs.of(PASSWORD, WRONG_PASSWORD, TOKEN, WRONG_TOKEN, MALFORMED_SEED,
          BAD_KEY_BODY, new String(seed(NKEY)), new String(seed(OTHER_NKEY)))
      .withKeyFile(TLS_NATS::clientKey)
      .withRoundTrip(MEMORY, WriterOptions.defaults(), ReaderOptions.defaults(), Duration.ofMillis(500));

  @TempDir
  Path dir;

  @Test
  @DisplayName("self-check: a canary logged at FINEST, through System.Logger, to stdout and stderr, and hidden in"
      + " a suppressed cause is captured and flagged, so a leaked secret would fail these tests")
  void captureSeesEverything() {
    String canary = LOGS.canary();
    Logger.getLogger("io.nats.client.impl").finest(canary + "-jul");
    System.getLogger(JetStreamBackend.class.getName()).log(System.Logger.Level.TRACE, canary + "-system-logger");
    LOGS.assertSeesCanary(canary, "dev.isb.jetstream", "jul", "system-logger");
  }

  static Stream<Named<IsbOptions>> wrongCredentials() {
    return Stream.of(
        Named.of("a wrong password with a client key: open fails with an authorization error, and nothing shows"
            + " the password or the key", withPassword(WRONG_PASSWORD)),
        Named.of("a wrong token: open fails with an authorization error, and nothing shows either token",
            withToken(WRONG_TOKEN)),
        Named.of("another user's NKey seed: open fails with an authorization error, and nothing shows a seed",
            withSeed(OTHER_NKEY)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource
  @DisplayName("wrong credentials of each kind: open fails with an authorization error, and nothing shows a secret")
  void wrongCredentials(IsbOptions options) {
    assertAuthorizationFailure(options);
  }

  static Stream<Named<IsbOptions>> rightCredentials() {
    return Stream.of(
        Named.of("the right password with a client key: a write, read and ack, and closing, log nothing secret",
            withPassword(PASSWORD)),
        Named.of("the right token: a write, read and ack, and closing, log no token", withToken(TOKEN)),
        Named.of("the right NKey seed: a write, read and ack, and closing, log no seed", withSeed(NKEY)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource
  @DisplayName("the right credentials of each kind: a write, read and ack, and closing, log no secret")
  void rightCredentials(IsbOptions options) {
    LOGS.openAndRoundTrip(options);
  }

  @Test
  @DisplayName("a wrong password in the URL's user info, with or without a scheme: the failure and the options"
      + " show it redacted")
  void wrongPasswordInUrl() {
    String hostAndPort = TLS_NATS.url().substring("tls://".length());
    for (String url : List.of("tls://" + USER + ":" + WRONG_PASSWORD + "@" + hostAndPort,
        USER + ":" + WRONG_PASSWORD + "@" + hostAndPort)) {
      IsbOptions options = tlsOptions(url).property("tls", "true").build();
      assertAuthorizationFailure(options);
    }
  }

  @Test
  @DisplayName("the right password in the URL's user info: the client, its toString() and its logs show no"
      + " password")
  void rightPasswordInUrl() {
    String url = TLS_NATS.url().replace("tls://", "tls://" + USER + ":" + PASSWORD + "@");
    LOGS.openAndRoundTrip(tlsOptions(url).build());
  }

  @Test
  @DisplayName("a client key file that holds no valid key: the error names the file, not its contents")
  void unusableKeyFile() throws IOException {
    Path key = Files.writeString(dir.resolve("tls.key"),
        "-----BEGIN PRIVATE KEY-----\n" + BAD_KEY_BODY + "\n-----END PRIVATE KEY-----\n");
    IsbOptions options = IsbOptions.builder().backend("jetstream").url(TLS_NATS.url())
        .property("tls.caFile", TLS_NATS.caCertificate().toString())
        .property("tls.certFile", TLS_NATS.clientCertificate().toString())
        .property("tls.keyFile", key.toString())
        .property("user", USER).property("password", PASSWORD).build();
    Throwable failure = LOGS.failureToOpen(options);
    assertThat(failure).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(key.toString());
  }

  @Test
  @DisplayName("a malformed NKey seed: open fails, and the error does not quote the seed")
  void malformedSeed() {
    IsbOptions options = natsOptions(NKEY_NATS).property("nkey.seed", MALFORMED_SEED).build();
    LOGS.note("options", options);
    Throwable failure = LOGS.failureToOpen(options);
    assertThat(failure).as("open with a malformed seed").isNotNull();
  }

  @Test
  @DisplayName("secrets from environment variables and secret files: IsbConfig's toString(), describe(), its"
      + " options and its errors show none, and the client it opens works")
  void fromConfiguration() throws IOException {
    Path secrets = SecretsInLogs.tlsSecretDir(dir, TLS_NATS);
    Map<String, String> env = Map.of(
        "NUMAFLOW_ISBSVC_JETSTREAM_URL", TLS_NATS.url(),
        "NUMAFLOW_ISBSVC_JETSTREAM_USER", USER,
        "NUMAFLOW_ISBSVC_JETSTREAM_PASSWORD", PASSWORD);

    Files.writeString(secrets.resolve("token"), TOKEN);
    Throwable twoWays = catchThrowable(() -> IsbConfig.builder().environment(env).secretDir(secrets).build());
    LOGS.note(twoWays);
    assertThat(twoWays).as("a password and a token").isInstanceOf(IsbConfigException.class);
    Files.delete(secrets.resolve("token"));

    String hostAndPort = TLS_NATS.url().substring("tls://".length());
    LOGS.noteConfigsFromUrls("jetstream", List.of("tls://" + USER + ":" + PASSWORD + "@" + hostAndPort,
        USER + ":" + PASSWORD + "@" + hostAndPort));

    IsbConfig config = IsbConfig.builder().environment(env).secretDir(secrets).build();
    LOGS.noteConfig(config);
    try (IsbClient client = config.open()) {
      LOGS.roundTrip(client);
    }
  }

  // ---------------------------------------------------------------------------------------------

  private static IsbOptions.Builder natsOptions(NatsServerExtension nats) {
    return IsbOptions.builder().backend("jetstream").url(nats.url());
  }

  private static IsbOptions.Builder tlsOptions(String url) {
    return IsbOptions.builder().backend("jetstream").url(url)
        .property("tls.caFile", TLS_NATS.caCertificate().toString())
        .property("tls.certFile", TLS_NATS.clientCertificate().toString())
        .property("tls.keyFile", TLS_NATS.clientKey().toString());
  }

  /** User {@link #USER} with this password, on the server that also wants the client key. */
  private static IsbOptions withPassword(String password) {
    return tlsOptions(TLS_NATS.url()).property("user", USER).property("password", password).build();
  }

  private static IsbOptions withToken(String token) {
    return natsOptions(TOKEN_NATS).property("token", token).build();
  }

  /** The seed of {@code key}, on the server that knows only {@link #NKEY}. */
  private static IsbOptions withSeed(NKey key) {
    return natsOptions(NKEY_NATS).property("nkey.seed", new String(seed(key))).build();
  }

  /** Notes the options, then open must fail with the library's error saying the server refused the credentials. */
  private static void assertAuthorizationFailure(IsbOptions options) {
    LOGS.note("options", options);
    int before = LOGS.mark();
    long start = System.nanoTime();
    Throwable failure = LOGS.failureToOpen(options);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(failure).isInstanceOf(IsbBackendException.class).hasMessageContaining("Authorization Violation");
    assertThat(((IsbBackendException) failure).retryable()).as("the same credentials cannot succeed later").isFalse();
    // jnats itself waits out its connection timeout (5 s) for a PONG that a refusing server never sends.
    assertThat(took).as("time until open failed").isLessThan(Duration.ofSeconds(4));
    // The server's refusal, which jnats reports to the backend's listener, is logged: the capture sees it.
    Await.until(Duration.ofSeconds(5), "the listener's log line of the refusal",
        () -> LOGS.textSince(before).contains("NATS error: Authorization Violation"));
  }

  private static NKey newUser() {
    try {
      return NKey.createUser(new SecureRandom());
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot create a test NKey", e);
    }
  }

  private static char[] publicKey(NKey key) {
    try {
      return key.getPublicKey();
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static char[] seed(NKey key) {
    return key.getSeed();
  }
}
