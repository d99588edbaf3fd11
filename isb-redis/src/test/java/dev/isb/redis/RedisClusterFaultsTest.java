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
import dev.isb.servers.RedisServer;
import dev.isb.testkit.RedisServerExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
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

  private static String newBuffer() {
    return "cfaults-" + UUID.randomUUID().toString().substring(0, 8) + "-0";
  }

  @Test
  @DisplayName("kill -9 of the master that owns the buffer's slot while its replica lags, with wait.replicas=1:"
      + " no acknowledged write is lost or missing from the new master, and writes and reads resume after the"
      + " replica's promotion; a refused write that was read from the old master is read again after its retry"
      + " (Redis lets readers see writes no replica has), and nothing else is read twice")
  void killLaggingSlotOwnerWithWait() {
    RedisFaultRun.assertNothingAcknowledgedLost(RedisFaultRun.killMaster(
        IsbOptions.builder().backend("redis").url(REDIS.uris())
            .property("wait.replicas", "1").property("wait.timeoutMillis", "300").build(),
        RedisFaultRun.topology(REDIS.cluster()),
        "Redis cluster (3 masters, 3 replicas), slot owner killed (kill -9) while its replica lagged,"
            + " wait.replicas=1"));
  }

  @Test
  @DisplayName("kill -9 of the master that owns the buffer's slot while its replica lags, without wait.replicas:"
      + " the writes it acknowledged alone are missing from the new master, only those; a message is read twice"
      + " only if its unacknowledged write was read from the old master and retried, and the reader resumes"
      + " within 30 s")
  void killLaggingSlotOwnerWithoutWait() {
    RedisFaultRun.assertOnlyUnreplicatedWritesLost(RedisFaultRun.killMaster(
        IsbOptions.builder().backend("redis").url(REDIS.uris()).build(),
        RedisFaultRun.topology(REDIS.cluster()),
        "Redis cluster (3 masters, 3 replicas), slot owner killed (kill -9) while its replica lagged,"
            + " no WAIT"));
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
        List<RedisServer> replicas = REDIS.cluster().replicasOf(REDIS.cluster().slotOwner("{" + buffer + "}"));
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
}
