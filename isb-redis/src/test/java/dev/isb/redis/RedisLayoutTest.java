package dev.isb.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static dev.isb.redis.RedisReads.readExactly;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.CodedOutputStream;
import dev.isb.BucketLayout;
import dev.isb.BufferConfig;
import dev.isb.BufferNotFoundException;
import dev.isb.BufferReader;
import dev.isb.BufferWriter;
import dev.isb.Header;
import dev.isb.IsbClient;
import dev.isb.IsbOptions;
import dev.isb.Kind;
import dev.isb.Message;
import dev.isb.MessageId;
import dev.isb.Offset;
import dev.isb.ReadMessage;
import dev.isb.ReaderOptions;
import dev.isb.ValidationReport;
import dev.isb.WriteResult;
import dev.isb.WriterOptions;
import dev.isb.testkit.RedisServerExtension;
import dev.isb.wire.BufferNames;
import dev.isb.wire.MessageCodec;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.StringCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The backend keeps Numaflow's Redis layout on the wire, checked with raw lettuce commands: stream key
 * {@code {<buffer>}}, group {@code <buffer>-group}, one field/value pair per entry (encoded header,
 * payload), consumer {@code <vertex>-<replica>}, and every key of a buffer under its hash tag.
 */
class RedisLayoutTest {

  @RegisterExtension
  static final RedisServerExtension REDIS = RedisServerExtension.standalone();

  private static final Duration PATIENCE = Duration.ofSeconds(10);

  private static RedisClient raw;
  private static StatefulRedisConnection<byte[], byte[]> bytes;
  private static StatefulRedisConnection<String, String> strings;
  private IsbClient client;

  @BeforeAll
  static void connectRaw() {
    raw = RedisClient.create(REDIS.uri());
    bytes = raw.connect(ByteArrayCodec.INSTANCE);
    strings = raw.connect(StringCodec.UTF8);
  }

  @AfterAll
  static void closeRaw() {
    bytes.close();
    strings.close();
    raw.shutdown();
  }

  @BeforeEach
  void open() {
    client = IsbClient.open(IsbOptions.builder().backend("redis").url(REDIS.uri()).build());
  }

  @AfterEach
  void close() {
    client.close();
  }

  @Test
  @DisplayName("a buffer is the stream {<buffer>} with exactly one consumer group, <buffer>-group")
  void streamAndGroup() {
    String buffer = create(BufferConfig.defaults());
    RedisCommands<String, String> redis = strings.sync();
    assertThat(redis.type("{" + buffer + "}")).isEqualTo("stream");
    List<Object> groups = redis.xinfoGroups("{" + buffer + "}");
    assertThat(groups).hasSize(1);
    assertThat(field(groups.get(0), "name")).isEqualTo(buffer + "-group");
    assertThat(BufferNames.redisGroup(buffer)).isEqualTo(buffer + "-group");
  }

  @Test
  @DisplayName("each entry is exactly one field/value pair: the encoded header as field, the payload as value")
  void entryLayout() {
    String buffer = create(BufferConfig.defaults());
    var messages = new ArrayList<Message>();
    for (int i = 0; i < 3; i++) {
      Header header = Header.builder(new MessageId("vtx", "off-" + i, i))
          .eventTime(Instant.ofEpochSecond(1_700_000_000L + i, 123_000_000))
          .late(i == 1)
          .keys("k" + i, "shared")
          .headers(Map.of("h" + i, "v" + i))
          .build();
      messages.add(new Message(header, ("payload-" + i).getBytes(UTF_8)));
    }
    messages.add(Message.watermarkBarrier(new MessageId("vtx", "wmb", 0)));
    List<Offset> written = new ArrayList<>();
    try (BufferWriter writer = writer(buffer)) {
      for (WriteResult r : writer.write(messages)) {
        assertThat(r).isInstanceOf(WriteResult.Written.class);
        written.add(((WriteResult.Written) r).offset());
      }
    }

    List<StreamMessage<byte[], byte[]>> entries =
        bytes.sync().xrange(("{" + buffer + "}").getBytes(UTF_8), Range.create("-", "+"));
    assertThat(entries).hasSize(messages.size());
    for (int i = 0; i < entries.size(); i++) {
      StreamMessage<byte[], byte[]> entry = entries.get(i);
      Message m = messages.get(i);
      assertThat(entry.getId()).as("entry id of message %d", i).isEqualTo(written.get(i).sequence());
      assertThat(entry.getBody()).as("field/value pairs of entry %d", i).hasSize(1);
      var pair = entry.getBody().entrySet().iterator().next();
      assertThat(pair.getKey()).as("field of entry %d", i).isEqualTo(MessageCodec.encodeHeader(m.header()));
      assertThat(pair.getValue()).as("value of entry %d", i).isEqualTo(m.payload());
    }
  }

  @Test
  @DisplayName("a reader appears in XINFO CONSUMERS under its consumerName")
  void consumerName() {
    String buffer = create(BufferConfig.defaults());
    String consumer = BufferNames.redisConsumer("vtx", 3);
    try (BufferWriter writer = writer(buffer);
        BufferReader reader = client.reader(buffer, ReaderOptions.builder().consumerName(consumer).build())) {
      assertThat(writer.write(Message.data(new MessageId("in", "1", 0), "x".getBytes(UTF_8))))
          .isInstanceOf(WriteResult.Written.class);
      assertThat(readExactly(reader, 1)).hasSize(1);
      List<Object> consumers = strings.sync().xinfoConsumers("{" + buffer + "}", buffer + "-group");
      assertThat(consumers).hasSize(1);
      assertThat(field(consumers.get(0), "name")).isEqualTo("vtx-3");
      assertThat(field(consumers.get(0), "pending")).isEqualTo(1L);
    }
  }

  @Test
  @DisplayName("every key the backend creates for a buffer carries its {<buffer>} hash tag, and delete removes them"
      + " all, de-dup keys included")
  void keysAndDelete() {
    // A short duplicates window, so that writes soon fall into a second de-dup bucket.
    BufferConfig config = BufferConfig.defaults().toBuilder()
        .stream(BufferConfig.Stream.defaults().toBuilder().duplicates(Duration.ofMillis(300)).build())
        .build();
    String buffer = create(config);
    String other = create(config);
    try (BufferWriter writer = writer(buffer);
        BufferReader reader = client.reader(buffer, ReaderOptions.defaults())) {
      long deadline = System.nanoTime() + PATIENCE.toNanos();
      int i = 0;
      while (keysOf(buffer).stream().filter(k -> k.startsWith("{" + buffer + "}:dedup:")).count() < 2) {
        assertThat(System.nanoTime() - deadline).as("time to fill two de-dup buckets").isNegative();
        assertThat(writer.write(Message.data(new MessageId("in", "o" + i, 0), ("m" + i).getBytes(UTF_8))))
            .isInstanceOf(WriteResult.Written.class);
        i++;
        LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
      }
      assertThat(writer.write(Message.watermarkBarrier(new MessageId("in", "w", 0))))
          .isInstanceOf(WriteResult.Written.class);
      assertThat(readExactly(reader, 1)).isNotEmpty();
    }
    TreeSet<String> keys = keysOf(buffer);
    assertThat(keys).as("keys of %s", buffer)
        .contains("{" + buffer + "}", "{" + buffer + "}:config", "{" + buffer + "}:dedup")
        .anyMatch(k -> k.startsWith("{" + buffer + "}:dedup:"));
    for (String key : keys) {
      assertThat(hashTag(key)).as("hash tag of key %s", key).isEqualTo(buffer);
      assertThat(SlotHash.getSlot(key)).as("slot of key %s", key).isEqualTo(SlotHash.getSlot("{" + buffer + "}"));
    }

    client.admin().deleteBuffers(List.of(buffer));
    assertThat(keysOf(buffer)).as("keys of %s after delete", buffer).isEmpty();
    assertThat(keysOf(other)).as("keys of another buffer after delete").contains("{" + other + "}");
    client.admin().deleteBuffers(List.of(other));
  }

  @Test
  @DisplayName("a message that a Numaflow vertex wrote with XADD (header proto as field, payload as value) is read"
      + " by the library")
  void interop() {
    String buffer = create(BufferConfig.defaults());
    byte[] header = goHeader();
    byte[] payload = "from go".getBytes(UTF_8);
    String entryId = bytes.sync().xadd(("{" + buffer + "}").getBytes(UTF_8), new XAddArgs(), header, payload);

    try (BufferReader reader = client.reader(buffer, ReaderOptions.builder().consumerName("out-0").build())) {
      ReadMessage m = readExactly(reader, 1).get(0);
      assertThat(m.offset().sequence()).isEqualTo(entryId);
      assertThat(m.deliveryCount()).isEqualTo(1);
      assertThat(m.message().payload()).isEqualTo(payload);
      Header expected = Header.builder(new MessageId("numaflow-in", "1690000000000-0", 7))
          .eventTime(Instant.ofEpochSecond(1_700_000_123L, 456_000_000))
          .late(true)
          .kind(Kind.DATA)
          .keys("key-a", "key-b")
          .headers(Map.of("trace", "abc"))
          .build();
      assertThat(m.message().header()).isEqualTo(expected);
      reader.ack(m.offset());
      assertThat(strings.sync().xpending("{" + buffer + "}", buffer + "-group").getCount()).isZero();
    }
  }

  @Test
  @DisplayName("a buffer as Numaflow's Go create job leaves it (stream and group, no settings) is named as such, then "
      + "adopted by createBuffers: its group and entries stay, Java writes and reads it")
  void bufferMadeByTheGoCreateJob() {
    String buffer = "go-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()) + "-0";
    String stream = "{" + buffer + "}";
    // What Numaflow's Go isbsvc-create job ran (pkg/isbsvc/redis_service.go@v1.6.0), and a Go writer's entry.
    strings.sync().xgroupCreate(XReadArgs.StreamOffset.from(stream, "0-0"), buffer + "-group",
        XGroupCreateArgs.Builder.mkstream());
    String goEntry = bytes.sync().xadd(stream.getBytes(UTF_8), new XAddArgs(), goHeader(), "from go".getBytes(UTF_8));

    assertThatThrownBy(() -> client.writer(buffer)).isInstanceOf(BufferNotFoundException.class)
        .hasMessageContaining(buffer).hasMessageContaining("createBuffers");
    ValidationReport before = client.admin().validate(List.of(buffer), List.of(), BucketLayout.OFFSET_TIMELINE);
    assertThat(before.problems()).singleElement().satisfies(p -> assertThat(p.description())
        .contains("settings hash {" + buffer + "}:config is missing").contains("Numaflow's Go create job"));

    client.admin().createBuffers(List.of(buffer), BufferConfig.defaults());
    try {
      assertThat(strings.sync().xinfoGroups(stream)).as("the Go job's group, kept").hasSize(1);
      try (BufferWriter writer = client.writer(buffer);
          BufferReader reader = client.reader(buffer, ReaderOptions.builder().consumerName("out-0").build())) {
        assertThat(writer.write(Message.data(new MessageId("java", "1", 0), "from java".getBytes(UTF_8))).isStored())
            .isTrue();
        List<ReadMessage> read = readExactly(reader, 2);
        assertThat(read).extracting(m -> m.offset().sequence()).first().isEqualTo(goEntry);
        assertThat(read).extracting(m -> m.message().payloadAsString()).containsExactly("from go", "from java");
        reader.ack(read.stream().map(ReadMessage::offset).toList());
      }
      assertThat(strings.sync().xpending(stream, buffer + "-group").getCount()).isZero();
      assertThat(client.admin().validate(List.of(buffer), List.of(), BucketLayout.OFFSET_TIMELINE).isValid()).isTrue();
    } finally {
      client.admin().deleteBuffers(List.of(buffer));
    }
  }

  /** An isb.Header as a Numaflow Go vertex encodes it, field by field here rather than by MessageCodec. */
  private static byte[] goHeader() {
    byte[] timestamp = proto(out -> {
      out.writeInt64(1, 1_700_000_123L);
      out.writeInt32(2, 456_000_000);
    });
    byte[] messageInfo = proto(out -> {
      out.writeByteArray(1, timestamp);
      out.writeBool(2, true);
    });
    byte[] id = proto(out -> {
      out.writeString(1, "numaflow-in");
      out.writeString(2, "1690000000000-0");
      out.writeInt32(3, 7);
    });
    byte[] headerEntry = proto(out -> {
      out.writeString(1, "trace");
      out.writeString(2, "abc");
    });
    return proto(out -> {
      out.writeByteArray(1, messageInfo);
      out.writeEnum(2, 0);
      out.writeByteArray(3, id);
      out.writeString(4, "key-a");
      out.writeString(4, "key-b");
      out.writeByteArray(5, headerEntry);
    });
  }

  // ---------------------------------------------------------------------------------------------

  private interface ProtoFields {
    void write(CodedOutputStream out) throws IOException;
  }

  private static byte[] proto(ProtoFields fields) {
    var buffer = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(buffer);
    try {
      fields.write(out);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buffer.toByteArray();
  }

  /** Redis's rule: the part between the first '{' and the next '}', when not empty; else the whole key. */
  private static String hashTag(String key) {
    int open = key.indexOf('{');
    int close = open < 0 ? -1 : key.indexOf('}', open + 1);
    return open >= 0 && close > open + 1 ? key.substring(open + 1, close) : key;
  }

  /** Every key whose name contains the buffer name, found with SCAN. */
  private static TreeSet<String> keysOf(String buffer) {
    var keys = new TreeSet<String>();
    ScanIterator.scan(strings.sync(), ScanArgs.Builder.matches("*" + buffer + "*").limit(1000))
        .forEachRemaining(keys::add);
    return keys;
  }

  private static Object field(Object infoEntry, String name) {
    @SuppressWarnings("unchecked")
    List<Object> pairs = (List<Object>) infoEntry;
    for (int i = 0; i + 1 < pairs.size(); i += 2) {
      if (name.equals(String.valueOf(pairs.get(i)))) {
        return pairs.get(i + 1);
      }
    }
    throw new AssertionError("no field " + name + " in " + pairs);
  }

  /**
   * A server without the write script (flushed here; a replica promoted after a fail-over, or a
   * cluster node that never ran it) must not reorder batches in flight. The reorder this guards
   * against (an EVALSHA refused with NOSCRIPT and sent again as EVAL, stored after a later batch's
   * EVALSHA) was seen once in {@code RedisClusterConformanceTest}; it depends on when the replies
   * arrive, and this test, where all twenty calls go out before the first reply, did not reproduce
   * it on the old code. It pins the order with no script loaded; the writer now never falls back.
   */
  @Test
  @DisplayName("batches in flight on a server without the write script are stored in the order sent")
  void batchesInFlightKeepTheirOrderWithoutTheScript() {
    String buffer = create(BufferConfig.defaults());
    BufferWriter w = writer(buffer);
    strings.sync().scriptFlush();
    List<Message> all = new ArrayList<>();
    List<CompletableFuture<List<WriteResult>>> stages = new ArrayList<>();
    for (int b = 0; b < 20; b++) {
      List<Message> batch = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        batch.add(Message.data(new MessageId("order", b + "-" + i, 0), ("m" + (b * 50 + i)).getBytes(UTF_8)));
      }
      all.addAll(batch);
      stages.add(w.writeAsync(batch).toCompletableFuture());
    }
    stages.forEach(stage -> assertThat(stage.join()).allMatch(r -> r instanceof WriteResult.Written));
    List<String> stored = bytes.sync().xrange(("{" + buffer + "}").getBytes(UTF_8), Range.create("-", "+")).stream()
        .map(e -> new String(e.getBody().values().iterator().next(), UTF_8)).toList();
    assertThat(stored).containsExactlyElementsOf(all.stream().map(m -> new String(m.payload(), UTF_8)).toList());
  }

  private String create(BufferConfig config) {
    String buffer = "layout-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()) + "-0";
    client.admin().createBuffers(List.of(buffer), config);
    return buffer;
  }

  private BufferWriter writer(String buffer) {
    return client.writer(buffer, WriterOptions.builder().refreshInterval(Duration.ofMillis(100))
        .fullWaitTimeout(PATIENCE).build());
  }
}
