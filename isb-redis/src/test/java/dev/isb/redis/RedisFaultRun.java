package dev.isb.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isb.BufferConfig;
import dev.isb.BufferReader;
import dev.isb.BufferWriter;
import dev.isb.IsbBackendException;
import dev.isb.IsbClient;
import dev.isb.IsbOptions;
import dev.isb.Message;
import dev.isb.MessageId;
import dev.isb.ReaderOptions;
import dev.isb.WriteResult;
import dev.isb.WriterOptions;
import dev.isb.servers.RedisCluster;
import dev.isb.servers.RedisSentinel;
import dev.isb.servers.RedisServer;
import dev.isb.spi.ForwardingBufferWriter;
import dev.isb.spi.ForwardingIsbClient;
import dev.isb.testkit.Await;
import dev.isb.testkit.History;
import dev.isb.testkit.Workload;
import io.lettuce.core.KillArgs;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One kill -9 of the Redis node that holds a buffer, under a running {@link Workload}, for the
 * sentinel and cluster fault tests: the steps, and what the run showed besides the history.
 */
final class RedisFaultRun {

  /** How long any step may take to make progress: far above what a fail-over takes here. */
  static final Duration PROGRESS = Duration.ofSeconds(40);
  /** The longest time without a read that a run may show: the fail-over and the clients' timeouts. */
  static final Duration MAX_STALL = Duration.ofSeconds(30);
  /** A short ackWait, so that entries a fail-over left pending come again quickly. */
  static final BufferConfig CONFIG = BufferConfig.defaults().toBuilder()
      .consumer(new BufferConfig.Consumer(Duration.ofSeconds(3), 25_000))
      .build();
  /** A slow pace, for a 2-core machine that runs six or seven Redis processes besides the build. */
  static final Workload.Options LOAD = new Workload.Options(25, 500,
      WriterOptions.builder().refreshInterval(Duration.ofMillis(100)).build(),
      ReaderOptions.builder().consumerName("faults-0").batchSize(100).readTimeout(Duration.ofMillis(200)).build());

  /** Where the fault goes: the node to kill, its replicas, the promotion, the old node's return. */
  interface Topology {

    /** The node that holds the buffer's keys now. */
    RedisServer master(String buffer);

    /** The replicas of that node. */
    List<RedisServer> replicasOf(RedisServer master);

    /** Waits until one of {@code replicas} has taken over from {@code master}, which was killed; returns it. */
    RedisServer awaitPromotion(RedisServer master, List<RedisServer> replicas);

    /** Waits until the restarted old master replicates the new one. */
    void awaitRejoined();
  }

  /**
   * What one run showed.
   *
   * @param report the history's check
   * @param replicatedBefore how many messages had been acknowledged when every replica was last seen to
   *     hold all the master had, shortly before the kill: these can never be lost
   * @param acknowledgedAtPromotion how many messages had been acknowledged when the promotion was seen;
   *     any acknowledged later was acknowledged by the new master
   * @param promotion from the kill to the promotion
   * @param readsResumed from the kill until the reader had read 100 more messages
   * @param recoveries how often the reader found its stream or group lost and recreated it
   * @param lostAbsentFromNewMaster how many of the lost messages the new master does not hold
   * @param vanished how many acknowledged messages the new master does not hold, read before the kill or
   *     not: what the fail-over took from the buffer, whoever had read it
   * @param duplicatedAcrossFailover how many of the duplicated messages were read once from an entry the
   *     fail-over took (a write that was not acknowledged, read from the old master before it died) and
   *     once from the entry its retry made on the new master
   * @param failures the writer's failed results, by whether retryable and the cause's class and code
   */
  record Outcome(History.Report report, long replicatedBefore, long acknowledgedAtPromotion, Duration promotion,
      Duration readsResumed, long recoveries, long lostAbsentFromNewMaster, long vanished,
      long duplicatedAcrossFailover, Map<String, Long> failures) {

    /** The lost messages' sequence numbers (the workload numbers its messages from 0 as it makes them). */
    List<Long> lostSequences() {
      return report.lost().stream().map(id -> Long.parseLong(id.offset())).toList();
    }

    /** Failed results that were not retryable: a writer would give up on those messages. */
    long permanentFailures() {
      return failures.entrySet().stream().filter(e -> e.getKey().startsWith("permanent"))
          .mapToLong(Map.Entry::getValue).sum();
    }

    /** The figures besides the report, for the {@code [reliability]} line. */
    String figures() {
      return String.format(Locale.ROOT, "acknowledged but not on the new master %d (read before the kill %d);"
          + " read twice across the fail-over %d; promoted %.1f s after the kill, 100 reads %.1f s after it;"
          + " reader recoveries %d; write failures %s", vanished, vanished - lostAbsentFromNewMaster,
          duplicatedAcrossFailover, promotion.toMillis() / 1000.0, readsResumed.toMillis() / 1000.0, recoveries,
          failures);
    }
  }

  private RedisFaultRun() {}

  /** A cluster: the master that owns the buffer's slot; the old master, restarted empty, rejoins as a replica. */
  static Topology topology(RedisCluster cluster) {
    return new Topology() {
      @Override
      public RedisServer master(String buffer) {
        return cluster.slotOwner("{" + buffer + "}");
      }

      @Override
      public List<RedisServer> replicasOf(RedisServer master) {
        return cluster.replicasOf(master);
      }

      @Override
      public RedisServer awaitPromotion(RedisServer master, List<RedisServer> replicas) {
        Await.until(PROGRESS, "a replica of " + master + " to take over its slots",
            () -> replicas.stream().anyMatch(cluster.masters()::contains));
        cluster.awaitOk(PROGRESS);
        List<RedisServer> masters = cluster.masters();
        return replicas.stream().filter(masters::contains).findFirst().orElseThrow();
      }

      @Override
      public void awaitRejoined() {
        cluster.awaitOk(PROGRESS);
      }
    };
  }

  /** A sentinel setup: the master the sentinels name; the old master, restarted empty, is made a replica by them. */
  static Topology topology(RedisSentinel setup) {
    return new Topology() {
      @Override
      public RedisServer master(String buffer) {
        return setup.master();
      }

      @Override
      public List<RedisServer> replicasOf(RedisServer master) {
        return setup.dataNodes().stream().filter(n -> n != master).toList();
      }

      @Override
      public RedisServer awaitPromotion(RedisServer master, List<RedisServer> replicas) {
        return setup.awaitMasterOtherThan(master, PROGRESS);
      }

      @Override
      public void awaitRejoined() {
        setup.awaitReplicasLinked(PROGRESS);
      }
    };
  }

  /**
   * Opens a client with {@code options}, runs {@link #killMaster(IsbClient, String, Topology)} on a new
   * buffer and prints the outcome as a {@code [reliability]} line for docs/reliability.md.
   *
   * @param scenario what was faulted and how the client was set, the line's label
   */
  static Outcome killMaster(IsbOptions options, Topology topology, String scenario) {
    try (IsbClient client = IsbClient.open(options)) {
      String buffer = "faults-" + UUID.randomUUID().toString().substring(0, 8) + "-0";
      Outcome run = killMaster(client, buffer, topology);
      System.out.println("[reliability] " + scenario + ": " + run.report() + "; " + run.figures());
      return run;
    }
  }

  /**
   * Creates {@code buffer} and runs a workload on it. Once every replica holds 500 acknowledged messages,
   * cuts the replication: freezes the replicas (SIGSTOP) and has the master drop their links ({@code CLIENT
   * KILL TYPE replica}), so that what it takes from then on exists on it alone; once it has acknowledged 50
   * more messages, or refused a write for want of replicas, kills it (SIGKILL) and thaws the replicas. Waits
   * for the promotion; once the writer has an answer from the new master, restarts the old one (it comes
   * back empty, and the topology makes it a replica). Waits for 300 more acknowledged writes and 300 more
   * reads, stops the writer, waits until the reader has taken every entry of the new master, and checks the
   * history and the new master's stream.
   */
  static Outcome killMaster(IsbClient client, String buffer, Topology topology) {
    client.admin().createBuffers(List.of(buffer), CONFIG);
    Recording recording = new Recording(client);
    try (Workload load = Workload.start(recording, buffer, LOAD)) {
      History history = load.history();
      load.awaitAcknowledged(500, PROGRESS);
      RedisServer master = topology.master(buffer);
      List<RedisServer> replicas = topology.replicasOf(master);
      long replicatedBefore = history.acknowledgedCount();
      awaitReplicasHoldAll(master, replicas);
      long readsAtKill;
      long killed;
      replicas.forEach(RedisServer::pause);
      try {
        dropReplicaLinks(master);
        long acknowledgedAlone = history.acknowledgedCount();
        long refusedAlone = recording.waitRefusals.get();
        Await.until(PROGRESS, "writes to the master alone", () -> history.acknowledgedCount() >= acknowledgedAlone + 50
            || recording.waitRefusals.get() > refusedAlone);
        readsAtKill = history.readCount();
        killed = System.nanoTime();
        master.kill();
      } finally {
        replicas.stream().filter(RedisServer::isPaused).forEach(RedisServer::resume);
      }
      RedisServer promoted = topology.awaitPromotion(master, replicas);
      Duration promotion = Duration.ofNanos(System.nanoTime() - killed);
      long acknowledgedAtPromotion = history.acknowledgedCount();
      long refusedAtPromotion = recording.waitRefusals.get();
      // Restarted before the client has left the dead node, the old master (empty, and a master until the
      // topology demotes it) would take the writes of a connection that reconnects to its address.
      Await.until(PROGRESS, "an answer of the new master to the writer",
          () -> history.acknowledgedCount() > acknowledgedAtPromotion
              || recording.waitRefusals.get() > refusedAtPromotion);
      master.restart();
      load.awaitReads(readsAtKill + 100 - history.readCount(), PROGRESS);
      Duration readsResumed = Duration.ofNanos(System.nanoTime() - killed);
      load.awaitAcknowledged(acknowledgedAtPromotion + 300, PROGRESS);
      load.awaitReads(300, PROGRESS);
      load.stopWriting();
      Await.until(PROGRESS, "the reader to take every entry of the new master", () -> everythingDelivered(client, buffer));
      History.Report report = load.drain(Duration.ofSeconds(5));
      Map<String, String> entries = entries(promoted, buffer);
      Set<String> stored = new HashSet<>(entries.values());
      long lostAbsent = report.lost().stream().filter(id -> !stored.contains(payload(id))).count();
      long vanished = recording.acknowledged.stream().filter(p -> !stored.contains(p)).count();
      long acrossFailover = report.duplicated().values().stream().filter(offsets -> offsets.size() == 2
          && offsets.stream().filter(o -> entries.containsKey(o.substring(0, o.lastIndexOf('-')))).count() == 1)
          .count();
      topology.awaitRejoined();
      client.admin().deleteBuffers(List.of(buffer));
      return new Outcome(report, replicatedBefore, acknowledgedAtPromotion, promotion, readsResumed,
          recording.reader.recoveries(), lostAbsent, vanished, acrossFailover, new TreeMap<>(recording.failures));
    }
  }

  /**
   * The checks of a run with WAIT on every replica of the killed master: nothing acknowledged is lost or
   * missing from the new master, a message is read twice only as {@link #assertOnlyDuplicatedAcrossTheFailover}
   * allows, no write failed for good, and the reader never stalled for {@link #MAX_STALL}.
   */
  static void assertNothingAcknowledgedLost(Outcome run) {
    assertThat(run.report().lost()).as(run.report().toString()).isEmpty();
    assertThat(run.vanished()).as("acknowledged writes missing from the new master").isZero();
    assertOnlyDuplicatedAcrossTheFailover(run);
    assertThat(run.permanentFailures()).as("writes the fail-over cut off fail retryably: %s", run.failures())
        .isZero();
    assertThat(run.report().longestStall()).as(run.report().toString()).isLessThan(MAX_STALL);
  }

  /**
   * The checks of a run without WAIT: the writes the master acknowledged alone (at least the 50 the run
   * waited for) are missing from the new master, and nothing acknowledged before the replicas were seen to
   * hold everything; every message the reader never got is one of those (it skipped nothing the new
   * master holds); a message is read twice only as {@link #assertOnlyDuplicatedAcrossTheFailover} allows;
   * no write failed for good. The reader cannot tell that writes vanished: the stream and its group survive
   * on the promoted replica, so it has nothing to recover from. The reader never stalled for {@link #MAX_STALL}.
   */
  static void assertOnlyUnreplicatedWritesLost(Outcome run) {
    String report = run.report().toString();
    assertThat(run.vanished()).as("acknowledged writes missing from the new master").isGreaterThanOrEqualTo(50);
    assertThat(run.vanished()).isLessThanOrEqualTo(run.acknowledgedAtPromotion() - run.replicatedBefore());
    assertThat(run.lostSequences()).as(report).allMatch(seq -> seq >= run.replicatedBefore());
    assertThat(run.lostAbsentFromNewMaster()).as("lost messages missing from the new master; " + report)
        .isEqualTo(run.report().lost().size());
    assertOnlyDuplicatedAcrossTheFailover(run);
    assertThat(run.permanentFailures()).as("writes the fail-over cut off fail retryably: %s", run.failures())
        .isZero();
    assertThat(run.report().longestStall()).as(report).isLessThan(MAX_STALL);
  }

  /**
   * Redis lets a reader take an entry before any replica has it. A write that was not acknowledged (refused
   * for want of replicas, or cut off by the kill) can thus be read from the old master, vanish with it, and
   * be written again by its retry on the new master, where it is read again: one message read at two
   * offsets, of which the new master holds one. Nothing else may read a message twice.
   */
  static void assertOnlyDuplicatedAcrossTheFailover(Outcome run) {
    assertThat(run.duplicatedAcrossFailover()).as("messages read twice, each once from an entry the fail-over"
        + " took; " + run.report()).isEqualTo(run.report().duplicated().size());
  }

  /** Has the master close the connections of its replicas ({@code CLIENT KILL TYPE replica}). */
  private static void dropReplicaLinks(RedisServer master) {
    RedisClient raw = RedisClient.create(master.uri());
    try (StatefulRedisConnection<String, String> c = raw.connect()) {
      c.sync().clientKill(KillArgs.Builder.typeSlave());
    } finally {
      raw.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    }
  }

  /**
   * The client the workload uses: the test's own, keeping the reader (to ask it about recoveries) and
   * tallying the writer's failed results.
   */
  private static final class Recording extends ForwardingIsbClient {
    private final Map<String, Long> failures = new ConcurrentHashMap<>();
    private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    private final AtomicLong waitRefusals = new AtomicLong();
    private volatile RedisBufferReader reader;

    Recording(IsbClient client) {
      super(client);
    }

    @Override
    public BufferWriter writer(String buffer, WriterOptions options) {
      return new ForwardingBufferWriter(delegate.writer(buffer, options)) {
        @Override
        public List<WriteResult> write(List<Message> messages) {
          return tallied(messages, delegate.write(messages));
        }

        @Override
        public CompletionStage<List<WriteResult>> writeAsync(List<Message> messages) {
          return delegate.writeAsync(messages).thenApply(results -> tallied(messages, results));
        }
      };
    }

    private List<WriteResult> tallied(List<Message> messages, List<WriteResult> results) {
      for (int i = 0; i < results.size(); i++) {
        tally(messages.get(i), results.get(i));
      }
      return results;
    }

    private void tally(Message message, WriteResult result) {
      if (result instanceof WriteResult.Written || result instanceof WriteResult.Duplicate) {
        acknowledged.add(payload(message.id()));
      } else if (result instanceof WriteResult.Failed f) {
        String code = f.cause() instanceof IsbBackendException b ? b.code().map(c -> " " + c).orElse("") : "";
        failures.merge((f.retryable() ? "retryable " : "permanent ") + f.cause().getClass().getSimpleName() + code,
            1L, Long::sum);
        if (" WAIT".equals(code)) {
          waitRefusals.incrementAndGet();
        }
      }
    }

    @Override
    public BufferReader reader(String buffer, ReaderOptions options) {
      reader = (RedisBufferReader) delegate.reader(buffer, options);
      return reader;
    }

    @Override
    public void close() {
      // The test closes the client it opened.
    }
  }

  /** The payload the workload writes for a message. */
  private static String payload(MessageId id) {
    return "m" + id.offset();
  }

  /** No entry waits for its first delivery, and none is delivered and not acked. */
  private static boolean everythingDelivered(IsbClient client, String buffer) {
    try {
      var info = client.admin().bufferInfo(buffer);
      return info.pendingCount() == 0 && info.ackPendingCount() == 0;
    } catch (RuntimeException notNow) {
      return false;
    }
  }

  /**
   * Waits until every replica has the master's replication offset as it is now, so that whatever was
   * acknowledged before this call is on every replica.
   */
  private static void awaitReplicasHoldAll(RedisServer master, List<RedisServer> replicas) {
    long target = replicationField(master, "master_repl_offset");
    for (RedisServer replica : replicas) {
      Await.until(PROGRESS, replica + " to reach replication offset " + target + " of " + master,
          () -> replicationField(replica, "slave_repl_offset") >= target);
    }
  }

  /** A number from {@code INFO replication}, or -1 when the node does not answer. */
  private static long replicationField(RedisServer node, String field) {
    RedisClient raw = RedisClient.create(node.uri());
    try (StatefulRedisConnection<String, String> c = raw.connect()) {
      for (String line : c.sync().info("replication").split("\r?\n")) {
        if (line.startsWith(field + ":")) {
          return Long.parseLong(line.substring(field.length() + 1).strip());
        }
      }
      return -1;
    } catch (RuntimeException unreachable) {
      return -1;
    } finally {
      raw.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    }
  }

  /** Entry id to payload of the buffer's stream on one node, read with a client of its own. */
  private static Map<String, String> entries(RedisServer node, String buffer) {
    RedisClient raw = RedisClient.create(node.uri());
    try (StatefulRedisConnection<byte[], byte[]> c = raw.connect(ByteArrayCodec.INSTANCE)) {
      Map<String, String> out = new HashMap<>();
      List<StreamMessage<byte[], byte[]>> entries = c.sync().xrange(
          ("{" + buffer + "}").getBytes(StandardCharsets.UTF_8), Range.create("-", "+"));
      for (StreamMessage<byte[], byte[]> e : entries) {
        e.getBody().values().forEach(v -> out.put(e.getId(), new String(v, StandardCharsets.UTF_8)));
      }
      return out;
    } finally {
      raw.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    }
  }
}
