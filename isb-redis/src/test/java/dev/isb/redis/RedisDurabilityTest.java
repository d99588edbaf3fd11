package dev.isb.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isb.BufferConfig;
import dev.isb.BufferWriter;
import dev.isb.IsbBackendException;
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

/** With wait.replicas, a write is acknowledged only once the replicas have it. */
class RedisDurabilityTest {

  @RegisterExtension
  static final RedisServerExtension REDIS = RedisServerExtension.sentinel().withAppendOnly();

  private static List<Message> batch(String... ids) {
    return java.util.Arrays.stream(ids)
        .map(id -> Message.data(new MessageId("w", id, 0), id.getBytes(StandardCharsets.UTF_8))).toList();
  }

  @Test
  @DisplayName("with wait.replicas, writes the replicas confirm are Written; unconfirmed ones fail retryably and their retry is a Duplicate")
  void waitForReplicas() {
    String buffer = "durable-" + UUID.randomUUID().toString().substring(0, 8) + "-0";
    List<RedisServer> replicas = REDIS.sentinelSetup().replicas();
    try (IsbClient client = IsbClient.open(IsbOptions.builder().backend("redis")
        .property("sentinel.master", REDIS.masterName()).property("sentinel.url", REDIS.uris())
        .property("wait.replicas", Integer.toString(replicas.size())).property("wait.timeoutMillis", "300")
        .build())) {
      client.admin().createBuffers(List.of(buffer), BufferConfig.defaults());
      BufferWriter writer = client.writer(buffer, WriterOptions.builder().refreshInterval(Duration.ofMillis(20)).build());

      assertThat(writer.write(batch("a", "b"))).allMatch(r -> r instanceof WriteResult.Written);

      replicas.forEach(RedisServer::pause);
      List<WriteResult> unconfirmed;
      try {
        unconfirmed = writer.write(batch("c", "d"));
      } finally {
        replicas.forEach(RedisServer::resume);
      }
      assertThat(unconfirmed).allSatisfy(r -> assertThat(r).isInstanceOfSatisfying(WriteResult.Failed.class, f -> {
        assertThat(f.retryable()).isTrue();
        assertThat(f.cause()).isInstanceOf(IsbBackendException.class).hasMessageContaining("0 of 2 replicas");
      }));

      assertThat(writer.write(batch("c", "d"))).as("the retry finds the first copy")
          .allMatch(r -> r instanceof WriteResult.Duplicate);
      assertThat(client.admin().bufferInfo(buffer).pendingCount()).isEqualTo(4);
      client.admin().deleteBuffers(List.of(buffer));
    }
  }
}
