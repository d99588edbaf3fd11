package dev.isb.servers;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A JetStream cluster of real {@code nats-server} processes on 127.0.0.1 (3 nodes by default), each
 * with its own client, route and monitoring ports and storage directory, routed to all the others.
 * {@link Builder#start()} returns once every node is ready and the nodes agree on a JetStream meta
 * leader. Each node is a {@link NatsServer}, with the same fault injection.
 *
 * <pre>{@code
 * try (NatsCluster cluster = NatsCluster.builder().nodes(3).start()) {
 *   Connection nc = Nats.connect(cluster.urls());
 *   NatsServer leader = cluster.awaitMetaLeader(Duration.ofSeconds(10));
 *   leader.kill();
 *   NatsServer next = cluster.awaitMetaLeader(Duration.ofSeconds(20));  // another node
 *   leader.restart();                                                   // rejoins as a follower
 * }
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class NatsCluster extends KitSetup<NatsServer> {

  private static final Pattern LEADER = Pattern.compile("\"leader\"\\s*:\\s*\"([^\"]*)\"");

  private final String name;
  private final List<NatsServer> nodes;

  private NatsCluster(String name, Path dir, List<NatsServer> nodes) {
    super(dir, nodes);
    this.name = name;
    this.nodes = processes();
  }

  /** A builder for a cluster; {@code NatsCluster.builder().start()} starts 3 plain nodes. */
  public static Builder builder() {
    return new Builder();
  }

  /** The cluster's name. */
  public String name() {
    return name;
  }

  /** All nodes, in index order. */
  public List<NatsServer> nodes() {
    return nodes;
  }

  /**
   * The URLs of all nodes, comma-separated, the form clients accept as a server list:
   * {@code nats://127.0.0.1:p1,nats://127.0.0.1:p2,nats://127.0.0.1:p3}.
   */
  public String urls() {
    return nodes.stream().map(NatsServer::url).collect(Collectors.joining(","));
  }

  /**
   * The JetStream meta leader, asked of the monitoring endpoint {@code /jsz} of every running,
   * unpaused node: present only when they all name the same leader and that node itself runs
   * unpaused. Right after the leader is killed, the others still name it for a few seconds, so this
   * is empty until they have elected another.
   */
  public Optional<NatsServer> metaLeader() {
    String agreed = null;
    for (NatsServer node : nodes) {
      if (!node.isResponsive()) {
        continue;
      }
      Optional<String> leader = node.monitor("/jsz").flatMap(NatsCluster::metaLeaderOf);
      if (leader.isEmpty() || (agreed != null && !agreed.equals(leader.get()))) {
        return Optional.empty();
      }
      agreed = leader.get();
    }
    String leaderName = agreed;
    return nodes.stream()
        .filter(n -> n.serverName().equals(leaderName) && n.isResponsive())
        .findFirst();
  }

  /**
   * Waits until {@link #metaLeader()} is present.
   *
   * @param timeout how long to wait; a re-election after the leader dies takes about 5 seconds
   * @return the leader node
   * @throws IllegalStateException if there is no agreed leader in time, with what each node said
   */
  public NatsServer awaitMetaLeader(Duration timeout) {
    return awaitFound(deadlineIn(timeout), this::metaLeader)
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "cluster " + name + " has no agreed JetStream meta leader after " + timeout
                        + ": " + describeLeaders()));
  }

  @Override
  public String toString() {
    return "NatsCluster[" + name + " " + urls() + "]";
  }

  /**
   * Whether every node runs unpaused, they agree on a JetStream meta leader, and each node has its
   * routes to all the others and reports itself healthy ({@code /healthz}), within {@code timeout}:
   * what a test may expect of a cluster it did not fault itself. The leader is elected before the
   * routes settle (duplicate routes are still being closed), so a leader alone does not say that the
   * cluster is ready for a test's streams.
   */
  @Override
  public boolean isHealthy(Duration timeout) {
    if (!nodes.stream().allMatch(NatsServer::isResponsive)) {
      return false;
    }
    long deadline = deadlineIn(timeout);
    try {
      awaitMetaLeader(timeout);
    } catch (IllegalStateException e) {
      return false;
    }
    return awaitTrue(deadline, () -> nodes.stream().allMatch(n -> routes(n) >= nodes.size() - 1
        && n.monitor("/healthz").isPresent()));
  }

  /** The routes a node reports in {@code /routez}; -1 when it does not answer. */
  private static int routes(NatsServer node) {
    return node.monitor("/routez").map(NUM_ROUTES::matcher).filter(java.util.regex.Matcher::find)
        .map(m -> Integer.parseInt(m.group(1))).orElse(-1);
  }

  /** The {@code leader} of the {@code meta_cluster} object of a {@code /jsz} body, if named. */
  public static Optional<String> metaLeaderOf(String jsz) {
    int meta = jsz.indexOf("\"meta_cluster\"");
    if (meta < 0) {
      return Optional.empty();
    }
    // In meta_cluster only the object itself has a "leader" (its replicas do not).
    Matcher m = LEADER.matcher(jsz);
    return m.find(meta) && !m.group(1).isEmpty() ? Optional.of(m.group(1)) : Optional.empty();
  }

  private String describeLeaders() {
    List<String> said = new ArrayList<>();
    for (NatsServer node : nodes) {
      String state =
          node.stateOr(
              () ->
                  node.monitor("/jsz")
                      .map(body -> metaLeaderOf(body).map(l -> "leader " + l).orElse("no leader"))
                      .orElse("/jsz did not answer"));
      said.add(node.serverName() + ": " + state);
    }
    return String.join(", ", said);
  }

  /**
   * Builds and starts a {@link NatsCluster}. Not thread-safe; each setter validates its argument.
   * The TLS and authentication settings apply to client connections of every node; routes between
   * nodes are plain, on 127.0.0.1.
   */
  private static final java.util.regex.Pattern NUM_ROUTES = java.util.regex.Pattern.compile("\"num_routes\":\\s*(\\d+)");

  public static final class Builder extends NatsServer.NatsBuilder<Builder> {

    private int nodes = 3;
    private String name = "isb";

    private Builder() {
      super(NatsServer.Options.defaults());
    }

    /**
     * Sets the number of nodes (default 3).
     *
     * @param count at least 2; JetStream needs a majority of them to elect a leader
     * @return this builder
     */
    public Builder nodes(int count) {
      if (count < 2) {
        throw new IllegalArgumentException(
            "nodes must be at least 2 (use NatsServer for one), was " + count);
      }
      this.nodes = count;
      return this;
    }

    /**
     * Sets the cluster name (default {@code isb}); node {@code i} is named {@code <name>-<i>}.
     *
     * @param name letters, digits, '-' and '_'
     * @return this builder
     */
    public Builder name(String name) {
      Objects.requireNonNull(name, "name");
      if (!name.matches("[A-Za-z0-9_-]+")) {
        throw new IllegalArgumentException(
            "name must be letters, digits, '-' or '_', was '" + name + "'");
      }
      this.name = name;
      return this;
    }

    /**
     * Starts the nodes on free ports of 127.0.0.1 and waits until each is ready and all agree on a
     * JetStream meta leader.
     *
     * @return the running cluster
     * @throws IllegalStateException if no binary is found, or the cluster does not form in time
     */
    public NatsCluster start() {
      return NatsCluster.start(options(), nodes, name);
    }
  }

  /**
   * Starts a cluster of {@code size} nodes named {@code <name>-<i>}, each with these options, and
   * waits until every node is ready and they agree on a JetStream meta leader.
   *
   * @throws IllegalStateException if no binary is found, or the cluster does not form in time
   */
  public static NatsCluster start(NatsServer.Options options, int size, String name) {
    Path binary = options.requireBinary();
    return startOnFreePorts(
        "nats-server cluster",
        "isb-nats-cluster-",
        3 * size,
        options.common(),
        (dir, ports, certificates, built) -> {
          List<NatsServer> nodes = createServers(size, built, i -> {
            List<Integer> peers = new ArrayList<>();
            for (int j = 0; j < size; j++) {
              if (j != i) {
                peers.add(ports[3 * j + 2]);
              }
            }
            String nodeName = name + "-" + i;
            return new NatsServer(
                options,
                binary,
                nodeName,
                dir.resolve(nodeName),
                ports[3 * i],
                ports[3 * i + 1],
                new NatsServer.Route(name, ports[3 * i + 2], peers),
                certificates);
          });
          NatsCluster cluster = new NatsCluster(name, dir, nodes);
          long deadline = options.common().deadline();
          launchAll(nodes, deadline); // all at once: each waits for its routes
          if (!cluster.isHealthy(remaining(deadline, 0))) {
            throw new IllegalStateException("cluster " + name + " did not settle (a meta leader, every route,"
                + " /healthz) in time: " + cluster.describeLeaders());
          }
          return cluster;
        });
  }
}
