package dev.isb.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * One real {@code redis-server} process on a random port of 127.0.0.1, with a configuration file,
 * log file and data directory written by the kit into a fresh temp directory. For tests: start it,
 * point a client at {@link #uri()}, and inject faults with {@link #kill()}, {@link #restart()},
 * {@link #pause()} and {@link #resume()}.
 *
 * <pre>{@code
 * try (RedisServer redis = RedisServer.builder().password("s3cret").appendOnly().start()) {
 *   RedisClient client = RedisClient.create(RedisURI.builder(RedisURI.create(redis.uri()))
 *       .withPassword("s3cret".toCharArray()).build());
 *   redis.pause();    // the client sees a stalled server
 *   redis.resume();
 *   redis.kill();     // SIGKILL; the data directory (and its append-only file) survives
 *   redis.restart();  // same port, same configuration, same data directory
 * }
 * }</pre>
 *
 * <p>The configuration binds 127.0.0.1 only, never saves RDB snapshots, and has {@code appendonly
 * no} unless {@link Builder#appendOnly()} asks for it (then with {@code appendfsync always}, so
 * that an acknowledged write survives {@link #kill()}). The same class runs the nodes of a {@link
 * RedisCluster} and the data nodes and sentinels of a {@link RedisSentinel}.
 *
 * <p>Most tests use it through {@code dev.isb.testkit.RedisServerExtension} (module isb-testkit).
 * The binary is the one named by the
 * environment variable {@code ISB_REDIS_SERVER}, else {@code redis-server} on the PATH, else {@code
 * /usr/bin/redis-server}, unless {@link Builder#binary(Path)} names one (Redis 7 or later).
 * Thread-safe: the node control methods are synchronized.
 */
public final class RedisServer implements KitProcess, AutoCloseable {

  /** The host every server of the kit listens on. */
  public static final String HOST = "127.0.0.1";

  public static final String BINARY_ENV = "ISB_REDIS_SERVER";
  static final Path DEBIAN_BINARY = Path.of("/usr/bin/redis-server");

  private static final String READY = "Ready to accept connections";
  private static final String SENTINEL_READY = "+monitor master";
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);

  private final Options options;
  private final String name;
  private final Path dir;
  private final Path configFile;
  private final Path logFile;
  private final int port;
  private final Node node;
  private final TestCertificates certificates;
  private final ServerProcess process;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile FaultJournal journal = FaultJournal.NONE;

  RedisServer(
      Options options,
      Path binary,
      String name,
      Path dir,
      int port,
      Node node,
      TestCertificates certificates) {
    this.options = options;
    this.name = name;
    this.dir = dir;
    this.configFile = dir.resolve("redis.conf");
    this.logFile = dir.resolve("redis.log");
    this.port = port;
    this.node = node;
    try {
      Files.createDirectories(dir);
      this.certificates =
          options.tls() && certificates == null
              ? TestCertificates.create(dir.resolve("tls"))
              : certificates;
      Files.writeString(configFile, config(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the redis-server configuration in " + dir, e);
    }
    List<String> command = new ArrayList<>(List.of(binary.toString(), configFile.toString()));
    if (node.sentinelOf() != null) {
      command.add("--sentinel"); // works where the redis-sentinel link is not installed
    }
    this.process = new ServerProcess("redis-server " + name, command, dir, logFile);
  }

  /**
   * Starts a plain server with the defaults: no TLS, no password, {@code appendonly no}.
   *
   * @return the running server, ready for clients
   * @throws IllegalStateException if no binary is found or the server does not become ready in time
   */
  public static RedisServer start() {
    return builder().start();
  }

  /** A builder for a server with TLS, a password, ACL users, append-only persistence and more. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The URI clients use: {@code redis://127.0.0.1:<port>}, or {@code rediss://…} with TLS.
   * Credentials are not embedded: see {@link #password()} and {@link #aclUsers()}.
   */
  public String uri() {
    return (options.tls() ? "rediss" : "redis") + "://" + HOST + ":" + port;
  }

  /** The host clients connect to: {@value #HOST}. */
  public String host() {
    return HOST;
  }

  /**
   * The port clients connect to (with TLS, the {@code tls-port}: the plain port is off); it stays
   * the same across {@link #restart()}.
   */
  public int port() {
    return port;
  }

  /**
   * The node's name in the kit, such as {@code redis} or {@code cluster-2}, used in logs and
   * messages.
   */
  public String name() {
    return name;
  }

  /** The server's directory: configuration, log and data (append-only files, cluster state). */
  public Path dir() {
    return dir;
  }

  /**
   * The configuration file the server runs with (sentinels and {@code CONFIG REWRITE} may change
   * it).
   */
  public Path configFile() {
    return configFile;
  }

  /** The file that receives the server's log, across restarts. */
  public Path logFile() {
    return logFile;
  }

  /** Whether this node is a sentinel rather than a data node. */
  public boolean isSentinel() {
    return node.sentinelOf() != null;
  }

  /** Whether the server runs with {@code appendonly yes}. */
  public boolean appendOnly() {
    return options.appendOnly() && !isSentinel();
  }

  /** The password of the {@code default} user ({@code requirepass}), if one was configured. */
  public Optional<String> password() {
    return isSentinel() ? Optional.empty() : Optional.ofNullable(options.password());
  }

  /** The ACL users configured besides {@code default}, in the order they were added. */
  public List<AclUser> aclUsers() {
    return isSentinel() ? List.of() : options.aclUsers();
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
    journal.around(name + ": kill -9", process::kill);
  }

  /**
   * Stops the process with SIGTERM (Redis flushes its append-only file and exits) and waits for it
   * to exit; a no-op when it is not running.
   */
  public void stop() {
    requireOpen();
    journal.around(name + ": stop (SIGTERM)", () -> process.stop(STOP_GRACE));
  }

  /**
   * Starts the server again on the same port, with the same configuration file and data directory,
   * stopping it first if it runs, and waits until it is ready (it answers PING).
   *
   * @throws IllegalStateException if it does not become ready in time, with the tail of its log
   */
  public synchronized void restart() {
    requireOpen();
    journal.around(
        name + ": restart",
        () -> {
          process.stop(STOP_GRACE);
          process.launch();
          awaitReady(deadline());
        });
  }

  /**
   * Freezes the process with SIGSTOP: connections stay open and new ones are accepted by the
   * kernel, but the server answers nothing until {@link #resume()}. In a cluster or sentinel setup
   * the other nodes soon consider it down.
   *
   * @throws IllegalStateException if the server is not running
   */
  public void pause() {
    requireOpen();
    journal.around(name + ": pause (SIGSTOP)", process::pause);
  }

  /**
   * Thaws the process with SIGCONT after {@link #pause()}.
   *
   * @throws IllegalStateException if the server is not running
   */
  public void resume() {
    requireOpen();
    journal.around(name + ": resume (SIGCONT)", process::resume);
  }

  /** Kills the process and deletes the temp directory with its data and log; idempotent. */
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
    return "RedisServer[" + name + " " + uri() + "]";
  }

  /** Records this server's faults, with the state of its setup around each, in {@code journal}. */
  void journalTo(FaultJournal journal) {
    this.journal = journal;
  }

  @Override
  public String processName() {
    return name;
  }

  /** Where this server's faults are recorded. */
  @Override
  public FaultJournal journal() {
    return journal;
  }

  /**
   * This server's state for a {@link FaultJournal}: whether it runs, and its {@code ROLE} and
   * {@code INFO replication} (sentinels: what they say of the master), and {@code CLUSTER NODES}
   * for a cluster node. Never throws.
   */
  String describeState() {
    StringBuilder s = new StringBuilder(name).append(" (").append(port).append("): ");
    if (!isRunning()) {
      return s.append("not running").toString();
    }
    if (isPaused()) {
      return s.append("paused").toString();
    }
    s.append("ROLE ").append(tryCommand("ROLE").map(String::valueOf).orElse("(no answer)"));
    if (isSentinel()) {
      s.append("\n  SENTINEL MASTER ")
          .append(
              tryCommand("SENTINEL", "MASTER", node.sentinelOf().masterName())
                  .map(String::valueOf)
                  .orElse("(no answer)"));
      return s.toString();
    }
    s.append("\n  INFO replication: ")
        .append(tryText("INFO", "replication").map(i -> i.strip().replaceAll("\r?\n", " ")).orElse("(no answer)"));
    if (options.clusterEnabled()) {
      s.append("\n  CLUSTER NODES:\n    ")
          .append(
              tryText("CLUSTER", "NODES")
                  .map(n -> n.strip().replaceAll("\r?\n", "\n    "))
                  .orElse("(no answer)"));
    }
    return s.toString();
  }

  /** Launches the process without waiting; see {@link #awaitReady(long)}. */
  void launch() {
    process.launch();
  }

  /** Waits for the log line that says it is ready, then for a PING answered with PONG. */
  void awaitReady(long deadlineNanos) {
    process.awaitReady(
        isSentinel() ? SENTINEL_READY : READY, port, deadlineNanos, this::answersPing);
  }

  long deadline() {
    return System.nanoTime() + options.startTimeout().toNanos();
  }

  Options options() {
    return options;
  }

  /** Whether the process runs and is not paused, so that it can answer a command. */
  public boolean isResponsive() {
    return process.isAlive() && !process.isPaused();
  }

  /**
   * Opens a connection for the kit itself: over TLS (with the client certificate) when configured,
   * authenticated as {@code default} when a password is set.
   */
  RedisWire connect(Duration timeout) throws IOException {
    RedisWire wire =
        RedisWire.connect(
            port, certificates == null ? null : certificates.clientSslContext(), timeout);
    Optional<String> password = password();
    if (password.isPresent()) {
      Object reply = wire.call("AUTH", password.get());
      if (!"OK".equals(reply)) {
        wire.close();
        throw new IOException(this + " refused the kit's AUTH: " + reply);
      }
    }
    return wire;
  }

  /**
   * Runs one command on a fresh connection (see {@link #connect(Duration)}) and returns its reply.
   */
  public Object command(String... args) throws IOException {
    try (RedisWire wire = connect(PROBE_TIMEOUT)) {
      return wire.call(args);
    }
  }

  /** The reply of a command, or empty when the server is down, paused or unreachable. */
  Optional<Object> tryCommand(String... args) {
    if (!isResponsive()) {
      return Optional.empty();
    }
    try {
      return Optional.ofNullable(command(args));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * The reply of a command that answers with text ({@code INFO}, {@code CLUSTER NODES}), or empty.
   */
  Optional<String> tryText(String... args) {
    return tryCommand(args).filter(String.class::isInstance).map(String.class::cast);
  }

  /** The value of one field of an {@code INFO} section, or empty. */
  Optional<String> info(String section, String field) {
    return tryText("INFO", section).flatMap(text -> infoField(text, field));
  }

  /** The value of {@code field} in the {@code field:value} lines of an INFO-like text. */
  static Optional<String> infoField(String text, String field) {
    String prefix = field + ":";
    for (String line : text.split("\r?\n")) {
      if (line.startsWith(prefix)) {
        return Optional.of(line.substring(prefix.length()).strip());
      }
    }
    return Optional.empty();
  }

  /**
   * The first element of {@code ROLE}: {@code master}, {@code slave} or {@code sentinel}, or empty.
   */
  Optional<String> role() {
    return tryCommand("ROLE")
        .filter(List.class::isInstance)
        .map(r -> ((List<?>) r).isEmpty() ? null : ((List<?>) r).get(0))
        .filter(String.class::isInstance)
        .map(String.class::cast);
  }

  private boolean answersPing() {
    try {
      return "PONG".equals(command("PING"));
    } catch (IOException e) {
      return false;
    }
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

  private String config() {
    StringBuilder c = new StringBuilder();
    c.append("# Written by the ISB test kit.\n");
    c.append("bind ").append(HOST).append('\n');
    c.append("protected-mode no\n");
    c.append("daemonize no\n");
    c.append("logfile \"\"\n");
    c.append("dir ").append(quote(dir.toString())).append('\n');
    if (certificates != null) {
      c.append("port 0\n");
      c.append("tls-port ").append(port).append('\n');
      c.append("tls-cert-file ")
          .append(quote(certificates.serverCertificate().toString()))
          .append('\n');
      c.append("tls-key-file ").append(quote(certificates.serverKey().toString())).append('\n');
      c.append("tls-ca-cert-file ")
          .append(quote(certificates.caCertificate().toString()))
          .append('\n');
      // Outgoing links (replication, cluster bus, sentinel) present a certificate made for clients.
      c.append("tls-client-cert-file ")
          .append(quote(certificates.clientCertificate().toString()))
          .append('\n');
      c.append("tls-client-key-file ")
          .append(quote(certificates.clientKey().toString()))
          .append('\n');
      c.append("tls-auth-clients ").append(options.mutualTls() ? "yes" : "no").append('\n');
      c.append("tls-replication yes\n");
      if (options.clusterEnabled()) {
        c.append("tls-cluster yes\n");
      }
    } else {
      c.append("port ").append(port).append('\n');
    }
    if (node.sentinelOf() != null) {
      sentinelConfig(c, node.sentinelOf());
      return c.toString();
    }
    c.append("save \"\"\n");
    c.append("appendonly ").append(options.appendOnly() ? "yes" : "no").append('\n');
    if (options.appendOnly()) {
      c.append("appendfsync always\n");
    }
    // Replicas sync at once instead of after the default 5 s wait for more replicas.
    c.append("repl-diskless-sync-delay 0\n");
    if (options.password() != null) {
      c.append("requirepass ").append(options.password()).append('\n');
      c.append("masterauth ").append(options.password()).append('\n');
    }
    for (AclUser user : options.aclUsers()) {
      c.append(user.configLine()).append('\n');
    }
    if (options.clusterEnabled()) {
      c.append("cluster-enabled yes\n");
      c.append("cluster-config-file nodes.conf\n");
      // Explicit: the default (port + 10000) can be above 65535 for a random port.
      c.append("cluster-port ").append(node.busPort()).append('\n');
      c.append("cluster-node-timeout ")
          .append(options.clusterNodeTimeout().toMillis())
          .append('\n');
      // A replica that synced long ago may still be promoted: tests pause and kill nodes freely.
      c.append("cluster-replica-validity-factor 0\n");
    }
    if (node.replicaOfPort() > 0) {
      c.append("replicaof ").append(HOST).append(' ').append(node.replicaOfPort()).append('\n');
    }
    return c.toString();
  }

  private void sentinelConfig(StringBuilder c, Monitor monitor) {
    String master = monitor.masterName();
    c.append("sentinel monitor ")
        .append(master)
        .append(' ')
        .append(HOST)
        .append(' ')
        .append(monitor.masterPort())
        .append(' ')
        .append(monitor.quorum())
        .append('\n');
    c.append("sentinel down-after-milliseconds ")
        .append(master)
        .append(' ')
        .append(monitor.downAfter().toMillis())
        .append('\n');
    c.append("sentinel failover-timeout ")
        .append(master)
        .append(' ')
        .append(monitor.failoverTimeout().toMillis())
        .append('\n');
    c.append("sentinel parallel-syncs ").append(master).append(" 1\n");
    if (options.password() != null) {
      c.append("sentinel auth-pass ")
          .append(master)
          .append(' ')
          .append(options.password())
          .append('\n');
    }
  }

  /** Double quotes a path for redis.conf, whose parser understands C-like escapes inside quotes. */
  private static String quote(String value) {
    return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }

  /**
   * An ACL user besides {@code default}, written to the configuration as {@code user <name> on
   * ><password> ~<pattern>… +<command>…}. Immutable.
   *
   * <pre>{@code
   * new RedisServer.AclUser("vertex", "pw", List.of("{buf}*"), List.of("@stream", "evalsha"))
   * }</pre>
   *
   * @param name the user name: letters, digits, '_', '-', '.', not {@code default}
   * @param password the password: not blank, no whitespace, quotes or backslashes
   * @param keyPatterns key patterns the user may touch (written as {@code ~pattern}), at least one;
   *     {@code *} for all keys
   * @param commands commands or {@code @categories} the user may run, written as {@code +entry}; an
   *     entry may also start with {@code +} or {@code -} itself, such as {@code -del}; at least one
   */
  public record AclUser(
      String name, String password, List<String> keyPatterns, List<String> commands) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]+");
    private static final Pattern COMMAND = Pattern.compile("[+-]?@?[A-Za-z0-9_|-]+");
    private static final Pattern TOKEN = Pattern.compile("[^\\s\"'\\\\]+");

    /** Validates every component, naming the component and the value it had. */
    public AclUser {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(password, "password");
      Objects.requireNonNull(keyPatterns, "keyPatterns");
      Objects.requireNonNull(commands, "commands");
      if (!NAME.matcher(name).matches() || name.equals("default")) {
        throw new IllegalArgumentException(
            "name must be letters, digits, '_', '-' or '.' and not 'default', was '" + name + "'");
      }
      requireToken(password, "password");
      keyPatterns = List.copyOf(keyPatterns);
      commands = List.copyOf(commands);
      if (keyPatterns.isEmpty()) {
        throw new IllegalArgumentException("keyPatterns must not be empty, was " + keyPatterns);
      }
      if (commands.isEmpty()) {
        throw new IllegalArgumentException("commands must not be empty, was " + commands);
      }
      for (String pattern : keyPatterns) {
        requireToken(pattern, "keyPatterns");
      }
      for (String command : commands) {
        if (!COMMAND.matcher(command).matches()) {
          throw new IllegalArgumentException(
              "commands must be command names or @categories, optionally with + or -, was '"
                  + command
                  + "'");
        }
      }
    }

    /** The {@code user} line of redis.conf for this user. */
    String configLine() {
      StringBuilder line = new StringBuilder("user ").append(name).append(" on >").append(password);
      for (String pattern : keyPatterns) {
        line.append(" ~").append(pattern);
      }
      for (String command : commands) {
        line.append(' ');
        if (command.charAt(0) != '+' && command.charAt(0) != '-') {
          line.append('+');
        }
        line.append(command);
      }
      return line.toString();
    }

    @Override
    public String toString() {
      return "AclUser[" + name + " " + keyPatterns + " " + commands + "]"; // no password in logs
    }

    private static void requireToken(String value, String component) {
      if (!TOKEN.matcher(value).matches()) {
        throw new IllegalArgumentException(
            component
                + " must not be blank or contain whitespace, quotes or backslashes, was '"
                + value
                + "'");
      }
    }
  }

  /** What a sentinel watches. */
  record Monitor(
      String masterName,
      int masterPort,
      int quorum,
      Duration downAfter,
      Duration failoverTimeout) {}

  /**
   * The role of one process in a setup: its cluster bus port (cluster nodes), the port of the
   * master it replicates at start (sentinel setups), or what it watches (sentinels).
   */
  record Node(int busPort, int replicaOfPort, Monitor sentinelOf) {
    static final Node STANDALONE = new Node(0, 0, null);

    static Node clusterNode(int busPort) {
      return new Node(busPort, 0, null);
    }

    static Node replicaOf(int masterPort) {
      return new Node(0, masterPort, null);
    }

    static Node sentinel(Monitor monitor) {
      return new Node(0, 0, monitor);
    }
  }

  /**
   * What a server, cluster or sentinel setup is configured with; each {@code with…} method
   * validates its argument. Immutable.
   */
  public record Options(
      Path binary,
      boolean appendOnly,
      String password,
      List<AclUser> aclUsers,
      boolean tls,
      boolean mutualTls,
      boolean clusterEnabled,
      Duration clusterNodeTimeout,
      int replicaOfPort,
      Duration startTimeout) {

    public Options {
      aclUsers = List.copyOf(aclUsers);
    }

    public static Options defaults() {
      return new Options(
          null,
          false,
          null,
          List.of(),
          false,
          false,
          false,
          Duration.ofMillis(2000),
          0,
          Duration.ofSeconds(20));
    }

    /** Whether this is the default server that any redis image runs, as Testcontainers would. */
    public boolean plain() {
      return equals(defaults().withBinary(binary).withStartTimeout(startTimeout));
    }

    public Options withBinary(Path binary) {
      return new Options(
          binary,
          appendOnly,
          password,
          aclUsers,
          tls,
          mutualTls,
          clusterEnabled,
          clusterNodeTimeout,
          replicaOfPort,
          startTimeout);
    }

    public Options withAppendOnly(boolean on) {
      return new Options(
          binary,
          on,
          password,
          aclUsers,
          tls,
          mutualTls,
          clusterEnabled,
          clusterNodeTimeout,
          replicaOfPort,
          startTimeout);
    }

    public Options withPassword(String password) {
      Objects.requireNonNull(password, "password");
      AclUser.requireToken(password, "password");
      return new Options(
          binary,
          appendOnly,
          password,
          aclUsers,
          tls,
          mutualTls,
          clusterEnabled,
          clusterNodeTimeout,
          replicaOfPort,
          startTimeout);
    }

    public Options withAclUser(AclUser user) {
      Objects.requireNonNull(user, "user");
      for (AclUser existing : aclUsers) {
        if (existing.name().equals(user.name())) {
          throw new IllegalArgumentException(
              "an ACL user named '" + user.name() + "' is already set");
        }
      }
      List<AclUser> users = new ArrayList<>(aclUsers);
      users.add(user);
      return new Options(
          binary,
          appendOnly,
          password,
          users,
          tls,
          mutualTls,
          clusterEnabled,
          clusterNodeTimeout,
          replicaOfPort,
          startTimeout);
    }

    public Options withTls(boolean mutual) {
      return new Options(
          binary,
          appendOnly,
          password,
          aclUsers,
          true,
          mutual,
          clusterEnabled,
          clusterNodeTimeout,
          replicaOfPort,
          startTimeout);
    }

    public Options withClusterEnabled(boolean on) {
      return new Options(
          binary,
          appendOnly,
          password,
          aclUsers,
          tls,
          mutualTls,
          on,
          clusterNodeTimeout,
          replicaOfPort,
          startTimeout);
    }

    Options withClusterNodeTimeout(Duration timeout) {
      requirePositive(timeout, "clusterNodeTimeout");
      return new Options(
          binary,
          appendOnly,
          password,
          aclUsers,
          tls,
          mutualTls,
          clusterEnabled,
          timeout,
          replicaOfPort,
          startTimeout);
    }

    Options withReplicaOfPort(int port) {
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException(
            "replicaOf port must be between 1 and 65535, was " + port);
      }
      return new Options(
          binary,
          appendOnly,
          password,
          aclUsers,
          tls,
          mutualTls,
          clusterEnabled,
          clusterNodeTimeout,
          port,
          startTimeout);
    }

    public Options withStartTimeout(Duration timeout) {
      requirePositive(timeout, "startTimeout");
      return new Options(
          binary,
          appendOnly,
          password,
          aclUsers,
          tls,
          mutualTls,
          clusterEnabled,
          clusterNodeTimeout,
          replicaOfPort,
          timeout);
    }

    /**
     * The binary to run: the one set, else the environment variable, the PATH, the Debian place.
     */
    public Optional<Path> findBinary() {
      return binary != null
          ? Optional.of(binary)
          : LocalBinaries.find(BINARY_ENV, "redis-server", DEBIAN_BINARY);
    }

    Path requireBinary() {
      return findBinary()
          .orElseThrow(
              () ->
                  new IllegalStateException(
                      "no redis-server binary: set "
                          + BINARY_ENV
                          + ", put redis-server on the PATH, or install it (Debian: apt-get install"
                          + " redis-server)"));
    }

    private static void requirePositive(Duration duration, String name) {
      Objects.requireNonNull(duration, name);
      if (duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, was " + duration);
      }
    }
  }

  /**
   * Builds and starts a {@link RedisServer}. Not thread-safe; each setter validates its argument.
   *
   * <pre>{@code
   * RedisServer redis = RedisServer.builder()
   *     .tls()
   *     .password("s3cret")
   *     .aclUser("vertex", "pw", List.of("{buf}*"), List.of("@stream", "ping"))
   *     .start();
   * }</pre>
   */
  public static final class Builder {

    private Options options = Options.defaults();

    private Builder() {}

    /**
     * Runs this binary instead of looking for one.
     *
     * @param binary an executable redis-server (7.0 or later)
     * @return this builder
     */
    public Builder binary(Path binary) {
      options = options.withBinary(Objects.requireNonNull(binary, "binary"));
      return this;
    }

    /**
     * Turns on the append-only file ({@code appendonly yes}, {@code appendfsync always}), so that
     * data survives {@link RedisServer#kill()} and {@link RedisServer#restart()}.
     *
     * @return this builder
     */
    public Builder appendOnly() {
      options = options.withAppendOnly(true);
      return this;
    }

    /**
     * Requires clients to authenticate as {@code default} with this password ({@code requirepass};
     * also {@code masterauth}, so replicas can sync).
     *
     * @param password not blank, without whitespace, quotes or backslashes
     * @return this builder
     */
    public Builder password(String password) {
      options = options.withPassword(password);
      return this;
    }

    /**
     * Adds an ACL user; {@code default} keeps its own rights (and {@link #password} if set).
     *
     * @param name letters, digits, '_', '-', '.', not {@code default}
     * @param password not blank, without whitespace, quotes or backslashes
     * @param keyPatterns the key patterns the user may touch, such as {@code {buf}*}
     * @param commands the commands or {@code @categories} the user may run, such as {@code xadd}
     * @return this builder
     */
    public Builder aclUser(
        String name, String password, List<String> keyPatterns, List<String> commands) {
      options = options.withAclUser(new AclUser(name, password, keyPatterns, commands));
      return this;
    }

    /**
     * Requires TLS from clients (the plain port is off), with a server certificate for {@code
     * localhost} and {@code 127.0.0.1} signed by a CA generated for this server; clients need not
     * present a certificate.
     *
     * @return this builder
     */
    public Builder tls() {
      options = options.withTls(false);
      return this;
    }

    /**
     * Requires TLS and a client certificate signed by the test CA ({@code tls-auth-clients yes};
     * see {@link RedisServer#clientSslContext()}).
     *
     * @return this builder
     */
    public Builder mutualTls() {
      options = options.withTls(true);
      return this;
    }

    /**
     * Makes the server a replica of a master on 127.0.0.1 ({@code replicaof}).
     *
     * @param port the master's port
     * @return this builder
     */
    public Builder replicaOf(int port) {
      options = options.withReplicaOfPort(port);
      return this;
    }

    /**
     * Turns on cluster mode ({@code cluster-enabled yes}) with no slots assigned: a node to join to
     * others. {@link RedisCluster} does that for whole clusters.
     *
     * @return this builder
     */
    public Builder clusterEnabled() {
      options = options.withClusterEnabled(true);
      return this;
    }

    /**
     * Sets {@code cluster-node-timeout} (default 2 s, short for fast fail-over in tests).
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public Builder clusterNodeTimeout(Duration timeout) {
      options = options.withClusterNodeTimeout(timeout);
      return this;
    }

    /**
     * How long {@link #start()} and {@link RedisServer#restart()} wait for the server (default 20
     * s).
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public Builder startTimeout(Duration timeout) {
      options = options.withStartTimeout(timeout);
      return this;
    }

    /**
     * Starts the server on a free port of 127.0.0.1 and waits until it logged that it is ready and
     * answers PING. A port taken in the meantime by another process is retried with another.
     *
     * @return the running server
     * @throws IllegalStateException if no binary is found, or the server does not become ready in
     *     time (the message has the tail of its log)
     */
    public RedisServer start() {
      return RedisServer.start(options);
    }
  }

  public static RedisServer start(Options options) {
    Path binary = options.requireBinary();
    return ServerProcess.startOnFreePorts(
        "redis-server",
        2,
        ports -> {
          Path dir = tempDir("isb-redis-");
          Node node =
              options.clusterEnabled()
                  ? Node.clusterNode(ports[1])
                  : options.replicaOfPort() > 0
                      ? Node.replicaOf(options.replicaOfPort())
                      : Node.STANDALONE;
          RedisServer server = null;
          try {
            server = new RedisServer(options, binary, "redis", dir, ports[0], node, null);
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
