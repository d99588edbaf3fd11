package dev.isb.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
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
public final class RedisCluster implements AutoCloseable {

  /** The number of hash slots of every Redis Cluster. */
  public static final int SLOTS = 16384;

  public static final String CLI_ENV = "ISB_REDIS_CLI";
  static final Path DEBIAN_CLI = Path.of("/usr/bin/redis-cli");

  private static final Duration POLL = Duration.ofMillis(100);
  private static final Duration DEFAULT_FAILOVER_TIMEOUT = Duration.ofSeconds(30);

  private final Path dir;
  private final List<RedisServer> nodes;
  private final Map<RedisServer, String> ids = new ConcurrentHashMap<>(); // filled once, at start
  private final AtomicBoolean closed = new AtomicBoolean();
  private final FaultJournal journal;

  private RedisCluster(Path dir, List<RedisServer> nodes) {
    this.dir = dir;
    this.nodes = List.copyOf(nodes);
    this.journal = new FaultJournal(dir.resolve("journal.txt"), this::describeStates);
    this.nodes.forEach(node -> node.journalTo(journal));
  }

  /**
   * A builder for a cluster; {@code RedisCluster.builder().start()} starts 3 masters, no replicas.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** The number of nodes, masters and replicas. */
  public int size() {
    return nodes.size();
  }

  /**
   * One node, to read its URI or inject faults into it.
   *
   * @param index from 0 to {@code size() - 1}, in the order the nodes were created
   * @return the node
   */
  public RedisServer node(int index) {
    Objects.checkIndex(index, nodes.size());
    return nodes.get(index);
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
    return nodes.stream().map(RedisServer::uri).collect(Collectors.joining(","));
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
    List<ClusterNode> view = view();
    List<RedisServer> masters = new ArrayList<>();
    for (RedisServer node : nodes) {
      String id = ids.get(node);
      for (ClusterNode line : view) {
        if (line.id().equals(id) && line.isMaster() && line.servesSlots() && !line.failing()) {
          masters.add(node);
        }
      }
    }
    return masters;
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
    List<ClusterNode> view = view();
    List<RedisServer> replicas = new ArrayList<>();
    for (RedisServer node : nodes) {
      String id = ids.get(node);
      for (ClusterNode line : view) {
        if (line.id().equals(id) && !line.isMaster() && masterId.equals(line.masterId())) {
          replicas.add(node);
        }
      }
    }
    return replicas;
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
    List<ClusterNode> view = view();
    for (RedisServer node : nodes) {
      String id = ids.get(node);
      for (ClusterNode line : view) {
        if (line.id().equals(id)
            && line.isMaster()
            && !line.failing()
            && line.servesSlot((Long) slot)) {
          return node;
        }
      }
    }
    throw new IllegalStateException(
        "no live master of " + this + " serves slot " + slot + " of " + key + ": " + describe());
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
    while (true) {
      for (RedisServer candidate : candidates) {
        if (candidate.role().filter("master"::equals).isPresent()
            && masters().contains(candidate)) {
          awaitOk(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
          journal.snapshot(
              "fail-over of "
                  + master.name()
                  + ": "
                  + candidate.name()
                  + " took over, cluster ok "
                  + Duration.ofNanos(System.nanoTime() - killed).toMillis()
                  + " ms after the kill");
          return candidate;
        }
      }
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException(
            "no replica of " + master + " took over after " + timeout + ": " + describe());
      }
      LockSupport.parkNanos(POLL.toNanos());
    }
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
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!isOk()) {
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("cluster is not ok after " + timeout + ": " + describe());
      }
      LockSupport.parkNanos(POLL.toNanos());
    }
  }

  /** Kills every node and deletes their directories; idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    RuntimeException failure = null;
    for (RedisServer node : nodes) {
      try {
        node.close();
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    try {
      ServerProcess.deleteRecursively(dir);
    } catch (RuntimeException e) {
      if (failure == null) {
        failure = e;
      } else {
        failure.addSuppressed(e);
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public String toString() {
    return "RedisCluster[" + uris() + "]";
  }

  /** The directory of all nodes, with {@code journal.txt}. */
  public Path dir() {
    return dir;
  }

  /** The faults injected into this cluster's nodes, with their state around each. */
  public FaultJournal journal() {
    return journal;
  }

  /**
   * Whether every node runs unpaused and the cluster is healthy (see {@link #awaitOk(Duration)})
   * within {@code timeout}: what a test may expect of a cluster it did not fault itself.
   */
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

  private String describeStates() {
    return nodes.stream().map(RedisServer::describeState).collect(Collectors.joining("\n"));
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
      String shape = shape(ClusterNode.parse(nodesText.get()));
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
   * Who serves which slots and who replicates whom, leaving out nodes suspected or known failed.
   */
  private static String shape(List<ClusterNode> view) {
    Map<String, String> byId = new TreeMap<>();
    for (ClusterNode line : view) {
      if (!line.failing()) {
        byId.put(
            line.id(),
            line.isMaster() ? "master " + line.slots() : "replica of " + line.masterId());
      }
    }
    return byId.toString();
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
      String state;
      if (!node.isRunning()) {
        state = "not running";
      } else if (node.isPaused()) {
        state = "paused";
      } else {
        state =
            node.tryText("CLUSTER", "INFO")
                .map(
                    info ->
                        "cluster_state:"
                            + RedisServer.infoField(info, "cluster_state").orElse("?")
                            + " slots_assigned:"
                            + RedisServer.infoField(info, "cluster_slots_assigned").orElse("?")
                            + " known_nodes:"
                            + RedisServer.infoField(info, "cluster_known_nodes").orElse("?")
                            + " role:"
                            + node.role().orElse("?")
                            + " link:"
                            + node.info("replication", "master_link_status").orElse("-"))
                .orElse("did not answer");
      }
      said.add(node.name() + " (" + node.port() + "): " + state);
    }
    return String.join("; ", said);
  }

  /** One line of {@code CLUSTER NODES}. */
  record ClusterNode(String id, Set<String> flags, String masterId, String slots) {

    boolean isMaster() {
      return flags.contains("master");
    }

    boolean failing() {
      return flags.contains("fail")
          || flags.contains("fail?")
          || flags.contains("handshake")
          || flags.contains("noaddr");
    }

    boolean servesSlots() {
      return !slots.isEmpty();
    }

    /** Whether one of its slot ranges holds {@code slot}; slots being migrated ({@code [..]}) do not count. */
    boolean servesSlot(long slot) {
      for (String range : slots.split(" ")) {
        if (range.isEmpty() || range.startsWith("[")) {
          continue;
        }
        int dash = range.indexOf('-');
        long from = Long.parseLong(dash < 0 ? range : range.substring(0, dash));
        long to = dash < 0 ? from : Long.parseLong(range.substring(dash + 1));
        if (slot >= from && slot <= to) {
          return true;
        }
      }
      return false;
    }

    /**
     * Parses {@code <id> <ip:port@cport> <flags> <master> <ping> <pong> <epoch> <link> <slot>…}
     * lines.
     */
    static List<ClusterNode> parse(String text) {
      List<ClusterNode> lines = new ArrayList<>();
      for (String line : text.split("\r?\n")) {
        String[] f = line.strip().split(" ");
        if (f.length < 8) {
          continue;
        }
        String slots = String.join(" ", Arrays.asList(f).subList(8, f.length));
        lines.add(
            new ClusterNode(f[0], Set.of(f[2].split(",")), f[3].equals("-") ? "" : f[3], slots));
      }
      return lines;
    }
  }

  /**
   * Builds and starts a {@link RedisCluster}. Not thread-safe; each setter validates its argument.
   * The TLS, password and ACL settings apply to every node; with TLS the cluster bus and
   * replication links use TLS too.
   */
  public static final class Builder {

    private RedisServer.Options options = RedisServer.Options.defaults().withClusterEnabled(true);
    private int masters = 3;
    private int replicasPerMaster = 0;
    private Path cli;

    private Builder() {}

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
     * Runs this redis-server instead of looking for one.
     *
     * @param binary an executable redis-server (7.0 or later)
     * @return this builder
     */
    public Builder binary(Path binary) {
      options = options.withBinary(Objects.requireNonNull(binary, "binary"));
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
     * Turns on the append-only file on every node.
     *
     * @return this builder
     */
    public Builder appendOnly() {
      options = options.withAppendOnly(true);
      return this;
    }

    /**
     * Requires clients to authenticate as {@code default} with this password on every node.
     *
     * @param password not blank, without whitespace, quotes or backslashes
     * @return this builder
     */
    public Builder password(String password) {
      options = options.withPassword(password);
      return this;
    }

    /**
     * Adds an ACL user on every node (see {@link RedisServer.AclUser}).
     *
     * @param name the user name
     * @param password the user's password
     * @param keyPatterns the key patterns the user may touch
     * @param commands the commands or {@code @categories} the user may run
     * @return this builder
     */
    public Builder aclUser(
        String name, String password, List<String> keyPatterns, List<String> commands) {
      options = options.withAclUser(new RedisServer.AclUser(name, password, keyPatterns, commands));
      return this;
    }

    /**
     * Requires TLS from clients on every node, with certificates from one test CA.
     *
     * @return this builder
     */
    public Builder tls() {
      options = options.withTls(false);
      return this;
    }

    /**
     * Requires TLS and a client certificate signed by the test CA on every node.
     *
     * @return this builder
     */
    public Builder mutualTls() {
      options = options.withTls(true);
      return this;
    }

    /**
     * Sets {@code cluster-node-timeout} (default 2 s).
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public Builder nodeTimeout(Duration timeout) {
      options = options.withClusterNodeTimeout(timeout);
      return this;
    }

    /**
     * How long {@link #start()} waits for the cluster to form, and each {@link
     * RedisServer#restart()} for its node (default 20 s).
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public Builder startTimeout(Duration timeout) {
      options = options.withStartTimeout(timeout);
      return this;
    }

    /**
     * Starts the nodes on free ports of 127.0.0.1, creates the cluster and waits until it is ok.
     *
     * @return the running cluster
     * @throws IllegalStateException if no binary is found, or the cluster does not form in time
     */
    public RedisCluster start() {
      return RedisCluster.start(options, masters, replicasPerMaster, cli);
    }
  }

  public static int requireMasters(int count) {
    if (count < 3) {
      throw new IllegalArgumentException("masters must be at least 3, was " + count);
    }
    return count;
  }

  public static int requireReplicas(int count) {
    if (count < 0) {
      throw new IllegalArgumentException("replicasPerMaster must be 0 or more, was " + count);
    }
    return count;
  }

  public static Optional<Path> findCli(Path configured) {
    return configured != null
        ? Optional.of(configured)
        : LocalBinaries.find(CLI_ENV, "redis-cli", DEBIAN_CLI);
  }

  public static RedisCluster start(
      RedisServer.Options options, int masters, int replicasPerMaster, Path cliBinary) {
    Path binary = options.requireBinary();
    Path cli =
        findCli(cliBinary)
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "no redis-cli binary to create the cluster: set "
                            + CLI_ENV
                            + ", put redis-cli on the PATH, or install it (Debian: apt-get install"
                            + " redis-tools)"));
    int size = masters * (1 + replicasPerMaster);
    return ServerProcess.startOnFreePorts(
        "redis-server cluster",
        2 * size,
        ports -> {
          Path dir = RedisServer.tempDir("isb-redis-cluster-");
          List<RedisServer> nodes = new ArrayList<>();
          try {
            TestCertificates certificates =
                options.tls() ? TestCertificates.create(dir.resolve("tls")) : null;
            for (int i = 0; i < size; i++) {
              String name = "cluster-" + i;
              nodes.add(
                  new RedisServer(
                      options,
                      binary,
                      name,
                      dir.resolve(name),
                      ports[2 * i],
                      RedisServer.Node.clusterNode(ports[2 * i + 1]),
                      certificates));
            }
            RedisCluster cluster = new RedisCluster(dir, nodes);
            long deadline = System.nanoTime() + options.startTimeout().toNanos();
            for (RedisServer node : nodes) {
              node.launch();
            }
            for (RedisServer node : nodes) {
              node.awaitReady(deadline);
            }
            cluster.create(cli, replicasPerMaster, certificates, options, deadline);
            cluster.readIds();
            cluster.awaitOk(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            return cluster;
          } catch (RuntimeException e) {
            new RedisCluster(dir, nodes).close(); // whatever was built so far
            throw e;
          }
        });
  }

  /** Runs {@code redis-cli --cluster create}, its output kept in {@code cluster-create.log}. */
  private void create(
      Path cli,
      int replicasPerMaster,
      TestCertificates certificates,
      RedisServer.Options options,
      long deadline) {
    List<String> command = new ArrayList<>(List.of(cli.toString(), "--cluster", "create"));
    for (RedisServer node : nodes) {
      command.add(RedisServer.HOST + ":" + node.port());
    }
    command.addAll(
        List.of("--cluster-replicas", Integer.toString(replicasPerMaster), "--cluster-yes"));
    if (certificates != null) {
      command.addAll(List.of("--tls", "--cacert", certificates.caCertificate().toString()));
      command.addAll(
          List.of(
              "--cert", certificates.clientCertificate().toString(),
              "--key", certificates.clientKey().toString()));
    }
    Path log = dir.resolve("cluster-create.log");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    if (options.password() != null) {
      builder.environment().put("REDISCLI_AUTH", options.password()); // not on the command line
    }
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not run " + String.join(" ", command), e);
    }
    try {
      long remaining = Math.max(1, deadline - System.nanoTime());
      if (!process.waitFor(remaining, TimeUnit.NANOSECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        throw new IllegalStateException(
            "redis-cli --cluster create did not finish in time:\n" + read(log));
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating the cluster", e);
    }
    if (process.exitValue() != 0) {
      throw new IllegalStateException(
          "redis-cli --cluster create exited with code " + process.exitValue() + ":\n" + read(log));
    }
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

  private static String read(Path log) {
    try {
      return Files.readString(log, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      return "(no output: " + e + ")";
    }
  }
}
