package dev.isb.servers;

import dev.isb.spi.Checks;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

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
 * /usr/bin/redis-server}, unless {@link KitBuilder#binary(Path)} names one (Redis 7 or later).
 * Thread-safe: the node control methods are synchronized.
 */
public final class RedisServer extends KitServer {

  /** The host every server of the kit listens on. */
  public static final String HOST = "127.0.0.1";

  /** The environment variable that may name the redis-server binary. */
  public static final String BINARY_ENV = "ISB_REDIS_SERVER";

  static final ServerBinary BINARY = ServerBinary.REDIS_SERVER;

  private static final String READY = "Ready to accept connections";
  private static final String SENTINEL_READY = "+monitor master";
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);

  private final Options options;
  private final Node node;

  RedisServer(
      Options options,
      Path binary,
      String name,
      Path dir,
      int port,
      Node node,
      TestCertificates certificates) {
    super(
        name,
        dir,
        dir.resolve("redis.conf"),
        port,
        options.common(),
        certificates,
        new ServerProcess("redis-server " + name, command(binary, dir, node), dir, dir.resolve("redis.log")));
    this.options = options;
    this.node = node;
    writeConfig(RedisConfig.of(options, node, dir, port, certificates));
  }

  private static List<String> command(Path binary, Path dir, Node node) {
    List<String> command =
        new ArrayList<>(List.of(binary.toString(), dir.resolve("redis.conf").toString()));
    if (node.sentinelOf() != null) {
      command.add("--sentinel"); // works where the redis-sentinel link is not installed
    }
    return command;
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
   * Starts a server with these options on a free port of 127.0.0.1 and waits until it logged that
   * it is ready and answers PING. A port taken in the meantime by another process is retried with
   * another.
   *
   * @return the running server
   * @throws IllegalStateException if no binary is found, or the server does not become ready in
   *     time (the message has the tail of its log)
   */
  public static RedisServer start(Options options) {
    Path binary = options.requireBinary();
    return startAlone(
        "redis-server",
        "isb-redis-",
        2,
        options.common(),
        (dir, ports, certificates) -> {
          Node node =
              options.clusterEnabled()
                  ? Node.clusterNode(ports[1])
                  : options.replicaOfPort() > 0
                      ? Node.replicaOf(options.replicaOfPort())
                      : Node.STANDALONE;
          return new RedisServer(options, binary, "redis", dir, ports[0], node, certificates);
        });
  }

  /**
   * The URI clients use: {@code redis://127.0.0.1:<port>}, or {@code rediss://…} with TLS.
   * Credentials are not embedded: see {@link #password()} and {@link #aclUsers()}.
   */
  public String uri() {
    return (tls() ? "rediss" : "redis") + "://" + HOST + ":" + port();
  }

  /** The host clients connect to: {@value #HOST}. */
  public String host() {
    return HOST;
  }

  /**
   * The node's name in the kit, such as {@code redis} or {@code cluster-2}, used in logs and
   * messages.
   */
  public String name() {
    return processName();
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

  @Override
  public String toString() {
    return "RedisServer[" + name() + " " + uri() + "]";
  }

  /**
   * Its {@code ROLE} and {@code INFO replication} (sentinels: what they say of the master), and
   * {@code CLUSTER NODES} for a cluster node.
   */
  @Override
  String describeLiveState() {
    StringBuilder s = new StringBuilder("ROLE ");
    s.append(tryCommand("ROLE").map(String::valueOf).orElse("(no answer)"));
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

  /** A sentinel logs that it monitors the master; a data node that it accepts connections. */
  @Override
  String readyMarker() {
    return isSentinel() ? SENTINEL_READY : READY;
  }

  /** Whether it answers PING with PONG. */
  @Override
  boolean answers() {
    try {
      return "PONG".equals(command("PING"));
    } catch (IOException e) {
      return false;
    }
  }

  Options options() {
    return options;
  }

  /**
   * Opens a connection for the kit itself: over TLS (with the client certificate) when configured,
   * authenticated as {@code default} when a password is set.
   */
  RedisWire connect(Duration timeout) throws IOException {
    RedisWire wire =
        RedisWire.connect(
            port(), certificatesOrNull() == null ? null : certificatesOrNull().clientSslContext(), timeout);
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
   *
   * @param common the binary, TLS and start timeout
   * @param appendOnly whether data nodes run with {@code appendonly yes}
   * @param password the password of {@code default}, or null
   * @param aclUsers the ACL users besides {@code default}
   * @param clusterEnabled whether the server is a cluster node
   * @param clusterNodeTimeout the {@code cluster-node-timeout}
   * @param replicaOfPort the port of the master a single server replicates, or 0
   */
  public record Options(
      CommonOptions common,
      boolean appendOnly,
      String password,
      List<AclUser> aclUsers,
      boolean clusterEnabled,
      Duration clusterNodeTimeout,
      int replicaOfPort)
      implements KitOptions<Options> {

    /** Copies {@code aclUsers}. */
    public Options {
      aclUsers = List.copyOf(aclUsers);
    }

    /** No TLS, no password, {@code appendonly no}, not a cluster node. */
    public static Options defaults() {
      return new Options(
          CommonOptions.defaults(), false, null, List.of(), false, Duration.ofMillis(2000), 0);
    }

    /** Whether this is the default server that any redis image runs, as Testcontainers would. */
    @Override
    public boolean plain() {
      return equals(defaults().withBinary(binary()).withStartTimeout(startTimeout()));
    }

    @Override
    public Options withCommon(CommonOptions common) {
      return new Options(
          common, appendOnly, password, aclUsers, clusterEnabled, clusterNodeTimeout, replicaOfPort);
    }

    /** These options with the append-only file on or off. */
    public Options withAppendOnly(boolean on) {
      return new Options(
          common, on, password, aclUsers, clusterEnabled, clusterNodeTimeout, replicaOfPort);
    }

    /** These options with a password for {@code default}. */
    public Options withPassword(String password) {
      Objects.requireNonNull(password, "password");
      AclUser.requireToken(password, "password");
      return new Options(
          common, appendOnly, password, aclUsers, clusterEnabled, clusterNodeTimeout, replicaOfPort);
    }

    /** These options with one more ACL user, whose name must be new. */
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
          common, appendOnly, password, users, clusterEnabled, clusterNodeTimeout, replicaOfPort);
    }

    /** These options with cluster mode on or off. */
    public Options withClusterEnabled(boolean on) {
      return new Options(
          common, appendOnly, password, aclUsers, on, clusterNodeTimeout, replicaOfPort);
    }

    Options withClusterNodeTimeout(Duration timeout) {
      Checks.positive("clusterNodeTimeout", timeout);
      return new Options(
          common, appendOnly, password, aclUsers, clusterEnabled, timeout, replicaOfPort);
    }

    Options withReplicaOfPort(int port) {
      Checks.inRange("replicaOf port", port, 1, 65535);
      return new Options(
          common, appendOnly, password, aclUsers, clusterEnabled, clusterNodeTimeout, port);
    }

    /**
     * The binary to run: the one set, else the environment variable, the PATH, the Debian place.
     */
    @Override
    public Optional<Path> findBinary() {
      return BINARY.find(binary());
    }

    Path requireBinary() {
      return BINARY.require(binary(), "");
    }
  }

  /**
   * What the builders of a server, a cluster and a sentinel setup set alike: the data nodes'
   * persistence and credentials, besides the binary, TLS and start timeout.
   *
   * @param <B> the builder itself
   */
  public abstract static class RedisBuilder<B extends RedisBuilder<B>>
      extends KitBuilder<B, Options> {

    RedisBuilder(Options options) {
      super(options);
    }

    /**
     * Turns on the append-only file ({@code appendonly yes}, {@code appendfsync always}) on the
     * data nodes, so that data survives {@link RedisServer#kill()} and {@link
     * RedisServer#restart()}.
     *
     * @return this builder
     */
    public B appendOnly() {
      return with(o -> o.withAppendOnly(true));
    }

    /**
     * Requires clients of the data nodes to authenticate as {@code default} with this password
     * ({@code requirepass}; also {@code masterauth}, so replicas can sync; sentinels get it as
     * {@code auth-pass}).
     *
     * @param password not blank, without whitespace, quotes or backslashes
     * @return this builder
     */
    public B password(String password) {
      return with(o -> o.withPassword(password));
    }

    /**
     * Adds an ACL user on the data nodes; {@code default} keeps its own rights (and {@link
     * #password} if set).
     *
     * @param name letters, digits, '_', '-', '.', not {@code default}
     * @param password not blank, without whitespace, quotes or backslashes
     * @param keyPatterns the key patterns the user may touch, such as {@code {buf}*}
     * @param commands the commands or {@code @categories} the user may run, such as {@code xadd}
     * @return this builder
     */
    public B aclUser(
        String name, String password, List<String> keyPatterns, List<String> commands) {
      AclUser user = new AclUser(name, password, keyPatterns, commands);
      return with(o -> o.withAclUser(user));
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
  public static final class Builder extends RedisBuilder<Builder> {

    private Builder() {
      super(Options.defaults());
    }

    /**
     * Makes the server a replica of a master on 127.0.0.1 ({@code replicaof}).
     *
     * @param port the master's port
     * @return this builder
     */
    public Builder replicaOf(int port) {
      return with(o -> o.withReplicaOfPort(port));
    }

    /**
     * Turns on cluster mode ({@code cluster-enabled yes}) with no slots assigned: a node to join to
     * others. {@link RedisCluster} does that for whole clusters.
     *
     * @return this builder
     */
    public Builder clusterEnabled() {
      return with(o -> o.withClusterEnabled(true));
    }

    /**
     * Sets {@code cluster-node-timeout} (default 2 s, short for fast fail-over in tests).
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public Builder clusterNodeTimeout(Duration timeout) {
      return with(o -> o.withClusterNodeTimeout(timeout));
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
      return RedisServer.start(options());
    }
  }
}
