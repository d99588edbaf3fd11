package dev.isb.testkit;

import dev.isb.servers.RedisCluster;
import dev.isb.servers.RedisContainer;
import dev.isb.servers.RedisSentinel;
import dev.isb.servers.RedisServer;
import java.util.List;
import java.util.Optional;

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
public final class RedisServerExtension
    extends ServerExtensionBase<RedisServerExtension, RedisServer.Options> {

  private static final Program PROGRAM =
      new Program(
          "redis-server",
          RedisServer.BINARY_ENV,
          "standalone server",
          "clusters, sentinels, TLS, passwords, ACL users or appendonly");

  private enum Topology {
    STANDALONE,
    CLUSTER,
    SENTINEL
  }

  private final Topology topology;
  private final int masters;
  private final int replicasPerMaster;

  /**
   * A plain standalone server, for {@code @ExtendWith(RedisServerExtension.class)}; same as {@link
   * #standalone()}.
   */
  public RedisServerExtension() {
    this(Topology.STANDALONE, 0, 0, RedisServer.Options.defaults());
  }

  private RedisServerExtension(
      Topology topology, int masters, int replicasPerMaster, RedisServer.Options options) {
    super(PROGRAM, options);
    this.topology = topology;
    this.masters = masters;
    this.replicasPerMaster = replicasPerMaster;
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
   * The URI of the standalone server: {@code redis://127.0.0.1:<port>}, {@code rediss://…} with
   * TLS; credentials are not embedded.
   *
   * @throws IllegalStateException if this extension runs a cluster or sentinels (use {@link
   *     #uris()}), or has not started
   */
  public String uri() {
    Object what = running().what;
    if (what instanceof RedisContainer container) {
      return container.uri();
    }
    return runningAs(
            RedisServer.class,
            "this extension runs "
                + (what instanceof RedisCluster ? "a cluster" : "sentinels")
                + ": use uris()")
        .uri();
  }

  /**
   * The comma-separated URIs clients start from: the standalone server's, every cluster node's (the
   * seed list), or every sentinel's (ask them for {@link #masterName()}).
   *
   * @throws IllegalStateException if the extension has not started
   */
  public String uris() {
    Object what = running().what;
    if (what instanceof RedisCluster cluster) {
      return cluster.uris();
    }
    return what instanceof RedisSentinel sentinel ? sentinel.sentinelUris() : uri();
  }

  /**
   * The standalone server, for its port and directories and to kill, restart, pause or resume it.
   *
   * @throws IllegalStateException if this extension runs a cluster or sentinels, or has not started
   */
  public RedisServer server() {
    return local(
        RedisServer.class,
        "this extension runs "
            + (topology == Topology.CLUSTER
                ? "a cluster: use cluster().node(i)"
                : "sentinels: use sentinelSetup()"));
  }

  /**
   * The cluster, for its nodes, masters, replicas and fail-over.
   *
   * @throws IllegalStateException if this extension runs no cluster, or has not started
   */
  public RedisCluster cluster() {
    return runningAs(RedisCluster.class, "this extension runs no cluster");
  }

  /**
   * The sentinel setup, for its master, replicas, sentinels and fail-over. (Named so because {@link
   * #sentinel()} creates the extension.)
   *
   * @throws IllegalStateException if this extension runs no sentinels, or has not started
   */
  public RedisSentinel sentinelSetup() {
    return runningAs(RedisSentinel.class, "this extension runs no sentinels");
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

  @Override
  RedisServerExtension with(RedisServer.Options changed) {
    return new RedisServerExtension(topology, masters, replicasPerMaster, changed);
  }

  @Override
  AutoCloseable startLocal(RedisServer.Options local) {
    switch (topology) {
      case CLUSTER:
        return RedisCluster.start(local, masters, replicasPerMaster, null);
      case SENTINEL:
        return RedisSentinel.start(local);
      default:
        return RedisServer.start(local);
    }
  }

  @Override
  AutoCloseable startInDocker() {
    return RedisContainer.start();
  }

  @Override
  boolean runsInDocker() {
    return topology == Topology.STANDALONE && options.plain();
  }

  /**
   * A {@link RedisServer} for a standalone server, {@link RedisCluster} for a cluster, {@link
   * RedisSentinel} for a sentinel setup.
   */
  @Override
  Class<?> parameterType() {
    switch (topology) {
      case CLUSTER:
        return RedisCluster.class;
      case SENTINEL:
        return RedisSentinel.class;
      default:
        return RedisServer.class;
    }
  }

  /** A cluster also needs redis-cli to be created. */
  @Override
  Optional<String> unavailableWithBinary() {
    if (topology == Topology.CLUSTER && RedisCluster.findCli(null).isEmpty()) {
      return Optional.of(
          "no redis-cli binary to create the cluster: set "
              + RedisCluster.CLI_ENV
              + " or put redis-cli on the PATH (Debian: apt-get install redis-tools)");
    }
    return Optional.empty();
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
}
