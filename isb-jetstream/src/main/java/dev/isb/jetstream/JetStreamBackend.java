package dev.isb.jetstream;

import dev.isb.IsbBackendException;
import dev.isb.IsbClient;
import dev.isb.IsbOptions;
import dev.isb.Redaction;
import dev.isb.spi.BackendSetting;
import dev.isb.spi.BackendSetting.Kind;
import dev.isb.spi.IsbBackend;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.ErrorListener;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.support.Status;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The {@code jetstream} backend: opens a NATS connection as Numaflow's vertices do (reconnect for
 * ever, ping every 3 s) and serves Numaflow's JetStream buffers over it. Found by
 * {@link java.util.ServiceLoader}; users call {@link IsbClient#open}:
 *
 * <pre>{@code
 * IsbClient client = IsbClient.open(IsbOptions.builder()
 *     .backend("jetstream").url("nats://isbsvc-default-js-svc:4222")
 *     .property("user", user).property("password", password)
 *     .build());
 * }</pre>
 *
 * <p>Properties: {@code user} and {@code password}, or {@code token}, or {@code nkey.seed} (an NKey
 * user seed), or {@code creds.file} (a {@code .creds} file with JWT and seed); {@code tls} ({@code true} for
 * TLS on a {@code nats://} URL; a {@code tls://} URL implies it), {@code tls.caFile} (PEM file of the
 * CA to trust; otherwise the JVM's trust store), {@code tls.certFile} and {@code tls.keyFile} (client
 * certificate and PKCS#8 key, PEM, for servers that verify clients), {@code tls.insecureSkipVerify} ({@code true} trusts any
 * certificate for any host: only for the self-signed certificates of a test). The URL may list several servers,
 * separated by commas.
 *
 * <p>With TLS, the server's certificate must name the host of the URL (and a server the cluster
 * advertises by address, the URL's first host name): see {@link HostVerifyingContext}. Numaflow's
 * certificate names {@code isbsvc-<name>-js-svc.<namespace>.svc}, the URL it gives its vertices.
 */
public final class JetStreamBackend implements IsbBackend {

  /** The backend name. */
  public static final String NAME = "jetstream";

  private static final String DEFAULT_URL = "nats://127.0.0.1:4222";
  /** jnats reports why a connect failed on its listener thread, just after the connect itself fails. */
  private static final Duration CONNECT_FAILURE_WAIT = Duration.ofMillis(500);

  private static final Pattern NKEY_USER_SEED = Pattern.compile("SU[A-Z2-7]{56}");

  /** The ways to authenticate besides user and password, as {@link #natsOptions} reads them. */
  private static final List<BackendSetting> SETTINGS = List.of(
      BackendSetting.of("token", Kind.SECRET,
          BackendSetting.rule(t -> !t.isEmpty() && t.chars().noneMatch(Character::isWhitespace),
              "be a single word with no spaces or line breaks")),
      BackendSetting.of("nkey.seed", Kind.SECRET,
          BackendSetting.rule(seed -> NKEY_USER_SEED.matcher(seed.trim()).matches(),
              "be an NKey user seed: 58 characters of base32 starting with SU")),
      BackendSetting.of("creds.file", Kind.FILE, JetStreamBackend::credsFileProblem));

  /** For {@link java.util.ServiceLoader}. */
  public JetStreamBackend() {}

  @Override
  public String name() {
    return NAME;
  }

  /** {@code token}, {@code nkey.seed} (secrets) and {@code creds.file}. */
  @Override
  public List<BackendSetting> settings() {
    return SETTINGS;
  }

  private static Optional<String> credsFileProblem(String path) {
    String content;
    try {
      content = Files.readString(Path.of(path), StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      return Optional.of("be a readable file");
    }
    return content.contains("-----BEGIN NATS USER JWT-----") && content.contains("-----BEGIN USER NKEY SEED-----")
        ? Optional.empty() : Optional.of("be a NATS .creds file holding a user JWT and an NKey seed");
  }

  @Override
  public IsbClient open(IsbOptions options) {
    var listener = new QuietPullStatuses();
    Options natsOptions = natsOptions(options, listener);
    Connection connection;
    try {
      connection = connect(natsOptions, listener, options);
    } catch (IOException e) {
      Exception reason = listener.awaitConnectFailure(CONNECT_FAILURE_WAIT);
      String why = reason == null ? e.getMessage() : e.getMessage() + ": " + reason
          + (tlsRefusal(reason) ? CERTIFICATE_HINT : "");
      throw new IsbBackendException(null, null, "cannot connect to JetStream at " + options + ": " + why, true,
          reason == null ? e : reason);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IsbBackendException(null, null, "interrupted while connecting to JetStream", true, e);
    }
    try {
      return new JetStreamIsbClient(connection, JetStreamIsbClient.Settings.DEFAULTS);
    } catch (IOException | RuntimeException e) {
      try {
        connection.close();
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
      }
      throw new IsbBackendException(null, null, "JetStream is not available: " + e.getMessage(), true, e);
    }
  }

  /**
   * Connects, or fails as soon as the server refuses the credentials. jnats learns of the refusal
   * at once (an {@code -ERR} on its error listener) but waits out its connection timeout for the
   * first {@code PONG} before it gives up; the connect therefore runs on a thread of its own and the
   * first refusal ends the wait. The servers of one ISB service share their accounts, so the first
   * refusal is every server's answer; a connection that comes later all the same is closed.
   */
  private static Connection connect(Options natsOptions, QuietPullStatuses listener, IsbOptions options)
      throws IOException, InterruptedException {
    var attempt = new CompletableFuture<Connection>();
    Thread connecting = new Thread(() -> {
      try {
        attempt.complete(Nats.connect(natsOptions));
      } catch (IOException | InterruptedException | RuntimeException e) {
        attempt.completeExceptionally(e);
      }
    }, "isb-jetstream-connect");
    connecting.setDaemon(true);
    connecting.start();
    Object first;
    try {
      first = CompletableFuture.anyOf(attempt, listener.refusal).get();
    } catch (InterruptedException e) {
      connecting.interrupt();
      attempt.thenAccept(JetStreamBackend::closeQuietly);
      throw e;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      if (e.getCause() instanceof InterruptedException interrupted) {
        throw interrupted;
      }
      throw (RuntimeException) e.getCause();
    }
    if (first instanceof Connection connection) {
      return connection;
    }
    attempt.thenAccept(JetStreamBackend::closeQuietly);
    throw new IsbBackendException(null, null, "cannot connect to JetStream at " + options
        + ": the server refused the credentials: " + first, false, null);
  }

  private static void closeQuietly(Connection connection) {
    try {
      connection.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static Options natsOptions(IsbOptions options, ErrorListener listener) {
    String url = options.url().isBlank() ? DEFAULT_URL : options.url();
    String[] servers = Arrays.stream(url.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toArray(String[]::new);
    var builder = new Options.Builder()
        .servers(servers)
        .connectionName("isb-java")
        .maxReconnects(-1)
        .pingInterval(Duration.ofSeconds(3))
        .maxPingsOut(2)
        .connectionTimeout(Duration.ofSeconds(5))
        .errorListener(listener)
        .connectionListener(new ConnectionLog()::onEvent);
    String user = options.property("user", "");
    String password = options.property("password", "");
    String token = options.property("token", "");
    if (!user.isEmpty() || !password.isEmpty()) {
      builder.userInfo(user.toCharArray(), password.toCharArray());
    }
    if (!token.isEmpty()) {
      builder.token(token.toCharArray());
    }
    String nkeySeed = options.property("nkey.seed", "");
    String credsFile = options.property("creds.file", "");
    if (!credsFile.isEmpty()) {
      if (!Files.isReadable(Path.of(credsFile))) {
        throw new IllegalArgumentException("creds.file was '" + credsFile + "' but it is not a readable file");
      }
      builder.authHandler(Nats.credentials(credsFile));
    } else if (!nkeySeed.isEmpty()) {
      builder.authHandler(Nats.staticCredentials(null, nkeySeed.trim().toCharArray()));
    }
    boolean tls = Boolean.parseBoolean(options.property("tls", "false")) || url.startsWith("tls://");
    boolean insecure = Boolean.parseBoolean(options.property("tls.insecureSkipVerify", "false"));
    if (tls && insecure) {
      builder.sslContext(sslContext(options, true));
    } else if (tls) {
      // The handshake must see the host name, not the address jnats resolves it to by default.
      builder.sslContext(new HostVerifyingContext(sslContext(options, false), List.of(servers)))
          .hostnameResolveMode(Options.HostnameResolveMode.HappyEyeballs);
    }
    return builder.build();
  }

  /** The trust and key material of {@code options}; with {@code insecure}, one that trusts any server. */
  private static SSLContext sslContext(IsbOptions options, boolean insecure) {
    try {
      if (insecure) {
        System.getLogger(JetStreamBackend.class.getName()).log(System.Logger.Level.WARNING,
            "tls.insecureSkipVerify is set: neither the server's certificate nor its host name is verified;"
                + " use tls.caFile instead");
        return io.nats.client.support.SSLUtils.createTrustAllTlsContext();
      }
      String caFile = options.property("tls.caFile", "");
      KeyManager[] client = clientKeyManagers(options);
      if (caFile.isEmpty() && client == null) {
        return SSLContext.getDefault();
      }
      if (caFile.isEmpty()) {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(client, null, null);
        return context;
      }
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      try (InputStream in = Files.newInputStream(Path.of(caFile))) {
        int i = 0;
        for (Certificate ca : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
          trust.setCertificateEntry("ca-" + i++, ca);
        }
        if (i == 0) {
          throw new IllegalArgumentException("tls.caFile was '" + caFile + "' but it holds no PEM certificate");
        }
      }
      var factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(client, factory.getTrustManagers(), null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("tls.caFile was '" + options.property("tls.caFile", "")
          + "' but it cannot be used as a CA certificate: " + e.getMessage(), e);
    }
  }

  /** For mutual TLS: the client certificate chain and its PKCS#8 PEM key; null when neither is set. */
  private static KeyManager[] clientKeyManagers(IsbOptions options) throws IOException, GeneralSecurityException {
    String certFile = options.property("tls.certFile", "");
    String keyFile = options.property("tls.keyFile", "");
    if (certFile.isEmpty() && keyFile.isEmpty()) {
      return null;
    }
    if (certFile.isEmpty() || keyFile.isEmpty()) {
      throw new IllegalArgumentException("tls.certFile and tls.keyFile must be set together, was '" + certFile
          + "' and '" + keyFile + "'");
    }
    Certificate[] chain;
    try (InputStream in = Files.newInputStream(Path.of(certFile))) {
      chain = CertificateFactory.getInstance("X.509").generateCertificates(in).toArray(Certificate[]::new);
    }
    String pem = Files.readString(Path.of(keyFile));
    int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
    int end = pem.indexOf("-----END PRIVATE KEY-----");
    if (chain.length == 0 || begin < 0 || end < begin) {
      // The key file's contents are never quoted: it is a secret.
      throw new IllegalArgumentException("tls.certFile '" + certFile + "' must hold a PEM certificate and tls.keyFile '"
          + keyFile + "' a PKCS#8 PEM private key (BEGIN PRIVATE KEY)");
    }
    byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + "-----BEGIN PRIVATE KEY-----".length(), end));
    PrivateKey key = null;
    for (String algorithm : new String[] {"EC", "RSA", "Ed25519"}) {
      try {
        key = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        break;
      } catch (InvalidKeySpecException notThisAlgorithm) {
        // try the next one
      }
    }
    if (key == null) {
      throw new IllegalArgumentException("tls.keyFile '" + keyFile + "' holds a key that is not EC, RSA or Ed25519");
    }
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    store.setKeyEntry("client", key, new char[0], chain);
    var factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    factory.init(store, new char[0]);
    return factory.getKeyManagers();
  }

  /**
   * Says once when the connection is lost (jnats reports each failed attempt as another
   * disconnect) and to which server it comes back, the URL without credentials.
   */
  private static final class ConnectionLog {
    private static final System.Logger LOG = System.getLogger(JetStreamBackend.class.getName());
    private volatile boolean lost;

    void onEvent(Connection connection, ConnectionListener.Events event) {
      if (event == ConnectionListener.Events.DISCONNECTED && !lost) {
        lost = true;
        LOG.log(System.Logger.Level.WARNING, "NATS connection lost; reconnecting");
      } else if (event == ConnectionListener.Events.RECONNECTED) {
        lost = false;
        LOG.log(System.Logger.Level.INFO, "NATS reconnected to " + Redaction.address(connection.getConnectedUrl()));
      }
    }
  }

  private static final String CERTIFICATE_HINT = " (the server's certificate must be signed by the CA of tls.caFile"
      + " and name the host of the URL)";

  /** Whether a failure is a TLS handshake that refused the server's certificate. */
  private static boolean tlsRefusal(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof javax.net.ssl.SSLHandshakeException || t instanceof java.security.cert.CertificateException) {
        return true;
      }
    }
    return false;
  }

  /**
   * Logs the connection's errors, except the pull statuses that are how reads end ("no messages",
   * "request timeout"); remembers the first exception, which jnats reports only here, so that a
   * failed connect can say why (a TLS or authentication failure).
   */
  private static final class QuietPullStatuses implements ErrorListener {
    private static final System.Logger LOG = System.getLogger(JetStreamBackend.class.getName());
    private final CompletableFuture<Exception> firstException = new CompletableFuture<>();
    /** The server's first refusal of the credentials, as jnats tells them apart. */
    final CompletableFuture<String> refusal = new CompletableFuture<>();

    Exception awaitConnectFailure(Duration wait) {
      try {
        return firstException.get(wait.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      } catch (ExecutionException | TimeoutException e) {
        return null;
      }
    }

    @Override
    public void pullStatusWarning(Connection conn, JetStreamSubscription sub, Status status) {
      if (status.getCode() != 404 && status.getCode() != 408) {
        LOG.log(System.Logger.Level.WARNING, "pull status " + status);
      }
    }

    @Override
    public void errorOccurred(Connection conn, String error) {
      LOG.log(System.Logger.Level.WARNING, "NATS error: " + error);
      String lower = error.toLowerCase(Locale.ROOT);
      if (lower.startsWith("user authentication") || lower.contains("authorization violation")
          || lower.startsWith("account authentication expired")) {
        refusal.complete(error);
      }
    }

    @Override
    public void exceptionOccurred(Connection conn, Exception exp) {
      firstException.complete(exp);
      if (tlsRefusal(exp)) {
        // A server the client must not trust, at connect or at a reconnect: worth a warning each time.
        LOG.log(System.Logger.Level.WARNING, "NATS TLS handshake refused: " + exp + CERTIFICATE_HINT);
      } else {
        LOG.log(System.Logger.Level.DEBUG, "NATS exception: " + exp);
      }
    }
  }
}
