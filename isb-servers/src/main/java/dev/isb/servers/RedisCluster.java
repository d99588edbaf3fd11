package dev.isb.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * A Redis Cluster of real {@code redis-server} processes on 127.0.0.1: {@code masters} nodes that
 * share the 16384 hash slots (3 by default) and {@code replicasPerMaster} replicas of each, created
 * with {@code redis-cli --cluster create}. {@link Builder#start()} returns once every node reports
 * {@code cluster_state:ok} with all slots assigned, all nodes agree on who serves which slots, and
 * every replica's link to its master is up. Each node is a {@link RedisServer}, with the same fault
 * injection; {@code cluster-node-timeout} is 2 s, so a fail-over takes a few seconds.
 *
 * <pre>{@code
 * try (RedisCluster cluster = RedisCluster.builder().masters(3).replicasPerMaster(1).start()) {
 *   RedisClusterClient client = RedisClusterClient.create(cluster.uris());  // or each of uriList()
 *   RedisServer master = cluster.masters().get(0);
 *   RedisServer promoted = cluster.failover(master);  // kills it, waits for a replica to take over
 *   master.restart();                                 // rejoins as a replica of the promoted node
 *   cluster.awaitOk(Duration.ofSeconds(20));
 * }
 * }</pre>
 *
 * <p>Which nodes start as masters is up to {@code redis-cli}; ask {@link #masters()} and {@link
 * #replicasOf(RedisServer)}, which read {@code CLUSTER NODES}. Needs {@code redis-cli} besides
 * {@code redis-server}: the one named by {@code ISB_REDIS_CLI}, else on the PATH, else {@code
 * /usr/bin/redis-cli}. Thread-safe.
 */
public final class RedisCluster extends KitSetup<RedisServer> {

  /** The number of hash slots of every Redis Cluster. */
  public static final int SLOTS = 16384;

  /** The environment variable that may name the redis-cli binary. */
  public static final String CLI_ENV = "ISB_REDIS_CLI";

  private static final Duration DEFAULT_FAILOVER_TIMEOUT = Duration.ofSeconds(30);

  private final List<RedisServer> nodes;
  private final Map<RedisServer, String> ids = new ConcurrentHashMap<>(); // filled once, at start

  private RedisCluster(Path dir, List<RedisServer> nodes) {
    super(dir, nodes);
    this.nodes = processes();
  }

  /**
   * A builder for a cluster; {@code RedisCluster.builder().start()} starts 3 masters, no replicas.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** All nodes, masters and replicas, in the order they were created. */
  public List<RedisServer> nodes() {
    return nodes;
  }

  /**
   * The URIs of all nodes, comma-separated, the seed list a cluster client takes: {@code
   * redis://127.0.0.1:p1,redis://127.0.0.1:p2,…} ({@code rediss://} with TLS).
   */
  public String uris() {
    return String.join(",", uriList());
  }

  /** The URIs of all nodes, one per node. */
  public List<String> uriList() {
    return nodes.stream().map(RedisServer::uri).collect(Collectors.toList());
  }

  /**
   * The nodes that serve slots now, as the first responsive node reports in {@code CLUSTER NODES}
   * (masters it considers failed are left out), in creation order.
   *
   * @throws IllegalStateException if no node answers
   */
  public List<RedisServer> masters() {
    return nodesWhere(line -> line.isMaster() && line.servesSlots() && !line.failing());
  }

  /**
   * The replicas of a master, as the first responsive node reports in {@code CLUSTER NODES}, in
   * creation order.
   *
   * @param master a node of this cluster
   * @throws IllegalStateException if no node answers
   */
  public List<RedisServer> replicasOf(RedisServer master) {
    String masterId = idOf(master);
    return nodesWhere(line -> !line.isMaster() && masterId.equals(line.masterId()));
  }

  /**
   * The master that serves a key's hash slot now, as the first responsive node reports in {@code
   * CLUSTER NODES} (masters it considers failed are left out).
   *
   * @param key a key, with or without a {@code {hash tag}}
   * @throws IllegalStateException if no node answers or no live master serves the slot
   */
  public RedisServer slotOwner(String key) {
    Objects.requireNonNull(key, "key");
    Object slot =
        nodes.stream()
            .map(node -> node.tryCommand("CLUSTER", "KEYSLOT", key))
            .flatMap(Optional::stream)
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("no node of " + this + " answers"));
    if (!(slot instanceof Long)) {
      throw new IllegalStateException("CLUSTER KEYSLOT " + key + " answered " + slot);
    }
    return nodesWhere(
            line -> line.isMaster() && !line.failing() && line.servesSlot((Long) slot))
        .stream()
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "no live master of " + this + " serves slot " + slot + " of " + key + ": "
                        + describe()));
  }

  /** The node id of a node ({@code CLUSTER MYID}), which it keeps across restarts. */
  public String nodeId(RedisServer node) {
    return idOf(node);
  }

  /**
   * Kills a master with SIGKILL and waits until one of its replicas has taken over its slots and
   * every other node reports {@code cluster_state:ok} again; at most 30 s.
   *
   * @param master a master with at least one replica
   * @return the promoted replica
   * @throws IllegalArgumentException if {@code master} is not a master of this cluster or has no
   *     replica
   * @throws IllegalStateException if no replica took over in time, with what each node said
   */
  public RedisServer failover(RedisServer master) {
    return failover(master, DEFAULT_FAILOVER_TIMEOUT);
  }

  /**
   * Kills a master and waits, at most {@code timeout}, as {@link #failover(RedisServer)} does.
   *
   * @param master a master with at least one replica
   * @param timeout how long to wait; detection takes {@code cluster-node-timeout} (2 s) and the
   *     election about a second more
   * @return the promoted replica
   */
  public RedisServer failover(RedisServer master, Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (!masters().contains(master)) {
      throw new IllegalArgumentException(master + " is not a master serving slots in " + this);
    }
    List<RedisServer> candidates = replicasOf(master);
    if (candidates.isEmpty()) {
      throw new IllegalArgumentException(master + " has no replica to promote");
    }
    long killed = System.nanoTime();
    long deadline = killed + timeout.toNanos();
    master.kill();
    RedisServer promoted =
        awaitFound(
                deadline,
                () ->
                    candidates.stream()
                        .filter(
                            c ->
                                c.role().filter("master"::equals).isPresent()
                                    && masters().contains(c))
                        .findFirst())
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "no replica of " + master + " took over after " + timeout + ": "
                            + describe()));
    awaitOk(remaining(deadline, 1));
    journal()
        .snapshot(
            "fail-over of "
                + master.name()
                + ": "
                + promoted.name()
                + " took over, cluster ok "
                + Duration.ofNanos(System.nanoTime() - killed).toMillis()
                + " ms after the kill");
    return promoted;
  }

  /**
   * Waits until every running, unpaused node reports {@code cluster_state:ok} with all 16384 slots
   * assigned, they all agree on which nodes serve which slots and replicate whom, and each running
   * replica's link to its master is up. Use it after restarting a node.
   *
   * @param timeout how long to wait
   * @throws IllegalStateException if the cluster is not healthy in time, with what each node said
   */
  public void awaitOk(Duration timeout) {
    if (!awaitTrue(deadlineIn(timeout), this::isOk)) {
      throw new IllegalStateException("cluster is not ok after " + timeout + ": " + describe());
    }
  }

  @Override
  public String toString() {
    return "RedisCluster[" + uris() + "]";
  }

  /**
   * Whether every node runs unpaused and the cluster is healthy (see {@link #awaitOk(Duration)})
   * within {@code timeout}: what a test may expect of a cluster it did not fault itself.
   */
  @Override
  public boolean isHealthy(Duration timeout) {
    if (!nodes.stream().allMatch(RedisServer::isResponsive)) {
      return false; // nothing will bring a killed or paused node back
    }
    try {
      awaitOk(timeout);
      return true;
    } catch (IllegalStateException e) {
      return false;
    }
  }

  private boolean isOk() {
    String agreed = null;
    boolean anyAnswered = false;
    for (RedisServer node : nodes) {
      if (!node.isResponsive()) {
        continue;
      }
      Optional<String> info = node.tryText("CLUSTER", "INFO");
      if (info.isEmpty()
          || !RedisServer.infoField(info.get(), "cluster_state").equals(Optional.of("ok"))
          || !RedisServer.infoField(info.get(), "cluster_slots_assigned")
              .equals(Optional.of(Integer.toString(SLOTS)))
          || !RedisServer.infoField(info.get(), "cluster_known_nodes")
              .equals(Optional.of(Integer.toString(nodes.size())))) {
        return false;
      }
      Optional<String> nodesText = node.tryText("CLUSTER", "NODES");
      if (nodesText.isEmpty()) {
        return false;
      }
      String shape = ClusterNode.shape(ClusterNode.parse(nodesText.get()));
      if (agreed != null && !agreed.equals(shape)) {
        return false;
      }
      agreed = shape;
      anyAnswered = true;
      if (node.role().filter("slave"::equals).isPresent()
          && !node.info("replication", "master_link_status").equals(Optional.of("up"))) {
        return false;
      }
    }
    return anyAnswered;
  }

  /**
   * The nodes, in creation order, whose line in the first answer to {@code CLUSTER NODES} matches.
   */
  private List<RedisServer> nodesWhere(Predicate<ClusterNode> match) {
    List<ClusterNode> view = view();
    List<RedisServer> found = new ArrayList<>();
    for (RedisServer node : nodes) {
      String id = ids.get(node);
      for (ClusterNode line : view) {
        if (line.id().equals(id) && match.test(line)) {
          found.add(node);
        }
      }
    }
    return found;
  }

  private List<ClusterNode> view() {
    for (RedisServer node : nodes) {
      Optional<String> text = node.tryText("CLUSTER", "NODES");
      if (text.isPresent()) {
        return ClusterNode.parse(text.get());
      }
    }
    throw new IllegalStateException("no node of " + this + " answers CLUSTER NODES");
  }

  private String idOf(RedisServer node) {
    String id = ids.get(node);
    if (id == null) {
      throw new IllegalArgumentException(node + " is not a node of " + this);
    }
    return id;
  }

  private String describe() {
    List<String> said = new ArrayList<>();
    for (RedisServer node : nodes) {
      said.add(
          node.describe(
              () ->
                  node.tryText("CLUSTER", "INFO")
                      .map(
                          info ->
                              "cluster_state:"
                                  + RedisServer.infoField(info, "cluster_state").orElse("?")
                                  + " slots_assigned:"
                                  + RedisServer.infoField(info, "cluster_slots_assigned")
                                      .orElse("?")
                                  + " known_nodes:"
                                  + RedisServer.infoField(info, "cluster_known_nodes").orElse("?")
                                  + " role:"
                                  + node.role().orElse("?")
                                  + " link:"
                                  + node.info("replication", "master_link_status").orElse("-"))
                      .orElse("did not answer")));
    }
    return String.join("; ", said);
  }

  /**
   * Builds and starts a {@link RedisCluster}. Not thread-safe; each setter validates its argument.
   * The TLS, password and ACL settings apply to every node; with TLS the cluster bus and
   * replication links use TLS too.
   */
  public static final class Builder extends RedisServer.RedisBuilder<Builder> {

    private int masters = 3;
    private int replicasPerMaster = 0;
    private Path cli;

    private Builder() {
      super(RedisServer.Options.defaults().withClusterEnabled(true));
    }

    /**
     * Sets the number of masters (default 3).
     *
     * @param count at least 3, the least {@code redis-cli --cluster create} accepts
     * @return this builder
     */
    public Builder masters(int count) {
      this.masters = requireMasters(count);
      return this;
    }

    /**
     * Sets the number of replicas of each master (default 0); at least 1 for {@link #failover}.
     *
     * @param count 0 or more
     * @return this builder
     */
    public Builder replicasPerMaster(int count) {
      this.replicasPerMaster = requireReplicas(count);
      return this;
    }

    /**
     * Runs this redis-cli for {@code --cluster create} instead of looking for one.
     *
     * @param cli an executable redis-cli (7.0 or later)
     * @return this builder
     */
    public Builder cli(Path cli) {
      this.cli = Objects.requireNonNull(cli, "cli");
      return this;
    }

    /**
     * Sets {@code cluster-node-timeout} (default 2 s).
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public Builder nodeTimeout(Duration timeout) {
      return with(o -> o.withClusterNodeTimeout(timeout));
    }

    /**
     * Starts the nodes on free ports of 127.0.0.1, creates the cluster and waits until it is ok.
     *
     * @return the running cluster
     * @throws IllegalStateException if no binary is found, or the cluster does not form in time
     */
    public RedisCluster start() {
      return RedisCluster.start(options(), masters, replicasPerMaster, cli);
    }
  }

  /**
   * Checks a number of masters.
   *
   * @return {@code count}, at least 3
   * @throws IllegalArgumentException if it is less
   */
  public static int requireMasters(int count) {
    if (count < 3) {
      throw new IllegalArgumentException("masters must be at least 3, was " + count);
    }
    return count;
  }

  /**
   * Checks a number of replicas per master.
   *
   * @return {@code count}, 0 or more
   * @throws IllegalArgumentException if it is negative
   */
  public static int requireReplicas(int count) {
    if (count < 0) {
      throw new IllegalArgumentException("replicasPerMaster must be 0 or more, was " + count);
    }
    return count;
  }

  /**
   * The redis-cli to run: {@code configured} when not null, else the one {@value #CLI_ENV} names,
   * else redis-cli on the PATH, else {@code /usr/bin/redis-cli}.
   */
  public static Optional<Path> findCli(Path configured) {
    return ServerBinary.REDIS_CLI.find(configured);
  }

  /**
   * Starts {@code masters * (1 + replicasPerMaster)} nodes with these options, creates the cluster
   * and waits until it is ok.
   *
   * @param cliBinary the redis-cli to run, or null to look for one
   * @throws IllegalStateException if no binary is found, or the cluster does not form in time
   */
  public static RedisCluster start(
      RedisServer.Options options, int masters, int replicasPerMaster, Path cliBinary) {
    Path binary = options.requireBinary();
    Path cli = ServerBinary.REDIS_CLI.require(cliBinary, " to create the cluster");
    int size = masters * (1 + replicasPerMaster);
    return startOnFreePorts(
        "redis-server cluster",
        "isb-redis-cluster-",
        2 * size,
        options.common(),
        (dir, ports, certificates, built) -> {
          List<RedisServer> nodes = createServers(size, built, i -> {
            String name = "cluster-" + i;
            RedisServer.Node role = RedisServer.Node.clusterNode(ports[2 * i + 1]);
            return new RedisServer(options, binary, name, dir.resolve(name), ports[2 * i], role, certificates);
          });
          RedisCluster cluster = new RedisCluster(dir, nodes);
          long deadline = options.common().deadline();
          launchAll(nodes, deadline);
          RedisClusterCreate.run(
              cli, nodes, replicasPerMaster, certificates, options.password(), dir, deadline);
          cluster.readIds();
          cluster.awaitOk(remaining(deadline, 1));
          return cluster;
        });
  }

  private void readIds() {
    Map<RedisServer, String> found = new LinkedHashMap<>();
    for (RedisServer node : nodes) {
      Object id;
      try {
        id = node.command("CLUSTER", "MYID");
      } catch (IOException e) {
        throw new UncheckedIOException("could not read the node id of " + node, e);
      }
      if (!(id instanceof String)) {
        throw new IllegalStateException(node + " answered CLUSTER MYID with " + id);
      }
      found.put(node, (String) id);
    }
    ids.putAll(found);
  }

}
