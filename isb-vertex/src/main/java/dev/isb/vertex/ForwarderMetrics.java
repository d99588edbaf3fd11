package dev.isb.vertex;

import dev.isb.BufferInfo;
import dev.isb.BufferReader;
import dev.isb.IsbClient;
import dev.isb.IsbException;
import dev.isb.WriterOptions;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The meters of one forwarder, in one of two {@link MetricsStyle}s. Names are dotted, so that a
 * Prometheus registry shows Numaflow's ({@code forwarder.data.read} becomes
 * {@code forwarder_data_read_total}). Every meter is created when the forwarder is built (write errors
 * when their reason first occurs), so the hot path only increments. Thread-safe.
 */
final class ForwarderMetrics {

  private static final System.Logger LOG = System.getLogger(ForwarderMetrics.class.getName());

  static final String READ = "forwarder.read";
  static final String DATA_READ = "forwarder.data.read";
  static final String READ_BYTES = "forwarder.read.bytes";
  static final String DATA_READ_BYTES = "forwarder.data.read.bytes";
  static final String READ_ERROR = "forwarder.read.error";
  static final String READ_TIME = "forwarder.read.processing.time";
  static final String REDELIVERY = "forwarder.redelivery";
  static final String ACK = "forwarder.ack";
  static final String ACK_ERROR = "forwarder.ack.error";
  static final String ACK_TIME = "forwarder.ack.processing.time";
  static final String NAK = "forwarder.nak";
  static final String PROCESSING_TIME = "forwarder.processing.time";
  static final String UDF_READ = "forwarder.udf.read";
  static final String UDF_WRITE = "forwarder.udf.write";
  static final String UDF_ERROR = "forwarder.udf.error";
  static final String UDF_TIME = "forwarder.udf.processing.time";
  static final String WRITE = "forwarder.write";
  static final String WRITE_BYTES = "forwarder.write.bytes";
  static final String WRITE_ERROR = "forwarder.write.error";
  static final String WRITE_TIME = "forwarder.write.processing.time";
  static final String DUPLICATE = "forwarder.write.duplicate";
  static final String DROP = "forwarder.drop";
  static final String DROP_BYTES = "forwarder.drop.bytes";
  static final String DEAD_LETTER = "forwarder.dead.letter";
  static final String LOST_UNACKED = "isb.reader.lost.unacked";
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
  static final String REASON_RULES_NOT_MET = "forwarding-rules-not-met";
  static final String REASON_DUPLICATE_ID = "duplicate-id";

  /*
   * numaflow-core's histogram buckets, microseconds: exponential_buckets_range(100, max, 10), the ten
   * values its Rust code computes (printed by rustc 1.95.0), for max = 10, 15 and 20 minutes.
   */
  static final double[] BUCKETS_10_MIN = {100.0, 566.4060932173123, 3208.158624336986, 18171.205928321397,
      102922.81758907787, 582961.1101354766, 3301927.2488946263, 18702317.13134193, 105931063.80474593,
      599999999.9999998};
  static final double[] BUCKETS_15_MIN = {100.0, 592.5071727239734, 3510.6474972935644, 20800.83823051903,
      123246.4585025357, 730244.1067557994, 4326748.710922221, 25636296.457956217, 151896895.33417252,
      899999999.9999987};
  static final double[] BUCKETS_20_MIN = {100.0, 611.7524171473015, 3742.41019885566, 22894.28485106663,
      140056.3409649886, 856798.0512213839, 5241482.78841779, 32064897.652505606, 196157786.44501138,
      1199999999.9999988};

  private final MeterRegistry registry;
  private final Tags common;
  private final MetricsStyle style;
  /** The backend's name in the ISB meters of {@link MetricsStyle#NUMAFLOW}: {@code isb.<backend>.}. */
  private final String isbPrefix;
  private final Durations udfTime;
  private final Counter udfErrors;
  private final Counter udfReads;
  private final Counter udfWrites;
  /** NUMAFLOW: one counter for the whole vertex, {@code partition_name="n/a"} as numaflow-core has it. */
  private final Counter droppedNoEdge;
  private final List<Meter> gauges = new CopyOnWriteArrayList<>();

  ForwarderMetrics(MeterRegistry registry, Tags common, MetricsStyle style, String backend) {
    this.registry = registry;
    this.common = common;
    this.style = style;
    this.isbPrefix = "isb." + backend + ".";
    this.udfTime = durations(UDF_TIME, "Time spent in the vertex function", common, BUCKETS_15_MIN);
    this.udfErrors = counter(registry, UDF_ERROR, "Vertex function calls that failed", common);
    this.udfReads = numaflow() ? counter(registry, UDF_READ, "Calls of the vertex function", common) : null;
    this.udfWrites = numaflow() ? counter(registry, UDF_WRITE, "Outputs the vertex function returned", common) : null;
    this.droppedNoEdge = numaflow() ? counter(registry, DROP, "Messages dropped",
        common.and("partition_name", "n/a", "reason", REASON_RULES_NOT_MET)) : null;
  }

  boolean numaflow() {
    return style == MetricsStyle.NUMAFLOW;
  }

  MetricsStyle style() {
    return style;
  }

  /** One call of the vertex function, whatever its outcome, with the outputs it returned (or 0). */
  void udfCall(long nanos, int outputs) {
    udfTime.record(nanos, 1);
    if (numaflow()) {
      udfReads.increment();
      udfWrites.increment(outputs);
    }
  }

  Counter udfErrors() {
    return udfErrors;
  }

  Input input(BufferReader reader) {
    Tags tags = common.and("partition_name", reader.buffer());
    Input input = new Input(this, tags, reader.buffer());
    gauges.add(input.pendingGauge);
    gauges.add(FunctionCounter.builder(RECOVERIES, reader, BufferReader::recoveries)
        .description("Times the reader found its place in the ISB lost (a fail-over that lost data) and recovered")
        .tags(tags).register(registry));
    return input;
  }

  /** The meters of writes to {@code buffer}, one partition of a downstream vertex. */
  Output output(String buffer) {
    return new Output(this, common.and("partition_name", buffer), buffer);
  }

  /**
   * The meters of a sink vertex's writes to its sink (NUMAFLOW: numaflow-core's sink counts them as
   * writes with the vertex's name as {@code partition_name}); null in the TIMERS style.
   */
  Output sinkOutput(String vertex) {
    return numaflow() ? new Output(this, common.and("partition_name", vertex), null) : null;
  }

  /**
   * Registers usage gauges for a buffer the vertex writes (and, in the TIMERS style, reads); the
   * returned holder is what a poller updates. NUMAFLOW: numaflow-core's writer gauges
   * {@code isb_<backend>_buffer_pending}, {@code _ack_pending} and {@code _soft_usage}, labelled
   * {@code buffer} only; TIMERS: {@code isb_buffer_*} with the vertex's labels.
   */
  BufferGauges bufferGauges(String buffer) {
    BufferGauges buffers = numaflow()
        ? new BufferGauges(registry, Tags.of("buffer", buffer), isbPrefix + "buffer.pending",
            isbPrefix + "buffer.ack.pending", isbPrefix + "buffer.soft.usage")
        : new BufferGauges(registry, common.and("buffer", buffer), BUFFER_PENDING, BUFFER_ACK_PENDING, BUFFER_USAGE);
    gauges.addAll(buffers.meters);
    return buffers;
  }

  /**
   * What the forwarder's poller runs every usage interval to feed the buffer gauges: every buffer in
   * the TIMERS style; in the NUMAFLOW style the buffers written (numaflow-core's writer gauges) and,
   * for {@code vertex_pending_messages_raw}, the pending and ack-pending count of each buffer read.
   */
  Runnable usagePolls(IsbClient client, String vertex, List<BufferReader> readers, List<Input> inputs,
      List<Edge> edges) {
    List<Runnable> polls = new ArrayList<>();
    for (int i = 0; i < readers.size(); i++) {
      String buffer = readers.get(i).buffer();
      Input input = inputs.get(i);
      polls.add(input.pendingFromPoller() ? pendingPoll(client, buffer, input)
          : usagePoll(client, vertex, buffer, WriterOptions.defaults().maxLength()));
    }
    for (Edge edge : edges) {
      for (String buffer : edge.buffers()) {
        polls.add(usagePoll(client, vertex, buffer, edge.writerOptions().maxLength()));
      }
    }
    return () -> polls.forEach(Runnable::run);
  }

  private static Runnable pendingPoll(IsbClient client, String buffer, Input input) {
    return () -> {
      try {
        BufferInfo info = client.admin().bufferInfo(buffer);
        input.pending.set(info.pendingCount() + info.ackPendingCount());
        input.checked(info);
      } catch (IsbException | IllegalStateException e) {
        input.pending.set(-1);
      }
    };
  }

  private Runnable usagePoll(IsbClient client, String vertex, String buffer, long maxLength) {
    BufferGauges gauges = bufferGauges(buffer);
    return () -> {
      try {
        BufferInfo info = client.admin().bufferInfo(buffer);
        gauges.update(info.pendingCount(), info.ackPendingCount(), maxLength);
      } catch (IsbException | IllegalStateException e) {
        gauges.unknown();
        LOG.log(System.Logger.Level.DEBUG, "vertex ''{0}'': usage of ''{1}'' unknown: {2}", vertex, buffer,
            e.getMessage());
      }
    };
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

  /**
   * A duration meter in this style: a Micrometer timer recorded once per call (TIMERS), or
   * numaflow-core's histogram of microseconds with its {@code buckets} (NUMAFLOW).
   */
  private Durations durations(String name, String description, Tags tags, double[] buckets) {
    if (!numaflow()) {
      Timer timer = Timer.builder(name).description(description).tags(tags).register(registry);
      return (nanos, messages) -> timer.record(nanos, TimeUnit.NANOSECONDS);
    }
    return histogram(name, description, tags, buckets);
  }

  /** numaflow-core's histogram: microseconds, its buckets, one observation per message. */
  private Durations histogram(String name, String description, Tags tags, double[] buckets) {
    DistributionSummary summary = DistributionSummary.builder(name).description(description + ", microseconds")
        .tags(tags).serviceLevelObjectives(buckets).distributionStatisticBufferLength(1).register(registry);
    return (nanos, messages) -> {
      double micros = nanos / 1_000.0;
      for (int i = 0; i < messages; i++) {
        summary.record(micros);
      }
    };
  }

  /** A duration meter. */
  interface Durations {
    /** One operation that took {@code nanos}, done for {@code messages} messages. */
    void record(long nanos, int messages);
  }

  /** The meters of one input partition. */
  static final class Input {
    private final boolean numaflow;
    final Counter read;
    final Counter dataRead;
    final Counter readBytes;
    private final Counter dataReadBytes;
    final Counter readErrors;
    final Durations readTime;
    final Counter redeliveries;
    final Counter acks;
    final Counter ackErrors;
    private final Durations ackTime;
    final Counter naks;
    final Counter deadLetters;
    private final Durations processingTime;
    final Counter droppedNoEdge;
    private final Counter lostUnacked;
    private final AtomicLong lostLastSeen = new AtomicLong();
    private volatile List<String> lastWarnings = List.of();
    final AtomicLong pending = new AtomicLong(-1);
    final Gauge pendingGauge;

    Input(ForwarderMetrics m, Tags tags, String buffer) {
      MeterRegistry registry = m.registry;
      numaflow = m.numaflow();
      read = counter(registry, READ, numaflow ? "Data messages read" : "Messages read, data and control", tags);
      dataRead = counter(registry, DATA_READ, "Data messages read", tags);
      readBytes = counter(registry, READ_BYTES, "Payload bytes read", tags);
      dataReadBytes = numaflow ? counter(registry, DATA_READ_BYTES, "Payload bytes of data messages read", tags) : null;
      readErrors = counter(registry, READ_ERROR, "Reads that failed", tags);
      readTime = m.durations(READ_TIME, "Time of one read", tags, BUCKETS_10_MIN);
      redeliveries = counter(registry, REDELIVERY, "Messages read with a delivery count above 1", tags);
      acks = counter(registry, ACK, "Messages acknowledged", tags);
      ackErrors = counter(registry, ACK_ERROR, "Messages whose ack or nak failed", tags);
      ackTime = m.durations(ACK_TIME, "Time to acknowledge", tags, BUCKETS_10_MIN);
      naks = counter(registry, NAK, "Messages handed back for redelivery", tags);
      deadLetters = counter(registry, DEAD_LETTER, "Failing inputs given up on and handed to the dead letters", tags);
      processingTime = m.durations(PROCESSING_TIME, numaflow ? "Time from read to ack of each message"
          : "Time from read to ack of one batch", tags, BUCKETS_20_MIN);
      lostUnacked = counter(registry, LOST_UNACKED,
          "Messages the input partition removed before this vertex acked them (a gap), counted as the gap grows", tags);
      droppedNoEdge = numaflow ? m.droppedNoEdge
          : counter(registry, DROP, "Messages dropped", tags.and("reason", REASON_NO_EDGE));
      pendingGauge = Gauge.builder(PENDING, pending, p -> p.get() < 0 ? Double.NaN : p.get())
          .description(numaflow ? "Messages in the partition not yet acked by this vertex (pending + ack pending)"
              : "Messages in the partition not yet delivered to this vertex").tags(tags).register(registry);
    }

    /**
     * Counts the growth of the partition's gap (messages removed unacked) since the last check, and
     * logs what the backend found wrong each time it changes.
     */
    void checked(BufferInfo info) {
      long before = lostLastSeen.getAndSet(info.lostUnacked());
      if (info.lostUnacked() > before) {
        lostUnacked.increment(info.lostUnacked() - before);
      }
      if (!info.warnings().isEmpty() && !info.warnings().equals(lastWarnings)) {
        LOG.log(System.Logger.Level.WARNING, "buffer ''{0}'': {1}", info.buffer(), String.join("; ", info.warnings()));
      }
      lastWarnings = info.warnings();
    }

    /** A read call that took {@code nanos}. */
    void readCall(long nanos) {
      readTime.record(nanos, 1);
    }

    /** A message read; numaflow-core counts data messages only (a control message is acked unseen). */
    void read(boolean data, int payloadBytes, long deliveryCount) {
      if (data || !numaflow) {
        read.increment();
      }
      if (deliveryCount > 1) {
        redeliveries.increment();
      }
      if (data) {
        dataRead.increment();
        readBytes.increment(payloadBytes);
        if (numaflow) {
          dataReadBytes.increment(payloadBytes);
        }
      }
    }

    /** An ack call for {@code messages} messages that took {@code nanos}. */
    void ackCall(long nanos, int messages) {
      ackTime.record(nanos, messages);
    }

    /** A batch of {@code acked} acked messages, read {@code nanos} ago. */
    void processed(long nanos, int acked) {
      if (numaflow) {
        processingTime.record(nanos, acked);
      } else {
        processingTime.record(nanos, 1);
      }
    }

    /** Whether {@link #pending} counts ack-pending messages too, from the forwarder's usage poller. */
    boolean pendingFromPoller() {
      return numaflow;
    }
  }

  /** The meters of one downstream buffer (or, NUMAFLOW, of a sink vertex's sink). */
  static final class Output {
    private final boolean numaflow;
    private final MeterRegistry registry;
    private final Tags tags;
    private final String buffer;
    private final String isbPrefix;
    final Counter written;
    final Counter writtenBytes;
    private final Counter duplicates;
    private final Counter droppedDuplicate;
    private final Counter droppedDuplicateBytes;
    private final Counter droppedFull;
    private final Counter droppedFullBytes;
    private final Counter isFull;
    private final Durations writeTime;
    private final Map<String, Counter> errors = new ConcurrentHashMap<>();
    private final Map<String, Counter> isbErrors = new ConcurrentHashMap<>();

    /** {@code buffer} null: a sink, which has no ISB buffer meters. */
    Output(ForwarderMetrics m, Tags tags, String buffer) {
      this.registry = m.registry;
      this.numaflow = m.numaflow();
      this.tags = tags;
      this.buffer = buffer;
      this.isbPrefix = m.isbPrefix;
      boolean isb = numaflow && buffer != null;
      Tags isbTags = isb ? Tags.of("buffer", buffer) : Tags.empty();
      written = counter(registry, WRITE, numaflow ? "Messages written, duplicates included" : "Messages written", tags);
      writtenBytes = counter(registry, WRITE_BYTES, "Payload bytes written", tags);
      duplicates = numaflow ? null : counter(registry, DUPLICATE, "Writes the ISB recognised as duplicates", tags);
      droppedDuplicate = numaflow ? counter(registry, DROP, "Messages dropped",
          tags.and("reason", REASON_DUPLICATE_ID)) : null;
      droppedDuplicateBytes = numaflow ? counter(registry, DROP_BYTES, "Payload bytes dropped",
          tags.and("reason", REASON_DUPLICATE_ID)) : null;
      droppedFull = counter(registry, DROP, "Messages dropped", tags.and("reason", REASON_BUFFER_FULL));
      droppedFullBytes = numaflow ? counter(registry, DROP_BYTES, "Payload bytes dropped",
          tags.and("reason", REASON_BUFFER_FULL)) : null;
      isFull = isb ? counter(registry, isbPrefix + "isFull", "Writes that found the buffer full", isbTags) : null;
      writeTime = m.durations(WRITE_TIME, "Time to write", tags, BUCKETS_20_MIN);
    }

    /** A write call for {@code messages} messages (stored or duplicates) that took {@code nanos}. */
    void writeCall(long nanos, int messages) {
      writeTime.record(nanos, numaflow ? messages : 1);
    }

    void stored(int payloadBytes) {
      written.increment();
      writtenBytes.increment(payloadBytes);
    }

    /** The ISB already held the message: numaflow-core counts it written and dropped as a duplicate. */
    void duplicate(int payloadBytes) {
      if (numaflow) {
        stored(payloadBytes);
        droppedDuplicate.increment();
        droppedDuplicateBytes.increment(payloadBytes);
      } else {
        duplicates.increment();
      }
    }

    /** Dropped because the buffer is full and the edge's {@code onFull} is {@code discardLatest}. */
    void droppedFull(int payloadBytes) {
      droppedFull.increment();
      if (numaflow) {
        droppedFullBytes.increment(payloadBytes);
        if (isFull != null) {
          isFull.increment();
        }
      }
    }

    /** A write that failed, by exception; a full buffer (retried) also counts in {@code isFull}. */
    void failed(String reason, boolean bufferFull, int messages) {
      errors(reason).increment(messages);
      if (numaflow && buffer != null) {
        isbErrors.computeIfAbsent(reason, r -> counter(registry, isbPrefix + "write.error",
            "Writes to the ISB that failed", Tags.of("buffer", buffer, "reason", r))).increment(messages);
        if (bufferFull) {
          isFull.increment(messages);
        }
      }
    }

    /** Write errors by reason: the exception's simple class name; few distinct values. */
    private Counter errors(String reason) {
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

    BufferGauges(MeterRegistry registry, Tags tags, String pendingName, String ackPendingName, String usageName) {
      meters = List.of(
          Gauge.builder(pendingName, this, g -> g.pending).description("Messages not yet delivered")
              .tags(tags).register(registry),
          Gauge.builder(ackPendingName, this, g -> g.ackPending).description("Messages delivered, not acked")
              .tags(tags).register(registry),
          Gauge.builder(usageName, this, g -> g.usage)
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
