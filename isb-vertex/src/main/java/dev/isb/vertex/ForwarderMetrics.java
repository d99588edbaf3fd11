package dev.isb.vertex;

import dev.isb.BufferReader;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The meters of one forwarder, named so that a Prometheus registry shows Numaflow's names
 * ({@code forwarder.data.read} becomes {@code forwarder_data_read_total}). Every meter is created when
 * the forwarder is built, so the hot path only increments. Thread-safe.
 */
final class ForwarderMetrics {

  static final String READ = "forwarder.read";
  static final String DATA_READ = "forwarder.data.read";
  static final String READ_BYTES = "forwarder.read.bytes";
  static final String READ_ERROR = "forwarder.read.error";
  static final String READ_TIME = "forwarder.read.processing.time";
  static final String REDELIVERY = "forwarder.redelivery";
  static final String ACK = "forwarder.ack";
  static final String ACK_ERROR = "forwarder.ack.error";
  static final String ACK_TIME = "forwarder.ack.processing.time";
  static final String NAK = "forwarder.nak";
  static final String PROCESSING_TIME = "forwarder.processing.time";
  static final String UDF_ERROR = "forwarder.udf.error";
  static final String UDF_TIME = "forwarder.udf.processing.time";
  static final String WRITE = "forwarder.write";
  static final String WRITE_BYTES = "forwarder.write.bytes";
  static final String WRITE_ERROR = "forwarder.write.error";
  static final String WRITE_TIME = "forwarder.write.processing.time";
  static final String DUPLICATE = "forwarder.write.duplicate";
  static final String DROP = "forwarder.drop";
  static final String PENDING = "vertex.pending.messages.raw";
  static final String RECOVERIES = "isb.reader.recoveries";
  static final String BUFFER_PENDING = "isb.buffer.pending";
  static final String BUFFER_ACK_PENDING = "isb.buffer.ack.pending";
  static final String BUFFER_USAGE = "isb.buffer.usage";
  static final String WATERMARK = "forwarder.watermark";
  static final String WATERMARK_LAG = "forwarder.watermark.lag";
  static final String WATERMARK_PUBLISHED = "forwarder.watermark.published";
  static final String WATERMARK_PUT = "isb.watermark.put";
  static final String WATERMARK_PUT_ERROR = "isb.watermark.put.error";

  static final String REASON_BUFFER_FULL = "buffer-full";
  static final String REASON_NO_EDGE = "no-matching-edge";

  private final MeterRegistry registry;
  private final Tags common;
  private final Timer udfTime;
  private final Counter udfErrors;
  private final List<Meter> gauges = new CopyOnWriteArrayList<>();

  ForwarderMetrics(MeterRegistry registry, Tags common) {
    this.registry = registry;
    this.common = common;
    this.udfTime = Timer.builder(UDF_TIME).description("Time spent in the vertex function").tags(common)
        .register(registry);
    this.udfErrors = Counter.builder(UDF_ERROR).description("Vertex function calls that failed").tags(common)
        .register(registry);
  }

  Timer udfTime() {
    return udfTime;
  }

  Counter udfErrors() {
    return udfErrors;
  }

  Input input(BufferReader reader) {
    Input input = new Input(registry, common.and("partition_name", reader.buffer()));
    gauges.add(input.pendingGauge);
    gauges.add(FunctionCounter.builder(RECOVERIES, reader, BufferReader::recoveries)
        .description("Times the reader found its place in the ISB lost (a fail-over that lost data) and recovered")
        .tags(common.and("partition_name", reader.buffer())).register(registry));
    return input;
  }

  Output output(String buffer) {
    return new Output(registry, common.and("partition_name", buffer));
  }

  /** Registers usage gauges for a buffer; the returned holder is what a poller updates. */
  BufferGauges bufferGauges(String buffer) {
    BufferGauges buffers = new BufferGauges(registry, common.and("buffer", buffer));
    gauges.addAll(buffers.meters);
    return buffers;
  }

  /**
   * Registers the watermark gauges: the vertex's input watermark and its lag behind the wall clock
   * (milliseconds, NaN while unknown), the watermark kept for each output partition, and the failed
   * WMB puts.
   */
  void watermarkGauges(VertexWatermarks watermarks, List<Edge> edges) {
    gauges.add(Gauge.builder(WATERMARK, watermarks, w -> known(w.inputWatermark()))
        .description("The vertex's input watermark, epoch milliseconds").tags(common).register(registry));
    gauges.add(Gauge.builder(WATERMARK_LAG, watermarks, w -> {
      double wm = known(w.inputWatermark());
      return Double.isNaN(wm) ? wm : System.currentTimeMillis() - wm;
    }).description("How far the input watermark is behind the wall clock, milliseconds").tags(common)
        .register(registry));
    for (int e = 0; e < edges.size(); e++) {
      int route = e;
      List<String> buffers = edges.get(e).buffers();
      for (int p = 0; p < buffers.size(); p++) {
        int partition = p;
        gauges.add(Gauge.builder(WATERMARK_PUBLISHED, watermarks, w -> known(w.outputWatermark(route, partition)))
            .description("The watermark this vertex published to an output partition, epoch milliseconds")
            .tags(common.and("partition_name", buffers.get(p))).register(registry));
      }
    }
    gauges.add(FunctionCounter.builder(WATERMARK_PUT, watermarks, VertexWatermarks::puts)
        .description("WMB puts to the edges' offset-timeline buckets, at most one per partition per delay")
        .tags(common).register(registry));
    gauges.add(FunctionCounter.builder(WATERMARK_PUT_ERROR, watermarks, VertexWatermarks::failedPuts)
        .description("Watermark puts to the ISB that failed (ignored, as in Numaflow)").tags(common)
        .register(registry));
  }

  private static double known(long watermark) {
    return watermark < 0 ? Double.NaN : watermark;
  }

  /**
   * Removes the gauges and function counters, which read this forwarder's state and readers;
   * counters and timers stay, so a last scrape after close still sees the totals.
   */
  void removeGauges() {
    gauges.forEach(registry::remove);
    gauges.clear();
  }

  private static Counter counter(MeterRegistry registry, String name, String description, Tags tags) {
    return Counter.builder(name).description(description).tags(tags).register(registry);
  }

  private static Timer timer(MeterRegistry registry, String name, String description, Tags tags) {
    return Timer.builder(name).description(description).tags(tags).register(registry);
  }

  /** The meters of one input partition. */
  static final class Input {
    final Counter read;
    final Counter dataRead;
    final Counter readBytes;
    final Counter readErrors;
    final Timer readTime;
    final Counter redeliveries;
    final Counter acks;
    final Counter ackErrors;
    final Timer ackTime;
    final Counter naks;
    final Timer processingTime;
    final Counter droppedNoEdge;
    final AtomicLong pending = new AtomicLong(-1);
    final Gauge pendingGauge;

    Input(MeterRegistry registry, Tags tags) {
      read = counter(registry, READ, "Messages read, data and control", tags);
      dataRead = counter(registry, DATA_READ, "Data messages read", tags);
      readBytes = counter(registry, READ_BYTES, "Payload bytes read", tags);
      readErrors = counter(registry, READ_ERROR, "Reads that failed", tags);
      readTime = timer(registry, READ_TIME, "Time of one read call", tags);
      redeliveries = counter(registry, REDELIVERY, "Messages read with a delivery count above 1", tags);
      acks = counter(registry, ACK, "Messages acknowledged", tags);
      ackErrors = counter(registry, ACK_ERROR, "Messages whose ack or nak failed", tags);
      ackTime = timer(registry, ACK_TIME, "Time of one ack call", tags);
      naks = counter(registry, NAK, "Messages handed back for redelivery", tags);
      processingTime = timer(registry, PROCESSING_TIME, "Time from read to ack of one batch", tags);
      droppedNoEdge = counter(registry, DROP, "Messages dropped", tags.and("reason", REASON_NO_EDGE));
      pendingGauge = Gauge.builder(PENDING, pending, p -> p.get() < 0 ? Double.NaN : p.get())
          .description("Messages in the partition not yet delivered to this vertex").tags(tags)
          .register(registry);
    }
  }

  /** The meters of one downstream buffer. */
  static final class Output {
    final Counter written;
    final Counter writtenBytes;
    final Counter duplicates;
    final Counter droppedFull;
    final Timer writeTime;
    private final MeterRegistry registry;
    private final Tags tags;
    private final Map<String, Counter> errors = new ConcurrentHashMap<>();

    Output(MeterRegistry registry, Tags tags) {
      this.registry = registry;
      this.tags = tags;
      written = counter(registry, WRITE, "Messages written", tags);
      writtenBytes = counter(registry, WRITE_BYTES, "Payload bytes written", tags);
      duplicates = counter(registry, DUPLICATE, "Writes the ISB recognised as duplicates", tags);
      droppedFull = counter(registry, DROP, "Messages dropped", tags.and("reason", REASON_BUFFER_FULL));
      writeTime = timer(registry, WRITE_TIME, "Time of one write call", tags);
    }

    /** Write errors by reason: the exception's simple class name; few distinct values. */
    Counter errors(String reason) {
      return errors.computeIfAbsent(reason,
          r -> counter(registry, WRITE_ERROR, "Messages whose write failed", tags.and("reason", r)));
    }
  }

  /** Usage gauges of one buffer, refreshed by the forwarder's poller; NaN until known. */
  static final class BufferGauges {
    private volatile double pending = Double.NaN;
    private volatile double ackPending = Double.NaN;
    private volatile double usage = Double.NaN;
    private final List<Meter> meters;

    BufferGauges(MeterRegistry registry, Tags tags) {
      meters = List.of(
          Gauge.builder(BUFFER_PENDING, this, g -> g.pending).description("Messages not yet delivered")
              .tags(tags).register(registry),
          Gauge.builder(BUFFER_ACK_PENDING, this, g -> g.ackPending).description("Messages delivered, not acked")
              .tags(tags).register(registry),
          Gauge.builder(BUFFER_USAGE, this, g -> g.usage)
              .description("(pending + ack pending) / maxLength, as the buffer-full rule computes it")
              .tags(tags).register(registry));
    }

    void update(long pendingCount, long ackPendingCount, long maxLength) {
      pending = pendingCount;
      ackPending = ackPendingCount;
      usage = (double) (pendingCount + ackPendingCount) / maxLength;
    }

    void unknown() {
      pending = Double.NaN;
      ackPending = Double.NaN;
      usage = Double.NaN;
    }
  }
}
