package dev.isb.vertex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isb.BufferConfig;
import dev.isb.BufferNotFoundException;
import dev.isb.BufferReader;
import dev.isb.BufferWriter;
import dev.isb.Header;
import dev.isb.Message;
import dev.isb.MessageId;
import dev.isb.OnFull;
import dev.isb.ReadMessage;
import dev.isb.ReaderOptions;
import dev.isb.WriteResult;
import dev.isb.WriterOptions;
import dev.isb.memory.InMemoryIsb;
import dev.isb.testkit.Await;
import dev.isb.wire.PartitionRouter;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("Forwarder (on the in-memory ISB)")
class ForwarderTest {

  private static final Duration PATIENCE = Duration.ofSeconds(10);
  private static final String IN = "ns-pl-map-0";
  private static final String OUT_0 = "ns-pl-out-0";
  private static final String OUT_1 = "ns-pl-out-1";
  private static final String OTHER = "ns-pl-other-0";
  private static final Duration ACK_WAIT = Duration.ofMillis(300);
  /** Forwards each datum's value unchanged. */
  private static final MapFunction IDENTITY = MapFunction.of(in -> Output.of(in.value()));

  private InMemoryIsb isb;
  private SimpleMeterRegistry registry;
  private final List<Forwarder> forwarders = new ArrayList<>();

  @BeforeEach
  void setUp() {
    isb = InMemoryIsb.create();
    registry = new SimpleMeterRegistry();
    BufferConfig config = BufferConfig.defaults().toBuilder()
        .consumer(new BufferConfig.Consumer(ACK_WAIT, 25_000)).build();
    isb.admin().createBuffers(List.of(IN, OUT_0, OUT_1, OTHER), config);
  }

  @AfterEach
  void tearDown() {
    forwarders.forEach(Forwarder::close);
    isb.close();
  }

  private Forwarder.Builder builder() {
    return Forwarder.builder(isb, "map").pipeline("pl").from(IN).meterRegistry(registry)
        .readerOptions(ReaderOptions.builder().batchSize(50).readTimeout(Duration.ofMillis(20)).build())
        .usageInterval(Duration.ofMillis(50))
        .retryPolicy(RetryPolicy.defaults().withBackoff(Duration.ofMillis(1), Duration.ofMillis(5))
            .withNakDelay(Duration.ZERO));
  }

  /** The map vertex forwarding each input unchanged to {@link #OUT_0}. */
  private Forwarder.Builder identity() {
    return builder().map(IDENTITY).to(fastEdge("out", OUT_0));
  }

  private Forwarder started(Forwarder.Builder builder) {
    Forwarder forwarder = builder.build();
    forwarders.add(forwarder);
    return forwarder.start();
  }

  private static Edge fastEdge(String vertex, String... buffers) {
    return Edge.to(vertex, buffers).withWriterOptions(
        WriterOptions.builder().refreshInterval(Duration.ofMillis(20)).build());
  }

  private List<WriteResult> input(int count) {
    return input(0, count);
  }

  private List<WriteResult> input(int first, int count) {
    List<Message> batch = new ArrayList<>();
    for (int i = first; i < first + count; i++) {
      Header header = Header.builder(new MessageId("source", Integer.toString(i), 0))
          .eventTime(Instant.ofEpochMilli(1_700_000_000_000L + i)).keys("k" + (i % 7))
          .headers(Map.of("trace", "t" + i)).build();
      batch.add(new Message(header, ("m" + i).getBytes(StandardCharsets.UTF_8)));
    }
    return write(IN, batch);
  }

  /** Writes {@code batch} to {@code buffer} and asserts that every message was stored. */
  private List<WriteResult> write(String buffer, List<Message> batch) {
    try (BufferWriter writer = isb.writer(buffer, WriterOptions.builder().refreshInterval(Duration.ofMillis(10)).build())) {
      List<WriteResult> results = writer.write(batch);
      assertThat(results).allMatch(WriteResult::isStored);
      return results;
    }
  }

  /** A reader of {@code buffer} for the test's own checks, beside the forwarder's consumer. */
  private BufferReader testReader(String buffer) {
    return isb.reader(buffer, ReaderOptions.builder().consumerName("test-0").build());
  }

  /** Reads and acks everything that arrives in {@code buffer} until {@code expected} messages came. */
  private List<ReadMessage> drain(String buffer, int expected) {
    List<ReadMessage> all = new ArrayList<>();
    try (BufferReader reader = testReader(buffer)) {
      long deadline = System.nanoTime() + PATIENCE.toNanos();
      while (all.size() < expected && System.nanoTime() < deadline) {
        List<ReadMessage> batch = reader.read(500, Duration.ofMillis(20));
        reader.ack(batch.stream().map(ReadMessage::offset).toList());
        all.addAll(batch);
      }
    }
    return all;
  }

  /**
   * Reads and acks everything {@code buffer} holds: once the forwarder has acked its inputs, all their
   * outputs, since an input is acked only after its outputs are stored.
   */
  private List<ReadMessage> drainAll(String buffer) {
    return drain(buffer, (int) settled(buffer));
  }

  /** Asserts that {@code outputs} messages arrive in {@link #OUT_0} and that every input is then acked. */
  private void assertForwardedAndAcked(int outputs) {
    assertThat(drain(OUT_0, outputs)).hasSize(outputs);
    awaitInputsAcked();
  }

  /** Waits until every input is acked: {@link #IN} holds nothing pending or unacked. */
  private void awaitInputsAcked() {
    Await.until(PATIENCE, "inputs acked", () -> settled(IN) == 0);
  }

  /** Asserts that nothing more arrives in {@code buffer} within {@code quiet}. */
  private void assertNothingMore(String buffer, Duration quiet) {
    try (BufferReader reader = testReader(buffer)) {
      assertThat(reader.read(500, quiet)).as("more messages in " + buffer).isEmpty();
    }
  }

  private double count(String name, String... tags) {
    return Search.in(registry).name(name).tags(tags).counters().stream().mapToDouble(c -> c.count()).sum();
  }

  private long settled(String buffer) {
    var info = isb.admin().bufferInfo(buffer);
    return info.pendingCount() + info.ackPendingCount();
  }

  /**
   * Partition choices pinned to values computed without {@link PartitionRouter}: a std-only Rust program
   * (rustc 1.95.0) doing what numaflow-core's {@code forward::determine_partition} does, a fresh
   * {@code DefaultHasher}, one {@code write} of the key's bytes, {@code finish() % 3}, printed for the
   * in-memory offsets {@code "1-0"} to {@code "12-0"} and the keys {@code "k1"} to {@code "k12"}.
   */
  @Nested
  @DisplayName("routing, as numaflow-core routes (3 partitions)")
  class Routing {
    private static final int[] BY_OFFSET_1_TO_12 = {0, 0, 2, 1, 1, 1, 1, 2, 0, 1, 2, 0};
    private static final int[] BY_KEY_K1_TO_K12 = {0, 2, 1, 2, 0, 2, 1, 2, 1, 2, 0, 2};
    private final List<String> three = List.of("ns-pl-r3-0", "ns-pl-r3-1", "ns-pl-r3-2");

    /** Writes 12 inputs (offsets 1-0 to 12-0); each becomes one output keyed k<n> and one without keys. */
    private Map<String, Integer> forward(Edge.Routing routing) {
      isb.admin().createBuffers(three, BufferConfig.defaults());
      List<Message> batch = new ArrayList<>();
      for (int n = 1; n <= 12; n++) {
        batch.add(Message.data(new MessageId("source", "s" + n, 0), Integer.toString(n).getBytes(StandardCharsets.UTF_8)));
      }
      write(IN, batch);
      started(builder().map(in -> List.of(Output.of("keyed-" + in.valueAsString()).withKeys("k" + in.valueAsString()),
          Output.of("plain-" + in.valueAsString()))).to(fastEdge("r3", three.toArray(String[]::new)).routedBy(routing)));
      awaitInputsAcked();
      Map<String, Integer> partitionOf = new HashMap<>();
      for (int p = 0; p < 3; p++) {
        for (ReadMessage m : drain(three.get(p), (int) isb.admin().bufferInfo(three.get(p)).pendingCount())) {
          partitionOf.put(m.message().payloadAsString(), p);
        }
      }
      assertThat(partitionOf).hasSize(24);
      return partitionOf;
    }

    @Test
    @DisplayName("by default (into a map or sink vertex) both outputs of an input go to the partition of the input's offset")
    void byOffset() {
      Map<String, Integer> partitionOf = forward(Edge.Routing.BY_OFFSET);
      for (int n = 1; n <= 12; n++) {
        assertThat(partitionOf.get("keyed-" + n)).as("keyed output of input %d-0", n).isEqualTo(BY_OFFSET_1_TO_12[n - 1]);
        assertThat(partitionOf.get("plain-" + n)).as("plain output of input %d-0", n).isEqualTo(BY_OFFSET_1_TO_12[n - 1]);
      }
    }

    @Test
    @DisplayName("by keys (into a reduce vertex, or an ordered one from v1.8), keyless outputs all to the partition of \"\"")
    void byKeys() {
      Map<String, Integer> partitionOf = forward(Edge.Routing.BY_KEYS);
      int ofEmptyKey = 0; // DefaultHasher of no bytes is 0xd1fba762150c532c, which is 0 mod 3
      for (int n = 1; n <= 12; n++) {
        assertThat(partitionOf.get("keyed-" + n)).as("output keyed k%d", n).isEqualTo(BY_KEY_K1_TO_K12[n - 1]);
        assertThat(partitionOf.get("plain-" + n)).as("keyless output of input %d", n).isEqualTo(ofEmptyKey);
      }
    }

    @Test
    @DisplayName("keys, else offset: the earlier routing, kept as an explicit choice")
    void keysElseOffset() {
      Map<String, Integer> partitionOf = forward(Edge.Routing.KEYS_ELSE_OFFSET);
      for (int n = 1; n <= 12; n++) {
        assertThat(partitionOf.get("keyed-" + n)).isEqualTo(BY_KEY_K1_TO_K12[n - 1]);
        assertThat(partitionOf.get("plain-" + n)).isEqualTo(BY_OFFSET_1_TO_12[n - 1]);
      }
    }
  }

  @Nested
  @DisplayName("forwarding")
  class Forwarding {

    /**
     * Forwards {@code count} inputs through {@code function} to {@link #OUT_0} and {@link #OUT_1}, asserts
     * that each of the {@code count} outputs is in the partition of its input's offset, and returns both
     * partitions' outputs.
     */
    private List<List<ReadMessage>> forwardedToTwoPartitions(int count, MapFunction function) {
      input(count);
      started(builder().map(function).to(fastEdge("out", OUT_0, OUT_1)));
      awaitInputsAcked();
      List<ReadMessage> out0 = drainAll(OUT_0);
      List<ReadMessage> out1 = drainAll(OUT_1);

      assertThat(out0.size() + out1.size()).isEqualTo(count);
      PartitionRouter router = PartitionRouter.of(2);
      out0.forEach(m -> assertThat(router.byOffset(m.message())).isZero());
      out1.forEach(m -> assertThat(router.byOffset(m.message())).isOne());
      return List.of(out0, out1);
    }

    @Test
    @DisplayName("every input is mapped, written to the partition its offset hashes to, and acked")
    void mapsRoutesAndAcks() {
      List<List<ReadMessage>> out = forwardedToTwoPartitions(200,
          MapFunction.of(in -> Output.of(in.valueAsString().toUpperCase()).withKeys(in.keys())));
      List<ReadMessage> out0 = out.get(0);
      List<ReadMessage> out1 = out.get(1);

      assertThat(out0).isNotEmpty();
      assertThat(out1).isNotEmpty();
      List<String> payloads = new ArrayList<>();
      out0.forEach(m -> payloads.add(m.message().payloadAsString()));
      out1.forEach(m -> payloads.add(m.message().payloadAsString()));
      assertThat(payloads).contains("M0", "M199").doesNotHaveDuplicates();
    }

    @Test
    @DisplayName("an output keeps its input's event time and headers and gets the id <vertex>-<input offset>-<index>")
    void outputIdsComeFromTheInput() {
      List<WriteResult> written = input(1);
      String inputOffset = ((WriteResult.Written) written.get(0)).offset().toString();
      started(builder().map(in -> List.of(Output.of("a"), Output.of("b"), Output.of("c")))
          .to(fastEdge("out", OUT_0)));
      List<ReadMessage> out = drain(OUT_0, 3);

      assertThat(out).extracting(m -> m.message().id())
          .containsExactly(new MessageId("map", inputOffset, 0), new MessageId("map", inputOffset, 1),
              new MessageId("map", inputOffset, 2));
      assertThat(out).extracting(m -> m.message().header().eventTime())
          .containsOnly(Instant.ofEpochMilli(1_700_000_000_000L));
      assertThat(out).extracting(m -> m.message().header().headers()).containsOnly(Map.of("trace", "t0"));
    }

    @Test
    @DisplayName("without keys, outputs spread over the partitions by the hash of their id")
    void unkeyedOutputsSpreadByIdHash() {
      assertThat(forwardedToTwoPartitions(100, IDENTITY).get(0).size()).isBetween(25, 75);
    }

    @Test
    @DisplayName("flat-map writes every output and a filter drops inputs, which are acked all the same")
    void flatMapAndFilter() {
      input(10);
      started(builder().map(in -> {
        int n = Integer.parseInt(in.valueAsString().substring(1));
        List<Output> outputs = new ArrayList<>();
        for (int i = 0; i < n % 3; i++) {
          outputs.add(Output.of(in.valueAsString() + "/" + i));
        }
        return outputs;
      }).to(fastEdge("out", OUT_0)));
      // n % 3 over 0..9 gives 0,1,2,0,1,2,0,1,2,0: 9 outputs.
      assertForwardedAndAcked(9);
      assertNothingMore(OUT_0, Duration.ofMillis(100));
    }

    @Test
    @DisplayName("MapFunction.filter passes an input on with its keys and value when it is kept")
    void filterPassesInputsOn() {
      input(20);
      started(builder().map(MapFunction.filter(in -> in.keys().get(0).equals("k3"))).to(fastEdge("out", OUT_0)));
      List<ReadMessage> out = drain(OUT_0, 3);
      awaitInputsAcked();
      assertThat(out).extracting(m -> m.message().payloadAsString()).containsExactly("m3", "m10", "m17");
      assertThat(out).allMatch(m -> m.message().header().keys().equals(List.of("k3")));
    }

    @Test
    @DisplayName("inputs delivered again (the ack of their batch failed) write nothing twice")
    void redeliveryWritesNothingTwice() {
      input(20);
      isb.faults().failNextAcks(IN, 1);
      started(identity());
      awaitInputsAcked();
      List<ReadMessage> out = drain(OUT_0, 20);

      assertThat(out).hasSize(20);
      assertNothingMore(OUT_0, Duration.ofMillis(100));
      assertThat(count(ForwarderMetrics.REDELIVERY)).isGreaterThanOrEqualTo(20);
      assertThat(count(ForwarderMetrics.DROP, "reason", ForwarderMetrics.REASON_DUPLICATE_ID)).as("numaflow-core's "
          + "drop reason for a write the ISB already held").isGreaterThanOrEqualTo(20);
      assertThat(count(ForwarderMetrics.ACK_ERROR)).isEqualTo(20);
    }

    @Test
    @DisplayName("watermark barriers are acked and never reach the function")
    void controlMessagesSkipTheFunction() {
      write(IN, List.of(Message.watermarkBarrier(new MessageId("source", "w", 0)),
          Message.data(new MessageId("source", "d", 0), "x".getBytes(StandardCharsets.UTF_8))));
      List<String> seen = Collections.synchronizedList(new ArrayList<>());
      started(builder().map(in -> {
        seen.add(in.valueAsString());
        return List.of(Output.of(in.value()));
      }).to(fastEdge("out", OUT_0)));
      assertThat(drain(OUT_0, 1)).hasSize(1);
      awaitInputsAcked();
      assertThat(seen).containsExactly("x");
      assertThat(count(ForwarderMetrics.READ)).as("numaflow-core counts data messages only").isEqualTo(1);
      assertThat(count(ForwarderMetrics.DATA_READ)).isEqualTo(1);
    }
  }

  @Nested
  @DisplayName("conditional forwarding")
  class Conditional {

    @Test
    @DisplayName("edges take outputs by tag: any, all, none; an untagged edge takes everything; no match drops")
    void tags() {
      input(1);
      String both = "ns-pl-both-0";
      String neither = "ns-pl-neither-0";
      isb.admin().createBuffers(List.of(both, neither), BufferConfig.defaults());
      started(builder().map(in -> List.of(
              Output.of("red").withTags("red"),
              Output.of("red+blue").withTags("red", "blue"),
              Output.of("green").withTags("green"),
              Output.of("plain")))
          .to(fastEdge("reds", OUT_0).whenTagged("red", "yellow"),
              fastEdge("both", both).whenTagged(Edge.TagMatch.ALL, "red", "blue"),
              fastEdge("neither", neither).whenTagged(Edge.TagMatch.NONE, "red", "blue", "green"),
              fastEdge("all", OTHER)));

      assertThat(drain(OUT_0, 2)).extracting(m -> m.message().payloadAsString()).containsExactly("red", "red+blue");
      assertThat(drain(both, 1)).extracting(m -> m.message().payloadAsString()).containsExactly("red+blue");
      assertThat(drain(neither, 1)).extracting(m -> m.message().payloadAsString()).containsExactly("plain");
      assertThat(drain(OTHER, 4)).extracting(m -> m.message().payloadAsString())
          .containsExactly("red", "red+blue", "green", "plain");
      awaitInputsAcked();
    }

    @Test
    @DisplayName("an output no edge takes is dropped, counted, and its input acked")
    void noMatchingEdge() {
      input(3);
      started(builder().map(MapFunction.of(in -> Output.of(in.value()).withTags("blue")))
          .to(fastEdge("reds", OUT_0).whenTagged("red")));
      awaitInputsAcked();
      assertThat(count(ForwarderMetrics.DROP, "reason", ForwarderMetrics.REASON_RULES_NOT_MET, "partition_name", "n/a"))
          .isEqualTo(3);
      assertNothingMore(OUT_0, Duration.ofMillis(100));
    }
  }

  @Nested
  @DisplayName("function errors")
  class FunctionErrors {

    @Test
    @DisplayName("a function that fails and then succeeds is retried, and its input forwarded once")
    void retriedThenForwarded() {
      input(5);
      Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
      started(builder().map(in -> {
        if (calls.computeIfAbsent(in.valueAsString(), k -> new AtomicInteger()).incrementAndGet() < 3) {
          throw new IllegalStateException("flaky");
        }
        return List.of(Output.of(in.value()));
      }).to(fastEdge("out", OUT_0)));
      assertForwardedAndAcked(5);
      assertThat(calls.values()).allMatch(c -> c.get() == 3);
      assertThat(count(ForwarderMetrics.UDF_ERROR)).isEqualTo(10);
      assertThat(count(ForwarderMetrics.NAK)).isZero();
    }

    @Test
    @DisplayName("a function that keeps failing never has its input acked: it is nakked and delivered again")
    void exhaustedRetriesNak() {
      input(1);
      List<Long> deliveries = Collections.synchronizedList(new ArrayList<>());
      started(builder().retryPolicy(RetryPolicy.defaults().withMaxAttempts(2)
              .withBackoff(Duration.ZERO, Duration.ZERO).withNakDelay(Duration.ZERO))
          .map(in -> {
            deliveries.add(in.deliveryCount());
            if (in.deliveryCount() < 3) {
              throw new IllegalArgumentException("poison until the third delivery");
            }
            return List.of(Output.of(in.value()));
          }).to(fastEdge("out", OUT_0)));
      assertForwardedAndAcked(1);
      assertThat(deliveries).containsExactly(1L, 1L, 2L, 2L, 3L);
      assertThat(count(ForwarderMetrics.NAK)).isEqualTo(2);
      assertThat(count(ForwarderMetrics.UDF_ERROR)).isEqualTo(4);
    }

    @Test
    @DisplayName("a function returning null counts as a failure, not as 'no outputs'")
    void nullIsAFailure() {
      input(1);
      AtomicInteger calls = new AtomicInteger();
      started(builder().retryPolicy(RetryPolicy.defaults().withMaxAttempts(1).withNakDelay(Duration.ofMinutes(1)))
          .map(in -> {
            calls.incrementAndGet();
            return null;
          }).to(fastEdge("out", OUT_0)));
      Await.until(PATIENCE, "nakked", () -> count(ForwarderMetrics.NAK) == 1);
      assertThat(calls.get()).isEqualTo(1);
      assertThat(isb.admin().bufferInfo(IN).ackPendingCount() + isb.admin().bufferInfo(IN).pendingCount())
          .as("the input is still in the buffer").isEqualTo(1);
    }
  }

  @Nested
  @DisplayName("asynchronous functions")
  class Async {

    @Test
    @DisplayName("run up to maxInFlight at once and write outputs in input order")
    void boundedAndOrdered() {
      input(60);
      AtomicInteger running = new AtomicInteger();
      AtomicInteger most = new AtomicInteger();
      started(builder().maxInFlight(4).asyncMap(in -> CompletableFuture.supplyAsync(() -> {
        most.accumulateAndGet(running.incrementAndGet(), Math::max);
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(3);
        while (System.nanoTime() < until) {
          Thread.onSpinWait();
        }
        running.decrementAndGet();
        return List.of(Output.of(in.value()));
      })).to(fastEdge("out", OUT_0)));
      List<ReadMessage> out = drain(OUT_0, 60);
      assertThat(out).extracting(m -> m.message().payloadAsString())
          .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 60).mapToObj(i -> "m" + i).toList());
      assertThat(most.get()).isBetween(1, 4);
    }

    @Test
    @DisplayName("a stage that fails is retried; one that keeps failing is nakked")
    void failingStages() {
      input(2);
      Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
      started(builder().retryPolicy(RetryPolicy.defaults().withMaxAttempts(2).withNakDelay(Duration.ofMinutes(1))
              .withBackoff(Duration.ofMillis(1), Duration.ofMillis(1)))
          .asyncMap(in -> {
            int call = calls.computeIfAbsent(in.valueAsString(), k -> new AtomicInteger()).incrementAndGet();
            if (in.valueAsString().equals("m0") && call == 1) {
              return CompletableFuture.failedFuture(new IllegalStateException("once"));
            }
            if (in.valueAsString().equals("m1")) {
              throw new IllegalStateException("always, and synchronously");
            }
            return CompletableFuture.completedFuture(List.of(Output.of(in.value())));
          }).to(fastEdge("out", OUT_0)));
      assertThat(drain(OUT_0, 1)).extracting(m -> m.message().payloadAsString()).containsExactly("m0");
      Await.until(PATIENCE, "m1 nakked", () -> count(ForwarderMetrics.NAK) == 1);
      assertThat(count(ForwarderMetrics.ACK)).isEqualTo(1);
      assertThat(calls.get("m1").get()).isEqualTo(2);
    }
  }

  @Nested
  @DisplayName("sinks")
  class Sinks {

    @Test
    @DisplayName("a sink consumes every input once and acks it")
    void consumes() {
      input(50);
      List<String> seen = Collections.synchronizedList(new ArrayList<>());
      started(Forwarder.builder(isb, "sink").from(IN).meterRegistry(registry).sink(in -> seen.add(in.valueAsString())));
      // The ack counter moves just after the buffer's ack: wait for it too, then check its value.
      Await.until(PATIENCE, "all consumed and acked", () -> seen.size() == 50 && settled(IN) == 0
          && count(ForwarderMetrics.ACK, "vertex_type", "Sink") >= 50);
      assertThat(seen).doesNotHaveDuplicates();
      assertThat(count(ForwarderMetrics.ACK, "vertex_type", "Sink")).isEqualTo(50);
      assertThat(count(ForwarderMetrics.WRITE, "vertex_type", "Sink", "partition_name", "sink"))
          .as("numaflow-core counts a sink's writes under the vertex's name").isEqualTo(50);
    }

    @Test
    @DisplayName("an async sink acks when its stage completes, and a failed stage comes back")
    void asyncSink() {
      input(3);
      Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
      started(Forwarder.builder(isb, "sink").from(IN).meterRegistry(registry)
          .retryPolicy(RetryPolicy.defaults().withMaxAttempts(1).withNakDelay(Duration.ZERO))
          .asyncSink(in -> calls.computeIfAbsent(in.valueAsString(), k -> new AtomicInteger()).incrementAndGet() == 1
              && in.valueAsString().equals("m1")
              ? CompletableFuture.failedFuture(new IllegalStateException("first time"))
              : CompletableFuture.completedFuture(null)));
      awaitInputsAcked();
      assertThat(calls.get("m1").get()).isEqualTo(2);
      assertThat(calls.get("m0").get()).isEqualTo(1);
    }
  }

  @Nested
  @DisplayName("back-pressure and write failures")
  class BackPressure {

    /** One batch in flight: with read-ahead the reader thread holds one more batch, without it none. */
    @ParameterizedTest(name = "readAhead {0}: {1} read")
    @CsvSource({"true, 100", "false, 50"})
    @DisplayName("a full downstream buffer stops the reading under retryUntilSuccess (one batch in flight, and one"
        + " read ahead with read-ahead), and nothing is lost")
    void fullStopsReading(boolean readAhead, int read) {
      isb.faults().forceFull(OUT_0, true);
      input(200);
      started(identity().readAhead(readAhead).maxBatchesInFlight(1));
      awaitWriteRefusedOnce();
      assertThat(isb.admin().bufferInfo(IN).pendingCount()).as("not read while full").isEqualTo(200 - read);
      assertThat(count(ForwarderMetrics.READ)).isEqualTo(read);
      assertThat(count(ForwarderMetrics.ACK)).isZero();

      isb.faults().forceFull(OUT_0, false);
      assertForwardedAndAcked(200);
      assertThat(count(ForwarderMetrics.READ)).isEqualTo(200);
    }

    /**
     * Waits until a write of the first batch has waited its full second for room and been refused: by
     * then any read the loop could make has long been made (a read returns at once while the input
     * holds messages, and within a 20 ms read timeout otherwise).
     */
    private void awaitWriteRefusedOnce() {
      Await.until(PATIENCE, "a write refused after waiting a second for room", () -> count(ForwarderMetrics.WRITE_ERROR) > 0);
    }

    /**
     * With two batches in flight the loop holds a third waiting for a permit, and with read-ahead the
     * reader thread a fourth waiting to hand it over: 200 (150 without read-ahead) of the 400 inputs
     * are read, and no more while the buffer stays full (checked over 1.5 s, longer than a write's wait
     * for room, so a leak of the bound would show as more reads).
     */
    @ParameterizedTest(name = "readAhead {0}: {1} read")
    @CsvSource({"true, 200", "false, 150"})
    @DisplayName("with batches in flight, a full downstream buffer stops the reading at the in-flight bound, and nothing is lost")
    void fullStopsReadingAtTheInFlightBound(boolean readAhead, int bound) {
      isb.faults().forceFull(OUT_0, true);
      input(400);
      started(identity().readAhead(readAhead).maxBatchesInFlight(2));
      Await.until(PATIENCE, bound + " read", () -> count(ForwarderMetrics.READ) >= bound);
      Await.holdsFor(Duration.ofMillis(1_500), "no more than " + bound + " read while full",
          () -> count(ForwarderMetrics.READ) == bound);
      assertThat(isb.admin().bufferInfo(IN).pendingCount()).isEqualTo(400 - bound);
      assertThat(count(ForwarderMetrics.ACK)).isZero();

      isb.faults().forceFull(OUT_0, false);
      assertForwardedAndAcked(400);
      assertThat(count(ForwarderMetrics.NAK)).isZero();
    }

    @Test
    @DisplayName("under discardLatest a full buffer drops the outputs, counts them, and acks the inputs")
    void discardLatest() {
      isb.faults().forceFull(OUT_0, true);
      input(10);
      started(builder().map(IDENTITY)
          .to(fastEdge("out", OUT_0).withWriterOptions(WriterOptions.builder().onFull(OnFull.DISCARD_LATEST)
              .refreshInterval(Duration.ofMillis(20)).build())));
      awaitInputsAcked();
      assertThat(count(ForwarderMetrics.DROP, "reason", ForwarderMetrics.REASON_BUFFER_FULL)).isEqualTo(10);
      assertThat(settled(OUT_0)).isZero();
    }

    @Test
    @DisplayName("retryable write failures are retried until the outputs are stored")
    void retryableWriteFailures() {
      input(30);
      isb.faults().failNextWrites(OUT_0, 45);
      started(identity());
      assertForwardedAndAcked(30);
      assertThat(count(ForwarderMetrics.WRITE_ERROR)).isEqualTo(45);
      assertThat(count(ForwarderMetrics.WRITE)).isEqualTo(30);
      assertThat(count(ForwarderMetrics.NAK)).isZero();
    }

    @Test
    @DisplayName("read failures are counted and retried after a pause, without spinning")
    void readFailures() {
      input(5);
      isb.faults().failNextReads(IN, 3);
      started(identity());
      assertThat(drain(OUT_0, 5)).hasSize(5);
      assertThat(count(ForwarderMetrics.READ_ERROR)).isEqualTo(3);
    }
  }

  @Nested
  @DisplayName("shutdown")
  class Shutdown {

    /** Starts a forwarder whose function never returns, with a 200 ms shutdownTimeout, once a message is in it. */
    private Forwarder startedStuck() throws InterruptedException {
      return startedHolding(Duration.ofMillis(200), new CountDownLatch(1));
    }

    /** Starts a forwarder whose function forwards its input once {@code release} opens, once a message is in it. */
    private Forwarder startedHolding(Duration shutdownTimeout, CountDownLatch release) throws InterruptedException {
      CountDownLatch entered = new CountDownLatch(1);
      Forwarder forwarder = started(builder().shutdownTimeout(shutdownTimeout).map(in -> {
        entered.countDown();
        release.await();
        return List.of(Output.of(in.value()));
      }).to(fastEdge("out", OUT_0)));
      assertThat(entered.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
      return forwarder;
    }

    @Test
    @DisplayName("close lets the batch in flight finish: its outputs are written and its inputs acked")
    void closeFinishesInFlight() throws Exception {
      input(5);
      CountDownLatch release = new CountDownLatch(1);
      Forwarder forwarder = startedHolding(PATIENCE, release);
      CompletableFuture<Void> closing = CompletableFuture.runAsync(forwarder::close);
      Await.until(PATIENCE, "reading stopped", () -> !forwarder.running());
      release.countDown();
      closing.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);

      assertThat(settled(IN)).isZero();
      assertThat(drain(OUT_0, 5)).hasSize(5);
      assertThat(forwarder.awaitTermination(Duration.ZERO)).isTrue();
    }

    @Test
    @DisplayName("what does not finish within shutdownTimeout is nakked, and the next replica gets it")
    void deadlineNaks() throws Exception {
      input(3);
      Forwarder stuck = startedStuck();
      long start = System.nanoTime();
      stuck.close();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
      assertThat(count(ForwarderMetrics.NAK)).isEqualTo(3);

      started(identity().replica(1));
      assertForwardedAndAcked(3);
    }

    @Test
    @DisplayName("read-ahead: the next batch is read while the function works on the one before")
    void readAhead() throws Exception {
      input(100);
      CountDownLatch release = new CountDownLatch(1);
      started(builder().map(in -> {
        if (in.valueAsString().equals("m0")) {
          release.await();
        }
        return List.of(Output.of(in.value()));
      }).to(fastEdge("out", OUT_0)));
      Await.until(PATIENCE, "the second batch of 50 read while the first waits in the function",
          () -> count(ForwarderMetrics.READ) == 100);
      assertThat(count(ForwarderMetrics.ACK)).isZero();
      release.countDown();
      assertForwardedAndAcked(100);
    }

    @Test
    @DisplayName("a batch read ahead when the forwarder closes is handed back, never acked, and the next replica gets it")
    void readAheadHandedBackAtClose() throws Exception {
      input(100);
      Forwarder stuck = startedStuck();
      Await.until(PATIENCE, "the second batch read ahead", () -> count(ForwarderMetrics.READ) == 100);
      stuck.close();
      assertThat(count(ForwarderMetrics.ACK)).isZero();
      assertThat(count(ForwarderMetrics.NAK)).as("the batch in the function and the one read ahead").isEqualTo(100);

      started(identity().replica(1));
      assertForwardedAndAcked(100);
    }

    @Test
    @DisplayName("runUntilShutdown returns once the forwarder is closed from another thread")
    void runUntilShutdown() throws Exception {
      Forwarder forwarder = identity().build();
      forwarders.add(forwarder);
      CompletableFuture<Void> run = CompletableFuture.runAsync(() -> {
        try {
          forwarder.runUntilShutdown();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      input(2);
      assertThat(drain(OUT_0, 2)).hasSize(2);
      assertThat(run).isNotDone();
      forwarder.close();
      run.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
      assertThatThrownBy(forwarder::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    @DisplayName("close is idempotent, and closing a forwarder that never started closes its readers and writers")
    void closeIdempotent() {
      Forwarder forwarder = identity().build();
      forwarder.close();
      forwarder.close();
      // A simple registry shows a histogram's buckets as '<name>.histogram' gauges; they stay, as the histograms do.
      assertThat(Search.in(registry).gauges().stream().map(g -> g.getId().getName())
          .filter(name -> !name.endsWith(".histogram")).distinct().toList()).as("gauges removed").isEmpty();
    }
  }

  @Nested
  @DisplayName("metrics")
  class Metrics {

    @Test
    @DisplayName("NUMAFLOW style (the default): a Prometheus scrape shows numaflow-core's names, labels and microsecond histograms")
    void numaflowNamesInAScrape() {
      PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      input(40);
      started(builder().meterRegistry(prometheus).replica(2).map(in -> in.valueAsString().equals("m7") ? List.of()
          : List.of(Output.of(in.value()).withKeys(in.keys()))).to(fastEdge("out", OUT_0, OUT_1)));
      awaitInputsAcked();
      int out = drainAll(OUT_0).size() + drainAll(OUT_1).size();
      assertThat(out).isEqualTo(39);
      Await.until(PATIENCE, "the writer gauges polled", () -> prometheus.scrape().contains("isb_memory_buffer_pending{"));
      // The end-to-end histogram is recorded last for a batch, after its acks.
      Await.until(PATIENCE, "the end-to-end histogram has every message", () -> prometheus.scrape()
          .contains("forwarder_processing_time_count{" + labels(IN) + "} 40"));

      String scrape = prometheus.scrape();
      assertThat(scrape)
          .contains("forwarder_read_total{" + labels(IN) + "} 40.0")
          .contains("forwarder_data_read_total{" + labels(IN) + "} 40.0")
          .contains("forwarder_data_read_bytes_total{" + labels(IN) + "} 110.0")
          .contains("forwarder_udf_read_total{pipeline=\"pl\",replica=\"2\",vertex=\"map\",vertex_type=\"MapUDF\"} 40.0")
          .contains("forwarder_udf_write_total{pipeline=\"pl\",replica=\"2\",vertex=\"map\",vertex_type=\"MapUDF\"} 39.0")
          .contains("forwarder_drop_total{partition_name=\"n/a\",pipeline=\"pl\",reason=\"forwarding-rules-not-met\","
              + "replica=\"2\",vertex=\"map\",vertex_type=\"MapUDF\"} 0.0")
          .contains("# TYPE forwarder_read_processing_time histogram")
          .contains("forwarder_read_processing_time_bucket{" + labels(IN) + ",le=\"566.4060932173123\"}")
          .contains("forwarder_ack_processing_time_count{" + labels(IN) + "} 40")
          .contains("isb_memory_buffer_pending{buffer=\"" + OUT_0 + "\"}")
          .contains("isb_memory_buffer_soft_usage{buffer=\"" + OUT_1 + "\"}")
          .contains("isb_memory_isFull_total{buffer=\"" + OUT_0 + "\"} 0.0")
          .doesNotContain("_seconds").doesNotContain("isb_buffer_").doesNotContain("forwarder_write_duplicate")
          .as("numaflow-core's isb_*_time_total twins are left out (docs/metrics.md)").doesNotContain("isb_memory_write_time");
      assertThat(sum(scrape, "forwarder_write_total{" + labels(OUT_0) + "}")
          + sum(scrape, "forwarder_write_total{" + labels(OUT_1) + "}")).as("the 39 outputs").isEqualTo(39);
    }

    private static String labels(String partition) {
      return "partition_name=\"" + partition + "\",pipeline=\"pl\",replica=\"2\",vertex=\"map\",vertex_type=\"MapUDF\"";
    }

    /** The value of the sample line that starts with {@code series}. */
    private static double sum(String scrape, String series) {
      return scrape.lines().filter(l -> l.startsWith(series + " ")).mapToDouble(l -> Double.parseDouble(
          l.substring(series.length() + 1))).sum();
    }

    @Test
    @DisplayName("TIMERS style: count reads, writes and acks per partition with Numaflow's tags, and time each step")
    void countersAndTimers() {
      input(40);
      started(builder().metricsStyle(MetricsStyle.TIMERS).replica(2).map(MapFunction.of(in -> Output.of(in.value()).withKeys(in.keys())))
          .to(fastEdge("out", OUT_0, OUT_1)));
      int out = drain(OUT_0, 1).size();
      out += drain(OUT_1, 40 - out).size();
      awaitInputsAcked();
      out += drain(OUT_0, 40 - out).size();
      assertThat(out).isEqualTo(40);

      String[] inputTags = {"pipeline", "pl", "vertex", "map", "vertex_type", "MapUDF", "replica", "2",
          "partition_name", IN};
      assertThat(count(ForwarderMetrics.READ, inputTags)).isEqualTo(40);
      assertThat(count(ForwarderMetrics.DATA_READ, inputTags)).isEqualTo(40);
      assertThat(count(ForwarderMetrics.READ_BYTES, inputTags)).isEqualTo(40 * 2 + 30);
      assertThat(count(ForwarderMetrics.ACK, inputTags)).isEqualTo(40);
      assertThat(count(ForwarderMetrics.WRITE, "partition_name", OUT_0)
          + count(ForwarderMetrics.WRITE, "partition_name", OUT_1)).isEqualTo(40);
      assertThat(count(ForwarderMetrics.WRITE, "partition_name", OUT_0)).isPositive();
      for (String timer : List.of(ForwarderMetrics.READ_TIME, ForwarderMetrics.ACK_TIME, ForwarderMetrics.UDF_TIME,
          ForwarderMetrics.WRITE_TIME, ForwarderMetrics.PROCESSING_TIME)) {
        assertThat(Search.in(registry).name(timer).timers()).as(timer).isNotEmpty()
            .allMatch(t -> t.count() > 0 || t.getId().getTag("partition_name") != null);
        assertThat(Search.in(registry).name(timer).timers().stream().mapToLong(t -> t.count()).sum()).as(timer)
            .isPositive();
      }
    }

    @Test
    @DisplayName("TIMERS style: gauge each buffer's pending, ack pending and usage against the edge's maxLength")
    void usageGauges() {
      started(builder().metricsStyle(MetricsStyle.TIMERS).map(IDENTITY)
          .to(fastEdge("out", OUT_0).withWriterOptions(WriterOptions.builder().maxLength(100)
              .refreshInterval(Duration.ofMillis(20)).build())));
      List<Message> batch = new ArrayList<>();
      for (int i = 0; i < 25; i++) {
        batch.add(Message.data(new MessageId("x", Integer.toString(i), 0), new byte[1]));
      }
      write(OUT_0, batch);
      Map<String, Double> expected = new HashMap<>(Map.of(ForwarderMetrics.BUFFER_PENDING, 25.0,
          ForwarderMetrics.BUFFER_ACK_PENDING, 0.0, ForwarderMetrics.BUFFER_USAGE, 0.25));
      expected.forEach((name, value) -> Await.until(PATIENCE, name, () -> Search.in(registry).name(name).tag("buffer", OUT_0)
          .gauges().stream().anyMatch(g -> g.value() == value)));
      Await.until(PATIENCE, "pending of the input", () -> Search.in(registry).name(ForwarderMetrics.PENDING)
          .tag("partition_name", IN).gauges().stream().anyMatch(g -> g.value() == 0.0));
      assertThat(Search.in(registry).name(ForwarderMetrics.RECOVERIES).tag("partition_name", IN).functionCounters())
          .as("the reader's recoveries, none on the in-memory ISB").singleElement()
          .satisfies(c -> assertThat(c.count()).isZero());
    }
  }

  @Nested
  @DisplayName("building")
  class Building {

    @Test
    @DisplayName("refuses a vertex without exactly one function, without inputs, or with edges that do not fit")
    void refusesBadShapes() {
      assertThatThrownBy(() -> Forwarder.builder(isb, "v").from(IN).build())
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("exactly one function").hasMessageContaining("has 0");
      assertThatThrownBy(() -> Forwarder.builder(isb, "v").from(IN).map(in -> List.of()).sink(in -> { }).build())
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("has 2");
      assertThatThrownBy(() -> Forwarder.builder(isb, "v").map(in -> List.of()).to(Edge.to("o", OUT_0)).build())
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("reads no buffer");
      assertThatThrownBy(() -> Forwarder.builder(isb, "v").from(IN).map(in -> List.of()).build())
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("no edge");
      assertThatThrownBy(() -> Forwarder.builder(isb, "v").from(IN).sink(in -> { }).to(Edge.to("o", OUT_0)).build())
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("writes nowhere");
      assertThatThrownBy(() -> Forwarder.builder(isb, "v").from(IN).map(in -> List.of()).to(Edge.to("o", IN)).build())
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("own input '" + IN + "'");
      assertThatThrownBy(() -> Forwarder.builder(isb, "v").from(IN, IN))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
      assertThatThrownBy(() -> Forwarder.builder(isb, " "))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vertex");
      assertThatThrownBy(() -> Forwarder.builder(isb, "v").maxInFlight(0))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxInFlight").hasMessageContaining("0");
      assertThatThrownBy(() -> Forwarder.builder(isb, "v").replica(-1))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("replica").hasMessageContaining("-1");
    }

    @Test
    @DisplayName("an unknown buffer fails the build, naming it, and leaves nothing open")
    void unknownBuffer() {
      assertThatThrownBy(() -> Forwarder.builder(isb, "v").from(IN).map(in -> List.of())
          .to(Edge.to("o", "ns-pl-missing-0")).build())
          .isInstanceOf(BufferNotFoundException.class).hasMessageContaining("ns-pl-missing-0");
      assertThatThrownBy(() -> Forwarder.builder(isb, "v").from("ns-pl-missing-0").sink(in -> { }).build())
          .isInstanceOf(BufferNotFoundException.class).hasMessageContaining("ns-pl-missing-0");
    }

    @Test
    @DisplayName("edges and retry policies check their arguments")
    void valueChecks() {
      assertThatThrownBy(() -> Edge.to("o")).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("at least one buffer");
      assertThatThrownBy(() -> Edge.to("o", OUT_0, OUT_0)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("twice");
      assertThatThrownBy(() -> RetryPolicy.defaults().withMaxAttempts(0)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("maxAttempts must be at least 1, was 0");
      assertThatThrownBy(() -> RetryPolicy.defaults().withNakDelay(Duration.ofSeconds(-1)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nakDelay");
      RetryPolicy policy = RetryPolicy.defaults().withBackoff(Duration.ofMillis(10), Duration.ofMillis(50));
      assertThat(List.of(policy.backoffBefore(2), policy.backoffBefore(3), policy.backoffBefore(4),
          policy.backoffBefore(5))).containsExactly(Duration.ofMillis(10), Duration.ofMillis(20),
          Duration.ofMillis(40), Duration.ofMillis(50));
    }
  }

  /** Poison messages end in the dead letters once they have been delivered often enough, and nothing is lost. */
  @Nested
  @DisplayName("dead letters")
  class PoisonMessages {

    private static final String DLQ = "ns-pl-map-dlq-0";

    @BeforeEach
    void createDeadLetterBuffer() {
      isb.admin().createBuffers(List.of(DLQ), BufferConfig.defaults());
    }

    /** The map vertex with two attempts per delivery; its function is the test's. */
    private Forwarder.Builder vertex() {
      return builder().retryPolicy(RetryPolicy.defaults().withMaxAttempts(2).withBackoff(Duration.ZERO, Duration.ZERO)
          .withNakDelay(Duration.ZERO)).to(fastEdge("out", OUT_0));
    }

    /** An identity function that fails every time on the payloads in {@code poison}. */
    private static MapFunction failingOn(String... poison) {
      return in -> {
        if (List.of(poison).contains(in.valueAsString())) {
          throw new IllegalStateException("cannot digest " + in.valueAsString());
        }
        return List.of(Output.of(in.value()));
      };
    }

    @Test
    @DisplayName("a poison input is written to the dead-letter buffer at its third delivery, once, keeping its id,"
        + " keys and headers and adding the error, the delivery count, the buffer and the vertex; then acked, while"
        + " the others are forwarded")
    void poisonGoesToTheBuffer() {
      input(5);
      started(vertex().map(failingOn("m2")).deadLetters(DeadLetterPolicy.toBuffer(DLQ, 3)));

      assertThat(drain(OUT_0, 4)).extracting(m -> m.message().payloadAsString())
          .containsExactlyInAnyOrder("m0", "m1", "m3", "m4");
      List<ReadMessage> letters = drain(DLQ, 1);
      assertNothingMore(DLQ, Duration.ofMillis(300));
      assertThat(letters).singleElement().satisfies(letter -> {
        Message m = letter.message();
        assertThat(m.id()).isEqualTo(new MessageId("source", "2", 0));
        assertThat(m.payloadAsString()).isEqualTo("m2");
        assertThat(m.header().keys()).containsExactly("k2");
        assertThat(m.header().headers()).containsEntry("trace", "t2")
            .containsEntry(DeadLetterPolicy.ERROR_HEADER, "java.lang.IllegalStateException: cannot digest m2")
            .containsEntry(DeadLetterPolicy.DELIVERIES_HEADER, "3")
            .containsEntry(DeadLetterPolicy.BUFFER_HEADER, IN)
            .containsEntry(DeadLetterPolicy.VERTEX_HEADER, "map");
      });
      awaitInputsAcked();
      assertThat(count(ForwarderMetrics.DEAD_LETTER)).isEqualTo(1);
      assertThat(count(ForwarderMetrics.NAK)).as("the first two deliveries").isEqualTo(2);
    }

    @Test
    @DisplayName("a handler takes the letter of an asynchronous function's failure (the error as the stage failed),"
        + " with the input as read; the input is acked")
    void handlerTakesTheLetter() {
      input(1);
      List<DeadLetterPolicy.DeadLetter> taken = Collections.synchronizedList(new ArrayList<>());
      started(vertex().asyncMap(in ->
              CompletableFuture.failedFuture(new IllegalArgumentException("bad " + in.valueAsString())))
          .deadLetters(DeadLetterPolicy.toHandler(taken::add, 1)));

      Await.until(PATIENCE, "the letter taken and the input acked", () -> taken.size() == 1 && settled(IN) == 0);
      DeadLetterPolicy.DeadLetter letter = taken.get(0);
      assertThat(letter.vertex()).isEqualTo("map");
      assertThat(letter.buffer()).isEqualTo(IN);
      assertThat(letter.input().deliveryCount()).isEqualTo(1);
      assertThat(letter.input().message().payloadAsString()).isEqualTo("m0");
      assertThat(letter.error()).isInstanceOf(IllegalArgumentException.class).hasMessage("bad m0");
      assertThat(count(ForwarderMetrics.NAK)).isZero();
    }

    @Test
    @DisplayName("a dead-letter buffer that refuses the letter (a failed write): the input is nakked, not acked,"
        + " and dead-lettered on its next delivery; nothing is lost")
    void refusedLetterIsNakked() {
      input(1);
      isb.faults().failNextWrites(DLQ, 1);
      started(vertex().map(failingOn("m0")).deadLetters(DeadLetterPolicy.toBuffer(DLQ, 1)));

      assertThat(drain(DLQ, 1)).singleElement().satisfies(letter ->
          assertThat(letter.message().header().headers()).containsEntry(DeadLetterPolicy.DELIVERIES_HEADER, "2"));
      awaitInputsAcked();
      assertThat(count(ForwarderMetrics.NAK)).isEqualTo(1);
      assertThat(count(ForwarderMetrics.DEAD_LETTER)).isEqualTo(1);
    }

    @Test
    @DisplayName("written exactly once: when the ack after the letter fails, the input comes back and its letter is a"
        + " duplicate the dead-letter buffer does not store again")
    void letterWrittenOnce() {
      input(1);
      isb.faults().failNextAcks(IN, 1);
      started(vertex().map(failingOn("m0")).deadLetters(DeadLetterPolicy.toBuffer(DLQ, 1)));

      Await.until(PATIENCE, "the input handed over twice and acked",
          () -> count(ForwarderMetrics.DEAD_LETTER) == 2 && settled(IN) == 0);
      assertThat(drain(DLQ, 1)).as("one letter, though it was sent twice").hasSize(1);
      assertNothingMore(DLQ, Duration.ofMillis(300));
    }

    @Test
    @DisplayName("a handler that throws: the input is nakked and handed over again on its next delivery")
    void throwingHandlerNaks() {
      input(1);
      AtomicInteger calls = new AtomicInteger();
      started(vertex().map(failingOn("m0")).deadLetters(DeadLetterPolicy.toHandler(letter -> {
        if (calls.incrementAndGet() == 1) {
          throw new IllegalStateException("the handler's store is down");
        }
      }, 1)));

      Await.until(PATIENCE, "taken on the second try and acked", () -> calls.get() == 2 && settled(IN) == 0);
      assertThat(count(ForwarderMetrics.NAK)).isEqualTo(1);
      assertThat(count(ForwarderMetrics.DEAD_LETTER)).isEqualTo(1);
    }

    /**
     * An Error escapes everything the settling thread guards against (a handler's exceptions are
     * caught, an Error is not): the thread dies before it acks its batch, hands back (naks) what was
     * queued behind it, and the partition stops within a hand-over poll, instead of reading batches
     * nobody would settle.
     */
    @Test
    @DisplayName("a settling thread that dies on an Error: the partition stops and reports it, nothing of the"
        + " unsettled batches is acked")
    void settlingThreadDies() {
      input(1);
      Forwarder forwarder = started(vertex().map(failingOn("m0")).deadLetters(DeadLetterPolicy.toHandler(letter -> {
        throw new AssertionError("a bug in the handler");
      }, 1)));

      Await.until(PATIENCE, "the partition reports the error", () -> forwarder.failure().isPresent());
      assertThat(forwarder.failure().get()).hasMessageContaining("settling").hasRootCauseMessage("a bug in the handler");
      input(1, 1);
      assertNothingMore(OUT_0, Duration.ofMillis(300));
      assertThat(count(ForwarderMetrics.ACK)).as("acked").isZero();
      assertThat(count(ForwarderMetrics.READ)).as("read after the partition stopped").isEqualTo(1);
      assertThat(settled(IN)).as("both inputs still in their buffer").isEqualTo(2);
    }

    @Test
    @DisplayName("an output buffer that is gone fails every input alike, not one message: nothing is dead-lettered,"
        + " the inputs are nakked and stay in their buffer")
    void missingOutputBufferIsNotPoison() {
      started(vertex().map(failingOn()).deadLetters(DeadLetterPolicy.toBuffer(DLQ, 1)));
      isb.admin().deleteBuffers(List.of(OUT_0));
      input(2);

      Await.until(PATIENCE, "both inputs nakked", () -> count(ForwarderMetrics.NAK) >= 2);
      assertThat(count(ForwarderMetrics.DEAD_LETTER)).isZero();
      assertNothingMore(DLQ, Duration.ofMillis(300));
      assertThat(settled(IN)).isEqualTo(2);
    }

    @Test
    @DisplayName("bad policies are refused: no delivery limit, both or neither of buffer and handler, a missing buffer")
    void badPolicies() {
      assertThatThrownBy(() -> DeadLetterPolicy.toBuffer(DLQ, 0)).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("maxDeliveries must be at least 1, was 0");
      assertThatThrownBy(() -> new DeadLetterPolicy(3, DLQ, letter -> { }))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a buffer or a handler, not both");
      assertThatThrownBy(() -> DeadLetterPolicy.toBuffer(" ", 3)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> vertex().map(failingOn()).deadLetters(DeadLetterPolicy.toBuffer("ns-pl-nowhere-0", 3))
          .build())
          .isInstanceOf(BufferNotFoundException.class).hasMessageContaining("ns-pl-nowhere-0");
    }
  }
}
