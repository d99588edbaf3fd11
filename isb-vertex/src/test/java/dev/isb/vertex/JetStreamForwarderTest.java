package dev.isb.vertex;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isb.BufferConfig;
import dev.isb.BufferReader;
import dev.isb.BufferWriter;
import dev.isb.Header;
import dev.isb.IsbClient;
import dev.isb.IsbException;
import dev.isb.IsbOptions;
import dev.isb.Message;
import dev.isb.MessageId;
import dev.isb.ReadMessage;
import dev.isb.ReaderOptions;
import dev.isb.Storage;
import dev.isb.WriteResult;
import dev.isb.WriterOptions;
import dev.isb.testkit.Await;
import dev.isb.testkit.NatsServerExtension;
import dev.isb.wire.PartitionRouter;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("Forwarder on a real JetStream server")
class JetStreamForwarderTest {

  @RegisterExtension
  static final NatsServerExtension NATS = NatsServerExtension.single();

  private static final Duration PATIENCE = Duration.ofSeconds(30);
  private static final BufferConfig CONFIG = BufferConfig.defaults().toBuilder()
      .stream(BufferConfig.Stream.defaults().toBuilder().replicas(1).storage(Storage.MEMORY).build())
      .consumer(new BufferConfig.Consumer(Duration.ofSeconds(2), 25_000))
      .build();

  private IsbClient client;
  private String in;
  private List<String> mid;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @BeforeEach
  void setUp() {
    client = IsbClient.open(IsbOptions.builder().backend("jetstream").url(NATS.url()).build());
    String p = "p" + UUID.randomUUID().toString().substring(0, 8);
    in = "ns-" + p + "-map-0";
    mid = List.of("ns-" + p + "-sink-0", "ns-" + p + "-sink-1");
    List<String> all = new ArrayList<>(mid);
    all.add(in);
    client.admin().createBuffers(all, CONFIG);
  }

  @AfterEach
  void tearDown() {
    client.close();
  }

  private void writeInput(int count) {
    try (BufferWriter writer = client.writer(in, fast())) {
      List<Message> batch = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        Header header = Header.builder(new MessageId("gen", Integer.toString(i), 0)).eventTime(Instant.now())
            .keys("k" + (i % 10)).build();
        batch.add(new Message(header, ("w" + i).getBytes(StandardCharsets.UTF_8)));
      }
      assertThat(writer.write(batch)).allMatch(WriteResult::isStored);
    }
  }

  private static WriterOptions fast() {
    return WriterOptions.builder().refreshInterval(Duration.ofMillis(100)).build();
  }

  private static ReaderOptions quickReads() {
    return ReaderOptions.builder().batchSize(100).readTimeout(Duration.ofMillis(100)).build();
  }

  @Test
  @DisplayName("a map vertex and a sink vertex move every message once, and the meters agree")
  void mapThenSink() throws Exception {
    writeInput(1_000);
    Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
    try (Forwarder map = Forwarder.builder(client, "map").pipeline("p").from(in).meterRegistry(registry)
            .readerOptions(quickReads())
            .map(MapFunction.of(d -> Output.of(d.valueAsString().toUpperCase()).withKeys(d.keys())))
            .to(Edge.to("sink", mid).withWriterOptions(fast())).build().start();
        Forwarder sink = Forwarder.builder(client, "sink").pipeline("p").from(mid).meterRegistry(registry)
            .readerOptions(quickReads())
            .sink(d -> seen.computeIfAbsent(d.valueAsString(), k -> new AtomicInteger()).incrementAndGet())
            .build().start()) {
      Await.until(PATIENCE, "1000 messages at the sink", () -> seen.size() == 1_000
          && count(ForwarderMetrics.ACK, "vertex", "sink") == 1_000);
      assertThat(map.failure()).isEmpty();
      assertThat(sink.failure()).isEmpty();
    }
    assertThat(seen.values()).allMatch(c -> c.get() == 1);
    assertThat(seen).containsKeys("W0", "W999");
    assertThat(count(ForwarderMetrics.DATA_READ, "vertex", "map")).isEqualTo(1_000);
    assertThat(count(ForwarderMetrics.WRITE, "vertex", "map")).isEqualTo(1_000);
    assertThat(count(ForwarderMetrics.ACK, "vertex", "map")).isEqualTo(1_000);
    assertThat(count(ForwarderMetrics.WRITE, "vertex", "map", "partition_name", mid.get(0))).isPositive();
    assertThat(count(ForwarderMetrics.WRITE, "vertex", "map", "partition_name", mid.get(1))).isPositive();
  }

  /**
   * The streaming path through a crash: with four batches in flight per partition, the server is
   * killed (-9) and restarted mid-stream. Writes in flight fail retryably and are written again, acks
   * lost with the connection bring their inputs back after ackWait, and their outputs are recognised
   * as duplicates: the outputs hold each input exactly once, and every input ends acked.
   */
  @Test
  @DisplayName("a server killed and restarted under batches in flight: every input forwarded exactly once, all acked")
  void streamingThroughAServerKill() {
    BufferConfig file = CONFIG.toBuilder()
        .stream(CONFIG.stream().toBuilder().storage(Storage.FILE).build()).build();
    String p = "k" + UUID.randomUUID().toString().substring(0, 8);
    String input = "ns-" + p + "-map-0";
    List<String> outputs = List.of("ns-" + p + "-sink-0", "ns-" + p + "-sink-1");
    List<String> all = new ArrayList<>(outputs);
    all.add(input);
    client.admin().createBuffers(all, file);
    int total = 20_000;
    try (BufferWriter writer = client.writer(input, fast())) {
      for (int from = 0; from < total; from += 1_000) {
        List<Message> batch = new ArrayList<>();
        for (int i = from; i < from + 1_000; i++) {
          batch.add(Message.data(new MessageId("gen", Integer.toString(i), 0), ("w" + i).getBytes(StandardCharsets.UTF_8)));
        }
        assertThat(writer.write(batch)).allMatch(WriteResult::isStored);
      }
    }
    // 50 us of work per input keeps the stream going for a second or more after the kill.
    MapFunction slowCopy = d -> {
      LockSupport.parkNanos(50_000);
      return List.of(Output.of(d.value()).withKeys(d.keys()));
    };
    try (Forwarder map = Forwarder.builder(client, "map").from(input).meterRegistry(registry)
        .map(slowCopy).to(Edge.to("sink", outputs).withWriterOptions(fast())).build().start()) {
      Await.until(PATIENCE, "2,000 inputs acked", () -> count(ForwarderMetrics.ACK) >= 2_000);
      NATS.server().kill();
      assertThat(count(ForwarderMetrics.ACK)).as("killed mid-stream").isLessThan(total);
      NATS.server().restart();
      Await.until(Duration.ofSeconds(90), "every input acked", () -> allAcked(input));
      assertThat(map.failure()).isEmpty();
    }
    List<String> forwarded = new ArrayList<>();
    for (String output : outputs) {
      try (BufferReader reader = client.reader(output, quickReads())) {
        List<ReadMessage> batch;
        while (!(batch = reader.read()).isEmpty()) {
          batch.forEach(r -> forwarded.add(new String(r.message().payload(), StandardCharsets.UTF_8)));
          reader.ack(batch.stream().map(ReadMessage::offset).toList());
        }
      }
    }
    assertThat(forwarded).as("outputs, each input once").hasSize(total).doesNotHaveDuplicates();
  }

  @Test
  @DisplayName("a replica stopped while a partition is full naks its batch; the replay stores no output twice")
  void replayAfterStopWritesNothingTwice() throws Exception {
    writeInput(50);
    try (BufferWriter filler = client.writer(mid.get(1), fast())) {
      assertThat(filler.write(Message.data(new MessageId("other", "0", 0), new byte[1])).isStored()).isTrue();
    }
    // Each input gives one output per partition (routed by keys). Partition 1 already holds a message, which is full
    // for maxLength 1: a batch's outputs for partition 0 are written, those for partition 1 wait.
    MapFunction bothPartitions = d -> List.of(Output.of(d.value()).withKeys(keyFor(0)),
        Output.of(d.value()).withKeys(keyFor(1)));
    WriterOptions tiny = WriterOptions.builder().maxLength(1).refreshInterval(Duration.ofMillis(50)).build();
    Forwarder first = Forwarder.builder(client, "map").from(in).meterRegistry(registry)
        .readerOptions(quickReads()).shutdownTimeout(Duration.ofMillis(500))
        .map(bothPartitions).to(Edge.to("sink", mid).withWriterOptions(tiny).routedBy(Edge.Routing.BY_KEYS))
        .build().start();
    Await.until(PATIENCE, "the write to partition 1 waiting for room",
        () -> count(ForwarderMetrics.WRITE_ERROR, "partition_name", mid.get(1)) > 0);
    first.close();
    double inFlight = count(ForwarderMetrics.READ);
    assertThat(count(ForwarderMetrics.WRITE, "partition_name", mid.get(0))).isEqualTo(inFlight).isPositive();
    assertThat(count(ForwarderMetrics.NAK)).as("the batch in flight is nakked").isEqualTo(inFlight);
    assertThat(count(ForwarderMetrics.ACK)).isZero();

    try (Forwarder second = Forwarder.builder(client, "map").replica(1).from(in).meterRegistry(registry)
        .readerOptions(quickReads()).map(bothPartitions)
        .to(Edge.to("sink", mid).withWriterOptions(fast()).routedBy(Edge.Routing.BY_KEYS)).build().start()) {
      Await.until(PATIENCE, "all acked", () -> count(ForwarderMetrics.ACK, "replica", "1") == 50);
      assertThat(second.failure()).isEmpty();
    }
    assertThat(count(ForwarderMetrics.DROP, "replica", "1", "reason", ForwarderMetrics.REASON_DUPLICATE_ID))
        .as("the replayed outputs to partition 0, dropped as duplicates").isEqualTo(inFlight);
    assertThat(client.admin().bufferInfo(mid.get(0)).pendingCount()).isEqualTo(50);
    assertThat(client.admin().bufferInfo(mid.get(1)).pendingCount()).isEqualTo(51);
  }

  @Test
  @DisplayName("an output over the server's payload limit can never be written: with a dead-letter policy its input"
      + " goes to the dead-letter buffer with the server's reason, is acked, and the other inputs go on")
  void oversizeOutputIsDeadLettered() {
    writeInput(3);
    String dlq = in.replace("-map-0", "-map-dlq-0");
    client.admin().createBuffers(List.of(dlq), CONFIG);
    try (Forwarder map = Forwarder.builder(client, "map").from(in).meterRegistry(registry).readerOptions(quickReads())
        .map(d -> List.of(Output.of(d.valueAsString().equals("w1") ? new byte[2 << 20] : d.value())))
        .to(Edge.to("sink", mid).withWriterOptions(fast()))
        .deadLetters(DeadLetterPolicy.toBuffer(dlq, 1)).build().start()) {
      Await.until(PATIENCE, "every input acked", () -> count(ForwarderMetrics.ACK) == 3);
      assertThat(map.failure()).isEmpty();
    }
    assertThat(count(ForwarderMetrics.DEAD_LETTER)).isEqualTo(1);
    try (BufferReader reader = client.reader(dlq, quickReads())) {
      List<ReadMessage> letters = reader.read(10, Duration.ofSeconds(2));
      assertThat(letters).singleElement().satisfies(letter -> {
        assertThat(letter.message().payloadAsString()).isEqualTo("w1");
        assertThat(letter.message().header().headers().get(DeadLetterPolicy.ERROR_HEADER)).containsIgnoringCase("payload");
      });
    }
    assertThat(client.admin().bufferInfo(mid.get(0)).pendingCount() + client.admin().bufferInfo(mid.get(1))
        .pendingCount()).as("the two other outputs").isEqualTo(2);
  }

  @Test
  @DisplayName("an input partition whose stream discarded 20 messages before the vertex read them: the gap is"
      + " counted in isb_reader_lost_unacked_total, the 10 left are forwarded")
  void gapInTheInputIsCounted() {
    String small = in.replace("-map-0", "-gap-0");
    client.admin().createBuffers(List.of(small), CONFIG.toBuilder()
        .stream(CONFIG.stream().toBuilder().maxMsgs(10).build()).build());
    try (BufferWriter writer = client.writer(small, fast())) {
      for (int i = 0; i < 30; i++) {
        assertThat(writer.write(Message.data(new MessageId("gen", Integer.toString(i), 0), new byte[] {1}))
            .isStored()).isTrue();
      }
    }
    // The function holds its first batch until the gap is counted: once the vertex acks past the gap, the
    // server moves the consumer's ack floor over it, and the gap can no longer be seen.
    CountDownLatch counted = new CountDownLatch(1);
    try (Forwarder map = Forwarder.builder(client, "map").from(small).meterRegistry(registry)
        .readerOptions(quickReads()).usageInterval(Duration.ofMillis(50))
        .map(d -> {
          counted.await();
          return List.of(Output.of(d.value()));
        }).to(Edge.to("sink", mid).withWriterOptions(fast())).build().start()) {
      Await.until(PATIENCE, "the gap counted", () -> count(ForwarderMetrics.LOST_UNACKED) == 20);
      counted.countDown();
      Await.until(PATIENCE, "the 10 left forwarded", () -> count(ForwarderMetrics.ACK) == 10);
      assertThat(map.failure()).isEmpty();
      assertThat(count(ForwarderMetrics.LOST_UNACKED)).isEqualTo(20);
    }
  }

  /** A key that Numaflow's hash sends to this partition of two. */
  private static String keyFor(int partition) {
    PartitionRouter router = PartitionRouter.of(2);
    for (int i = 0; ; i++) {
      Message probe = new Message(Header.builder(new MessageId("x", "0", 0)).keys("key" + i).build(), new byte[0]);
      if (router.byKeys(probe) == partition) {
        return "key" + i;
      }
    }
  }

  /** Whether the buffer has nothing pending or unacked; false while the server cannot tell (reconnecting). */
  private boolean allAcked(String buffer) {
    try {
      var info = client.admin().bufferInfo(buffer);
      return info.pendingCount() == 0 && info.ackPendingCount() == 0;
    } catch (IsbException retryable) {
      return false;
    }
  }

  private double count(String name, String... tags) {
    return Search.in(registry).name(name).tags(tags).counters().stream().mapToDouble(c -> c.count()).sum();
  }
}
