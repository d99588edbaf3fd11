package dev.isb.vertex;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isb.BucketLayout;
import dev.isb.BufferConfig;
import dev.isb.BufferInfo;
import dev.isb.BufferWriter;
import dev.isb.Header;
import dev.isb.IsbClient;
import dev.isb.Kind;
import dev.isb.Message;
import dev.isb.MessageId;
import dev.isb.NumaflowVersion;
import dev.isb.ReadMessage;
import dev.isb.ReaderOptions;
import dev.isb.WriteResult;
import dev.isb.testkit.Await;
import dev.isb.watermark.WatermarkFetcher;
import dev.isb.watermark.WatermarkStore;
import dev.isb.watermark.WatermarkedReader;
import dev.isb.wire.BufferNames;
import dev.isb.wire.WatermarkCodec;
import dev.isb.wire.Wmb;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A Java map vertex between a simulated Numaflow upstream processor (it writes the vertex's input
 * buffers and puts WMBs into the edge's bucket the way numaflow-core does) and a downstream reader
 * that fetches the watermarks the vertex publishes. Each backend that keeps watermarks runs it.
 *
 * <p>The upstream puts its WMBs once the vertex watches: a processor keeps one key, so a fetcher that
 * starts later sees only the partition published last, and a v1.7 processor puts again only when its
 * watermark rises (numaflow-core behaves the same).
 */
abstract class WatermarkForwardingContract {

  static final Duration PATIENCE = Duration.ofSeconds(20);
  private static final String NS = "ns";

  private IsbClient client;
  private String pipeline;
  private List<String> inputs;
  private String output;
  private final List<AutoCloseable> open = new ArrayList<>();
  private final List<ReadMessage> downstream = new ArrayList<>();
  private Upstream up;
  private Forwarder map;
  private WatermarkedReader reader;

  /** A new client on a backend that keeps watermark buckets. */
  abstract IsbClient newClient();

  /** Buffer and bucket settings this backend can create. */
  abstract BufferConfig config();

  @BeforeEach
  void setUp() {
    client = newClient();
    pipeline = "p" + UUID.randomUUID().toString().substring(0, 8);
    inputs = List.of(BufferNames.buffer(NS, pipeline, "map", 0), BufferNames.buffer(NS, pipeline, "map", 1));
    output = BufferNames.buffer(NS, pipeline, "out", 0);
    List<String> buffers = new ArrayList<>(inputs);
    buffers.add(output);
    client.admin().createBuffers(buffers, config());
    client.admin().createBuckets(List.of(edge("in", "map"), edge("map", "out")), config(),
        BucketLayout.OFFSET_TIMELINE_AND_PROCESSORS);
  }

  @AfterEach
  void tearDown() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
    client.close();
  }

  private String edge(String from, String to) {
    return BufferNames.edgeBucket(NS, pipeline, from, to);
  }

  private <T extends AutoCloseable> T keep(T closeable) {
    open.add(closeable);
    return closeable;
  }

  /** Starts the upstream {@code in}, the vertex {@code map} and the downstream reader of {@code out}. */
  private void start(NumaflowVersion version) {
    up = new Upstream(version);
    map = startMap(version);
    reader = downstreamReader(version);
  }

  /** Starts the Java vertex {@code map}: identity, from both input partitions to {@code out}. */
  private Forwarder startMap(NumaflowVersion version) {
    return keep(Forwarder.builder(client, "map").pipeline(pipeline).from(inputs)
        .map(MapFunction.of(in -> Output.of(in.value())))
        .to(Edge.to("out", output))
        .readerOptions(ReaderOptions.builder().readTimeout(Duration.ofMillis(100)).build())
        // No throttle: a v1.7 publisher that is throttled when its watermark rises puts that value only at the
        // next rise, which would make these tests depend on timing; the throttle has its own unit tests.
        .watermarks(NS, List.of("in")).numaflowVersion(version).watermarkDelay(Duration.ZERO)
        .idleInterval(Duration.ofMillis(300))
        .meterRegistry(new SimpleMeterRegistry()).build().start());
  }

  /** The downstream vertex's reader of {@code out}, fetching the watermarks {@code map} publishes. */
  private WatermarkedReader downstreamReader(NumaflowVersion version) {
    WatermarkFetcher fetcher = keep(WatermarkFetcher.builder(client).edges(edge("map", "out")).partitions(0)
        .version(version).build());
    return keep(fetcher.track(client.reader(output, ReaderOptions.builder().consumerName("out-0").build())));
  }

  /** Reads and acks what the downstream reader gets until {@code done}, or fails after PATIENCE. */
  private void readDownstreamUntil(String what, BooleanSupplier done) {
    readDownstreamUntil(what, () -> { }, done);
  }

  /** As above, running {@code feed} (more upstream data, say) before each read. */
  private void readDownstreamUntil(String what, Runnable feed, BooleanSupplier done) {
    Await.until(PATIENCE, () -> what + "; read so far: " + downstream.size() + " message(s), watermark "
        + reader.watermark(), () -> {
          feed.run();
          List<ReadMessage> batch = reader.read(100, Duration.ofMillis(50));
          downstream.addAll(batch);
          if (!batch.isEmpty()) {
            reader.ack(batch.stream().map(ReadMessage::offset).toList());
          }
          return done.getAsBoolean();
        });
  }

  /**
   * Numaflow's upstream processor {@code in-0} of the edge into {@code map}: every 500 ms it shows it is
   * alive, as numaflow-core does (v1.7: a heartbeat; v1.8: its last WMB of each partition put again).
   * Under v1.7 it puts its last WMBs again too, which numaflow-core v1.7 does only when a watermark
   * rises: these tests hold each watermark for seconds, and both partitions' WMBs share the key
   * {@code in-0} in a bucket that keeps one value per key, so a fetcher whose watch started after the
   * second put would never see the first (seen twice: the map's watermark stayed -1 for 20 s, its output
   * bucket empty, the input bucket holding only partition 1's WMB).
   */
  private final class Upstream {
    private final WatermarkStore timeline = keep(client.watermarkStore(edge("in", "map") + "_OT"));
    private final WatermarkStore heartbeats = keep(client.watermarkStore(edge("in", "map") + "_PROCESSORS"));
    private final List<BufferWriter> writers = inputs.stream().map(b -> keep(client.writer(b))).toList();
    private final Map<Integer, Wmb> last = new ConcurrentHashMap<>();
    private int next;

    Upstream(NumaflowVersion version) {
      if (version == NumaflowVersion.V1_7) {
        heartbeats.put("in-0", WatermarkCodec.encodeHeartbeat(Instant.now().getEpochSecond())).join();
      }
      ScheduledExecutorService alive = Executors.newSingleThreadScheduledExecutor();
      keep(alive::shutdownNow);
      alive.scheduleAtFixedRate(() -> {
        if (version == NumaflowVersion.V1_7) {
          heartbeats.put("in-0", WatermarkCodec.encodeHeartbeat(Instant.now().getEpochSecond()));
        }
        last.values().forEach(w -> timeline.put("in-0", WatermarkCodec.encode(w)));
      }, 0, 500, TimeUnit.MILLISECONDS);
    }

    /** How many data messages were written. */
    int written() {
      return next;
    }

    /** Writes data to a partition; returns the last stream sequence. */
    long write(int partition, int count, boolean late) {
      List<Message> batch = new ArrayList<>();
      for (int i = 0; i < count; i++, next++) {
        Header header = Header.builder(new MessageId("in", "o" + next, 0)).eventTime(Instant.ofEpochMilli(next))
            .late(late).build();
        batch.add(new Message(header, ("m" + next).getBytes(StandardCharsets.UTF_8)));
      }
      List<WriteResult> results = writers.get(partition).write(batch);
      assertThat(results).allMatch(r -> r instanceof WriteResult.Written);
      return ((WriteResult.Written) results.get(results.size() - 1)).offset().sequenceNumber();
    }

    /** Writes a control message to a partition, as an idle Numaflow processor does; returns its sequence. */
    long control(int partition) {
      Message control = new Message(Header.builder(new MessageId("", "", 0)).kind(Kind.WMB)
          .eventTime(Instant.now()).build(), new byte[0]);
      WriteResult result = writers.get(partition).write(control);
      return ((WriteResult.Written) result).offset().sequenceNumber();
    }

    void wmb(boolean idle, long offset, long watermark, int partition) {
      Wmb wmb = Wmb.of(idle, offset, watermark, partition);
      last.put(partition, wmb);
      timeline.put("in-0", WatermarkCodec.encode(wmb)).join();
    }
  }

  @ParameterizedTest
  @EnumSource(NumaflowVersion.class)
  @DisplayName("the downstream watermark is -1 until every input partition has one, then follows the upstream's and "
      + "never goes back")
  void followsUpstream(NumaflowVersion version) {
    start(version);
    up.wmb(false, 0, 1_000, 0);

    up.write(0, 5, false);
    readDownstreamUntil("5 messages", () -> downstream.size() == 5);
    assertThat(map.watermark()).as("partition 1 has no watermark yet").isEqualTo(-1);
    assertThat(downstream).allSatisfy(m -> assertThat(m.watermark()).isEqualTo(-1));

    long seq0 = up.write(0, 1, false);
    up.wmb(false, 0, 2_000, 1);
    long seq1 = up.write(1, 1, false);
    Runnable both = () -> {
      up.write(0, 1, false);
      up.write(1, 1, false);
    };
    readDownstreamUntil("downstream watermark 1000", both, () -> reader.watermark() == 1_000);
    assertThat(map.watermark()).isEqualTo(1_000);

    up.wmb(false, seq0, 3_000, 0);
    up.wmb(false, seq1, 3_000, 1);
    readDownstreamUntil("downstream watermark 3000", both, () -> reader.watermark() == 3_000);
    up.write(0, 2, true);
    readDownstreamUntil("every message written", () -> downstream.size() == up.written());

    List<Long> marks = downstream.stream().map(ReadMessage::watermark).toList();
    assertThat(marks).as("watermarks in read order").isSorted();
    assertThat(downstream).filteredOn(m -> m.message().header().late()).as("late flag passed through").hasSize(2);
  }

  @ParameterizedTest
  @EnumSource(NumaflowVersion.class)
  @DisplayName("an idle input partition stops holding the watermark back, and its control message never reaches "
      + "the function")
  void idleInputPartition(NumaflowVersion version) {
    start(version);
    up.wmb(false, 0, 4_000, 0);
    long control = up.control(1);
    up.wmb(true, control, 9_000, 1);

    readDownstreamUntil("downstream watermark 4000", () -> up.write(0, 1, false),
        () -> reader.watermark() == 4_000);
    assertThat(map.watermark()).isEqualTo(4_000);
    assertThat(downstream).allSatisfy(m -> assertThat(m.message().kind()).isEqualTo(Kind.DATA));
    assertThat(downstream).extracting(m -> m.message().payloadAsString()).allMatch(p -> p.startsWith("m"));
  }

  @ParameterizedTest
  @EnumSource(NumaflowVersion.class)
  @DisplayName("when every input is idle, the vertex writes a control message to its idle output and publishes an "
      + "idle WMB: the downstream watermark advances with no data")
  void idleOutput(NumaflowVersion version) {
    start(version);
    up.wmb(true, up.control(0), 7_000, 0);
    up.wmb(true, up.control(1), 6_000, 1);

    readDownstreamUntil("downstream watermark 6000", () -> reader.watermark() == 6_000);
    assertThat(downstream).as("control messages are not delivered").isEmpty();
    assertThat(reader.idle()).hasValueSatisfying(wmb -> {
      assertThat(wmb.idle()).isTrue();
      assertThat(wmb.watermark()).isEqualTo(6_000);
    });
    Await.until(PATIENCE, "the control message in 'out' is acked", () -> {
      BufferInfo info = client.admin().bufferInfo(output);
      return info.pendingCount() + info.ackPendingCount() == 0;
    });
    assertThat(map.watermark()).isEqualTo(6_000);
  }
}
