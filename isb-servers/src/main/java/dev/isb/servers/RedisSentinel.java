package dev.isb.servers;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * A Redis Sentinel setup of real processes on 127.0.0.1: one master, two replicas of it and three
 * sentinels that watch it under the name {@value #MASTER_NAME} with a quorum of 2 ({@code
 * down-after-milliseconds} 3000, {@code failover-timeout} 3000). {@link Builder#start()} returns
 * once both replicas' links to the master are up and every sentinel knows the master, both replicas
 * and the other two sentinels. Each process is a {@link RedisServer}, with the same fault
 * injection.
 *
 * <pre>{@code
 * try (RedisSentinel setup = RedisSentinel.builder().password("s3cret").start()) {
 *   RedisURI uri = RedisURI.Builder.sentinel("127.0.0.1", setup.sentinels().get(0).port(),
 *       setup.masterName()).withPassword("s3cret".toCharArray()).build();
 *   RedisServer old = setup.master();
 *   RedisServer promoted = setup.triggerFailover();  // SENTINEL FAILOVER, waits for the switch
 *   old.kill();                                      // or kill a master and wait yourself:
 *   setup.awaitMasterOtherThan(promoted, Duration.ofSeconds(30));
 * }
 * }</pre>
 *
 * <p>The password and ACL users apply to the data nodes (the sentinels use the password to reach
 * them); the sentinels themselves take no password. TLS applies to all processes. Thread-safe.
 */
public final class RedisSentinel extends KitSetup<RedisServer> {

  /** The name the sentinels know the master by. */
  public static final String MASTER_NAME = "mymaster";

  private static final int REPLICAS = 2;
  private static final int SENTINELS = 3;
  private static final int QUORUM = 2;
  /**
   * Three of the sentinels' 1 s ping periods. A sentinel that switches to a new master resets its
   * link to it and sends the first PING one period later; with 1000 ms it declared that master down
   * at the very tick it sent that PING, unless the PONG beat its check, and on one such race the
   * other sentinels' stale "master down" answers made it objectively down at once: a second
   * fail-over of a healthy master, whose writes were then lost when it was turned into a replica
   * (docs/testing.md).
   */
  private static final Duration DOWN_AFTER = Duration.ofMillis(3000);
  private static final Duration FAILOVER_TIMEOUT = Duration.ofMillis(3000);
  private static final Duration DEFAULT_WAIT = Duration.ofSeconds(30);

  private final List<RedisServer> dataNodes;
  private final List<RedisServer> sentinels;

  private RedisSentinel(Path dir, List<RedisServer> dataNodes, List<RedisServer> sentinels) {
    super(dir, concat(dataNodes, sentinels));
    this.dataNodes = List.copyOf(dataNodes);
    this.sentinels = List.copyOf(sentinels);
  }

  private static List<RedisServer> concat(List<RedisServer> first, List<RedisServer> second) {
    List<RedisServer> all = new ArrayList<>(first);
    all.addAll(second);
    return all;
  }

  /** A builder for a sentinel setup; {@code RedisSentinel.builder().start()} starts a plain one. */
  public static Builder builder() {
    return new Builder();
  }

  /** {@value #MASTER_NAME}: the name clients ask the sentinels for. */
  public String masterName() {
    return MASTER_NAME;
  }

  /**
   * The sentinels' URIs, comma-separated: {@code redis://127.0.0.1:s1,redis://127.0.0.1:s2,…}
   * ({@code rediss://} with TLS). Lettuce's single-URI form is {@code
   * redis-sentinel://127.0.0.1:s1,127.0.0.1:s2,127.0.0.1:s3#mymaster}.
   */
  public String sentinelUris() {
    return sentinels.stream().map(RedisServer::uri).collect(Collectors.joining(","));
  }

  /** The three sentinels, in the order they were created. */
  public List<RedisServer> sentinels() {
    return sentinels;
  }

  /**
   * The three data nodes, master and replicas, in the order they were created (the first was
   * master).
   */
  public List<RedisServer> dataNodes() {
    return dataNodes;
  }

  /**
   * The master, as every running, unpaused sentinel reports it ({@code SENTINEL
   * GET-MASTER-ADDR-BY-NAME}); waits up to 30 s for them to agree.
   *
   * @throws IllegalStateException if they do not agree in time, with what each said
   */
  public RedisServer master() {
    return awaitFound(deadlineIn(DEFAULT_WAIT), this::agreedMaster)
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "the sentinels do not agree on a master after " + DEFAULT_WAIT + ": "
                        + describe()));
  }

  /**
   * The data nodes other than {@link #master()}, in creation order. Right after a fail-over the old
   * master still acts as a master until the sentinels convert it, some 8 to 20 s later; see {@link
   * #awaitReplicasLinked(Duration)}.
   */
  public List<RedisServer> replicas() {
    RedisServer master = master();
    return dataNodes.stream().filter(n -> n != master).collect(Collectors.toList());
  }

  /**
   * Asks a sentinel to fail over ({@code SENTINEL FAILOVER mymaster}), retrying while no replica is
   * ready to take over, and waits until every running sentinel reports another master that itself
   * reports the master role; at most 30 s. The old master is turned into a replica by the
   * sentinels.
   *
   * @return the new master
   * @throws IllegalStateException if no fail-over happened in time, with what the sentinels said
   */
  public RedisServer triggerFailover() {
    RedisServer old = master();
    long deadline = deadlineIn(DEFAULT_WAIT);
    List<String> refusals = new ArrayList<>();
    if (!awaitTrue(deadline, () -> askForFailover(refusals))) {
      throw new IllegalStateException(
          "no sentinel accepted SENTINEL FAILOVER " + MASTER_NAME + " in time: " + refusals);
    }
    return awaitMasterOtherThan(old, remaining(deadline, 1));
  }

  /**
   * Waits until every running, unpaused sentinel reports the same master, other than {@code
   * previous}, and that node reports the master role: the end of a fail-over, after {@link
   * #triggerFailover()} or after {@code previous} was killed or paused.
   *
   * @param previous the master before the fail-over
   * @param timeout how long to wait; after a kill, detection alone takes 3 to 4 s
   * @return the new master
   * @throws IllegalStateException if it did not happen in time, with what the sentinels said
   */
  public RedisServer awaitMasterOtherThan(RedisServer previous, Duration timeout) {
    Objects.requireNonNull(previous, "previous");
    RedisServer next =
        awaitFound(
                deadlineIn(timeout),
                () ->
                    agreedMaster()
                        .filter(
                            agreed ->
                                agreed != previous
                                    && agreed.role().filter("master"::equals).isPresent()))
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "the sentinels did not switch from "
                            + previous
                            + " to another master after "
                            + timeout
                            + ": "
                            + describe()));
    journal().snapshot("the sentinels switched from " + previous.name() + " to " + next.name());
    return next;
  }

  /**
   * Waits until every running, unpaused data node other than {@link #master()} is a replica of it
   * with its link up: after a fail-over, the sentinels turn the old master into a replica only some
   * 8 to 20 s later (they wait 8 s for newer configurations first).
   *
   * @param timeout how long to wait
   * @throws IllegalStateException if some data node is not linked in time, with what each said
   */
  public void awaitReplicasLinked(Duration timeout) {
    RedisServer master = master();
    long deadline = deadlineIn(timeout);
    awaitCondition(
        () ->
            dataNodes.stream()
                .filter(n -> n != master && n.isResponsive())
                .allMatch(n -> isLinkedTo(n, master)),
        deadline,
        "not every data node replicates " + master);
  }

  @Override
  public String toString() {
    return "RedisSentinel[" + MASTER_NAME + " " + sentinelUris() + "]";
  }

  /** Sentinels first: no fail-over while the data nodes go. */
  @Override
  List<RedisServer> closingOrder() {
    return concat(sentinels, dataNodes);
  }

  /**
   * Whether, within {@code timeout}, every process runs unpaused, the sentinels agree on a master
   * that reports the master role and none of them sees it down or failing over, and both other data
   * nodes replicate it with their links up: what a test may expect of a setup it did not fault
   * itself.
   */
  @Override
  public boolean isHealthy(Duration timeout) {
    if (!processes().stream().allMatch(RedisServer::isResponsive)) {
      return false; // nothing will bring a killed or paused process back
    }
    return awaitTrue(deadlineIn(timeout), this::isWholeAndAgreed);
  }

  private boolean isWholeAndAgreed() {
    if (!processes().stream().allMatch(RedisServer::isResponsive)) {
      return false;
    }
    Optional<RedisServer> master = agreedMaster();
    if (master.isEmpty() || master.get().role().filter("master"::equals).isEmpty()) {
      return false;
    }
    for (RedisServer sentinel : sentinels) {
      if (!"master".equals(masterState(sentinel).get("flags"))) {
        return false;
      }
    }
    return dataNodes.stream()
        .filter(n -> n != master.get())
        .allMatch(n -> isLinkedTo(n, master.get()));
  }

  /** The data node at the address all responsive sentinels report, if they agree. */
  private Optional<RedisServer> agreedMaster() {
    Integer agreed = null;
    for (RedisServer sentinel : sentinels) {
      if (!sentinel.isResponsive()) {
        continue;
      }
      Optional<Integer> port = reportedMasterPort(sentinel);
      if (port.isEmpty() || (agreed != null && !agreed.equals(port.get()))) {
        return Optional.empty();
      }
      agreed = port.get();
    }
    Integer port = agreed;
    return dataNodes.stream().filter(n -> port != null && n.port() == port).findFirst();
  }

  private static Optional<Integer> reportedMasterPort(RedisServer sentinel) {
    return sentinel
        .tryCommand("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME)
        .filter(List.class::isInstance)
        .map(reply -> (List<?>) reply)
        .filter(address -> address.size() == 2 && address.get(1) instanceof String)
        .flatMap(
            address -> {
              try {
                return Optional.of(Integer.parseInt((String) address.get(1)));
              } catch (NumberFormatException e) {
                return Optional.empty();
              }
            });
  }

  private boolean askForFailover(List<String> refusals) {
    for (RedisServer sentinel : sentinels) {
      if (!sentinel.isResponsive()) {
        continue;
      }
      try {
        Object reply = sentinel.command("SENTINEL", "FAILOVER", MASTER_NAME);
        if ("OK".equals(reply)) {
          return true;
        }
        refusals.add(sentinel.name() + ": " + reply); // NOGOODSLAVE, INPROG: try again soon
      } catch (IOException e) {
        refusals.add(sentinel.name() + ": " + e);
      }
      if (refusals.size() > 10) {
        refusals.remove(0);
      }
    }
    return false;
  }

  private static boolean isLinkedTo(RedisServer replica, RedisServer master) {
    Optional<String> info = replica.tryText("INFO", "replication");
    return info.isPresent()
        && RedisServer.infoField(info.get(), "role").equals(Optional.of("slave"))
        && RedisServer.infoField(info.get(), "master_port")
            .equals(Optional.of(Integer.toString(master.port())))
        && RedisServer.infoField(info.get(), "master_link_status").equals(Optional.of("up"));
  }

  /** Whether the replicas are linked to the master and every sentinel sees the whole setup. */
  private boolean isReady() {
    RedisServer master = dataNodes.get(0);
    for (RedisServer replica : dataNodes.subList(1, dataNodes.size())) {
      if (!isLinkedTo(replica, master)) {
        return false;
      }
    }
    for (RedisServer sentinel : sentinels) {
      Map<String, String> state = masterState(sentinel);
      if (!"master".equals(state.get("flags"))
          || !Integer.toString(master.port()).equals(state.get("port"))
          || !Integer.toString(REPLICAS).equals(state.get("num-slaves"))
          || !Integer.toString(SENTINELS - 1).equals(state.get("num-other-sentinels"))) {
        return false;
      }
      Optional<Object> replicas = sentinel.tryCommand("SENTINEL", "REPLICAS", MASTER_NAME);
      if (replicas.isEmpty() || !(replicas.get() instanceof List)) {
        return false;
      }
      for (Object replica : (List<?>) replicas.get()) {
        Map<String, String> fields = pairs(replica);
        if (!"slave".equals(fields.get("flags"))
            || !"ok".equals(fields.get("master-link-status"))) {
          return false;
        }
      }
    }
    return true;
  }

  /** {@code SENTINEL MASTER mymaster} as a map, or empty. */
  private static Map<String, String> masterState(RedisServer sentinel) {
    return sentinel
        .tryCommand("SENTINEL", "MASTER", MASTER_NAME)
        .map(RedisSentinel::pairs)
        .orElse(Map.of());
  }

  /** A flat RESP array of field, value, field, value… as a map. */
  private static Map<String, String> pairs(Object reply) {
    Map<String, String> map = new LinkedHashMap<>();
    if (reply instanceof List) {
      List<?> items = (List<?>) reply;
      for (int i = 0; i + 1 < items.size(); i += 2) {
        map.put(String.valueOf(items.get(i)), String.valueOf(items.get(i + 1)));
      }
    }
    return map;
  }

  /** What a sentinel says of the master. */
  private static String describeMaster(RedisServer sentinel) {
    Map<String, String> master = masterState(sentinel);
    return master.isEmpty()
        ? "did not answer"
        : "master port "
            + master.get("port")
            + " flags "
            + master.get("flags")
            + " replicas "
            + master.get("num-slaves")
            + " other sentinels "
            + master.get("num-other-sentinels");
  }

  private String describe() {
    List<String> said = new ArrayList<>();
    for (RedisServer sentinel : sentinels) {
      said.add(sentinel.name() + ": " + sentinel.stateOr(() -> describeMaster(sentinel)));
    }
    for (RedisServer node : dataNodes) {
      said.add(
          node.describe(
              () ->
                  "role "
                      + node.role().orElse("?")
                      + ", link "
                      + node.info("replication", "master_link_status").orElse("-")));
    }
    return String.join("; ", said);
  }

  /**
   * Builds and starts a {@link RedisSentinel}. Not thread-safe; each setter validates its argument.
   */
  public static final class Builder extends RedisServer.RedisBuilder<Builder> {

    private Builder() {
      super(RedisServer.Options.defaults());
    }

    /**
     * Starts the master, then its replicas, then the sentinels, on free ports of 127.0.0.1, and
     * waits until the sentinels see the whole setup.
     *
     * @return the running setup
     * @throws IllegalStateException if no binary is found, or the setup is not ready in time
     */
    public RedisSentinel start() {
      return RedisSentinel.start(options());
    }
  }

  /**
   * Starts a sentinel setup with these options and waits until the sentinels see all of it.
   *
   * @throws IllegalStateException if no binary is found, or the setup is not ready in time
   */
  public static RedisSentinel start(RedisServer.Options options) {
    Path binary = options.requireBinary();
    return startOnFreePorts(
        "the sentinel setup",
        "isb-redis-sentinel-",
        1 + REPLICAS + SENTINELS,
        options.common(),
        (dir, ports, certificates, built) -> {
          int masterPort = ports[0];
          List<RedisServer> dataNodes = createServers(1 + REPLICAS, built, i -> {
            String name = "data-" + i;
            RedisServer.Node role =
                i == 0 ? RedisServer.Node.STANDALONE : RedisServer.Node.replicaOf(masterPort);
            return new RedisServer(options, binary, name, dir.resolve(name), ports[i], role, certificates);
          });
          RedisServer.Monitor monitor =
              new RedisServer.Monitor(MASTER_NAME, masterPort, QUORUM, DOWN_AFTER, FAILOVER_TIMEOUT);
          List<RedisServer> sentinels = createServers(SENTINELS, built, i -> {
            String name = "sentinel-" + i;
            RedisServer.Node role = RedisServer.Node.sentinel(monitor);
            return new RedisServer(
                options, binary, name, dir.resolve(name), ports[1 + REPLICAS + i], role, certificates);
          });
          RedisSentinel setup = new RedisSentinel(dir, dataNodes, sentinels);
          setup.launch(options.common().deadline());
          return setup;
        });
  }

  /**
   * Launches the master, then its replicas, then the sentinels, each group once the one before is
   * ready: a sentinel learns the replicas from the master's INFO, asked at once on connecting and
   * then only every 10 s.
   */
  private void launch(long deadline) {
    RedisServer master = dataNodes.get(0);
    List<RedisServer> replicas = dataNodes.subList(1, dataNodes.size());
    launchAll(List.of(master), deadline);
    launchAll(replicas, deadline);
    awaitCondition(
        () -> replicas.stream().allMatch(r -> isLinkedTo(r, master)),
        deadline,
        "the replicas did not link to the master");
    launchAll(sentinels, deadline);
    awaitCondition(this::isReady, deadline, "the sentinels did not see the whole setup");
  }

  private void awaitCondition(BooleanSupplier condition, long deadline, String failure) {
    if (!awaitTrue(deadline, condition)) {
      throw new IllegalStateException(failure + " in time: " + describe());
    }
  }
}
