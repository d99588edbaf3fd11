package dev.isb.vertex;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isb.BucketLayout;
import dev.isb.BufferConfig;
import dev.isb.BufferWriter;
import dev.isb.Header;
import dev.isb.IsbClient;
import dev.isb.Message;
import dev.isb.MessageId;
import dev.isb.ReadMessage;
import dev.isb.ReaderOptions;
import dev.isb.WriteResult;
import dev.isb.watermark.ProcessorState;
import dev.isb.watermark.WatermarkFetcher;
import dev.isb.watermark.WatermarkPublisher;
import dev.isb.watermark.WatermarkedReader;
import dev.isb.wire.BufferNames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A live pipeline for the watermark fault tests: a Numaflow-like upstream processor {@code in-0}
 * writes a message every 20 ms into {@code map}'s buffer and publishes event time minus one second as
 * its watermark; Java {@code map} replicas (each with its own client, as pods) forward to {@code out};
 * a downstream reader fetches what the replicas publish and keeps every message it reads.
 */
final class WatermarkPipeline implements AutoCloseable {

  static final String NS = "ns";
  static final long UPSTREAM_LAG_MS = 1_000;

  private final Supplier<IsbClient> connect;
  private final String pipeline = "p" + UUID.randomUUID().toString().substring(0, 8);
  private final String input = BufferNames.buffer(NS, pipeline, "map", 0);
  private final String output = BufferNames.buffer(NS, pipeline, "out", 0);
  private final List<AutoCloseable> open = new ArrayList<>();
  private final ScheduledExecutorService upstream = Executors.newSingleThreadScheduledExecutor();
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong upstreamWatermark = new AtomicLong(-1);
  private final Set<String> readIds = ConcurrentHashMap.newKeySet();
  private final AtomicLong readCount = new AtomicLong();
  private WatermarkedReader downstream;
  private WatermarkFetcher fetcher;

  WatermarkPipeline(Supplier<IsbClient> connect, BufferConfig config) {
    this.connect = connect;
    try (IsbClient admin = connect.get()) {
      admin.admin().createBuffers(List.of(input, output), config);
      admin.admin().createBuckets(List.of(edge("in", "map"), edge("map", "out")), config,
          BucketLayout.OFFSET_TIMELINE);
    }
  }

  String edge(String from, String to) {
    return BufferNames.edgeBucket(NS, pipeline, from, to);
  }

  private <T extends AutoCloseable> T keep(T closeable) {
    open.add(closeable);
    return closeable;
  }

  /** Starts the upstream writer: one message every 20 ms. */
  void startUpstream() {
    IsbClient client = keep(connect.get());
    BufferWriter writer = keep(client.writer(input));
    WatermarkPublisher publisher = keep(WatermarkPublisher.builder(client, edge("in", "map"), "in-0")
        .delay(Duration.ZERO).build());
    upstream.scheduleWithFixedDelay(() -> {
      long now = System.currentTimeMillis();
      long n = written.get();
      Header header = Header.builder(new MessageId("in", Long.toString(n), 0))
          .eventTime(java.time.Instant.ofEpochMilli(now)).build();
      try {
        WriteResult r = writer.write(new Message(header, ("m" + n).getBytes(StandardCharsets.UTF_8)));
        if (r.isStored()) {
          written.incrementAndGet();
        }
        if (r instanceof WriteResult.Written w) {
          upstreamWatermark.set(now - UPSTREAM_LAG_MS);
          publisher.publish(0, w.offset().sequenceNumber(), now - UPSTREAM_LAG_MS);
        }
      } catch (RuntimeException e) {
        // A node of a cluster is down: write the same message again once it is back.
      }
    }, 0, 20, TimeUnit.MILLISECONDS);
  }

  /** Starts a replica of {@code map}; closing the result stops it (its key stays, as Numaflow's does). */
  Forwarder startMap(int replica) {
    IsbClient client = keep(connect.get());
    return keep(Forwarder.builder(client, "map").pipeline(pipeline).replica(replica).from(input)
        .map(MapFunction.of(in -> Output.of(in.value())))
        .to(Edge.to("out", output))
        .readerOptions(ReaderOptions.builder().batchSize(50).readTimeout(Duration.ofMillis(100)).build())
        .watermarks(NS, List.of("in")).watermarkDelay(Duration.ZERO)
        .meterRegistry(new SimpleMeterRegistry()).build().start());
  }

  /** Opens the downstream reader of {@code out}. */
  void openDownstream() {
    IsbClient client = keep(connect.get());
    fetcher = keep(WatermarkFetcher.builder(client).edges(edge("map", "out")).partitions(0).build());
    downstream = keep(fetcher.track(client.reader(output, ReaderOptions.builder().consumerName("out-0").build())));
  }

  /** Reads and acks one batch downstream; returns the watermark after it. */
  long readDownstream() {
    List<ReadMessage> batch = downstream.read(200, Duration.ofMillis(50));
    for (ReadMessage m : batch) {
      readIds.add(m.message().payloadAsString());
      readCount.incrementAndGet();
    }
    if (!batch.isEmpty()) {
      downstream.ack(batch.stream().map(ReadMessage::offset).toList());
    }
    return downstream.watermark();
  }

  /** The processors the downstream reader knows on the edge from {@code map}. */
  List<ProcessorState> downstreamProcessors() {
    return fetcher.processors();
  }

  long downstreamWatermark() {
    return downstream.watermark();
  }

  long upstreamWatermark() {
    return upstreamWatermark.get();
  }

  /**
   * Stops the upstream and reads until every message written has come downstream; with
   * {@code exactlyOnce}, also that none came twice (not asked when a fault may lose an ack, after which
   * a redelivery is the at-least-once promise kept).
   */
  void stopUpstreamAndDrain(Duration patience, boolean exactlyOnce) throws InterruptedException {
    stopUpstream();
    dev.isb.testkit.Await.until(patience, () -> "every message read downstream: " + readIds.size() + " of "
        + written.get(), () -> {
          readDownstream();
          return readIds.size() == written.get();
        });
    if (exactlyOnce) {
      assertThat(readCount.get()).as("messages read downstream, counting repeats").isEqualTo(written.get());
    }
  }

  private void stopUpstream() throws InterruptedException {
    upstream.shutdown();
    if (!upstream.awaitTermination(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the upstream writer did not stop within 30 s");
    }
  }

  @Override
  public void close() {
    try {
      stopUpstream();
      for (int i = open.size() - 1; i >= 0; i--) {
        open.get(i).close();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      throw new IllegalStateException("closing the pipeline failed", e);
    }
  }
}
