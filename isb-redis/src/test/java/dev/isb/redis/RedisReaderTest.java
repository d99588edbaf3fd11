package dev.isb.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.isb.BufferConfig;
import dev.isb.BufferReader;
import dev.isb.BufferWriter;
import dev.isb.IsbClient;
import dev.isb.IsbOptions;
import dev.isb.Message;
import dev.isb.MessageId;
import dev.isb.OnUndecodable;
import dev.isb.ReadMessage;
import dev.isb.ReaderOptions;
import dev.isb.UndecodableMessage;
import dev.isb.WriteResult;
import dev.isb.WriterOptions;
import dev.isb.testkit.Await;
import dev.isb.testkit.RedisServerExtension;
import dev.isb.wire.MessageCodec;
import io.lettuce.core.Consumer;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Reader behaviour that only Redis has to build by hand: redelivery, keep-alive, nak delays, backlogs. */
class RedisReaderTest {

  @RegisterExtension
  static final RedisServerExtension REDIS = RedisServerExtension.standalone();

  private static final Duration PATIENCE = Duration.ofSeconds(10);
  private static final Duration SHORT_ACK_WAIT = Duration.ofSeconds(1);
  private static final Duration LONG_ACK_WAIT = Duration.ofSeconds(30);

  private static RedisClient raw;
  private static StatefulRedisConnection<byte[], byte[]> rawConnection;
  private final List<IsbClient> clients = new ArrayList<>();
  private IsbClient client;

  @BeforeAll
  static void connectRaw() {
    raw = RedisClient.create(REDIS.uri());
    rawConnection = raw.connect(ByteArrayCodec.INSTANCE);
  }

  @AfterAll
  static void closeRaw() {
    rawConnection.close();
    raw.shutdown();
  }

  @BeforeEach
  void open() {
    client = newClient();
  }

  @AfterEach
  void closeClients() {
    clients.forEach(IsbClient::close);
  }

  @Test
  @DisplayName("entries held by a consumer whose client died are redelivered to a live reader of the group after"
      + " ackWait, with delivery count 2")
  void strandedEntriesAreRedelivered() {
    String buffer = bufferLeftPendingBy("a-0", SHORT_ACK_WAIT, "s", 3);
    long closed = System.nanoTime();

    BufferReader b = client.reader(buffer, options("b-0").build());
    List<ReadMessage> redelivered = readExactly(b, 3);
    Duration after = Duration.ofNanos(System.nanoTime() - closed);
    assertThat(payloads(redelivered)).containsExactly("s0", "s1", "s2");
    assertThat(redelivered).allSatisfy(m -> assertThat(m.deliveryCount()).as("delivery count").isEqualTo(2));
    assertThat(after).as("time from the dead client's close to redelivery").isLessThan(SHORT_ACK_WAIT.plusSeconds(2));
    b.ack(redelivered.stream().map(ReadMessage::offset).toList());
    assertThat(b.pending()).hasValue(0);
  }

  @Test
  @DisplayName("a restarted reader with the same consumer name first gets its own pending entries back, then new"
      + " ones")
  void restartedReaderGetsItsPendingEntriesFirst() {
    BufferReader restarted = restartedReaderWithThreePending();
    List<ReadMessage> batch = restarted.read(10, PATIENCE);
    assertThat(payloads(batch)).as("first batch after the restart").containsExactly("p0", "p1", "p2", "p3", "p4");
    assertThat(batch).extracting(ReadMessage::deliveryCount).as("delivery counts").containsExactly(2L, 2L, 2L, 1L, 1L);
  }

  @Test
  @DisplayName("the new entries a restarted reader gets in its first batch are not delivered to it again")
  void restartedReaderDoesNotReplayItsFirstBatch() {
    BufferReader restarted = restartedReaderWithThreePending();
    List<ReadMessage> all = new ArrayList<>(restarted.read(10, PATIENCE));
    all.addAll(readUntilQuiet(restarted));
    assertThat(payloads(all)).as("everything the restarted reader read until quiet (ackWait is 30 s: nothing is"
        + " due for redelivery)").containsExactly("p0", "p1", "p2", "p3", "p4");
  }

  @Test
  @DisplayName("a restarted reader whose first batch is filled by redeliveries from another consumer still replays"
      + " its own pending entries next, without waiting for ackWait")
  void backlogIsReplayedAfterABatchOfRedeliveries() {
    String buffer = bufferLeftPendingBy("x-0", SHORT_ACK_WAIT, "q", 1);
    // Let q0 come close to ackWait before v-0 takes its own entries, so that only q0 is due at the restart.
    awaitIdle(buffer, SHORT_ACK_WAIT.minusMillis(300));
    write(buffer, msgs("p", 3));
    readWithAClientThatDies(buffer, "v-0", "p0", "p1", "p2");
    awaitIdle(buffer, SHORT_ACK_WAIT);

    BufferReader restarted = client.reader(buffer, options("v-0").build());
    assertThat(payloads(restarted.read(1, PATIENCE))).as("first read (1 message) after the restart")
        .containsExactly("q0");
    assertThat(payloads(restarted.read(10, Duration.ofMillis(300))))
        .as("second read after the restart: v-0's own pending entries, which are not yet due for redelivery")
        .containsExactly("p0", "p1", "p2");
  }

  @Test
  @DisplayName("a message nakked with a delay shorter than ackWait comes again after about the delay, not before")
  void nakWithDelay() {
    Duration ackWait = Duration.ofSeconds(4);
    Duration delay = Duration.ofMillis(1200);
    String buffer = bufferHolding(ackWait, "n", 1);
    BufferReader reader = client.reader(buffer, options("n-0").build());
    ReadMessage m = readExactly(reader, 1).get(0);
    long nakked = System.nanoTime();
    reader.nak(List.of(m.offset()), delay);
    assertThat(reader.read(10, Duration.ofMillis(500))).as("read right after the nak").isEmpty();

    ReadMessage again = readExactly(reader, 1).get(0);
    Duration after = Duration.ofNanos(System.nanoTime() - nakked);
    assertThat(again.message().payloadAsString()).isEqualTo("n0");
    assertThat(again.deliveryCount()).isEqualTo(2);
    assertThat(after).as("time from nak to redelivery").isGreaterThanOrEqualTo(delay.minusMillis(50))
        .isLessThan(ackWait.minusMillis(500));
  }

  @Test
  @DisplayName("a nak delay longer than ackWait is cut to ackWait")
  void nakDelayIsCappedAtAckWait() {
    String buffer = bufferHolding(SHORT_ACK_WAIT, "c", 1);
    BufferReader reader = client.reader(buffer, options("c-0").build());
    ReadMessage m = readExactly(reader, 1).get(0);
    long nakked = System.nanoTime();
    reader.nak(List.of(m.offset()), Duration.ofMinutes(5));
    ReadMessage again = readExactly(reader, 1).get(0);
    Duration after = Duration.ofNanos(System.nanoTime() - nakked);
    assertThat(again.deliveryCount()).isEqualTo(2);
    assertThat(after).isGreaterThanOrEqualTo(SHORT_ACK_WAIT.minusMillis(50)).isLessThan(SHORT_ACK_WAIT.plusSeconds(2));
  }

  @Test
  @DisplayName("keep-alive keeps a held entry from other readers for 3 x ackWait; once its reader closes it is"
      + " redelivered")
  void keepAliveHoldsEntries() {
    Duration ackWait = Duration.ofMillis(1500);
    String buffer = bufferHolding(ackWait, "k", 1);
    BufferReader holder = client.reader(buffer, options("holder-0").keepAlive(true).build());
    ReadMessage held = readExactly(holder, 1).get(0);
    BufferReader other = client.reader(buffer, options("other-0").build());
    long until = System.nanoTime() + ackWait.multipliedBy(3).toNanos();
    while (System.nanoTime() - until < 0) {
      assertThat(other.read(10, Duration.ofMillis(250))).as("read by another reader while the entry is kept alive")
          .isEmpty();
    }
    holder.close();
    ReadMessage again = readExactly(other, 1).get(0);
    assertThat(again.offset().sequence()).isEqualTo(held.offset().sequence());
    assertThat(again.deliveryCount()).isEqualTo(2);
  }

  @Test
  @DisplayName("maxAckPending bounds the entries the group holds; acking makes room for as many")
  void maxAckPendingBoundsHeldEntries() {
    String buffer = create(LONG_ACK_WAIT, 3);
    write(buffer, msgs("q", 8));
    BufferReader a = client.reader(buffer, options("a-0").build());
    BufferReader b = client.reader(buffer, options("b-0").build());
    List<ReadMessage> first = a.read(8, PATIENCE);
    assertThat(payloads(first)).containsExactly("q0", "q1", "q2");
    assertThat(a.read(8, Duration.ofMillis(300))).as("a second read by the same reader").isEmpty();
    assertThat(b.read(8, Duration.ofMillis(300))).as("a read by another reader of the group").isEmpty();
    assertThat(pendingEntries(buffer)).isEqualTo(3);

    a.ack(first.subList(0, 2).stream().map(ReadMessage::offset).toList());
    List<ReadMessage> next = new ArrayList<>(b.read(8, PATIENCE));
    next.addAll(b.read(8, Duration.ofMillis(300)));
    assertThat(payloads(next)).containsExactly("q3", "q4");
    assertThat(pendingEntries(buffer)).isEqualTo(3);
  }

  @Test
  @DisplayName("a reader busy with new entries does not run the claim script on every read, and still redelivers"
      + " an entry another consumer left past ackWait")
  void busyReaderScansPeriodicallyAndStillRedelivers() {
    String buffer = bufferLeftPendingBy("a-0", SHORT_ACK_WAIT, "left", 1);
    write(buffer, msgs("n", 3_000));
    long scriptsBefore = evalshaCalls();

    // Reads of 2 entries: the first 1,500 never come back empty; the entry left behind falls due meanwhile.
    BufferReader b = client.reader(buffer, options("b-0").build());
    var got = new ArrayList<ReadMessage>();
    int reads = 0;
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (reads < 1_000 || got.stream().noneMatch(m -> m.message().payloadAsString().equals("left0"))) {
      assertThat(System.nanoTime() - deadline).as("time until the entry left behind is redelivered").isNegative();
      List<ReadMessage> batch = b.read(2, Duration.ofMillis(100));
      reads++;
      got.addAll(batch);
      b.ack(batch.stream().map(ReadMessage::offset).toList());
      if (reads <= 1_000) {
        assertThat(batch).as("read %d", reads).isNotEmpty();
      }
      if (reads == 1_000) {
        // One scan at the first read, then at most one per 50 ms; 1,000 reads take longer than that.
        assertThat(evalshaCalls() - scriptsBefore).as("claim scripts run by 1,000 reads").isLessThan(250);
      }
    }
    ReadMessage left = got.stream().filter(m -> m.message().payloadAsString().equals("left0")).findFirst().orElseThrow();
    assertThat(left.deliveryCount()).as("delivery count of the entry left behind").isEqualTo(2);
  }

  @Test
  @DisplayName("undecodable entries (garbage, or two field/value pairs) are reported with their offset, the rest of"
      + " the batch is delivered, and under TERMINATE they never come again")
  void undecodableEntries() {
    String buffer = create(SHORT_ACK_WAIT, 25_000);
    String good0 = xadd(buffer, header("u0"), "u0".getBytes(UTF_8));
    String garbage = xadd(buffer, new byte[] {0x0A, 0x7F}, "junk".getBytes(UTF_8));
    String good1 = xadd(buffer, header("u1"), "u1".getBytes(UTF_8));
    String twoFields = xadd(buffer, header("u9"), "u9".getBytes(UTF_8), "extra".getBytes(UTF_8),
        "field".getBytes(UTF_8));
    String good2 = xadd(buffer, header("u2"), "u2".getBytes(UTF_8));
    var reported = new CopyOnWriteArrayList<UndecodableMessage>();
    BufferReader reader = client.reader(buffer, options("u-0").onUndecodable(OnUndecodable.TERMINATE)
        .undecodableListener(reported::add).build());

    List<ReadMessage> got = readExactly(reader, 3);
    assertThat(payloads(got)).containsExactly("u0", "u1", "u2");
    assertThat(got.stream().map(m -> m.offset().sequence())).containsExactly(good0, good1, good2);
    assertThat(reported).extracting(u -> u.offset().sequence()).containsExactly(garbage, twoFields);
    assertThat(reported).allSatisfy(u -> {
      assertThat(u.offset().buffer()).isEqualTo(buffer);
      assertThat(u.deliveryCount()).isEqualTo(1);
      assertThat(u.error().getMessage()).contains(buffer);
    });
    assertThat(reported.get(0).bytes()).isEqualTo(new byte[] {0x0A, 0x7F});
    reader.ack(got.stream().map(ReadMessage::offset).toList());

    // Past ackWait: nothing comes again, to this reader or to a restarted one of the same name.
    assertThat(reader.read(10, SHORT_ACK_WAIT.plusMillis(700))).as("read after ackWait").isEmpty();
    reader.close();
    BufferReader restarted = client.reader(buffer, options("u-0").undecodableListener(reported::add).build());
    assertThat(restarted.read(10, Duration.ofMillis(500))).as("read by a restarted reader").isEmpty();
    assertThat(reported).as("reports").hasSize(2);
    assertThat(pendingEntries(buffer)).isZero();
  }

  @Test
  @DisplayName("an undecodable entry that arrives while the reader blocks is reported, and the next good one is"
      + " delivered")
  void undecodableEntryWhileBlocking() throws Exception {
    String buffer = create(LONG_ACK_WAIT, 25_000);
    var reported = new CopyOnWriteArrayList<UndecodableMessage>();
    BufferReader reader = client.reader(buffer, options("w-0").undecodableListener(reported::add).build());
    assertThat(reader.read(10, Duration.ofMillis(300))).isEmpty();
    var reading = CompletableFuture.supplyAsync(() -> reader.read(10, PATIENCE));
    // Let the reader block in XREADGROUP first: it shows up as a blocked client.
    Await.until(PATIENCE, "the reader blocks", () -> rawConnection.sync().clientList().contains("cmd=xreadgroup"));
    String garbage = xadd(buffer, "not a header".getBytes(UTF_8), "x".getBytes(UTF_8));
    String good = xadd(buffer, header("g0"), "g0".getBytes(UTF_8));
    List<ReadMessage> got = new ArrayList<>(reading.get());
    if (got.isEmpty()) {
      got.addAll(readExactly(reader, 1));
    }
    assertThat(got).extracting(m -> m.offset().sequence()).containsExactly(good);
    assertThat(reported).extracting(u -> u.offset().sequence()).containsExactly(garbage);
  }

  // ---------------------------------------------------------------------------------------------

  private IsbClient newClient() {
    IsbClient c = IsbClient.open(IsbOptions.builder().backend("redis").url(REDIS.uri()).build());
    clients.add(c);
    return c;
  }

  /** Creates a buffer with this ackWait and writes {@code count} entries: {@code prefix0}, {@code prefix1}, ... */
  private String bufferHolding(Duration ackWait, String prefix, int count) {
    String buffer = create(ackWait, 25_000);
    write(buffer, msgs(prefix, count));
    return buffer;
  }

  /**
   * Creates a buffer with this ackWait holding {@code count} entries ({@code prefix0}, {@code prefix1}, ...) that a
   * client that then died read as {@code consumer}, so that they stay pending for that consumer.
   */
  private String bufferLeftPendingBy(String consumer, Duration ackWait, String prefix, int count) {
    String buffer = bufferHolding(ackWait, prefix, count);
    String[] entries = IntStream.range(0, count).mapToObj(i -> prefix + i).toArray(String[]::new);
    readWithAClientThatDies(buffer, consumer, entries);
    return buffer;
  }

  /**
   * Reader {@code v-0} of a buffer of five entries (ackWait 30 s), restarted after a client that died had read
   * {@code p0} to {@code p2} as {@code v-0}.
   */
  private BufferReader restartedReaderWithThreePending() {
    String buffer = bufferHolding(LONG_ACK_WAIT, "p", 5);
    readWithAClientThatDies(buffer, "v-0", "p0", "p1", "p2");
    return client.reader(buffer, options("v-0").build());
  }

  private String create(Duration ackWait, long maxAckPending) {
    String buffer = "reader-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()) + "-0";
    client.admin().createBuffers(List.of(buffer), BufferConfig.defaults().toBuilder()
        .consumer(new BufferConfig.Consumer(ackWait, maxAckPending)).build());
    return buffer;
  }

  private static ReaderOptions.Builder options(String consumer) {
    return ReaderOptions.builder().consumerName(consumer).readTimeout(Duration.ofMillis(200));
  }

  /**
   * Reads the buffer's next entries as {@code consumer} of a client that then dies without acking them, so
   * that they stay pending for that consumer; checks they are {@code expected}.
   */
  private void readWithAClientThatDies(String buffer, String consumer, String... expected) {
    IsbClient dying = newClient();
    BufferReader reader = dying.reader(buffer, options(consumer).build());
    assertThat(payloads(readExactly(reader, expected.length))).containsExactly(expected);
    dying.close();
  }

  private void write(String buffer, List<Message> messages) {
    try (BufferWriter writer = client.writer(buffer, WriterOptions.builder().refreshInterval(Duration.ofMillis(100))
        .fullWaitTimeout(PATIENCE).build())) {
      assertThat(writer.write(messages)).allSatisfy(r -> assertThat(r).isInstanceOf(WriteResult.Written.class));
    }
  }

  private static List<Message> msgs(String prefix, int n) {
    return IntStream.range(0, n).mapToObj(i -> message(prefix + i)).toList();
  }

  private static Message message(String text) {
    return Message.data(new MessageId("rt", text, 0), text.getBytes(UTF_8));
  }

  private static byte[] header(String text) {
    return MessageCodec.encodeHeader(message(text).header());
  }

  /** Adds an entry with the given field/value pairs, as any other Redis client could. */
  private static String xadd(String buffer, byte[]... fieldsAndValues) {
    Map<byte[], byte[]> body = new LinkedHashMap<>();
    for (int i = 0; i < fieldsAndValues.length; i += 2) {
      body.put(fieldsAndValues[i], fieldsAndValues[i + 1]);
    }
    return rawConnection.sync().xadd(("{" + buffer + "}").getBytes(UTF_8), new XAddArgs(), body);
  }

  /** Waits until the oldest pending entry of the buffer's group has been idle for at least {@code idle}. */
  private static void awaitIdle(String buffer, Duration idle) {
    Await.until(PATIENCE, "an entry is idle for " + idle, () -> {
      var pending = rawConnection.sync().xpending(("{" + buffer + "}").getBytes(UTF_8),
          Consumer.from((buffer + "-group").getBytes(UTF_8), "x-0".getBytes(UTF_8)),
          Range.create("-", "+"), Limit.from(1));
      return !pending.isEmpty() && pending.get(0).getMsSinceLastDelivery() >= idle.toMillis();
    });
  }

  /** How many script calls the server has run since it started (every {@code EVALSHA}, of any client). */
  private static long evalshaCalls() {
    String stats = rawConnection.sync().info("commandstats");
    int at = stats.indexOf("cmdstat_evalsha:calls=");
    if (at < 0) {
      return 0;
    }
    int from = at + "cmdstat_evalsha:calls=".length();
    return Long.parseLong(stats.substring(from, stats.indexOf(',', from)));
  }

  private static long pendingEntries(String buffer) {
    return rawConnection.sync().xpending(("{" + buffer + "}").getBytes(UTF_8), (buffer + "-group").getBytes(UTF_8))
        .getCount();
  }

  private static List<String> payloads(List<ReadMessage> messages) {
    return messages.stream().map(m -> m.message().payloadAsString()).toList();
  }

  private static List<ReadMessage> readExactly(BufferReader reader, int n) {
    var got = new ArrayList<ReadMessage>();
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (got.size() < n && System.nanoTime() - deadline < 0) {
      got.addAll(reader.read(n - got.size(), Duration.ofMillis(100)));
    }
    assertThat(payloads(got)).as("messages read from %s within %s", reader.buffer(), PATIENCE).hasSize(n);
    return got;
  }

  private static List<ReadMessage> readUntilQuiet(BufferReader reader) {
    var got = new ArrayList<ReadMessage>();
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (System.nanoTime() - deadline < 0) {
      List<ReadMessage> batch = reader.read(100, Duration.ofMillis(300));
      if (batch.isEmpty()) {
        return got;
      }
      got.addAll(batch);
    }
    throw new AssertionError("reading " + reader.buffer() + " did not come to an end");
  }
}
