package dev.isb.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isb.BufferConfig;
import dev.isb.BufferReader;
import dev.isb.IsbClient;
import dev.isb.IsbOptions;
import dev.isb.Message;
import dev.isb.MessageId;
import dev.isb.ReadMessage;
import dev.isb.ReaderOptions;
import dev.isb.Retention;
import dev.isb.WriteResult;
import dev.isb.WriterOptions;
import dev.isb.testkit.Await;
import dev.isb.testkit.LogCapture;
import dev.isb.testkit.RedisServerExtension;
import dev.isb.wire.BufferNames;
import dev.isb.wire.MessageCodec;
import io.lettuce.core.RedisClient;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a fail-over that lost data leaves behind, made by hand: the reader recovers and reads on, where
 * Numaflow's Redis ISB stalled.
 */
class RedisDataLossTest {

  @RegisterExtension
  static final RedisServerExtension REDIS = RedisServerExtension.standalone();

  private final IsbClient client = IsbClient.open(IsbOptions.builder().backend("redis").url(REDIS.uri()).build());
  private final String buffer = "loss-" + UUID.randomUUID().toString().substring(0, 8) + "-0";
  private final RedisClient raw = RedisClient.create(REDIS.uri());

  @AfterEach
  void close() {
    client.admin().deleteBuffers(List.of(buffer));
    client.close();
    raw.shutdown();
  }

  private void write(String... payloads) {
    var batch = new ArrayList<Message>();
    for (String p : payloads) {
      batch.add(Message.data(new MessageId("w", p, 0), p.getBytes(StandardCharsets.UTF_8)));
    }
    try (var writer = client.writer(buffer, WriterOptions.builder().refreshInterval(Duration.ofMillis(20)).build())) {
      assertThat(writer.write(batch)).allMatch(WriteResult::isStored);
    }
  }

  private static List<String> payloads(List<ReadMessage> batch) {
    return batch.stream().map(m -> m.message().payloadAsString()).toList();
  }

  private void redis(java.util.function.Consumer<io.lettuce.core.api.sync.RedisCommands<String, String>> command) {
    try (StatefulRedisConnection<String, String> c = raw.connect()) {
      command.accept(c.sync());
    }
  }

  @Test
  @DisplayName("a consumer group that vanished is recreated where the reader stood, and new messages are read")
  void lostGroup() {
    client.admin().createBuffers(List.of(buffer), BufferConfig.defaults());
    write("a", "b");
    BufferReader reader = client.reader(buffer, ReaderOptions.builder().consumerName("r-0").build());
    List<ReadMessage> first = reader.read(10, Duration.ofSeconds(2));
    assertThat(payloads(first)).containsExactly("a", "b");
    reader.ack(first.stream().map(ReadMessage::offset).toList());

    redis(r -> r.xgroupDestroy(BufferNames.redisStreamKey(buffer), BufferNames.redisGroup(buffer)));
    write("c");

    assertThat(payloads(reader.read(10, Duration.ofSeconds(2)))).containsExactly("c");
    assertThat(((RedisBufferReader) reader).recoveries()).isEqualTo(1);
  }

  @Test
  @DisplayName("a stream that vanished with its group is recreated, and what is written afterwards is read")
  void lostStream() {
    client.admin().createBuffers(List.of(buffer), BufferConfig.defaults());
    write("a");
    BufferReader reader = client.reader(buffer, ReaderOptions.builder().consumerName("r-0").build());
    reader.ack(reader.read(10, Duration.ofSeconds(2)).stream().map(ReadMessage::offset).toList());

    redis(r -> r.del(BufferNames.redisStreamKey(buffer)));
    assertThat(reader.read(10, Duration.ofMillis(300))).as("nothing to read, and no error").isEmpty();
    write("after");

    assertThat(payloads(reader.read(10, Duration.ofSeconds(2)))).containsExactly("after");
    assertThat(((RedisBufferReader) reader).recoveries()).isGreaterThanOrEqualTo(1);
  }

  @Test
  @DisplayName("under WorkQueue retention a lost group is recreated from the stream's start: what it held without"
      + " acking comes again")
  void lostGroupWithUnackedEntries() {
    client.admin().createBuffers(List.of(buffer), config(Retention.WORK_QUEUE));
    write("a", "b");
    BufferReader reader = client.reader(buffer, ReaderOptions.builder().consumerName("r-0").build());
    List<ReadMessage> first = reader.read(10, Duration.ofSeconds(2));
    assertThat(payloads(first)).containsExactly("a", "b");
    reader.ack(List.of(first.get(0).offset()));

    redis(r -> r.xgroupDestroy(BufferNames.redisStreamKey(buffer), BufferNames.redisGroup(buffer)));
    write("c");

    assertThat(payloads(reader.read(10, Duration.ofSeconds(2)))).containsExactly("b", "c");
  }

  @Test
  @DisplayName("under Limits retention a stream lost and made anew by writers whose ids are lower than the reader's"
      + " last one (the new master's clock behind) is read from its start, not skipped")
  void streamMadeAnewBehindTheReader() {
    client.admin().createBuffers(List.of(buffer), config(Retention.LIMITS));
    Message future = Message.data(new MessageId("w", "future", 0), "future".getBytes(StandardCharsets.UTF_8));
    String stream = BufferNames.redisStreamKey(buffer);
    try (StatefulRedisConnection<byte[], byte[]> c = raw.connect(ByteArrayCodec.INSTANCE)) {
      c.sync().xadd(stream.getBytes(StandardCharsets.UTF_8), new XAddArgs().id("99999999999999-0"),
          Map.of(MessageCodec.encodeHeader(future.header()), future.payload()));
    }
    BufferReader reader = client.reader(buffer, ReaderOptions.builder().consumerName("r-0").build());
    List<ReadMessage> first = reader.read(10, Duration.ofSeconds(2));
    assertThat(payloads(first)).containsExactly("future");
    reader.ack(first.stream().map(ReadMessage::offset).toList());

    redis(r -> r.del(stream));
    write("after");

    List<ReadMessage> after = reader.read(10, Duration.ofSeconds(2));
    assertThat(payloads(after)).containsExactly("after");
    String id = after.get(0).offset().sequence();
    assertThat(Long.parseLong(id.substring(0, id.indexOf('-')))).as("the new entry's id, %s", id)
        .isLessThan(99_999_999_999_999L);
    assertThat(((RedisBufferReader) reader).recoveries()).isEqualTo(1);
  }

  @Test
  @DisplayName("a stream whose newest entries vanished, as on a replica promoted without them: the writer that"
      + " stored them warns at its next usage measurement, naming its id and the stream's")
  void writerNoticesTheStreamGoingBack() {
    client.admin().createBuffers(List.of(buffer), BufferConfig.defaults());
    String stream = BufferNames.redisStreamKey(buffer);
    LogCapture logs = LogCapture.start();
    try (var writer = client.writer(buffer, WriterOptions.builder().refreshInterval(Duration.ofMillis(20)).build())) {
      WriteResult stored = writer.write(Message.data(new MessageId("w", "lost", 0), new byte[] {1}));
      String id = ((WriteResult.Written) stored).offset().sequence();
      redis(r -> {
        r.del(stream);
        r.xadd(stream, new XAddArgs().id("1-1"), Map.of("older", "entry"));
        r.xgroupCreate(io.lettuce.core.XReadArgs.StreamOffset.from(stream, "0"), BufferNames.redisGroup(buffer));
      });
      Await.until(Duration.ofSeconds(5), "the writer's warning", () -> logs.textSince(0).contains(
          "the stream's last id went back from " + id + " (stored by this writer) to 1-1"));
    } finally {
      logs.close();
    }
  }

  private static BufferConfig config(Retention retention) {
    return BufferConfig.defaults().toBuilder()
        .stream(BufferConfig.Stream.defaults().toBuilder().retention(retention).build()).build();
  }

  @Test
  @DisplayName("a buffer that was deleted (settings and all) is reported as not found, not recreated")
  void deletedBuffer() {
    client.admin().createBuffers(List.of(buffer), BufferConfig.defaults());
    BufferReader reader = client.reader(buffer, ReaderOptions.defaults());
    client.admin().deleteBuffers(List.of(buffer));

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> reader.read(10, Duration.ofMillis(100)))
        .isInstanceOf(dev.isb.BufferNotFoundException.class).hasMessageContaining(buffer);
  }
}
