package dev.isb.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static dev.isb.redis.RedisReads.readExactly;
import static org.assertj.core.api.Assertions.assertThat;

import dev.isb.BufferConfig;
import dev.isb.BufferReader;
import dev.isb.BufferWriter;
import dev.isb.IsbClient;
import dev.isb.IsbOptions;
import dev.isb.Message;
import dev.isb.MessageId;
import dev.isb.Offset;
import dev.isb.ReadMessage;
import dev.isb.ReaderOptions;
import dev.isb.WriteResult;
import dev.isb.WriterOptions;
import dev.isb.servers.RedisSentinel;
import dev.isb.servers.RedisServer;
import dev.isb.testkit.RedisServerExtension;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Sentinel mode: the master is found by name through the sentinels, and found again after a fail-over. */
class RedisConnectionSentinelTest {

  @RegisterExtension
  static final RedisServerExtension REDIS = RedisServerExtension.sentinel().withAppendOnly();

  /** The sentinels turn the old master into a replica 8 to 20 s after a fail-over; allow for that and more. */
  private static final Duration AFTER_FAILOVER = Duration.ofSeconds(40);

  private static IsbOptions.Builder sentinelOptions() {
    return IsbOptions.builder().backend("redis").url("")
        .property("sentinel.master", REDIS.masterName())
        .property("sentinel.url", REDIS.uris());
  }

  private static IsbClient sentinelClient() {
    return IsbClient.open(sentinelOptions().build());
  }

  @Test
  @DisplayName("with sentinel.master and sentinel.url the client writes to and reads from the current master")
  void writesAndReadsThroughTheMaster() {
    String buffer = bufferName();
    try (IsbClient client = sentinelClient()) {
      client.admin().createBuffers(List.of(buffer), BufferConfig.defaults());
      try (BufferWriter writer = writer(client, buffer);
          BufferReader reader = client.reader(buffer, ReaderOptions.builder().consumerName("s-0").build())) {
        List<Offset> written = writeAll(writer, msgs("m", 0, 3));
        List<ReadMessage> got = readExactly(reader, 3);
        assertThat(got).extracting(m -> m.message().payloadAsString()).containsExactly("m0", "m1", "m2");
        reader.ack(got.stream().map(ReadMessage::offset).toList());
        Map<String, String> onMaster = entries(REDIS.sentinelSetup().master(), buffer);
        assertThat(onMaster.keySet()).as("entries on the master the sentinels name")
            .containsExactlyElementsOf(written.stream().map(Offset::sequence).toList());
      }
      client.admin().deleteBuffers(List.of(buffer));
    }
  }

  @Test
  @DisplayName("after a fail-over the same client writes to the new master and reads again within a deadline, and"
      + " nothing acknowledged before it is lost (without wait.replicas, writes the old master took during the"
      + " fail-over may be: Redis replicates asynchronously)")
  void survivesAFailover() {
    failOverUnderWrites(sentinelOptions().build(), false);
  }

  @Test
  @DisplayName("with wait.replicas=2 (every replica) the same client finds the new master after a fail-over, and"
      + " no acknowledged write is lost: writes the old master cannot replicate fail instead")
  void survivesAFailoverWithWait() {
    failOverUnderWrites(sentinelOptions().property("wait.replicas", "2").property("wait.timeoutMillis", "3000")
        .build(), true);
  }

  /**
   * Writes and acks before a fail-over; after it, writes with the same client until a write lands on the new
   * master, then reads with the same reader; checks that nothing acknowledged is missing from the new master.
   */
  private static void failOverUnderWrites(IsbOptions options, boolean durable) {
    RedisSentinel setup = REDIS.sentinelSetup();
    String buffer = bufferName();
    try (IsbClient client = IsbClient.open(options)) {
      client.admin().createBuffers(List.of(buffer), BufferConfig.defaults());
      BufferWriter writer = writer(client, buffer);
      BufferReader reader = client.reader(buffer, ReaderOptions.builder().consumerName("s-0").build());
      List<Offset> before = new ArrayList<>(writeAll(writer, msgs("b", 0, 10)));
      List<ReadMessage> acked = readExactly(reader, 10);
      reader.ack(acked.stream().map(ReadMessage::offset).toList());
      before.addAll(writeAll(writer, msgs("b", 10, 20)));

      RedisServer oldMaster = setup.master();
      RedisServer newMaster = setup.triggerFailover();
      assertThat(newMaster).isNotSameAs(oldMaster);
      long failedOver = System.nanoTime();

      // Write with the same client until a write lands on the new master; keep every write it acknowledged.
      Map<String, String> acknowledgedAfter = new LinkedHashMap<>();
      String landed = null;
      for (int i = 0; landed == null; i++) {
        assertThat(System.nanoTime() - failedOver - AFTER_FAILOVER.toNanos())
            .as("time until a write of the same client lands on the new master %s", newMaster).isNegative();
        Message m = message("a" + i);
        WriteResult r = writer.write(m);
        if (r instanceof WriteResult.Written w) {
          acknowledgedAfter.put(w.offset().sequence(), "a" + i);
          if (m.payloadAsString().equals(entries(newMaster, buffer).get(w.offset().sequence()))) {
            landed = "a" + i;
          }
        }
        LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
      }
      Duration untilLanded = Duration.ofNanos(System.nanoTime() - failedOver);

      Map<String, String> onNewMaster = entries(newMaster, buffer);
      Map<String, String> lost = new LinkedHashMap<>(acknowledgedAfter);
      lost.keySet().removeAll(onNewMaster.keySet());

      // The same reader reads from the new master: what was not yet read, and what was written since.
      Set<String> expected = new LinkedHashSet<>();
      IntStream.range(10, 20).forEach(i -> expected.add("b" + i));
      expected.add(landed);
      Set<String> seen = new LinkedHashSet<>();
      long deadline = System.nanoTime() + AFTER_FAILOVER.toNanos();
      while (!seen.containsAll(expected) && System.nanoTime() - deadline < 0) {
        try {
          List<ReadMessage> batch = reader.read(100, Duration.ofMillis(200));
          batch.forEach(m -> seen.add(m.message().payloadAsString()));
          reader.ack(batch.stream().map(ReadMessage::offset).toList());
        } catch (RuntimeException e) {
          LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        }
      }

      SoftAssertions.assertSoftly(softly -> {
        softly.assertThat(onNewMaster.keySet())
            .as("entries written and acknowledged before the fail-over, on the new master")
            .containsAll(before.stream().map(Offset::sequence).toList());
        softly.assertThat(seen).as("payloads read by the same reader after the fail-over").containsAll(expected);
        softly.assertThat(seen).as("messages acked before the fail-over do not come again")
            .noneMatch(p -> IntStream.range(0, 10).anyMatch(i -> p.equals("b" + i)));
        if (!durable) {
          return;
        }
        softly.assertThat(lost).as("writes the same client acknowledged after the fail-over (%d; the first one on"
            + " the new master came %s after it) that are not on the new master", acknowledgedAfter.size(),
            untilLanded).isEmpty();
      });
    }
  }

  // ---------------------------------------------------------------------------------------------

  private static String bufferName() {
    return "sentinel-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()) + "-0";
  }

  private static BufferWriter writer(IsbClient client, String buffer) {
    return client.writer(buffer, WriterOptions.builder().refreshInterval(Duration.ofMillis(100))
        .fullWaitTimeout(Duration.ofSeconds(2)).build());
  }

  private static Message message(String text) {
    return Message.data(new MessageId("st", text, 0), text.getBytes(UTF_8));
  }

  private static List<Message> msgs(String prefix, int from, int to) {
    return IntStream.range(from, to).mapToObj(i -> message(prefix + i)).toList();
  }

  private static List<Offset> writeAll(BufferWriter writer, List<Message> messages) {
    List<WriteResult> results = writer.write(messages);
    assertThat(results).allSatisfy(r -> assertThat(r).isInstanceOf(WriteResult.Written.class));
    return results.stream().map(r -> ((WriteResult.Written) r).offset()).toList();
  }

  /** Entry id to payload of the buffer's stream on one node, read with a client of its own. */
  private static Map<String, String> entries(RedisServer node, String buffer) {
    RedisClient raw = RedisClient.create(node.uri());
    try (StatefulRedisConnection<String, String> c = raw.connect(StringCodec.UTF8)) {
      var out = new LinkedHashMap<String, String>();
      for (StreamMessage<String, String> e : c.sync().xrange("{" + buffer + "}", Range.create("-", "+"))) {
        out.put(e.getId(), e.getBody().values().iterator().next());
      }
      return out;
    } finally {
      raw.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    }
  }
}
