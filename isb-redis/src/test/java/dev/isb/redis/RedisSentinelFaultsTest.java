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
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Faults on a sentinel setup (a master, two replicas, three sentinels) under a running writer and
 * reader, checked against the recorded history (see {@link RedisFaultRun}). The figures are printed
 * for docs/reliability.md.
 */
@DisplayName("Redis sentinel (1 master, 2 replicas, 3 sentinels) under faults")
class RedisSentinelFaultsTest {

  @RegisterExtension
  static final RedisServerExtension REDIS = RedisServerExtension.sentinel();

  private static IsbOptions.Builder sentinelOptions() {
    return IsbOptions.builder().backend("redis").url("")
        .property("sentinel.master", REDIS.masterName())
        .property("sentinel.url", REDIS.uris());
  }

  private static String newBuffer() {
    return "sfaults-" + UUID.randomUUID().toString().substring(0, 8) + "-0";
  }

  @Test
  @DisplayName("kill -9 of the master while its replicas lag, with wait.replicas=2 (every replica): no"
      + " acknowledged write is lost or missing from the new master, and writes and reads resume after the"
      + " promotion; a refused write that was read from the old master is read again after its retry (Redis"
      + " lets readers see writes no replica has), and nothing else is read twice")
  void killLaggingMasterWithWait() {
    RedisFaultRun.assertNothingAcknowledgedLost(RedisFaultRun.killMaster(
        sentinelOptions().property("wait.replicas", "2").property("wait.timeoutMillis", "300").build(),
        RedisFaultRun.topology(REDIS.sentinelSetup()),
        "Redis sentinel, master killed (kill -9) while its replicas lagged, wait.replicas=2"));
  }

  @Test
  @DisplayName("kill -9 of the master while its replicas lag, without wait.replicas: the writes it acknowledged"
      + " alone are missing from the new master (asynchronous replication), only those; a message is read twice"
      + " only if its unacknowledged write was read from the old master and retried, and the reader resumes"
      + " within 30 s")
  void killLaggingMasterWithoutWait() {
    RedisFaultRun.assertOnlyUnreplicatedWritesLost(RedisFaultRun.killMaster(
        sentinelOptions().build(),
        RedisFaultRun.topology(REDIS.sentinelSetup()),
        "Redis sentinel, master killed (kill -9) while its replicas lagged, no WAIT"));
  }

  /**
   * The precondition of a WAIT test: both replicas confirm a write, so that the refusals the test then sees
   * are its pause's doing. The kit starts each test with both replicas linked, but an old master an earlier
   * test brought back has only just finished its full resync.
   */
  private static void awaitReplicasInSync(BufferWriter writer) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    List<WriteResult> results = writer.write(batch("a"));
    while (!results.stream().allMatch(WriteResult::isStored)) {
      assertThat(System.nanoTime() - deadline).as("time until both replicas confirm a write: %s", results)
          .isNegative();
      LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
      results = writer.write(batch("a"));
    }
  }

  @Test
  @DisplayName("with wait.replicas, a retry that finds the first copy is not acknowledged (Duplicate) while the"
      + " replicas still have not confirmed that copy, from the same client or another one")
  void duplicateIsNotAcknowledgedBeforeTheReplicasConfirm() {
    String buffer = newBuffer();
    IsbOptions durable = sentinelOptions().property("wait.replicas", "2").property("wait.timeoutMillis", "200")
        .build();
    try (IsbClient client = IsbClient.open(durable); IsbClient other = IsbClient.open(durable)) {
      client.admin().createBuffers(List.of(buffer), BufferConfig.defaults());
      WriterOptions options = WriterOptions.builder().refreshInterval(Duration.ofMillis(20)).build();
      try (BufferWriter writer = client.writer(buffer, options);
          BufferWriter otherWriter = other.writer(buffer, options)) {
        awaitReplicasInSync(writer);
        List<RedisServer> replicas = REDIS.sentinelSetup().replicas();
        replicas.forEach(RedisServer::pause);
        List<WriteResult> first;
        List<WriteResult> retry;
        List<WriteResult> retryElsewhere;
        try {
          first = writer.write(batch("b"));
          retry = writer.write(batch("b"));
          retryElsewhere = otherWriter.write(batch("b"));
        } finally {
          replicas.forEach(RedisServer::resume);
        }
        assertThat(first).as("the first write").allMatch(RedisSentinelFaultsTest::failedRetryably);
        assertThat(retry).as("its retry, same client").allMatch(RedisSentinelFaultsTest::failedRetryably);
        assertThat(retryElsewhere).as("its retry, another client").allMatch(RedisSentinelFaultsTest::failedRetryably);
        assertThat(writer.write(batch("b"))).as("the retry once the replicas are back")
            .allMatch(r -> r instanceof WriteResult.Duplicate);
      }
      client.admin().deleteBuffers(List.of(buffer));
    }
  }

  private static boolean failedRetryably(WriteResult r) {
    return r instanceof WriteResult.Failed f && f.retryable();
  }

  private static List<Message> batch(String id) {
    return List.of(Message.data(new MessageId("w", id, 0), id.getBytes(StandardCharsets.UTF_8)));
  }
}
