package dev.isb.wire;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * A watermark barrier as Numaflow keeps it in an edge's offset-timeline bucket ({@code _OT}): the
 * value a processor publishes under its key ({@code watermark.WMB} in Numaflow's protobuf).
 *
 * @param idle whether the processor found this partition idle
 * @param offset the stream sequence the watermark holds from (an idle WMB: its control message's)
 * @param watermark epoch milliseconds; -1 when not known
 * @param partition the to-partition the WMB is for
 * @param processorCount how many processors publish to the edge (Numaflow v1.8+); empty when absent
 */
public record Wmb(boolean idle, long offset, long watermark, int partition, OptionalInt processorCount) {

  /** Checks for null. */
  public Wmb {
    Objects.requireNonNull(processorCount, "processorCount");
  }

  /** A WMB without a processor count, as Numaflow up to v1.7 writes it. */
  public static Wmb of(boolean idle, long offset, long watermark, int partition) {
    return new Wmb(idle, offset, watermark, partition, OptionalInt.empty());
  }
}
