package dev.isb.watermark;

import dev.isb.NumaflowVersion;
import dev.isb.wire.Wmb;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One processor's recent watermarks for one partition, newest first: numaflow-core's
 * {@code OffsetTimeline}. It starts full of unknown entries (offset -1, watermark -1) and keeps the
 * newest {@link #CAPACITY}. Not thread-safe: its {@link EdgeProcessors} guards it.
 */
final class OffsetTimeline {

  /** Entries kept per processor and partition, numaflow-core's and Go's. */
  static final int CAPACITY = 10;

  private static final Wmb UNKNOWN = Wmb.of(false, -1, -1, 0);

  private final NumaflowVersion version;
  /** A ring, newest at {@code head}, older ones after it; full from the start. */
  private final Wmb[] entries = new Wmb[CAPACITY];
  private int head;

  OffsetTimeline(NumaflowVersion version) {
    this.version = version;
    Arrays.fill(entries, UNKNOWN);
  }

  /**
   * Adds a WMB by comparing it with the head. A higher watermark at a higher offset is pushed; an
   * equal watermark at a higher offset is pushed (v1.8) or raises the head's offset (v1.7); a higher
   * watermark at the head's offset replaces the head's watermark (an idle partition's repeated WMB);
   * anything lower, or a higher watermark at a lower offset, is ignored. The oldest entry falls off.
   */
  void put(Wmb wmb) {
    Wmb current = entries[head];
    int byWatermark = Long.compare(wmb.watermark(), current.watermark());
    int byOffset = Long.compare(wmb.offset(), current.offset());
    if (byWatermark == 0 && byOffset > 0) {
      if (version == NumaflowVersion.V1_7) {
        entries[head] = new Wmb(current.idle(), wmb.offset(), current.watermark(), current.partition(),
            current.processorCount());
      } else {
        push(wmb);
      }
    } else if (byWatermark > 0 && byOffset > 0) {
      push(wmb);
    } else if (byWatermark > 0 && byOffset == 0) {
      entries[head] = new Wmb(current.idle(), current.offset(), wmb.watermark(), current.partition(),
          current.processorCount());
    }
  }

  private void push(Wmb wmb) {
    head = (head + CAPACITY - 1) % CAPACITY;
    entries[head] = wmb;
  }

  /** The newest entry. */
  Wmb head() {
    return entries[head];
  }

  /**
   * The watermark of a message at {@code offset}: that of the newest entry published before it
   * (offset strictly lower), else -1.
   */
  long watermarkAt(long offset) {
    for (int i = 0; i < CAPACITY; i++) {
      Wmb e = entries[(head + i) % CAPACITY];
      if (e.offset() < offset) {
        return e.watermark();
      }
    }
    return -1;
  }

  /** The entries, newest first. */
  List<Wmb> entries() {
    List<Wmb> out = new ArrayList<>(CAPACITY);
    for (int i = 0; i < CAPACITY; i++) {
      out.add(entries[(head + i) % CAPACITY]);
    }
    return out;
  }
}
