package dev.isb.watermark;

import dev.isb.IsbClient;
import dev.isb.NumaflowVersion;
import dev.isb.spi.Checks;
import dev.isb.spi.OpenHandles;
import dev.isb.wire.BufferNames;
import dev.isb.wire.WatermarkCodec;
import dev.isb.wire.Wmb;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes one processor's watermark to one edge, as numaflow-core's ISB publisher does: after each
 * message is stored in a partition of the edge's buffer, {@link #publish} is told the message's stream
 * sequence and the vertex's watermark; it keeps them by Numaflow's monotonic rules and puts a WMB under
 * the processor's key into the edge's {@code _OT} bucket at most once per {@code delay} per partition.
 * With {@link NumaflowVersion#V1_7} it also heartbeats to {@code _PROCESSORS} every 5 s.
 *
 * <p>It also keeps what idle detection needs per partition: when data last went there, and the
 * offset of the control message written while it has been idle.
 *
 * <p>A put never blocks and a failed put is only counted: publishing cannot fail or slow a write.
 * Thread-safe.
 */
public final class WatermarkPublisher implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(WatermarkPublisher.class.getName());

  /** Numaflow's heartbeat interval (v1.7). */
  static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(5);

  private final String edge;
  private final String processor;
  private final NumaflowVersion version;
  private final long delayMillis;
  private final InstantSource clock;
  private final WatermarkStore timeline;
  private final WatermarkStore heartbeats;
  private final ScheduledExecutorService heartbeat;
  private final Partition[] partitions;
  /** Written in every WMB; empty under v1.7, which has no such field. */
  private final OptionalInt processorCount;
  private final AtomicLong puts = new AtomicLong();
  private final AtomicLong failedPuts = new AtomicLong();

  private WatermarkPublisher(Builder b) {
    this.edge = b.edge;
    this.processor = b.processor;
    this.version = b.version;
    this.delayMillis = b.delay.toMillis();
    this.clock = b.clock;
    this.processorCount = b.version == NumaflowVersion.V1_8 ? b.processorCount : OptionalInt.empty();
    this.timeline = b.client.watermarkStore(BufferNames.offsetTimelineBucket(edge));
    long now = clock.millis();
    this.partitions = new Partition[b.partitions];
    for (int i = 0; i < partitions.length; i++) {
      partitions[i] = new Partition(now);
    }
    if (version == NumaflowVersion.V1_7) {
      try {
        this.heartbeats = b.client.watermarkStore(BufferNames.processorsBucket(edge));
      } catch (RuntimeException e) {
        timeline.close();
        throw e;
      }
      this.heartbeat = OpenHandles.timer("isb-watermark-heartbeat-" + processor);
      heartbeat.scheduleAtFixedRate(this::beat, 0, b.heartbeatInterval.toNanos(), TimeUnit.NANOSECONDS);
    } else {
      this.heartbeats = null;
      this.heartbeat = null;
    }
  }

  /**
   * A builder of a publisher for processor {@code processor} (numaflow-core's key: {@code
   * <vertex>-<replica>}) on the edge bucket {@code edge} ({@code <ns>-<pipeline>-<from>-<to>}).
   */
  public static Builder builder(IsbClient client, String edge, String processor) {
    return new Builder(client, edge, processor);
  }

  /**
   * A message was stored at stream sequence {@code offset} of {@code partition}, while the vertex's
   * watermark was {@code watermark} (epoch ms, -1 unknown): keep the pair by Numaflow's rules, put it
   * when the throttle allows, and count the partition as not idle.
   */
  public void publish(int partition, long offset, long watermark) {
    Partition p = partition(partition);
    synchronized (p) {
      p.lastDataMillis = clock.millis();
      p.controlOffset = -1;
      apply(partition, p, offset, watermark, false);
    }
  }

  /**
   * {@code partition} has been idle: publish an idle WMB at the offset of the control message written
   * to it ({@link #controlOffset}), with {@code watermark}; the partition stays idle.
   */
  public void publishIdle(int partition, long controlOffset, long watermark) {
    Partition p = partition(partition);
    synchronized (p) {
      p.controlOffset = controlOffset;
      p.lastDataMillis = clock.millis();
      apply(partition, p, controlOffset, watermark, true);
    }
  }

  /** Whether nothing has been published to {@code partition} for longer than {@code interval}. */
  public boolean isIdle(int partition, Duration interval) {
    Partition p = partition(partition);
    synchronized (p) {
      return clock.millis() - p.lastDataMillis > interval.toMillis();
    }
  }

  /** The offset of the control message written since {@code partition} went idle, if one was. */
  public OptionalLong controlOffset(int partition) {
    Partition p = partition(partition);
    synchronized (p) {
      return p.controlOffset < 0 ? OptionalLong.empty() : OptionalLong.of(p.controlOffset);
    }
  }

  /** The watermark kept for {@code partition} (published, or waiting for the throttle); -1 while none. */
  public long watermark(int partition) {
    Partition p = partition(partition);
    synchronized (p) {
      return p.watermark;
    }
  }

  /** How many puts to the {@code _OT} bucket were made. */
  public long puts() {
    return puts.get();
  }

  /** How many puts (WMBs and heartbeats) failed; they are otherwise ignored, as in Numaflow. */
  public long failedPuts() {
    return failedPuts.get();
  }

  /** The edge bucket's base name. */
  public String edge() {
    return edge;
  }

  /** The processor's key. */
  public String processor() {
    return processor;
  }

  /** How many partitions the edge's buffer has. */
  public int partitionCount() {
    return partitions.length;
  }

  private void apply(int partition, Partition p, long offset, long watermark, boolean idle) {
    long now = clock.millis();
    if (version == NumaflowVersion.V1_8) {
      if (offset > p.offset) {
        p.offset = offset;
      }
      if (watermark != -1 && watermark < p.watermark) {
        LOG.log(System.Logger.Level.DEBUG, "edge ''{0}'' partition {1}: watermark {2} is below {3} already "
            + "published; keeping {3}", edge, partition, watermark, p.watermark);
      }
      p.watermark = Math.max(p.watermark, watermark);
    } else {
      if (offset < p.offset) {
        p.watermark = Math.max(p.watermark, watermark);
        return;
      }
      if (watermark == p.watermark || watermark == -1) {
        p.offset = Math.max(p.offset, offset);
        return;
      }
      if (watermark < p.watermark) {
        return;
      }
      p.offset = offset;
      p.watermark = watermark;
    }
    if (now - p.lastPutMillis < delayMillis) {
      return;
    }
    p.lastPutMillis = now;
    put(timeline, WatermarkCodec.encode(new Wmb(idle, p.offset, p.watermark, partition, processorCount)));
  }

  private void beat() {
    put(heartbeats, WatermarkCodec.encodeHeartbeat(clock.millis() / 1000));
  }

  private void put(WatermarkStore store, byte[] value) {
    if (store == timeline) {
      puts.incrementAndGet();
    }
    store.put(processor, value).whenComplete((ignored, failure) -> {
      if (failure != null) {
        failedPuts.incrementAndGet();
        LOG.log(System.Logger.Level.DEBUG, "bucket ''{0}'': put of processor ''{1}'' failed (ignored): {2}",
            store.bucket(), processor, failure.toString());
      }
    });
  }

  private Partition partition(int partition) {
    if (partition < 0 || partition >= partitions.length) {
      throw new IllegalArgumentException("edge '" + edge + "' has partitions 0 to " + (partitions.length - 1)
          + ", not " + partition);
    }
    return partitions[partition];
  }

  /** Stops heartbeating and closes the buckets it opened; keys are left, as numaflow-core leaves them. */
  @Override
  public void close() {
    if (heartbeat != null) {
      heartbeat.shutdownNow();
      heartbeats.close();
    }
    timeline.close();
  }

  /** What is kept for one partition; guarded by itself. */
  private static final class Partition {
    long offset = -1;
    long watermark = -1;
    long lastPutMillis;
    long lastDataMillis;
    long controlOffset = -1;

    Partition(long now) {
      this.lastPutMillis = now;
      this.lastDataMillis = now;
    }
  }

  /** Builds a {@link WatermarkPublisher}. Not thread-safe. */
  public static final class Builder {
    private final IsbClient client;
    private final String edge;
    private final String processor;
    private int partitions = 1;
    private NumaflowVersion version = NumaflowVersion.latest();
    private Duration delay = Duration.ofMillis(100);
    private Duration heartbeatInterval = HEARTBEAT_INTERVAL;
    private InstantSource clock = InstantSource.system();
    private OptionalInt processorCount = OptionalInt.empty();

    private Builder(IsbClient client, String edge, String processor) {
      this.client = Objects.requireNonNull(client, "client");
      this.edge = BufferNames.requireValid(edge);
      this.processor = Checks.notBlank("processor", processor);
    }

    /** How many partitions the edge's buffer has; 1 by default. */
    public Builder partitions(int partitions) {
      this.partitions = Checks.atLeastOne("partitions", partitions);
      return this;
    }

    /** Which Numaflow's rules apply; {@link NumaflowVersion#latest()} by default. */
    public Builder version(NumaflowVersion version) {
      this.version = Objects.requireNonNull(version, "version");
      return this;
    }

    /**
     * The least time between two puts for one partition: Numaflow's 100 ms by default
     * ({@code NUMAFLOW_WATERMARK_DELAY_IN_MS} in v1.7, {@code idleSource.stepInterval} in v1.8).
     */
    public Builder delay(Duration delay) {
      this.delay = Checks.notNegative("delay", delay);
      return this;
    }

    /** How often a v1.7 publisher heartbeats; Numaflow's 5 s by default. */
    public Builder heartbeatInterval(Duration interval) {
      this.heartbeatInterval = Checks.atLeastOneMilli("heartbeatInterval", interval);
      return this;
    }

    /** The wall clock; the system's by default (tests pass their own). */
    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * How many processors publish to the bucket, written in every WMB ({@code processor_count}, a
     * Numaflow v1.8 field a source's fetcher waits on); absent by default and always absent under v1.7.
     */
    public Builder processorCount(int count) {
      this.processorCount = OptionalInt.of(Checks.atLeastOne("processorCount", count));
      return this;
    }

    /**
     * Opens the edge's buckets.
     *
     * @throws dev.isb.BufferNotFoundException if a bucket does not exist
     * @throws UnsupportedOperationException if the backend keeps no watermarks
     */
    public WatermarkPublisher build() {
      return new WatermarkPublisher(this);
    }
  }
}
