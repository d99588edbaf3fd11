package dev.isb.watermark;

import dev.isb.NumaflowVersion;
import dev.isb.wire.Wmb;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
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
  private final Deque<Wmb> entries = new ArrayDeque<>(CAPACITY + 1);

  OffsetTimeline(NumaflowVersion version) {
    this.version = version;
    for (int i = 0; i < CAPACITY; i++) {
      entries.add(UNKNOWN);
    }
  }

  /**
   * Adds a WMB by comparing it with the head. A higher watermark at a higher offset is pushed; an
   * equal watermark at a higher offset is pushed (v1.8) or raises the head's offset (v1.7); a higher
   * watermark at the head's offset replaces the head's watermark (an idle partition's repeated WMB);
   * anything lower, or a higher watermark at a lower offset, is ignored.
   */
  void put(Wmb wmb) {
    Wmb head = entries.getFirst();
    int byWatermark = Long.compare(wmb.watermark(), head.watermark());
    int byOffset = Long.compare(wmb.offset(), head.offset());
    if (byWatermark == 0 && byOffset > 0) {
      if (version == NumaflowVersion.V1_7) {
        entries.removeFirst();
        entries.addFirst(new Wmb(head.idle(), wmb.offset(), head.watermark(), head.partition(),
            head.processorCount()));
      } else {
        entries.addFirst(wmb);
      }
    } else if (byWatermark > 0 && byOffset > 0) {
      entries.addFirst(wmb);
    } else if (byWatermark > 0 && byOffset == 0) {
      entries.removeFirst();
      entries.addFirst(new Wmb(head.idle(), head.offset(), wmb.watermark(), head.partition(),
          head.processorCount()));
    }
    if (entries.size() > CAPACITY) {
      entries.removeLast();
    }
  }

  /** The newest entry. */
  Wmb head() {
    return entries.getFirst();
  }

  /**
   * The watermark of a message at {@code offset}: that of the newest entry published before it
   * (offset strictly lower), else -1.
   */
  long watermarkAt(long offset) {
    for (Iterator<Wmb> it = entries.iterator(); it.hasNext(); ) {
      Wmb e = it.next();
      if (e.offset() < offset) {
        return e.watermark();
      }
    }
    return -1;
  }

  /** The entries, newest first. */
  List<Wmb> entries() {
    return List.copyOf(entries);
  }
}
