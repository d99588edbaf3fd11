package dev.isb.watermark;

import dev.isb.MessageDecodeException;
import dev.isb.NumaflowVersion;
import dev.isb.watermark.ProcessorState.Status;
import dev.isb.wire.WatermarkCodec;
import dev.isb.wire.Wmb;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The upstream processors of one edge and their offset timelines, kept current by watching the edge's
 * {@code _OT} bucket (and, for {@link NumaflowVersion#V1_7}, its {@code _PROCESSORS} bucket of
 * heartbeats): numaflow-core's {@code ProcessorManager}. Thread-safe: watch callbacks and lookups
 * share one lock.
 */
final class EdgeProcessors implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(EdgeProcessors.class.getName());

  /** Not seen for longer than this: inactive. Numaflow's processor refresh interval. */
  static final Duration INACTIVE_AFTER = Duration.ofSeconds(5);

  /** Not seen for longer than this: deleted. Ten refresh intervals. */
  static final Duration DELETED_AFTER = INACTIVE_AFTER.multipliedBy(10);

  /** A lookup found no processor on this edge. */
  static final long NO_PROCESSOR = Long.MAX_VALUE;

  private final String edge;
  private final NumaflowVersion version;
  private final Set<Integer> partitions;
  private final InstantSource clock;
  private final Map<String, Processor> processors = new LinkedHashMap<>();
  private final Map<String, Long> heartbeats = new HashMap<>();
  private final List<WatermarkStore.Watch> watches = new ArrayList<>();

  EdgeProcessors(String edge, NumaflowVersion version, Set<Integer> partitions, InstantSource clock) {
    this.edge = edge;
    this.version = version;
    this.partitions = Set.copyOf(partitions);
    this.clock = clock;
  }

  /**
   * Starts watching. With heartbeats (v1.7) their current values are taken first, waiting up to
   * {@code catchUp}, because an offset timeline entry of a processor not known from a heartbeat is
   * dropped.
   */
  void watch(WatermarkStore offsetTimeline, WatermarkStore heartbeatsOrNull, Duration catchUp) {
    if (heartbeatsOrNull != null) {
      CountDownLatch caughtUp = new CountDownLatch(1);
      watches.add(heartbeatsOrNull.watch(listener(this::onHeartbeat, caughtUp)));
      awaitQuietly(caughtUp, catchUp);
    }
    watches.add(offsetTimeline.watch(listener(this::onTimeline, new CountDownLatch(1))));
  }

  private static WatermarkStore.Listener listener(java.util.function.Consumer<WatermarkStore.Entry> onEntry,
      CountDownLatch caughtUp) {
    return new WatermarkStore.Listener() {
      @Override
      public void onEntry(WatermarkStore.Entry entry) {
        onEntry.accept(entry);
      }

      @Override
      public void caughtUp() {
        caughtUp.countDown();
      }
    };
  }

  synchronized void onTimeline(WatermarkStore.Entry entry) {
    switch (entry.op()) {
      case PUT -> {
        Wmb wmb = decoded(entry, WatermarkCodec::decodeWmb, "a value that is not a WMB");
        if (wmb == null) {
          return;
        }
        Processor p = processors.get(entry.key());
        if (p == null) {
          if (version == NumaflowVersion.V1_7) {
            return; // v1.7 knows processors only from their heartbeats
          }
          p = add(entry.key(), entry.initial() ? clock.millis() : entry.createdMillis());
        }
        if (version == NumaflowVersion.V1_8) {
          p.lastSeenMillis = Math.max(p.lastSeenMillis, entry.createdMillis());
          if (p.status == Status.INACTIVE) {
            p.status = Status.ACTIVE;
          }
        }
        OffsetTimeline timeline = p.timelines.get(wmb.partition());
        if (timeline != null) {
          timeline.put(wmb);
        }
      }
      case DELETE -> {
        if (version == NumaflowVersion.V1_8) {
          markDeleted(entry.key());
        }
      }
      case PURGE -> {
        if (version == NumaflowVersion.V1_8) {
          processors.values().forEach(p -> p.status = Status.DELETED);
        }
      }
    }
  }

  /** The value a processor put, decoded; null, after a warning, when it does not decode. */
  private <T> T decoded(WatermarkStore.Entry entry, Function<byte[], T> decode, String what) {
    try {
      return decode.apply(entry.value());
    } catch (MessageDecodeException e) {
      LOG.log(System.Logger.Level.WARNING, "edge ''{0}'': processor ''{1}'' put {2}, ignored: {3}", edge, entry.key(),
          what, e.getMessage());
      return null;
    }
  }

  synchronized void onHeartbeat(WatermarkStore.Entry entry) {
    switch (entry.op()) {
      case PUT -> {
        Long seconds = decoded(entry, WatermarkCodec::decodeHeartbeat, "a heartbeat that does not decode");
        if (seconds == null) {
          return;
        }
        heartbeats.put(entry.key(), seconds);
        Processor p = processors.get(entry.key());
        if (p == null) {
          add(entry.key(), seconds * 1000);
        } else {
          p.status = Status.ACTIVE;
        }
      }
      case DELETE -> {
        heartbeats.remove(entry.key());
        markDeleted(entry.key());
      }
      case PURGE -> {
        heartbeats.clear();
        processors.values().forEach(p -> p.status = Status.DELETED);
      }
    }
  }

  /**
   * Sets each processor's liveness from how long ago it was seen: numaflow-core's refresh. v1.8 by its
   * newest timeline entry, v1.7 by its heartbeat (whole seconds, as Numaflow compares them); a v1.7
   * processor without a heartbeat keeps its status.
   */
  synchronized void refresh() {
    long now = clock.millis();
    for (Processor p : processors.values()) {
      if (version == NumaflowVersion.V1_8) {
        p.status = Status.after(Duration.ofMillis(now - p.lastSeenMillis));
      } else {
        Long beat = heartbeats.get(p.name);
        if (beat != null) {
          p.lastSeenMillis = beat * 1000;
          p.status = statusAfter(now / 1000 - beat, INACTIVE_AFTER.toSeconds(), DELETED_AFTER.toSeconds());
        }
      }
    }
  }

  private static Status statusAfter(long age, long inactiveAfter, long deletedAfter) {
    return age > deletedAfter ? Status.DELETED : age > inactiveAfter ? Status.INACTIVE : Status.ACTIVE;
  }

  /**
   * The watermark, on this edge, of each message at {@code offsets} (in read order) of
   * {@code partition}: the lowest over every processor, whatever its status; {@link #NO_PROCESSOR}
   * when the edge has none. A deleted processor is forgotten once a message's offset is past all its
   * head offsets (that message still counts it). One lock for the batch.
   */
  synchronized void watermarksAt(long[] offsets, int partition, long[] out) {
    for (int i = 0; i < offsets.length; i++) {
      long offset = offsets[i];
      long lowest = NO_PROCESSOR;
      for (var it = processors.values().iterator(); it.hasNext(); ) {
        Processor p = it.next();
        OffsetTimeline timeline = p.timelines.get(partition);
        if (timeline != null) {
          lowest = Math.min(lowest, timeline.watermarkAt(offset));
        }
        if (p.status == Status.DELETED && offset > p.highestHeadOffset()) {
          it.remove();
          LOG.log(System.Logger.Level.INFO, "edge ''{0}'': deleted processor ''{1}'' forgotten", edge, p.name);
        }
      }
      out[i] = lowest;
    }
  }

  /**
   * A source's own watermark, read from its {@code _SOURCE_OT} bucket where each source partition is
   * a processor publishing on partition 0 (numaflow-core's {@code fetch_source_watermark}): the lowest
   * head watermark over the active processors, so -1 while one of them has published nothing or none
   * is active; also -1 while fewer are active than the highest {@code processor_count} they wrote.
   */
  synchronized long sourceWatermark() {
    long lowest = Long.MAX_VALUE;
    int active = 0;
    int expected = 0;
    for (Processor p : processors.values()) {
      OffsetTimeline timeline = p.timelines.get(0);
      if (p.status != Status.ACTIVE || timeline == null) {
        continue;
      }
      active++;
      lowest = Math.min(lowest, timeline.head().watermark());
      expected = Math.max(expected, timeline.head().processorCount().orElse(0));
    }
    return active < expected || lowest == Long.MAX_VALUE ? -1 : lowest;
  }

  /** The lowest known head watermark of the active processors for {@code partition}; -1 when none. */
  synchronized long headWatermark(int partition) {
    long lowest = Long.MAX_VALUE;
    for (Processor p : processors.values()) {
      OffsetTimeline timeline = p.timelines.get(partition);
      if (p.status == Status.ACTIVE && timeline != null && timeline.head().watermark() != -1) {
        lowest = Math.min(lowest, timeline.head().watermark());
      }
    }
    return lowest == Long.MAX_VALUE ? -1 : lowest;
  }

  /**
   * When every active processor's newest WMB for {@code partition} is idle, the one with the lowest
   * watermark; {@link IdleHead#NONE_ACTIVE} when there is no active processor,
   * {@link IdleHead#NOT_IDLE} when one of them is not idle.
   */
  synchronized IdleHead idleHead(int partition) {
    Wmb lowest = null;
    for (Processor p : processors.values()) {
      if (p.status != Status.ACTIVE) {
        continue;
      }
      OffsetTimeline timeline = p.timelines.get(partition);
      if (timeline == null || !timeline.head().idle()) {
        return IdleHead.NOT_IDLE;
      }
      if (lowest == null || timeline.head().watermark() < lowest.watermark()) {
        lowest = timeline.head();
      }
    }
    return lowest == null ? IdleHead.NONE_ACTIVE : new IdleHead(lowest);
  }

  /** What this edge knows of its processors. */
  synchronized List<ProcessorState> snapshot() {
    List<ProcessorState> out = new ArrayList<>();
    for (Processor p : processors.values()) {
      Map<Integer, Wmb> heads = new TreeMap<>();
      p.timelines.forEach((partition, timeline) -> heads.put(partition, timeline.head()));
      out.add(new ProcessorState(edge, p.name, p.status, p.lastSeenMillis, heads));
    }
    return out;
  }

  String edge() {
    return edge;
  }

  @Override
  public void close() {
    watches.forEach(WatermarkStore.Watch::close);
  }

  private Processor add(String name, long lastSeenMillis) {
    Processor p = new Processor(name, lastSeenMillis);
    for (int partition : partitions) {
      p.timelines.put(partition, new OffsetTimeline(version));
    }
    processors.put(name, p);
    LOG.log(System.Logger.Level.INFO, "edge ''{0}'': processor ''{1}'' found", edge, name);
    return p;
  }

  private void markDeleted(String name) {
    Processor p = processors.get(name);
    if (p != null) {
      p.status = Status.DELETED;
    }
  }

  private static void awaitQuietly(CountDownLatch latch, Duration timeout) {
    try {
      latch.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The lowest idle head WMB of a partition's active processors, or one of the two answers that
   * there is none.
   */
  record IdleHead(Wmb wmb, boolean noneActive) {
    static final IdleHead NOT_IDLE = new IdleHead(null, false);
    static final IdleHead NONE_ACTIVE = new IdleHead(null, true);

    IdleHead(Wmb wmb) {
      this(wmb, false);
    }
  }

  /** One upstream processor: guarded by the lock of its {@link EdgeProcessors}. */
  private static final class Processor {
    final String name;
    final Map<Integer, OffsetTimeline> timelines = new TreeMap<>();
    Status status = Status.ACTIVE;
    long lastSeenMillis;

    Processor(String name, long lastSeenMillis) {
      this.name = name;
      this.lastSeenMillis = lastSeenMillis;
    }

    long highestHeadOffset() {
      long highest = -1;
      for (OffsetTimeline t : timelines.values()) {
        highest = Math.max(highest, t.head().offset());
      }
      return highest;
    }
  }
}
