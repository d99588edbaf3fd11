package dev.isb.watermark;

import dev.isb.IsbClient;
import dev.isb.NumaflowVersion;
import dev.isb.spi.Checks;
import dev.isb.wire.BufferNames;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * The watermark a source vertex originates, kept as numaflow-core's source does. Each source
 * partition is a processor of its own: the lowest event time of each batch read from it, less
 * {@code maxDelay}, goes to the source's {@code <ns>-<pipeline>-<vertex>_SOURCE_OT} bucket under
 * {@code source-<vertex>-<partition>}; the source's watermark is the lowest over its active
 * partitions, read back from that bucket (so every replica of the source agrees on it); and each
 * message written to an edge publishes that watermark there, at the message's stream sequence, under
 * {@code <vertex>-<partition>}. A message whose event time is below the watermark is late.
 *
 * <pre>{@code
 * try (SourceWatermarks watermarks = SourceWatermarks.builder(client, "ns", "pl", "in")
 *         .toVertex("map", 2).partitions(0).maxDelay(Duration.ofSeconds(5)).build()) {
 *   watermarks.publish(0, lowestEventTimeOfTheBatch);
 *   Header header = Header.builder(id).eventTime(t).late(watermarks.isLate(t.toEpochMilli())).build();
 *   ... write it to map's partition 1, stored at sequence 17 ...
 *   watermarks.written(0, "map", 1, 17);
 * }
 * }</pre>
 *
 * <p>Not covered: Numaflow's idle source ({@code spec.watermark.idleSource}), which raises the
 * watermark of a source that reads nothing. The buckets must exist ({@code isb create
 * --pipeline-file}). Thread-safe.
 */
public final class SourceWatermarks implements AutoCloseable {

  private final String vertex;
  private final long maxDelayMillis;
  private final InstantSource clock;
  private final WatermarkFetcher fetcher;
  /** By source partition: its publisher to the source's own bucket. */
  private final Map<Integer, WatermarkPublisher> ownBucket = new TreeMap<>();
  /** By to-vertex, then by source partition: the publisher to that edge's bucket. */
  private final Map<String, Map<Integer, WatermarkPublisher>> edges = new LinkedHashMap<>();

  private SourceWatermarks(Builder b) {
    this.vertex = b.vertex;
    this.maxDelayMillis = b.maxDelay.toMillis();
    this.clock = b.clock;
    String sourceBucket = BufferNames.sourceBucket(b.namespace, b.pipeline, b.vertex);
    this.fetcher = WatermarkFetcher.builder(b.client).edges(sourceBucket).partitions(0).version(b.version)
        .clock(b.clock).build();
    try {
      for (int partition : b.partitions) {
        WatermarkPublisher.Builder own = publisher(b, sourceBucket, "source-" + vertex + "-" + partition);
        b.totalPartitions.ifPresent(own::processorCount);
        ownBucket.put(partition, own.build());
      }
      for (Map.Entry<String, Integer> to : b.toVertices.entrySet()) {
        String edge = BufferNames.edgeBucket(b.namespace, b.pipeline, vertex, to.getKey());
        Map<Integer, WatermarkPublisher> bySourcePartition = new TreeMap<>();
        edges.put(to.getKey(), bySourcePartition);
        for (int partition : b.partitions) {
          bySourcePartition.put(partition, publisher(b, edge, vertex + "-" + partition).partitions(to.getValue()).build());
        }
      }
    } catch (RuntimeException e) {
      close(); // what opened before the failure
      throw e;
    }
  }

  private static WatermarkPublisher.Builder publisher(Builder b, String bucket, String processor) {
    return WatermarkPublisher.builder(b.client, bucket, processor).version(b.version).delay(b.delay).clock(b.clock);
  }

  /**
   * A builder for source vertex {@code vertex} of {@code pipeline} in {@code namespace}; add its
   * to-vertices with {@link Builder#toVertex}.
   */
  public static Builder builder(IsbClient client, String namespace, String pipeline, String vertex) {
    return new Builder(client, namespace, pipeline, vertex);
  }

  /**
   * A batch was read from {@code sourcePartition} whose lowest event time is {@code lowestEventTime}
   * (epoch ms; -1 unknown): publish it, less {@code maxDelay}, as that partition's watermark. Numaflow
   * keeps the highest a partition ever published, so an older batch does not lower it; and, as there, a
   * publish within the throttle delay of the previous put is kept and goes out with the next one.
   */
  public void publish(int sourcePartition, long lowestEventTime) {
    long watermark = lowestEventTime == -1 ? -1 : lowestEventTime - maxDelayMillis;
    long micros = ChronoUnit.MICROS.between(Instant.EPOCH, clock.instant());
    own(sourcePartition).publish(0, micros, watermark);
  }

  /**
   * The source's watermark (epoch ms): the lowest over the active partitions, of any replica, of what
   * each published; -1 before any has published or, under v1.8, while fewer are active than the total
   * set with {@link Builder#totalPartitions} (without it, as in numaflow-core, a partition that never
   * published does not count). It follows the bucket, so on a server it moves a little after
   * {@link #publish}.
   */
  public long watermark() {
    return fetcher.sourceWatermark();
  }

  /** Whether an event at {@code eventTime} (epoch ms) is late: before the source's watermark. */
  public boolean isLate(long eventTime) {
    return eventTime < watermark();
  }

  /**
   * A message read from {@code sourcePartition} was stored at stream sequence {@code sequence} of
   * partition {@code toPartition} of {@code toVertex}'s buffer: publish the source's watermark there.
   */
  public void written(int sourcePartition, String toVertex, int toPartition, long sequence) {
    Map<Integer, WatermarkPublisher> bySourcePartition = edges.get(toVertex);
    if (bySourcePartition == null) {
      throw new IllegalArgumentException("source '" + vertex + "' has no edge to '" + toVertex + "'; its to-vertices are "
          + edges.keySet());
    }
    publisherOf(bySourcePartition, sourcePartition).publish(toPartition, sequence, watermark());
  }

  /** The puts made to the source's bucket and to its edges' buckets. */
  public long puts() {
    return all().stream().mapToLong(WatermarkPublisher::puts).sum();
  }

  private WatermarkPublisher own(int sourcePartition) {
    return publisherOf(ownBucket, sourcePartition);
  }

  private WatermarkPublisher publisherOf(Map<Integer, WatermarkPublisher> bySourcePartition, int sourcePartition) {
    WatermarkPublisher p = bySourcePartition.get(sourcePartition);
    if (p == null) {
      throw new IllegalArgumentException("source '" + vertex + "' reads partitions " + ownBucket.keySet() + ", not "
          + sourcePartition);
    }
    return p;
  }

  private List<WatermarkPublisher> all() {
    List<WatermarkPublisher> all = new ArrayList<>(ownBucket.values());
    edges.values().forEach(bySourcePartition -> all.addAll(bySourcePartition.values()));
    return all;
  }

  /** Closes every bucket it opened; the keys are left, as numaflow-core leaves them. */
  @Override
  public void close() {
    all().forEach(WatermarkPublisher::close);
    fetcher.close();
  }

  /** Builds {@link SourceWatermarks}. Not thread-safe. */
  public static final class Builder {
    private final IsbClient client;
    private final String namespace;
    private final String pipeline;
    private final String vertex;
    private final Map<String, Integer> toVertices = new LinkedHashMap<>();
    private int[] partitions = {0};
    private OptionalInt totalPartitions = OptionalInt.empty();
    private Duration maxDelay = Duration.ZERO;
    private NumaflowVersion version = NumaflowVersion.latest();
    private Duration delay = Duration.ofMillis(100);
    private InstantSource clock = InstantSource.system();

    private Builder(IsbClient client, String namespace, String pipeline, String vertex) {
      this.client = Objects.requireNonNull(client, "client");
      this.namespace = Objects.requireNonNull(namespace, "namespace");
      this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
      this.vertex = Objects.requireNonNull(vertex, "vertex");
    }

    /** A vertex the source writes to, whose buffer has {@code partitions} partitions. */
    public Builder toVertex(String name, int partitions) {
      Objects.requireNonNull(name, "name");
      if (partitions < 1) {
        throw new IllegalArgumentException("to-vertex '" + name + "': partitions must be at least 1, was " + partitions);
      }
      if (toVertices.putIfAbsent(name, partitions) != null) {
        throw new IllegalArgumentException("to-vertex '" + name + "' given twice");
      }
      return this;
    }

    /** The source partitions this replica reads; {@code 0} alone by default. */
    public Builder partitions(int... owned) {
      if (owned.length == 0 || Arrays.stream(owned).anyMatch(p -> p < 0)
          || Arrays.stream(owned).distinct().count() != owned.length) {
        throw new IllegalArgumentException("source partitions must be distinct and not negative, were "
            + Arrays.toString(owned));
      }
      this.partitions = owned.clone();
      return this;
    }

    /**
     * How many partitions the source has over all its replicas, when known: written as each WMB's
     * {@code processor_count} (v1.8), so that every reader of the bucket holds the watermark at -1
     * until that many partitions are active. Unset by default, as numaflow-core leaves it for a source
     * that does not say.
     */
    public Builder totalPartitions(int total) {
      this.totalPartitions = OptionalInt.of(Checks.atLeastOne("totalPartitions", total));
      return this;
    }

    /** How late events may arrive: subtracted from each batch's lowest event time; zero by default. */
    public Builder maxDelay(Duration maxDelay) {
      this.maxDelay = Checks.notNegative("maxDelay", maxDelay);
      return this;
    }

    /** Which Numaflow's rules apply; {@link NumaflowVersion#latest()} by default. */
    public Builder version(NumaflowVersion version) {
      this.version = Objects.requireNonNull(version, "version");
      return this;
    }

    /** The least time between two puts of one processor and partition; Numaflow's 100 ms by default. */
    public Builder delay(Duration delay) {
      this.delay = Objects.requireNonNull(delay, "delay");
      return this;
    }

    /** The wall clock; the system's by default (tests pass their own). */
    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Opens the source's bucket and its edges' buckets.
     *
     * @throws dev.isb.BufferNotFoundException if a bucket does not exist
     * @throws UnsupportedOperationException if the backend keeps no watermarks
     * @throws IllegalStateException if no to-vertex was given
     */
    public SourceWatermarks build() {
      if (toVertices.isEmpty()) {
        throw new IllegalStateException("source '" + vertex + "' has no to-vertex: call toVertex(name, partitions)");
      }
      return new SourceWatermarks(this);
    }
  }
}
