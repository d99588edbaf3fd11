package dev.isb.testkit;

import dev.isb.servers.FaultJournal;
import dev.isb.servers.LocalBinaries;
import dev.isb.servers.RedisCluster;
import dev.isb.servers.RedisContainer;
import dev.isb.servers.RedisSentinel;
import dev.isb.servers.RedisServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit 5 extension that runs real Redis for the tests of one class: a standalone server, a
 * cluster or a sentinel setup, started before all its tests on random ports of 127.0.0.1 (never the
 * system Redis on 6379), killed and deleted after them. Register it on a static field:
 *
 * <pre>{@code
 * class MyRedisTest {
 *   @RegisterExtension
 *   static final RedisServerExtension REDIS = RedisServerExtension.standalone().withPassword("pw");
 *
 *   @Test
 *   void survivesARestart() {
 *     RedisClient client = RedisClient.create(RedisURI.builder(RedisURI.create(REDIS.uri()))
 *         .withPassword("pw".toCharArray()).build());
 *     ...
 *     REDIS.server().kill();
 *     REDIS.server().restart();   // same port, same data directory
 *   }
 * }
 *
 * @RegisterExtension
 * static final RedisServerExtension CLUSTER = RedisServerExtension.cluster(3, 1);
 *     // CLUSTER.uris() is the seed list; CLUSTER.cluster().failover(master) kills and promotes
 * @RegisterExtension static final RedisServerExtension SENTINEL = RedisServerExtension.sentinel();
 *     // SENTINEL.uris() lists the sentinels, SENTINEL.masterName() is "mymaster"
 * @RegisterExtension static final RedisServerExtension SECURE = RedisServerExtension.standalone()
 *     .withTls().withAclUser("vertex", "pw", List.of("{buf}*"), List.of("@stream", "ping"));
 * }</pre>
 *
 * <p>Where the server comes from, in order: the binary named by the environment variable {@code
 * ISB_REDIS_SERVER}, {@code redis-server} on the PATH, {@code /usr/bin/redis-server}, and finally
 * Testcontainers (image {@code redis:7}) when a Docker engine is present. In Docker only a plain
 * standalone server runs, without node control. A cluster also needs {@code redis-cli} ({@code
 * ISB_REDIS_CLI}, the PATH, {@code /usr/bin/redis-cli}). A variant that cannot run here disables
 * the test class with the reason: skipped, never failed (with several of these extensions in one
 * class, one that cannot run disables the class).
 *
 * <p>Test methods may also declare a {@link RedisServer}, {@link RedisCluster} or {@link
 * RedisSentinel} parameter, whichever this extension runs; with several of these extensions in one
 * class, use the fields instead. In {@code @Nested} classes the outer class's servers keep running.
 * The {@code with…} methods return a new, unstarted extension; a started one is safe to read from
 * any thread.
 *
 * <p>Each test starts on a healthy setup (see {@link #beforeEach}): what an earlier test left paused
 * or down is restored, or the setup is rebuilt on new ports, so ask for URIs in each test rather
 * than keep them. A failed test carries the fault journal, the state of every process and their
 * logs' tails, and a copy of their files is kept under {@code target/isb-server-logs}
 * (docs/testing.md).
 */
public final class RedisServerExtension extends ServerExtensionBase<RedisServerExtension.Running>
    implements ExecutionCondition, ParameterResolver {

  private enum Topology {
    STANDALONE,
    CLUSTER,
    SENTINEL
  }

  private final Topology topology;
  private final int masters;
  private final int replicasPerMaster;
  private final RedisServer.Options options;

  /**
   * A plain standalone server, for {@code @ExtendWith(RedisServerExtension.class)}; same as {@link
   * #standalone()}.
   */
  public RedisServerExtension() {
    this(Topology.STANDALONE, 0, 0, RedisServer.Options.defaults());
  }

  private RedisServerExtension(
      Topology topology, int masters, int replicasPerMaster, RedisServer.Options options) {
    this.topology = topology;
    this.masters = masters;
    this.replicasPerMaster = replicasPerMaster;
    this.options = options;
  }

  /** A standalone server: no TLS, no password, {@code appendonly no}. */
  public static RedisServerExtension standalone() {
    return new RedisServerExtension();
  }

  /**
   * A Redis Cluster, ready once every node reports {@code cluster_state:ok} (see {@link
   * RedisCluster}).
   *
   * @param masters at least 3
   * @param replicasPerMaster 0 or more; at least 1 to test fail-over
   * @return a new extension
   */
  public static RedisServerExtension cluster(int masters, int replicasPerMaster) {
    return new RedisServerExtension(
        Topology.CLUSTER,
        RedisCluster.requireMasters(masters),
        RedisCluster.requireReplicas(replicasPerMaster),
        RedisServer.Options.defaults().withClusterEnabled(true));
  }

  /**
   * A sentinel setup: a master, two replicas and three sentinels that know it as {@value
   * RedisSentinel#MASTER_NAME} (see {@link RedisSentinel}).
   */
  public static RedisServerExtension sentinel() {
    return new RedisServerExtension(Topology.SENTINEL, 0, 0, RedisServer.Options.defaults());
  }

  /** This extension with TLS required of clients (certificates from a CA generated per run). */
  public RedisServerExtension withTls() {
    return with(options.withTls(false));
  }

  /**
   * This extension with TLS and a client certificate required (see {@link #clientSslContext()}).
   */
  public RedisServerExtension withMutualTls() {
    return with(options.withTls(true));
  }

  /**
   * This extension with clients required to authenticate as {@code default} with a password.
   *
   * @param password not blank, without whitespace, quotes or backslashes
   * @return a new extension
   */
  public RedisServerExtension withPassword(String password) {
    return with(options.withPassword(password));
  }

  /**
   * This extension with an ACL user besides {@code default} (see {@link RedisServer.AclUser}).
   *
   * @param name letters, digits, '_', '-', '.', not {@code default}
   * @param password not blank, without whitespace, quotes or backslashes
   * @param keyPatterns the key patterns the user may touch, such as {@code {buf}*}
   * @param commands the commands or {@code @categories} the user may run, such as {@code xadd}
   * @return a new extension
   */
  public RedisServerExtension withAclUser(
      String name, String password, List<String> keyPatterns, List<String> commands) {
    return with(
        options.withAclUser(new RedisServer.AclUser(name, password, keyPatterns, commands)));
  }

  /** This extension with {@code appendonly yes} ({@code appendfsync always}) on the data nodes. */
  public RedisServerExtension withAppendOnly() {
    return with(options.withAppendOnly(true));
  }

  /**
   * This extension waiting longer (or shorter) for servers to start (default 20 s).
   *
   * @param timeout a positive duration
   * @return a new extension
   */
  public RedisServerExtension withStartTimeout(Duration timeout) {
    return with(options.withStartTimeout(timeout));
  }

  /**
   * The URI of the standalone server: {@code redis://127.0.0.1:<port>}, {@code rediss://…} with
   * TLS; credentials are not embedded.
   *
   * @throws IllegalStateException if this extension runs a cluster or sentinels (use {@link
   *     #uris()}), or has not started
   */
  public String uri() {
    Running r = running();
    if (r.container != null) {
      return r.container.uri();
    }
    if (r.server == null) {
      throw new IllegalStateException(
          "this extension runs "
              + (r.cluster != null ? "a cluster" : "sentinels")
              + ": use uris()");
    }
    return r.server.uri();
  }

  /**
   * The comma-separated URIs clients start from: the standalone server's, every cluster node's (the
   * seed list), or every sentinel's (ask them for {@link #masterName()}).
   *
   * @throws IllegalStateException if the extension has not started
   */
  public String uris() {
    Running r = running();
    if (r.cluster != null) {
      return r.cluster.uris();
    }
    if (r.sentinel != null) {
      return r.sentinel.sentinelUris();
    }
    return uri();
  }

  /**
   * The standalone server, for its port and directories and to kill, restart, pause or resume it.
   *
   * @throws IllegalStateException if this extension runs a cluster or sentinels, or has not started
   */
  public RedisServer server() {
    Running r = running();
    requireLocal(r);
    if (r.server == null) {
      throw new IllegalStateException(
          "this extension runs "
              + (r.cluster != null
                  ? "a cluster: use cluster().node(i)"
                  : "sentinels: use sentinelSetup()"));
    }
    return r.server;
  }

  /**
   * The cluster, for its nodes, masters, replicas and fail-over.
   *
   * @throws IllegalStateException if this extension runs no cluster, or has not started
   */
  public RedisCluster cluster() {
    Running r = running();
    if (r.cluster == null) {
      throw new IllegalStateException("this extension runs no cluster");
    }
    return r.cluster;
  }

  /**
   * The sentinel setup, for its master, replicas, sentinels and fail-over. (Named so because {@link
   * #sentinel()} creates the extension.)
   *
   * @throws IllegalStateException if this extension runs no sentinels, or has not started
   */
  public RedisSentinel sentinelSetup() {
    Running r = running();
    if (r.sentinel == null) {
      throw new IllegalStateException("this extension runs no sentinels");
    }
    return r.sentinel;
  }

  /**
   * {@value RedisSentinel#MASTER_NAME}, the master name of a sentinel setup (whatever this
   * extension runs).
   */
  public String masterName() {
    return RedisSentinel.MASTER_NAME;
  }

  /** The password of the {@code default} user, if one is configured. */
  public Optional<String> password() {
    return Optional.ofNullable(options.password());
  }

  /** The configured ACL users besides {@code default}. */
  public List<RedisServer.AclUser> aclUsers() {
    return options.aclUsers();
  }

  /** Whether clients must use TLS. */
  public boolean tls() {
    return options.tls();
  }

  /**
   * The PEM file of the test CA, for clients configured by files.
   *
   * @throws IllegalStateException if there is no TLS, or the extension has not started
   */
  public Path caCertificate() {
    return anyNode().caCertificate();
  }

  /**
   * The PEM file of a client certificate signed by the test CA (for mutual TLS).
   *
   * @throws IllegalStateException if there is no TLS, or the extension has not started
   */
  public Path clientCertificate() {
    return anyNode().clientCertificate();
  }

  /**
   * The PKCS#8 PEM file of the key of {@link #clientCertificate()}.
   *
   * @throws IllegalStateException if there is no TLS, or the extension has not started
   */
  public Path clientKey() {
    return anyNode().clientKey();
  }

  /**
   * An SSL context that trusts the test CA.
   *
   * @throws IllegalStateException if there is no TLS, or the extension has not started
   */
  public SSLContext sslContext() {
    return anyNode().sslContext();
  }

  /**
   * An SSL context that trusts the test CA and presents a client certificate it signed.
   *
   * @throws IllegalStateException if there is no TLS, or the extension has not started
   */
  public SSLContext clientSslContext() {
    return anyNode().clientSslContext();
  }

  /**
   * An SSL context that trusts another CA, for tests that clients refuse the server.
   *
   * @throws IllegalStateException if there is no TLS, or the extension has not started
   */
  public SSLContext untrustedSslContext() {
    return anyNode().untrustedSslContext();
  }

  /**
   * Disables the class (and each test), with the reason, when there is no way to run this variant:
   * no binary, and no Docker engine or a variant that Docker does not run here.
   *
   * @throws IllegalStateException if {@code ISB_REDIS_SERVER} or {@code ISB_REDIS_CLI} names no
   *     executable file
   */
  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    return unavailableReason()
        .map(ConditionEvaluationResult::disabled)
        .orElseGet(() -> ConditionEvaluationResult.enabled("redis-server can run"));
  }

  @Override
  Running start() {
    Optional<Path> binary = options.findBinary();
    if (binary.isEmpty()) {
      return new Running(null, null, null, RedisContainer.start());
    }
    RedisServer.Options local = options.withBinary(binary.get());
    switch (topology) {
      case CLUSTER:
        return new Running(
            null, RedisCluster.start(local, masters, replicasPerMaster, null), null, null);
      case SENTINEL:
        return new Running(null, null, RedisSentinel.start(local), null);
      default:
        return new Running(RedisServer.start(local), null, null, null);
    }
  }

  /**
   * Supports a {@link RedisServer} parameter for a standalone server, {@link RedisCluster} for a
   * cluster, {@link RedisSentinel} for a sentinel setup.
   */
  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == parameterType();
  }

  /** Resolves the running server, cluster or sentinel setup. */
  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    switch (topology) {
      case CLUSTER:
        return cluster();
      case SENTINEL:
        return sentinelSetup();
      default:
        return server();
    }
  }

  @Override
  public String toString() {
    return "RedisServerExtension["
        + describeTopology()
        + (options.tls() ? ", tls" : "")
        + (options.mutualTls() ? " (mutual)" : "")
        + (options.password() != null ? ", password" : "")
        + (options.aclUsers().isEmpty() ? "" : ", ACL users " + options.aclUsers())
        + (options.appendOnly() ? ", appendonly" : "")
        + "]";
  }

  private RedisServerExtension with(RedisServer.Options changed) {
    return new RedisServerExtension(topology, masters, replicasPerMaster, changed);
  }

  private Class<?> parameterType() {
    switch (topology) {
      case CLUSTER:
        return RedisCluster.class;
      case SENTINEL:
        return RedisSentinel.class;
      default:
        return RedisServer.class;
    }
  }

  private String describeTopology() {
    switch (topology) {
      case CLUSTER:
        return "cluster of " + masters + " masters with " + replicasPerMaster + " replicas each";
      case SENTINEL:
        return "sentinel";
      default:
        return "standalone";
    }
  }

  /** Why this variant cannot run here, if so; asks Docker only when there is no binary. */
  @Override
  Optional<String> unavailableReason() {
    if (options.findBinary().isPresent()) {
      if (topology == Topology.CLUSTER && RedisCluster.findCli(null).isEmpty()) {
        return Optional.of(
            "no redis-cli binary to create the cluster: set "
                + RedisCluster.CLI_ENV
                + " or put redis-cli on the PATH (Debian: apt-get install redis-tools)");
      }
      return Optional.empty();
    }
    if (!LocalBinaries.dockerAvailable()) {
      return Optional.of(
          "no redis-server binary and no Docker engine: set "
              + RedisServer.BINARY_ENV
              + ", put redis-server on the PATH (Debian: apt-get install redis-server), or start a"
              + " Docker engine");
    }
    if (topology != Topology.STANDALONE || !options.plain()) {
      return Optional.of(
          "no redis-server binary, and in Docker only a plain standalone server runs: set "
              + RedisServer.BINARY_ENV
              + " or put redis-server on the PATH for clusters, sentinels, TLS, passwords, ACL"
              + " users or appendonly");
    }
    return Optional.empty();
  }

  private RedisServer anyNode() {
    Running r = running();
    requireLocal(r);
    if (r.cluster != null) {
      return r.cluster.node(0);
    }
    if (r.sentinel != null) {
      return r.sentinel.dataNodes().get(0);
    }
    return r.server;
  }

  private static void requireLocal(Running r) {
    if (r.container != null) {
      Assumptions.abort(
          "this test needs a local redis-server (it runs in Docker here): set "
              + RedisServer.BINARY_ENV
              + " or put redis-server on the PATH");
    }
  }

  static final class Running implements ServerExtensionBase.Setup {
    final RedisServer server;
    final RedisCluster cluster;
    final RedisSentinel sentinel;
    final RedisContainer container;

    Running(
        RedisServer server,
        RedisCluster cluster,
        RedisSentinel sentinel,
        RedisContainer container) {
      this.server = server;
      this.cluster = cluster;
      this.sentinel = sentinel;
      this.container = container;
    }

    @Override
    public boolean restore(String test, Duration within) {
      if (server != null) {
        server.restoreBefore(test);
        return true;
      }
      return cluster != null ? cluster.isHealthy(within) : sentinel.isHealthy(within);
    }

    @Override
    public Path dir() {
      return server != null ? server.dir() : cluster != null ? cluster.dir() : sentinel.dir();
    }

    @Override
    public FaultJournal journal() {
      return server != null
          ? server.journal()
          : cluster != null ? cluster.journal() : sentinel.journal();
    }

    @Override
    public List<RedisServer> processes() {
      return container != null
          ? List.of()
          : server != null ? List.of(server) : cluster != null ? cluster.nodes() : sentinel.processes();
    }

    @Override
    public void close() {
      if (server != null) {
        server.close();
      }
      if (cluster != null) {
        cluster.close();
      }
      if (sentinel != null) {
        sentinel.close();
      }
      if (container != null) {
        container.close();
      }
    }
  }
}
