package dev.isb.vertex;

import dev.isb.BufferReader;
import dev.isb.BufferWriter;
import dev.isb.Header;
import dev.isb.IsbClient;
import dev.isb.Kind;
import dev.isb.Message;
import dev.isb.MessageId;
import dev.isb.NumaflowVersion;
import dev.isb.WriteResult;
import dev.isb.watermark.WatermarkFetcher;
import dev.isb.watermark.WatermarkPublisher;
import dev.isb.watermark.WatermarkedReader;
import dev.isb.wire.BufferNames;
import dev.isb.wire.Wmb;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A forwarder's part in the pipeline's watermark, as numaflow-core's map and sink vertices take it:
 * a fetcher over the edges into the vertex gives each input its watermark; the watermark of the
 * oldest input still in flight (per partition, lowest over partitions) is published to every edge out
 * of the vertex as its outputs are stored; and an output partition that gets nothing for the idle
 * interval gets a control message and an idle WMB, so that it does not hold back the vertices
 * downstream. Thread-safe.
 */
final class VertexWatermarks implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(VertexWatermarks.class.getName());

  private final String vertex;
  private final WatermarkFetcher fetcher;
  private final List<WatermarkPublisher> publishers;
  private final List<WatermarkedReader> readers = new ArrayList<>();
  /**
   * Per input partition, the oldest watermark of each batch between its read and its acks, oldest
   * batch first (up to the forwarder's batches in flight, plus the ones read ahead).
   */
  private final Map<Integer, Deque<Long>> inFlight = new HashMap<>();
  private final Duration idleInterval;

  private VertexWatermarks(String vertex, WatermarkFetcher fetcher, List<WatermarkPublisher> publishers,
      Duration idleInterval) {
    this.vertex = vertex;
    this.fetcher = fetcher;
    this.publishers = publishers;
    this.idleInterval = idleInterval;
  }

  /**
   * Opens the fetcher over the edges from {@code fromVertices} and a publisher per edge out; empty, with
   * a warning, when the backend keeps no watermarks (Numaflow's Redis ISB kept none either).
   */
  static Optional<VertexWatermarks> open(IsbClient client, Settings s, List<Integer> inputPartitions,
      List<Edge> edges) {
    WatermarkFetcher fetcher = null;
    List<WatermarkPublisher> publishers = new ArrayList<>();
    try {
      List<String> from = s.fromVertices().stream()
          .map(f -> BufferNames.edgeBucket(s.namespace(), s.pipeline(), f, s.vertex())).toList();
      fetcher = WatermarkFetcher.builder(client).edges(from.toArray(String[]::new))
          .partitions(inputPartitions.stream().mapToInt(Integer::intValue).toArray()).version(s.version()).build();
      for (Edge edge : edges) {
        publishers.add(WatermarkPublisher.builder(client,
                BufferNames.edgeBucket(s.namespace(), s.pipeline(), s.vertex(), edge.toVertex()),
                s.vertex() + "-" + s.replica())
            .partitions(edge.buffers().size()).version(s.version()).delay(s.delay()).build());
      }
      return Optional.of(new VertexWatermarks(s.vertex(), fetcher, List.copyOf(publishers), s.idleInterval()));
    } catch (UnsupportedOperationException noBuckets) {
      LOG.log(System.Logger.Level.WARNING, "vertex ''{0}'': the {1} backend keeps no watermarks, as Numaflow''s "
          + "Redis ISB kept none: this vertex neither reads nor publishes watermarks (they stay -1)",
          s.vertex(), client.backend());
      close(fetcher, publishers);
      return Optional.empty();
    } catch (RuntimeException e) {
      close(fetcher, publishers);
      throw e;
    }
  }

  /** This input reader, giving its messages their watermarks. */
  BufferReader track(BufferReader reader) {
    WatermarkedReader tracked = fetcher.track(reader);
    synchronized (readers) {
      readers.add(tracked);
    }
    return tracked;
  }

  /** A batch of {@code partition} is in flight: its first (oldest) input's watermark holds the output's. */
  void reading(int partition, long oldestWatermark) {
    synchronized (inFlight) {
      inFlight.computeIfAbsent(partition, p -> new ArrayDeque<>()).addLast(oldestWatermark);
    }
  }

  /** The oldest batch in flight of {@code partition} is acked or nakked. */
  void settled(int partition) {
    synchronized (inFlight) {
      Deque<Long> batches = inFlight.get(partition);
      if (batches != null) {
        batches.pollFirst();
      }
    }
  }

  /** The watermark of the oldest input in flight, lowest over partitions and batches; -1 when none is. */
  long lowestInFlight() {
    long lowest = Long.MAX_VALUE;
    synchronized (inFlight) {
      for (Deque<Long> batches : inFlight.values()) {
        for (long wm : batches) {
          lowest = Math.min(lowest, wm);
        }
      }
    }
    return lowest == Long.MAX_VALUE ? -1 : lowest;
  }

  /** Outputs were stored in {@code partition} of edge {@code route}, the last at stream sequence {@code offset}. */
  void stored(int route, int partition, long offset) {
    publishers.get(route).publish(partition, offset, lowestInFlight());
  }

  /** The vertex's input watermark; -1 while unknown. */
  long inputWatermark() {
    return fetcher.current();
  }

  /** WMB puts, over every edge out. */
  long puts() {
    return publishers.stream().mapToLong(WatermarkPublisher::puts).sum();
  }

  /** Failed WMB and heartbeat puts, over every edge out. */
  long failedPuts() {
    return publishers.stream().mapToLong(WatermarkPublisher::failedPuts).sum();
  }

  /** The watermark last kept for {@code partition} of edge {@code route}; -1 while none. */
  long outputWatermark(int route, int partition) {
    return publishers.get(route).watermark(partition);
  }

  /**
   * Numaflow's idle tick: each output partition that got nothing for the idle interval gets a control
   * message (once per idle spell) and an idle WMB with the lowest in-flight watermark or, when nothing
   * is in flight, the lowest idle watermark of the inputs, if every input is idle.
   */
  void publishIdle(List<List<BufferWriter>> writers, Clock clock) {
    long wm = lowestInFlight();
    if (wm == -1) {
      wm = idleInputsWatermark();
      if (wm == -1) {
        return;
      }
    }
    for (int r = 0; r < publishers.size(); r++) {
      WatermarkPublisher publisher = publishers.get(r);
      for (int p = 0; p < publisher.partitionCount(); p++) {
        if (!publisher.isIdle(p, idleInterval)) {
          continue;
        }
        OptionalLong control = publisher.controlOffset(p);
        long offset = control.isPresent() ? control.getAsLong() : writeControl(writers.get(r).get(p), clock);
        if (offset >= 0) {
          publisher.publishIdle(p, offset, wm);
        }
      }
    }
  }

  /** The lowest watermark of the inputs when every one found its partition idle and still does; else -1. */
  private long idleInputsWatermark() {
    long lowest = Long.MAX_VALUE;
    synchronized (readers) {
      if (readers.isEmpty()) {
        return -1;
      }
      for (WatermarkedReader reader : readers) {
        Optional<Wmb> seen = reader.idle();
        Optional<Wmb> now = fetcher.idle(reader.partition());
        if (seen.isEmpty() || now.isEmpty() || seen.get().offset() != now.get().offset()) {
          return -1;
        }
        lowest = Math.min(lowest, now.get().watermark());
      }
    }
    return lowest;
  }

  /** Writes a control message as Numaflow's: WMB kind, empty id and payload, event time now; -1 if it failed. */
  private long writeControl(BufferWriter writer, Clock clock) {
    Message control = new Message(Header.builder(new MessageId("", "", 0)).kind(Kind.WMB)
        .eventTime(clock.instant()).build(), new byte[0]);
    try {
      WriteResult result = writer.write(control);
      if (result instanceof WriteResult.Written w) {
        return w.offset().sequenceNumber();
      }
      LOG.log(System.Logger.Level.DEBUG, "vertex ''{0}'': control message to ''{1}'' not stored: {2}", vertex,
          writer.buffer(), result);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.DEBUG, "vertex ''{0}'': control message to ''{1}'' failed: {2}", vertex,
          writer.buffer(), e.toString());
    }
    return -1;
  }

  @Override
  public void close() {
    close(fetcher, publishers);
  }

  private static void close(WatermarkFetcher fetcher, List<WatermarkPublisher> publishers) {
    publishers.forEach(WatermarkPublisher::close);
    if (fetcher != null) {
      fetcher.close();
    }
  }

  /**
   * What a forwarder needs to take part in watermarks.
   *
   * @param namespace the pipeline's namespace, the first part of every bucket name
   * @param pipeline the pipeline's name
   * @param vertex this vertex
   * @param replica this pod's replica index: the processor key is {@code <vertex>-<replica>}
   * @param fromVertices the vertices with an edge into this one
   * @param version whose rules apply
   * @param delay the least time between two WMB puts per output partition
   * @param idleInterval how long an output partition may get nothing before it counts as idle
   */
  record Settings(String namespace, String pipeline, String vertex, int replica, List<String> fromVertices,
      NumaflowVersion version, Duration delay, Duration idleInterval) {}
}
