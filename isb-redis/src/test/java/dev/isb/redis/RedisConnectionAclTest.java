package dev.isb.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static dev.isb.redis.RedisReads.readExactly;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isb.BucketLayout;
import dev.isb.BufferConfig;
import dev.isb.BufferReader;
import dev.isb.BufferWriter;
import dev.isb.IsbBackendException;
import dev.isb.IsbClient;
import dev.isb.IsbException;
import dev.isb.IsbOptions;
import dev.isb.Message;
import dev.isb.MessageId;
import dev.isb.ReadMessage;
import dev.isb.ReaderOptions;
import dev.isb.Retention;
import dev.isb.WriteResult;
import dev.isb.WriterOptions;
import dev.isb.testkit.Await;
import dev.isb.testkit.RedisServerExtension;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An ACL user that may touch only the keys of its own buffers ({@code ~{<prefix>*}) and run only the
 * commands the backend needs: the minimal ACL documented in {@code docs/redis.md}.
 */
class RedisConnectionAclTest {

  static final String USER = "vertex";
  static final String PASSWORD = "acl-pw-7d1f";
  static final String PREFIX = "acl-";

  /**
   * The minimal command set, found by trial (see docs/redis.md): without any one of them some call fails.
   * {@code wait} is needed only with {@code wait.replicas}.
   */
  static final List<String> COMMANDS = List.of(
      "info", "evalsha", "eval", "hgetall", "hsetnx", "exists", "xinfo|groups", "xgroup|create", "hset", "xlen",
      "xrange", "xrevrange", "xtrim", "hmget", "xadd", "pexpire", "sadd", "xreadgroup", "xautoclaim", "xpending",
      "xclaim", "xack", "xdel", "smembers", "del", "wait");

  @RegisterExtension
  static final RedisServerExtension REDIS = RedisServerExtension.standalone()
      .withAclUser(USER, PASSWORD, List.of("{" + PREFIX + "*"), COMMANDS);

  private static IsbClient aclClient() {
    return IsbClient.open(IsbOptions.builder().backend("redis").url(REDIS.uri())
        .property("user", USER).property("password", PASSWORD).build());
  }

  @Test
  @DisplayName("an ACL user limited to its buffers' keys and the minimal commands can create, write, read, ack and delete")
  void minimalAclWorksEndToEnd() {
    try (IsbClient client = aclClient()) {
      exercise(client, PREFIX + hex() + "-");
    }
  }

  @Test
  @DisplayName("the same ACL user is refused with NOPERM on keys outside its pattern")
  void otherKeysAreRefused() {
    try (IsbClient client = aclClient()) {
      String foreign = "other-" + hex() + "-0";
      assertThatThrownBy(() -> client.admin().createBuffers(List.of(foreign), BufferConfig.defaults()))
          .isInstanceOf(IsbBackendException.class)
          .hasMessageContaining(foreign)
          .hasMessageContaining("NOPERM")
          .satisfies(e -> assertThat(((IsbBackendException) e).code()).hasValue("NOPERM"));
      assertThatThrownBy(() -> client.writer(foreign))
          .isInstanceOf(IsbException.class)
          .hasMessageContaining("NOPERM");
    }
  }

  @Test
  @DisplayName("with wait.replicas the ACL user may run WAIT: on a server without replicas a write fails for want of"
      + " replicas, not for want of permission")
  void waitIsPermitted() {
    String buffer = PREFIX + hex() + "-0";
    try (IsbClient client = IsbClient.open(IsbOptions.builder().backend("redis").url(REDIS.uri())
        .property("user", USER).property("password", PASSWORD)
        .property("wait.replicas", "1").property("wait.timeoutMillis", "50").build())) {
      client.admin().createBuffers(List.of(buffer), BufferConfig.defaults());
      try (BufferWriter writer = client.writer(buffer, WriterOptions.builder().refreshInterval(Duration.ofMillis(100))
          .fullWaitTimeout(Duration.ofSeconds(10)).build())) {
        Await.until(Duration.ofSeconds(10), "the writer sees room", () -> !writer.isFull());
        WriteResult result = writer.write(msgs("w", 1).get(0));
        assertThat(result).isInstanceOfSatisfying(WriteResult.Failed.class, f -> {
          assertThat(f.retryable()).isTrue();
          assertThat(f.cause()).hasMessageContaining("0 of 1 replicas").hasMessageNotContaining("NOPERM");
        });
      }
      client.admin().deleteBuffers(List.of(buffer));
    }
  }

  /**
   * Every path of the backend once: admin (buffers and buckets, validate, info), writes with de-dup and a
   * watermark barrier, the usage refresh, reads (own backlog, new, blocking), ack, nak and redelivery,
   * keep-alive, pending, WorkQueue acks (XDEL) and the counts after them, and delete.
   */
  static void exercise(IsbClient client, String prefix) {
    String limits = prefix + "lim-0";
    String queue = prefix + "wq-0";
    String bucket = prefix + "a-b";
    BufferConfig config = BufferConfig.defaults().toBuilder()
        .consumer(BufferConfig.Consumer.defaults().withAckWait(Duration.ofSeconds(30)))
        .build();
    BufferConfig workQueue = config.toBuilder()
        .stream(config.stream().toBuilder().retention(Retention.WORK_QUEUE).maxMsgs(1000).build())
        .build();
    var admin = client.admin();
    admin.createBuffers(List.of(limits), config);
    admin.createBuffers(List.of(queue), workQueue);
    admin.createBuckets(List.of(bucket), config, BucketLayout.OFFSET_TIMELINE_AND_PROCESSORS);
    assertThat(admin.validate(List.of(limits, queue), List.of(bucket), BucketLayout.OFFSET_TIMELINE_AND_PROCESSORS)
        .isValid()).as("validate").isTrue();
    assertThat(admin.validate(List.of(limits), List.of(bucket), BucketLayout.OFFSET_TIMELINE, config).differences())
        .as("differences from the config the buffer was created with").isEmpty();

    WriterOptions writerOptions = WriterOptions.builder().refreshInterval(Duration.ofMillis(100))
        .fullWaitTimeout(Duration.ofSeconds(10)).build();
    ReaderOptions readerOptions = ReaderOptions.builder().consumerName("v-0").readTimeout(Duration.ofMillis(200))
        .build();
    try (BufferWriter writer = client.writer(limits, writerOptions);
        BufferReader reader = client.reader(limits, readerOptions)) {
      Await.until(Duration.ofSeconds(10), "the writer sees room", () -> !writer.isFull());
      List<Message> batch = msgs("m", 5);
      assertThat(writer.write(batch)).allSatisfy(r -> assertThat(r).isInstanceOf(WriteResult.Written.class));
      assertThat(writer.write(batch.get(0))).isInstanceOf(WriteResult.Duplicate.class);
      assertThat(writer.write(Message.watermarkBarrier(new MessageId("acl", "wmb", 0))))
          .isInstanceOf(WriteResult.Written.class);

      List<ReadMessage> got = readExactly(reader, 6);
      reader.keepAlive(List.of(got.get(0).offset()));
      reader.nak(List.of(got.get(0).offset()));
      reader.ack(got.subList(1, got.size()).stream().map(ReadMessage::offset).toList());
      List<ReadMessage> again = readExactly(reader, 1);
      assertThat(again.get(0).deliveryCount()).as("delivery count after a nak").isEqualTo(2);
      reader.ack(again.get(0).offset());
      assertThat(reader.read(10, Duration.ofMillis(300))).as("an empty buffer, read with a block").isEmpty();
      assertThat(reader.pending()).hasValue(0);
      assertThat(admin.bufferInfo(limits).ackPendingCount()).isZero();
    }
    // A restarted reader replays its own backlog first.
    try (BufferWriter writer = client.writer(limits, writerOptions)) {
      Await.until(Duration.ofSeconds(10), "the writer sees room", () -> !writer.isFull());
      assertThat(writer.write(msgs("r", 2))).allSatisfy(r -> assertThat(r).isInstanceOf(WriteResult.Written.class));
    }
    try (BufferReader reader = client.reader(limits, readerOptions)) {
      assertThat(readExactly(reader, 2)).hasSize(2);
    }
    try (BufferReader reader = client.reader(limits, readerOptions)) {
      List<ReadMessage> replayed = readExactly(reader, 2);
      reader.ack(replayed.stream().map(ReadMessage::offset).toList());
    }
    try (BufferWriter writer = client.writer(queue, writerOptions);
        BufferReader reader = client.reader(queue, readerOptions)) {
      Await.until(Duration.ofSeconds(10), "the writer sees room", () -> !writer.isFull());
      assertThat(writer.write(msgs("q", 4))).allSatisfy(r -> assertThat(r).isInstanceOf(WriteResult.Written.class));
      List<ReadMessage> first = readExactly(reader, 2);
      // Acking (deleting) the group's last delivered entry while an older one stays leaves Redis unable to
      // tell the group's lag: the counts then come from XRANGE.
      reader.ack(first.get(1).offset());
      var info = admin.bufferInfo(queue);
      assertThat(List.of(info.pendingCount(), info.ackPendingCount(), info.totalMessages()))
          .as("not yet delivered, delivered and not acked, entries left (WorkQueue)").containsExactly(2L, 1L, 3L);
      List<ReadMessage> rest = readExactly(reader, 2);
      reader.ack(List.of(first.get(0).offset(), rest.get(0).offset(), rest.get(1).offset()));
      assertThat(admin.bufferInfo(queue).totalMessages()).as("entries left after acking all (WorkQueue)").isZero();
      assertThat(reader.pending()).hasValue(0);
    }
    admin.deleteBuffers(List.of(limits, queue));
    admin.deleteBuckets(List.of(bucket));
    assertThat(admin.validate(List.of(limits, queue), List.of(bucket), BucketLayout.OFFSET_TIMELINE).problems())
        .as("problems after delete").hasSize(3);
  }

  static List<Message> msgs(String prefix, int n) {
    return IntStream.range(0, n)
        .mapToObj(i -> Message.data(new MessageId("acl", prefix + i, 0), (prefix + i).getBytes(UTF_8)))
        .toList();
  }

  static String hex() {
    return HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
  }
}
