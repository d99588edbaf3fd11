package dev.isb.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isb.BufferConfig;
import dev.isb.BufferWriter;
import dev.isb.IsbClient;
import dev.isb.IsbOptions;
import dev.isb.Message;
import dev.isb.MessageId;
import dev.isb.WriteResult;
import dev.isb.WriterOptions;
import dev.isb.testkit.RedisCluster;
import dev.isb.testkit.RedisServer;
import dev.isb.testkit.RedisServerExtension;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Faults on a Redis Cluster of 3 masters with a replica each (cluster-node-timeout 2 s) under a
 * running writer and reader, checked against the recorded history (see {@link RedisFaultRun}). The
 * figures are printed for docs/reliability.md.
 */
@DisplayName("Redis cluster (3 masters, 1 replica each) under faults")
class RedisClusterFaultsTest {

  @RegisterExtension
  static final RedisServerExtension REDIS = RedisServerExtension.cluster(3, 1);

  private static final Duration MAX_STALL = Duration.ofSeconds(30);

  /** Puts back what a test killed or paused, so that each test starts from a healthy cluster. */
  @AfterEach
  void heal() {
    RedisCluster cluster = REDIS.cluster();
    for (RedisServer node : cluster.nodes()) {
      if (node.isPaused()) {
        node.resume();
      }
      if (!node.isRunning()) {
        node.restart();
      }
    }
    cluster.awaitOk(RedisFaultRun.PROGRESS);
  }

  private static String newBuffer() {
    return "cfaults-" + UUID.randomUUID().toString().substring(0, 8) + "-0";
  }

  /** The master that owns the buffer's slot; the old master, restarted empty, rejoins as a replica. */
  private static RedisFaultRun.Topology clusterTopology() {
    RedisCluster cluster = REDIS.cluster();
    return new RedisFaultRun.Topology() {
      @Override
      public RedisServer master(String buffer) {
        return slotOwner(cluster, "{" + buffer + "}");
      }

      @Override
      public List<RedisServer> replicasOf(RedisServer master) {
        return cluster.replicasOf(master);
      }

      @Override
      public RedisServer awaitPromotion(RedisServer master, List<RedisServer> replicas) {
        RedisFaultRun.await(() -> replicas.stream().anyMatch(cluster.masters()::contains),
            "a replica of " + master + " to take over its slots");
        cluster.awaitOk(RedisFaultRun.PROGRESS);
        List<RedisServer> masters = cluster.masters();
        return replicas.stream().filter(masters::contains).findFirst().orElseThrow();
      }

      @Override
      public void awaitRejoined() {
        cluster.awaitOk(RedisFaultRun.PROGRESS);
      }
    };
  }

  @Test
  @DisplayName("kill -9 of the master that owns the buffer's slot while its replica lags, with wait.replicas=1:"
      + " no acknowledged write is lost or missing from the new master, and writes and reads resume after the"
      + " replica's promotion; a refused write that was read from the old master is read again after its retry"
      + " (Redis lets readers see writes no replica has), and nothing else is read twice")
  void killLaggingSlotOwnerWithWait() {
    try (IsbClient client = IsbClient.open(IsbOptions.builder().backend("redis").url(REDIS.uris())
        .property("wait.replicas", "1").property("wait.timeoutMillis", "300").build())) {
      RedisFaultRun.Outcome run = RedisFaultRun.killMaster(client, newBuffer(), clusterTopology());
      System.out.println("[reliability] Redis cluster (3 masters, 3 replicas), slot owner killed (kill -9) while"
          + " its replica lagged, wait.replicas=1: " + run.report() + "; " + run.figures());
      assertThat(run.report().lost()).as(run.report().toString()).isEmpty();
      assertThat(run.vanished()).as("acknowledged writes missing from the new master").isZero();
      RedisFaultRun.assertOnlyDuplicatedAcrossTheFailover(run);
      assertThat(run.permanentFailures()).as("writes the fail-over cut off fail retryably: %s", run.failures())
          .isZero();
      assertThat(run.report().longestStall()).as(run.report().toString()).isLessThan(MAX_STALL);
    }
  }

  @Test
  @DisplayName("kill -9 of the master that owns the buffer's slot while its replica lags, without wait.replicas:"
      + " the writes it acknowledged alone are missing from the new master, only those; a message is read twice"
      + " only if its unacknowledged write was read from the old master and retried, and the reader resumes"
      + " within 30 s")
  void killLaggingSlotOwnerWithoutWait() {
    try (IsbClient client = IsbClient.open(IsbOptions.builder().backend("redis").url(REDIS.uris()).build())) {
      RedisFaultRun.Outcome run = RedisFaultRun.killMaster(client, newBuffer(), clusterTopology());
      System.out.println("[reliability] Redis cluster (3 masters, 3 replicas), slot owner killed (kill -9) while"
          + " its replica lagged, no WAIT: " + run.report() + "; " + run.figures());
      RedisFaultRun.assertOnlyUnreplicatedWritesLost(run);
      assertThat(run.report().longestStall()).as(run.report().toString()).isLessThan(MAX_STALL);
    }
  }

  @Test
  @DisplayName("with wait.replicas on a cluster, WAIT runs on the connection that wrote, to the slot's owner: a"
      + " write its paused replica has not confirmed fails retryably instead of being Written")
  void waitCoversTheWriteOnACluster() {
    String buffer = newBuffer();
    try (IsbClient client = IsbClient.open(IsbOptions.builder().backend("redis").url(REDIS.uris())
        .property("wait.replicas", "1").property("wait.timeoutMillis", "200").build())) {
      client.admin().createBuffers(List.of(buffer), BufferConfig.defaults());
      try (BufferWriter writer = client.writer(buffer,
          WriterOptions.builder().refreshInterval(Duration.ofMillis(20)).build())) {
        assertThat(writer.write(batch("a"))).allMatch(r -> r instanceof WriteResult.Written);
        List<RedisServer> replicas = REDIS.cluster().replicasOf(slotOwner(REDIS.cluster(), "{" + buffer + "}"));
        replicas.forEach(RedisServer::pause);
        List<WriteResult> unconfirmed;
        try {
          unconfirmed = writer.write(batch("b"));
        } finally {
          replicas.forEach(RedisServer::resume);
        }
        assertThat(unconfirmed).allMatch(r -> r instanceof WriteResult.Failed f && f.retryable());
        assertThat(writer.write(batch("b"))).allMatch(r -> r instanceof WriteResult.Duplicate);
      }
      client.admin().deleteBuffers(List.of(buffer));
    }
  }

  private static List<Message> batch(String id) {
    return List.of(Message.data(new MessageId("w", id, 0), id.getBytes(StandardCharsets.UTF_8)));
  }

  /** The master serving the key's slot, found with CLUSTER KEYSLOT and CLUSTER NODES on a live master. */
  static RedisServer slotOwner(RedisCluster cluster, String key) {
    RedisClient raw = RedisClient.create(cluster.masters().get(0).uri());
    try (StatefulRedisConnection<String, String> c = raw.connect()) {
      long slot = c.sync().clusterKeyslot(key);
      for (String line : c.sync().clusterNodes().split("\r?\n")) {
        // <id> <ip:port@cport> <flags> <master> <ping> <pong> <epoch> <link> <slot or range>...
        String[] f = line.strip().split(" ");
        if (f.length < 9 || !f[2].contains("master") || f[2].contains("fail")) {
          continue;
        }
        for (int i = 8; i < f.length; i++) {
          if (f[i].startsWith("[")) {
            continue; // a slot being migrated
          }
          String[] range = f[i].split("-");
          long from = Long.parseLong(range[0]);
          long to = range.length > 1 ? Long.parseLong(range[1]) : from;
          if (slot >= from && slot <= to) {
            int port = Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1, f[1].indexOf('@')));
            return cluster.nodes().stream().filter(n -> n.port() == port).findFirst()
                .orElseThrow(() -> new IllegalStateException("no node of the cluster listens on " + port));
          }
        }
      }
      throw new IllegalStateException("no live master serves slot " + slot + " of " + key);
    } finally {
      raw.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    }
  }
}
