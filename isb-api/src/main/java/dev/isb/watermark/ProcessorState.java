package dev.isb.watermark;

import dev.isb.wire.Wmb;
import java.util.Map;
import java.util.Objects;

/**
 * What a fetcher knows of one upstream processor of an edge, for {@code isb info} and logs.
 *
 * @param edge the edge's bucket name
 * @param name the processor's key, e.g. {@code map-0}
 * @param status its liveness
 * @param lastSeenMillis when it last showed it was alive, epoch milliseconds: its newest timeline
 *     entry (v1.8) or heartbeat (v1.7); -1 when never
 * @param heads the newest WMB of each tracked partition
 */
public record ProcessorState(String edge, String name, Status status, long lastSeenMillis, Map<Integer, Wmb> heads) {

  /** Copies the map and checks for nulls. */
  public ProcessorState {
    Objects.requireNonNull(edge, "edge");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(status, "status");
    heads = Map.copyOf(heads);
  }

  /** A processor's liveness, numaflow-core's. */
  public enum Status {
    /** Seen within the last 5 s. */
    ACTIVE,
    /** Not seen for more than 5 s: its timeline still counts for watermarks, not for idle heads. */
    INACTIVE,
    /** Not seen for more than 50 s, or its key was deleted: dropped once reads pass its head offset. */
    DELETED;

    /** Numaflow's status of a processor last seen {@code sinceSeen} ago. */
    public static Status after(java.time.Duration sinceSeen) {
      long ms = sinceSeen.toMillis();
      return ms > EdgeProcessors.DELETED_AFTER.toMillis() ? DELETED
          : ms > EdgeProcessors.INACTIVE_AFTER.toMillis() ? INACTIVE : ACTIVE;
    }
  }
}
