package dev.isb.watermark;

import dev.isb.BufferReader;
import dev.isb.IsbClient;
import dev.isb.NumaflowVersion;
import dev.isb.spi.Checks;
import dev.isb.spi.OpenHandles;
import dev.isb.wire.BufferNames;
import dev.isb.wire.Wmb;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The watermark of what a vertex reads, computed as numaflow-core's ISB fetcher does: each upstream
 * processor of each edge into the vertex keeps an offset timeline per input partition; a message's
 * watermark on one edge is the lowest, over the processors, of the newest entry published before the
 * message's offset; the vertex's watermark is the lowest over every edge and partition, so it stays
 * -1 until every input partition has one. Processors that stop publishing (v1.8) or heartbeating
 * (v1.7) turn inactive after 5 s and are dropped after 50 s.
 *
 * <pre>{@code
 * try (WatermarkFetcher fetcher = WatermarkFetcher.builder(client)
 *         .edges("ns-pl-in-map").partitions(0, 1).build();
 *     BufferReader reader = fetcher.track(client.reader("ns-pl-map-0", options))) {
 *   for (ReadMessage m : reader.read()) {
 *     use(m.watermark());
 *   }
 * }
 * }</pre>
 *
 * <p>One fetcher serves every partition reader of a vertex. Thread-safe.
 */
public final class WatermarkFetcher implements AutoCloseable {

  private final List<EdgeProcessors> edges;
  /** The tracked partitions, ascending; {@code lastProcessed[edge][i]} is partition {@code partitions[i]}'s. */
  private final int[] partitions;
  private final List<WatermarkStore> stores;
  private final ScheduledExecutorService refresher;
  private final long[][] lastProcessed;

  private WatermarkFetcher(Builder b) {
    this.partitions = b.partitions.stream().mapToInt(Integer::intValue).sorted().toArray();
    Set<Integer> tracked = Set.copyOf(b.partitions);
    this.lastProcessed = new long[b.edges.size()][partitions.length];
    for (long[] byPartition : lastProcessed) {
      Arrays.fill(byPartition, -1);
    }
    List<EdgeProcessors> opened = new ArrayList<>();
    List<WatermarkStore> openedStores = new ArrayList<>();
    try {
      for (String edge : b.edges) {
        EdgeProcessors processors = new EdgeProcessors(edge, b.version, tracked, b.clock);
        WatermarkStore ot = b.client.watermarkStore(BufferNames.offsetTimelineBucket(edge));
        openedStores.add(ot);
        WatermarkStore heartbeats = null;
        if (b.version == NumaflowVersion.V1_7) {
          heartbeats = b.client.watermarkStore(BufferNames.processorsBucket(edge));
          openedStores.add(heartbeats);
        }
        processors.watch(ot, heartbeats, b.catchUp);
        opened.add(processors);
      }
    } catch (RuntimeException e) {
      opened.forEach(EdgeProcessors::close);
      openedStores.forEach(WatermarkStore::close);
      throw e;
    }
    this.edges = List.copyOf(opened);
    this.stores = List.copyOf(openedStores);
    this.refresher = OpenHandles.timer("isb-watermark-refresh");
    long period = b.refreshInterval.toNanos();
    refresher.scheduleAtFixedRate(this::refresh, period, period, TimeUnit.NANOSECONDS);
  }

  /** A builder of a fetcher whose buckets {@code client} opens. */
  public static Builder builder(IsbClient client) {
    return new Builder(client);
  }

  /**
   * The watermark of a message at stream sequence {@code offset} of input {@code partition}, and what
   * it makes the vertex's watermark: the latter is returned (numaflow-core's {@code fetch_watermark}).
   * Epoch milliseconds; -1 while not known.
   */
  public long fetch(long offset, int partition) {
    return fetch(new long[] {offset}, partition)[0];
  }

  /**
   * {@link #fetch(long, int)} for each message of a batch read from {@code partition}, in read order,
   * under one lock: the vertex's watermark as of each message.
   */
  public synchronized long[] fetch(long[] offsets, int partition) {
    int index = indexOf(partition);
    long[][] byEdge = new long[edges.size()][offsets.length];
    for (int e = 0; e < edges.size(); e++) {
      edges.get(e).watermarksAt(offsets, partition, byEdge[e]);
    }
    long[] out = new long[offsets.length];
    for (int i = 0; i < offsets.length; i++) {
      for (int e = 0; e < byEdge.length; e++) {
        if (byEdge[e][i] != EdgeProcessors.NO_PROCESSOR) {
          lastProcessed[e][index] = byEdge[e][i];
        }
      }
      out[i] = current();
    }
    return out;
  }

  /** The vertex's input watermark: the lowest over every edge and partition; -1 while one is unknown. */
  public synchronized long current() {
    long lowest = Long.MAX_VALUE;
    for (long[] byPartition : lastProcessed) {
      for (long wm : byPartition) {
        lowest = Math.min(lowest, wm);
      }
    }
    return lowest == Long.MAX_VALUE ? -1 : lowest;
  }

  /**
   * For a fetcher of a source's {@code _SOURCE_OT} bucket (partition 0): the source's watermark, the
   * lowest newest watermark of its active partitions, -1 while one of them has none or, under v1.8,
   * while fewer are active than the {@code processor_count} they publish. See {@link SourceWatermarks}.
   */
  public long sourceWatermark() {
    indexOf(0);
    long lowest = Long.MAX_VALUE;
    for (EdgeProcessors edge : edges) {
      lowest = Math.min(lowest, edge.sourceWatermark());
    }
    return lowest;
  }

  /** The lowest newest watermark the active processors published for {@code partition}; -1 when none. */
  public long headWatermark(int partition) {
    indexOf(partition);
    long lowest = Long.MAX_VALUE;
    for (EdgeProcessors edge : edges) {
      long head = edge.headWatermark(partition);
      if (head != -1) {
        lowest = Math.min(lowest, head);
      }
    }
    return lowest == Long.MAX_VALUE ? -1 : lowest;
  }

  /**
   * When every active upstream processor of every edge says {@code partition} is idle (its newest WMB
   * is idle), the idle WMB with the lowest watermark, which then counts as that partition's watermark;
   * empty otherwise. For a read that found nothing (numaflow-core's {@code fetch_head_idle_wmb}).
   */
  public synchronized Optional<Wmb> idle(int partition) {
    int index = indexOf(partition);
    Wmb lowest = null;
    for (int e = 0; e < edges.size(); e++) {
      EdgeProcessors.IdleHead head = edges.get(e).idleHead(partition);
      if (head == EdgeProcessors.IdleHead.NOT_IDLE) {
        return Optional.empty();
      }
      if (head.wmb() != null) {
        lastProcessed[e][index] = head.wmb().watermark();
        if (lowest == null || head.wmb().watermark() < lowest.watermark()) {
          lowest = head.wmb();
        }
      }
    }
    return Optional.ofNullable(lowest);
  }

  /** What is known of each upstream processor, edge by edge. */
  public List<ProcessorState> processors() {
    List<ProcessorState> out = new ArrayList<>();
    edges.forEach(e -> out.addAll(e.snapshot()));
    return out;
  }

  /** The input partitions this fetcher tracks. */
  public Set<Integer> partitions() {
    Set<Integer> out = new TreeSet<>();
    Arrays.stream(partitions).forEach(out::add);
    return out;
  }

  /**
   * A reader of one of the tracked partitions that gives every message its watermark, acks Numaflow's
   * control messages (WMB kind) at once instead of delivering them, and counts an idle upstream when a
   * read finds nothing. Closing it closes {@code reader}; the fetcher stays open.
   *
   * @throws IllegalArgumentException if the reader's partition is not tracked
   */
  public WatermarkedReader track(BufferReader reader) {
    Objects.requireNonNull(reader, "reader");
    indexOf(reader.partition());
    return new WatermarkedReader(reader, this);
  }

  /** Takes the processors' liveness from how long ago each was seen; runs every refresh interval. */
  void refresh() {
    edges.forEach(EdgeProcessors::refresh);
  }

  /** Stops watching and closes the buckets it opened. Idempotent. */
  @Override
  public void close() {
    refresher.shutdownNow();
    edges.forEach(EdgeProcessors::close);
    stores.forEach(WatermarkStore::close);
  }

  /** Where {@code partition} is in {@link #partitions}; refuses an untracked one. */
  private int indexOf(int partition) {
    int index = Arrays.binarySearch(partitions, partition);
    if (index < 0) {
      throw new IllegalArgumentException("partition " + partition + " is not one of the tracked input partitions "
          + Arrays.toString(partitions));
    }
    return index;
  }

  /**
   * Builds a {@link WatermarkFetcher}. Required: at least one edge and one partition. Not thread-safe.
   */
  public static final class Builder {
    private final IsbClient client;
    private final List<String> edges = new ArrayList<>();
    private final Set<Integer> partitions = new TreeSet<>();
    private NumaflowVersion version = NumaflowVersion.latest();
    private InstantSource clock = InstantSource.system();
    private Duration refreshInterval = EdgeProcessors.INACTIVE_AFTER;
    private Duration catchUp = Duration.ofSeconds(5);

    private Builder(IsbClient client) {
      this.client = Objects.requireNonNull(client, "client");
    }

    /**
     * The edges into the vertex, by bucket base name ({@code <ns>-<pipeline>-<from>-<to>}, see
     * {@link BufferNames#edgeBucket}; {@code _OT} is added here).
     */
    public Builder edges(String... buckets) {
      for (String bucket : buckets) {
        BufferNames.requireValid(bucket);
        if (edges.contains(bucket)) {
          throw new IllegalArgumentException("edge bucket '" + bucket + "' named twice");
        }
        edges.add(bucket);
      }
      return this;
    }

    /** The input partitions the vertex reads (a map or sink vertex: all of its buffer's partitions). */
    public Builder partitions(int... partitions) {
      for (int p : partitions) {
        this.partitions.add(Checks.notNegative("partition", p));
      }
      return this;
    }

    /** Which Numaflow's rules apply; {@link NumaflowVersion#latest()} by default. */
    public Builder version(NumaflowVersion version) {
      this.version = Objects.requireNonNull(version, "version");
      return this;
    }

    /** The wall clock liveness is measured with; the system's by default (tests pass their own). */
    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** How often liveness is re-evaluated; Numaflow's 5 s by default. */
    public Builder refreshInterval(Duration interval) {
      this.refreshInterval = Checks.atLeastOneMilli("refreshInterval", interval);
      return this;
    }

    /**
     * Opens the buckets and starts watching them.
     *
     * @throws IllegalStateException if no edge or no partition was given
     * @throws dev.isb.BufferNotFoundException if a bucket does not exist
     * @throws UnsupportedOperationException if the backend keeps no watermarks
     */
    public WatermarkFetcher build() {
      if (edges.isEmpty()) {
        throw new IllegalStateException("a watermark fetcher needs at least one edge: call edges(...)");
      }
      if (partitions.isEmpty()) {
        throw new IllegalStateException("a watermark fetcher needs at least one partition: call partitions(...)");
      }
      return new WatermarkFetcher(this);
    }
  }
}
