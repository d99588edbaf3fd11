package dev.isb.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;

/**
 * One real {@code nats-server} process with JetStream, on a random port of 127.0.0.1, with its own
 * configuration file, log file and storage directory in a fresh temp directory. For tests: start it,
 * point a client at {@link #url()}, and inject faults with {@link #kill()}, {@link #restart()},
 * {@link #pause()} and {@link #resume()}.
 *
 * <pre>{@code
 * try (NatsServer nats = NatsServer.builder().maxPayload(2 << 20).user("u", "p").start()) {
 *   Connection nc = Nats.connect(new Options.Builder().server(nats.url()).userInfo("u", "p").build());
 *   nats.pause();    // the client sees a stalled server
 *   nats.resume();
 *   nats.kill();     // SIGKILL; the storage directory survives
 *   nats.restart();  // same port, same configuration, same storage
 * }
 * }</pre>
 *
 * <p>Most tests use it through {@code dev.isb.testkit.NatsServerExtension} (module isb-testkit).
 * The binary is the one named by the
 * environment variable {@code ISB_NATS_SERVER}, else {@code nats-server} on the PATH, else
 * {@code /usr/sbin/nats-server}, unless {@link Builder#binary(Path)} names one. Thread-safe: the node
 * control methods are synchronized.
 */
public final class NatsServer implements KitProcess, AutoCloseable {

  /** NATS's own default {@code max_payload}: 1 MiB. */
  public static final int DEFAULT_MAX_PAYLOAD = 1 << 20;

  public static final String BINARY_ENV = "ISB_NATS_SERVER";
  static final Path DEBIAN_BINARY = Path.of("/usr/sbin/nats-server");

  private static final String READY = "Server is ready";
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);
  private static final int MAX_STATE_CHARS = 4000;
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  private final Options options;
  private final String serverName;
  private final Path dir;
  private final Path storeDir;
  private final Path configFile;
  private final Path logFile;
  private final int port;
  private final int monitorPort;
  private final TestCertificates certificates;
  private final ServerProcess process;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile FaultJournal journal = FaultJournal.NONE;

  NatsServer(
      Options options,
      Path binary,
      String serverName,
      Path dir,
      int port,
      int monitorPort,
      Route route,
      TestCertificates certificates) {
    this.options = options;
    this.serverName = serverName;
    this.dir = dir;
    this.storeDir = dir.resolve("jetstream");
    this.configFile = dir.resolve("nats.conf");
    this.logFile = dir.resolve("nats.log");
    this.port = port;
    this.monitorPort = monitorPort;
    try {
      Files.createDirectories(storeDir);
      this.certificates =
          options.tls() && certificates == null
              ? TestCertificates.create(dir.resolve("tls"))
              : certificates;
      Files.writeString(configFile, config(route), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the nats-server configuration in " + dir, e);
    }
    this.process =
        new ServerProcess(
            "nats-server " + serverName,
            List.of(binary.toString(), "-c", configFile.toString()),
            dir,
            logFile);
  }

  /**
   * Starts a plain JetStream server with the defaults: no TLS, no authentication, 1 MiB
   * {@code max_payload}.
   *
   * @return the running server, ready for clients
   * @throws IllegalStateException if no binary is found or the server does not become ready in time
   */
  public static NatsServer start() {
    return builder().start();
  }

  /** A builder for a server with TLS, authentication or another {@code max_payload}. */
  public static Builder builder() {
    return new Builder();
  }

  /** The URL clients use: {@code nats://127.0.0.1:<port>}, or {@code tls://…} with TLS. */
  public String url() {
    return (options.tls() ? "tls" : "nats") + "://127.0.0.1:" + port;
  }

  /** The client port on 127.0.0.1; it stays the same across {@link #restart()}. */
  public int port() {
    return port;
  }

  /** The HTTP monitoring port on 127.0.0.1 ({@code /varz}, {@code /jsz}, …). */
  public int monitorPort() {
    return monitorPort;
  }

  /** The server's {@code server_name}. */
  public String serverName() {
    return serverName;
  }

  /** The JetStream {@code store_dir}; it survives {@link #kill()} and {@link #restart()}. */
  public Path storeDir() {
    return storeDir;
  }

  /** The configuration file the server runs with. */
  public Path configFile() {
    return configFile;
  }

  /** The file that receives the server's log, across restarts. */
  public Path logFile() {
    return logFile;
  }

  /** The configured {@code max_payload} in bytes. */
  public int maxPayload() {
    return options.maxPayload();
  }

  /** The user clients must authenticate as, if one was configured. */
  public Optional<String> user() {
    return Optional.ofNullable(options.user());
  }

  /** The password of {@link #user()}, if a user was configured. */
  public Optional<String> password() {
    return Optional.ofNullable(options.password());
  }

  /** The token clients must present, if one was configured. */
  public Optional<String> token() {
    return Optional.ofNullable(options.token());
  }

  /** Whether clients must use TLS. */
  public boolean tls() {
    return options.tls();
  }

  /** Whether clients must also present a certificate signed by the test CA (mutual TLS). */
  public boolean mutualTls() {
    return options.mutualTls();
  }

  /**
   * The PEM file of the CA that signed the server's certificate, for clients configured by files.
   *
   * @throws IllegalStateException if the server has no TLS
   */
  public Path caCertificate() {
    return certificates().caCertificate();
  }

  /**
   * The PEM file of a client certificate signed by the test CA (for mutual TLS).
   *
   * @throws IllegalStateException if the server has no TLS
   */
  public Path clientCertificate() {
    return certificates().clientCertificate();
  }

  /**
   * The PKCS#8 PEM file of the key of {@link #clientCertificate()}.
   *
   * @throws IllegalStateException if the server has no TLS
   */
  public Path clientKey() {
    return certificates().clientKey();
  }

  /**
   * An SSL context that trusts the test CA and presents no client certificate.
   *
   * @throws IllegalStateException if the server has no TLS
   */
  public SSLContext sslContext() {
    return certificates().sslContext();
  }

  /**
   * An SSL context that trusts the test CA and presents the client certificate (mutual TLS).
   *
   * @throws IllegalStateException if the server has no TLS
   */
  public SSLContext clientSslContext() {
    return certificates().clientSslContext();
  }

  /**
   * An SSL context that trusts some other CA, for tests that a client refuses this server.
   *
   * @throws IllegalStateException if the server has no TLS
   */
  public SSLContext untrustedSslContext() {
    certificates();
    return TestCertificates.untrustedSslContext();
  }

  /** Whether the process is running (a paused process is running). */
  public boolean isRunning() {
    return process.isAlive();
  }

  /** Whether the process is frozen by {@link #pause()}. */
  public boolean isPaused() {
    return process.isPaused();
  }

  /** Kills the process with SIGKILL and waits for it to exit; a no-op when it is not running. */
  public void kill() {
    requireOpen();
    journal.around(serverName + ": kill -9", process::kill);
  }

  /**
   * Stops the process with SIGTERM (JetStream flushes and shuts down cleanly) and waits for it to
   * exit; a no-op when it is not running.
   */
  public void stop() {
    requireOpen();
    journal.around(serverName + ": stop (SIGTERM)", () -> process.stop(STOP_GRACE));
  }

  /**
   * Starts the server again on the same port, with the same configuration and storage directory,
   * stopping it first if it runs, and waits until it is ready.
   *
   * @throws IllegalStateException if it does not become ready in time, with the tail of its log
   */
  public synchronized void restart() {
    requireOpen();
    journal.around(
        serverName + ": restart",
        () -> {
          process.stop(STOP_GRACE);
          process.launch();
          process.awaitReady(READY, port, deadline());
        });
  }

  /**
   * Freezes the process with SIGSTOP: connections stay open and new ones are accepted by the kernel,
   * but the server answers nothing until {@link #resume()}.
   *
   * @throws IllegalStateException if the server is not running
   */
  public void pause() {
    requireOpen();
    journal.around(serverName + ": pause (SIGSTOP)", process::pause);
  }

  /**
   * Thaws the process with SIGCONT after {@link #pause()}.
   *
   * @throws IllegalStateException if the server is not running
   */
  public void resume() {
    requireOpen();
    journal.around(serverName + ": resume (SIGCONT)", process::resume);
  }

  /** Kills the process and deletes the temp directory with its storage and log; idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      process.kill();
    } finally {
      ServerProcess.deleteRecursively(dir);
    }
  }

  @Override
  public String toString() {
    return "NatsServer[" + serverName + " " + url() + "]";
  }

  /** The server's directory: configuration, log, storage and {@code journal.txt}. */
  public Path dir() {
    return dir;
  }

  /** Records this server's faults, with the state of its setup around each, in {@code journal}. */
  void journalTo(FaultJournal journal) {
    this.journal = journal;
  }

  @Override
  public String processName() {
    return serverName;
  }

  /** Where this server's faults are recorded. */
  @Override
  public FaultJournal journal() {
    return journal;
  }

  /**
   * This server's state for a {@link FaultJournal}: whether it runs, the JetStream meta leader and
   * peers it reports in {@code /jsz}, and each stream's and consumer's state (messages, sequences,
   * delivered, acknowledged, pending: the start of {@code account_details}). Never throws.
   */
  String describeState() {
    String state =
        !isRunning()
            ? "not running"
            : isPaused()
                ? "paused"
                : monitor("/jsz?accounts=true&streams=true&consumers=true")
                    .map(NatsServer::jetStreamState)
                    .orElse("/jsz did not answer");
    return serverName + " (" + port + "): " + state;
  }

  /** The meta cluster and the account details of a {@code /jsz} body, on one line each. */
  private static String jetStreamState(String jsz) {
    int meta = jsz.indexOf("\"meta_cluster\"");
    int accounts = jsz.indexOf("\"account_details\"");
    String metaPart =
        meta < 0
            ? "no meta_cluster in /jsz"
            : jsz.substring(meta, accounts > meta ? accounts : jsz.length());
    String streams = accounts < 0 ? "" : jsz.substring(accounts);
    if (streams.length() > MAX_STATE_CHARS) {
      streams = streams.substring(0, MAX_STATE_CHARS) + "… (the rest in /jsz)";
    }
    return metaPart.replaceAll("\\s+", " ") + "\n  " + streams.replaceAll("\\s+", " ");
  }

  /** Launches the process without waiting; see {@link #awaitReady(long)}. */
  void launch() {
    process.launch();
  }

  void awaitReady(long deadlineNanos) {
    process.awaitReady(READY, port, deadlineNanos);
  }

  /** The body of a monitoring endpoint such as {@code /jsz}, or empty if the server did not answer. */
  Optional<String> monitor(String path) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + monitorPort + path))
            .timeout(Duration.ofSeconds(1))
            .GET()
            .build();
    try {
      HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? Optional.of(response.body()) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  private long deadline() {
    return System.nanoTime() + options.startTimeout().toNanos();
  }

  private TestCertificates certificates() {
    if (certificates == null) {
      throw new IllegalStateException(this + " has no TLS; build it with tls()");
    }
    return certificates;
  }

  private void requireOpen() {
    if (closed.get()) {
      throw new IllegalStateException(this + " is closed");
    }
  }

  private String config(Route route) {
    StringBuilder c = new StringBuilder();
    c.append("# Written by the ISB test kit.\n");
    c.append("server_name: ").append(quote(serverName)).append('\n');
    c.append("listen: ").append(quote("127.0.0.1:" + port)).append('\n');
    c.append("http: ").append(quote("127.0.0.1:" + monitorPort)).append('\n');
    c.append("max_payload: ").append(options.maxPayload()).append('\n');
    c.append("jetstream {\n  store_dir: ").append(quote(storeDir.toString())).append("\n}\n");
    if (options.restricted() != null) {
      c.append("authorization {\n  users: [\n");
      if (options.user() != null) {
        c.append("    { user: ").append(quote(options.user()));
        c.append(", password: ").append(quote(options.password())).append(" }\n");
      }
      UserPermissions r = options.restricted();
      c.append("    { user: ").append(quote(r.user()));
      c.append(", password: ").append(quote(r.password())).append(",\n");
      c.append("      permissions: {\n");
      c.append("        publish: { allow: ").append(quoteAll(r.publishAllow())).append(" }\n");
      c.append("        subscribe: { allow: ").append(quoteAll(r.subscribeAllow())).append(" }\n");
      c.append("      } }\n  ]\n}\n");
    } else if (options.user() != null) {
      c.append("authorization {\n  user: ").append(quote(options.user()));
      c.append("\n  password: ").append(quote(options.password())).append("\n}\n");
    } else if (options.token() != null) {
      c.append("authorization {\n  token: ").append(quote(options.token())).append("\n}\n");
    } else if (options.nkey() != null) {
      c.append("authorization {\n  users: [ { nkey: ").append(quote(options.nkey())).append(" } ]\n}\n");
    }
    if (certificates != null) {
      c.append("tls {\n");
      c.append("  cert_file: ").append(quote(certificates.serverCertificate().toString())).append('\n');
      c.append("  key_file: ").append(quote(certificates.serverKey().toString())).append('\n');
      c.append("  ca_file: ").append(quote(certificates.caCertificate().toString())).append('\n');
      c.append("  verify: ").append(options.mutualTls()).append('\n');
      c.append("  timeout: 5\n}\n");
    }
    if (route != null) {
      c.append("cluster {\n  name: ").append(quote(route.clusterName())).append('\n');
      c.append("  listen: ").append(quote("127.0.0.1:" + route.port())).append('\n');
      c.append("  routes: [\n");
      for (int peer : route.peerPorts()) {
        c.append("    ").append(quote("nats-route://127.0.0.1:" + peer)).append('\n');
      }
      c.append("  ]\n}\n");
    }
    return c.toString();
  }

  private static String quote(String value) {
    return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }

  private static String quoteAll(List<String> values) {
    return values.stream()
        .map(NatsServer::quote)
        .collect(java.util.stream.Collectors.joining(", ", "[", "]"));
  }

  /**
   * A user who may publish and subscribe only to the listed subjects ({@code permissions} with
   * {@code allow} lists in the server's configuration); NATS wildcards ({@code *} for one token,
   * {@code >} for the rest) are allowed. Immutable.
   *
   * @param user the user name, not blank
   * @param password the password, not blank
   * @param publishAllow the subjects the user may publish to, at least one
   * @param subscribeAllow the subjects the user may subscribe to, at least one (replies come on
   *     {@code _INBOX.>})
   */
  public record UserPermissions(
      String user, String password, List<String> publishAllow, List<String> subscribeAllow) {

    public UserPermissions {
      Options.requireText(user, "user");
      Options.requireText(password, "password");
      publishAllow = requireSubjects(publishAllow, "publishAllow");
      subscribeAllow = requireSubjects(subscribeAllow, "subscribeAllow");
    }

    /** An empty allow list would mean "everything" to nats-server: refused. */
    private static List<String> requireSubjects(List<String> subjects, String name) {
      Objects.requireNonNull(subjects, name);
      if (subjects.isEmpty()) {
        throw new IllegalArgumentException(
            name + " must list at least one subject (an empty list allows all), was []");
      }
      for (String subject : subjects) {
        if (subject == null
            || subject.isBlank()
            || subject.chars().anyMatch(Character::isWhitespace)) {
          throw new IllegalArgumentException(
              name + " must hold subjects without whitespace, was '" + subject + "'");
        }
      }
      return List.copyOf(subjects);
    }

    @Override
    public String toString() {
      return "UserPermissions[" + user + ", publish " + publishAllow + ", subscribe "
          + subscribeAllow + "]";
    }
  }

  /** The cluster block of a node: its route port and those of its peers. */
  record Route(String clusterName, int port, List<Integer> peerPorts) {
    Route {
      peerPorts = List.copyOf(peerPorts);
    }
  }

  /**
   * What a server or cluster is configured with; each {@code with…} method validates its argument.
   * Immutable.
   */
  public record Options(
      Path binary,
      int maxPayload,
      String user,
      String password,
      String token,
      String nkey,
      UserPermissions restricted,
      boolean tls,
      boolean mutualTls,
      Duration startTimeout) {

    /** 64 MiB: the largest {@code max_payload} nats-server accepts. */
    static final int MAX_MAX_PAYLOAD = 64 << 20;

    public static Options defaults() {
      return new Options(
          null, DEFAULT_MAX_PAYLOAD, null, null, null, null, null, false, false,
          Duration.ofSeconds(20));
    }

    /** Whether this is the default server that any nats image runs, as Testcontainers would. */
    public boolean plain() {
      return equals(defaults().withBinary(binary).withStartTimeout(startTimeout));
    }

    public Options withBinary(Path binary) {
      return new Options(
          binary, maxPayload, user, password, token, nkey, restricted, tls, mutualTls, startTimeout);
    }

    public Options withMaxPayload(int bytes) {
      if (bytes <= 0 || bytes > MAX_MAX_PAYLOAD) {
        throw new IllegalArgumentException(
            "maxPayload must be between 1 and " + MAX_MAX_PAYLOAD + " bytes, was " + bytes);
      }
      return new Options(
          binary, bytes, user, password, token, nkey, restricted, tls, mutualTls, startTimeout);
    }

    public Options withUser(String user, String password) {
      requireText(user, "user");
      requireText(password, "password");
      if (token != null || nkey != null) {
        throw new IllegalStateException("user cannot be set: a token or an nkey is already set");
      }
      if (restricted != null && restricted.user().equals(user)) {
        throw new IllegalArgumentException(
            "user must differ from the user with permissions, was '" + user + "'");
      }
      return new Options(
          binary, maxPayload, user, password, null, null, restricted, tls, mutualTls, startTimeout);
    }

    public Options withToken(String token) {
      requireText(token, "token");
      if (user != null || nkey != null || restricted != null) {
        throw new IllegalStateException("token cannot be set: a user or an nkey is already set");
      }
      return new Options(
          binary, maxPayload, null, null, token, null, null, tls, mutualTls, startTimeout);
    }

    public Options withNkey(String publicKey) {
      requireText(publicKey, "nkey");
      if (!publicKey.startsWith("U")) {
        throw new IllegalArgumentException("nkey must be a user public key (starting with U), was '" + publicKey + "'");
      }
      if (user != null || token != null || restricted != null) {
        throw new IllegalStateException("nkey cannot be set: a user or a token is already set");
      }
      return new Options(
          binary, maxPayload, null, null, null, publicKey, null, tls, mutualTls, startTimeout);
    }

    public Options withUserPermissions(UserPermissions permissions) {
      Objects.requireNonNull(permissions, "permissions");
      if (token != null || nkey != null) {
        throw new IllegalStateException(
            "a user with permissions cannot be set: a token or an nkey is already set");
      }
      if (permissions.user().equals(user)) {
        throw new IllegalArgumentException(
            "user with permissions must differ from the plain user, was '" + user + "'");
      }
      return new Options(
          binary, maxPayload, user, password, null, null, permissions, tls, mutualTls, startTimeout);
    }

    public Options withTls(boolean mutual) {
      return new Options(
          binary, maxPayload, user, password, token, nkey, restricted, true, mutual, startTimeout);
    }

    public Options withStartTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "startTimeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("startTimeout must be positive, was " + timeout);
      }
      return new Options(
          binary, maxPayload, user, password, token, nkey, restricted, tls, mutualTls, timeout);
    }

    /** The binary to run: the one set, else the environment variable, the PATH, the Debian place. */
    public Optional<Path> findBinary() {
      return binary != null
          ? Optional.of(binary)
          : LocalBinaries.find(BINARY_ENV, "nats-server", DEBIAN_BINARY);
    }

    Path requireBinary() {
      return findBinary()
          .orElseThrow(
              () ->
                  new IllegalStateException(
                      "no nats-server binary: set "
                          + BINARY_ENV
                          + ", put nats-server on the PATH, or install it (Debian: apt-get install"
                          + " nats-server)"));
    }

    private static void requireText(String value, String name) {
      Objects.requireNonNull(value, name);
      if (value.isBlank()) {
        throw new IllegalArgumentException(name + " must not be blank, was '" + value + "'");
      }
    }
  }

  /**
   * Builds and starts a {@link NatsServer}. Not thread-safe; each setter validates its argument.
   *
   * <pre>{@code
   * NatsServer nats = NatsServer.builder().tls().token("s3cret").start();
   * }</pre>
   */
  public static final class Builder {

    private Options options = Options.defaults();

    private Builder() {}

    /**
     * Runs this binary instead of looking for one.
     *
     * @param binary an executable nats-server (2.9 or later)
     * @return this builder
     */
    public Builder binary(Path binary) {
      options = options.withBinary(Objects.requireNonNull(binary, "binary"));
      return this;
    }

    /**
     * Sets {@code max_payload}, the largest message the server accepts (default 1 MiB).
     *
     * @param bytes between 1 and 64 MiB
     * @return this builder
     */
    public Builder maxPayload(int bytes) {
      options = options.withMaxPayload(bytes);
      return this;
    }

    /**
     * Requires clients to log in with this user and password; exclusive with {@link #token}.
     *
     * @param user the user name, not blank
     * @param password the password, not blank
     * @return this builder
     */
    public Builder user(String user, String password) {
      options = options.withUser(user, password);
      return this;
    }

    /**
     * Requires clients to present this token; exclusive with {@link #user}.
     *
     * @param token the token, not blank
     * @return this builder
     */
    public Builder token(String token) {
      options = options.withToken(token);
      return this;
    }

    /**
     * Requires clients to sign in with the NKey whose public key this is; exclusive with {@link #user}
     * and {@link #token}.
     *
     * @param publicKey a user public key ({@code U...})
     * @return this builder
     */
    public Builder nkey(String publicKey) {
      options = options.withNkey(publicKey);
      return this;
    }

    /**
     * Adds a user who may publish and subscribe only to the given subjects (NATS wildcards
     * allowed), for least-privilege tests; combines with {@link #user} (an unrestricted second
     * user, say an admin), not with {@link #token} or {@link #nkey}.
     *
     * @param user the user name, not blank, not the {@link #user} one
     * @param password the password, not blank
     * @param publishAllow the subjects the user may publish to, at least one
     * @param subscribeAllow the subjects the user may subscribe to, at least one
     * @return this builder
     */
    public Builder userPermissions(
        String user, String password, List<String> publishAllow, List<String> subscribeAllow) {
      options =
          options.withUserPermissions(
              new UserPermissions(user, password, publishAllow, subscribeAllow));
      return this;
    }

    /**
     * Requires TLS from clients, with a server certificate for {@code localhost} and
     * {@code 127.0.0.1} signed by a CA generated for this server.
     *
     * @return this builder
     */
    public Builder tls() {
      options = options.withTls(false);
      return this;
    }

    /**
     * Requires TLS and a client certificate signed by the test CA (see
     * {@link NatsServer#clientSslContext()}).
     *
     * @return this builder
     */
    public Builder mutualTls() {
      options = options.withTls(true);
      return this;
    }

    /**
     * How long {@link #start()} and {@link NatsServer#restart()} wait for the server (default 20s).
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public Builder startTimeout(Duration timeout) {
      options = options.withStartTimeout(timeout);
      return this;
    }

    /**
     * Starts the server on free ports of 127.0.0.1 and waits until it logged that it is ready and
     * accepts connections. A port taken in the meantime by another process is retried with others.
     *
     * @return the running server
     * @throws IllegalStateException if no binary is found, or the server does not become ready in
     *     time (the message has the tail of its log)
     */
    public NatsServer start() {
      return NatsServer.start(options);
    }
  }

  public static NatsServer start(Options options) {
    Path binary = options.requireBinary();
    return ServerProcess.startOnFreePorts(
        "nats-server",
        2,
        ports -> {
          Path dir = tempDir("isb-nats-");
          NatsServer server = null;
          try {
            server =
                new NatsServer(options, binary, "isb-nats", dir, ports[0], ports[1], null, null);
            server.journalTo(new FaultJournal(dir.resolve("journal.txt"), server::describeState));
            server.launch();
            server.awaitReady(server.deadline());
            return server;
          } catch (RuntimeException e) {
            if (server != null) {
              server.close();
            } else {
              ServerProcess.deleteRecursively(dir);
            }
            throw e;
          }
        });
  }

  static Path tempDir(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException("could not create a temp directory", e);
    }
  }
}
