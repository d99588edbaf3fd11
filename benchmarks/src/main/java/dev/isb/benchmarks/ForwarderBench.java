package dev.isb.benchmarks;

import dev.isb.BucketLayout;
import dev.isb.BufferConfig;
import dev.isb.BufferInfo;
import dev.isb.BufferReader;
import dev.isb.BufferWriter;
import dev.isb.Header;
import dev.isb.IsbClient;
import dev.isb.Message;
import dev.isb.MessageId;
import dev.isb.Offset;
import dev.isb.ReadMessage;
import dev.isb.ReaderOptions;
import dev.isb.Retention;
import dev.isb.Storage;
import dev.isb.WriteResult;
import dev.isb.WriterOptions;
import dev.isb.memory.InMemoryIsb;
import dev.isb.servers.LocalIsbService;
import dev.isb.vertex.Edge;
import dev.isb.vertex.Forwarder;
import dev.isb.vertex.MapFunction;
import dev.isb.vertex.MetricsStyle;
import dev.isb.vertex.Output;
import dev.isb.watermark.WatermarkStore;
import dev.isb.wire.BufferNames;
import dev.isb.wire.PartitionRouter;
import dev.isb.wire.WatermarkCodec;
import dev.isb.wire.Wmb;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the {@link Forwarder} costs over a hand-written loop and over a streaming pipeline on the raw
 * clients, and what its meters cost: N pre-written keyed messages forwarded from one input buffer to a
 * 2-partition buffer set by a 1-to-1 map (a copy of the payload), by these contenders in turn
 * ({@code --sides} picks some of them):
 *
 * <ol>
 *   <li>{@code raw streaming}: no library at all, jnats or lettuce by hand, with no batch barrier
 *       anywhere ({@link StreamingRawForwarder}, whose Javadoc says what it sends). Not in memory,
 *       which has no raw client;
 *   <li>{@code loop}: the library API by hand: {@code reader.read()}, outputs with Numaflow's ids
 *       ({@code new MessageId(vertex, offset.toString(), 0)}), {@link PartitionRouter}, one
 *       {@code write} per partition, {@code reader.ack(offsets)};
 *   <li>{@code forwarder, no meters}: a {@link Forwarder} whose registry denies every meter, so that
 *       each meter it records to is a no-op;
 *   <li>{@code forwarder, meters}: the same with a plain {@link SimpleMeterRegistry}, meters in the default
 *       {@link MetricsStyle#NUMAFLOW} (histograms of microseconds, observed per message);
 *   <li>{@code forwarder, watermarks}: the same taking part in watermarks (an upstream processor's WMB
 *       in the input edge's bucket, every input's watermark fetched, the output's published at
 *       Numaflow's 100 ms throttle). Not on Redis, which keeps no watermarks;
 *   <li>{@code forwarder, TIMERS meters}: {@code forwarder, meters} in {@link MetricsStyle#TIMERS}
 *       (Micrometer timers, one sample per call);
 *   <li>{@code forwarder, no read-ahead}: {@code forwarder, meters} without a reading thread of its own
 *       ({@code readAhead(false)});
 *   <li>{@code forwarder, 1 batch in flight}: {@code forwarder, meters} settling each batch (every input
 *       acked or nakked) before it maps the next ({@code maxBatchesInFlight(1)}), as every forwarder
 *       did before the stages overlapped.
 * </ol>
 *
 * <pre>{@code
 * ./mvnw -q -pl benchmarks -am compile exec:java -Dexec.mainClass=dev.isb.benchmarks.ForwarderBench \
 *     -Dexec.args="--backend jetstream"
 * }</pre>
 *
 * <p>Each round runs on fresh buffers, created, pre-filled and deleted outside the clock; the clock
 * runs from starting the work's thread until the last input is acked. After each round the buffers
 * must show every input acked and exactly N outputs, split between the partitions as the keys say,
 * or the run fails. The rounds alternate (raw streaming, loop, no meters, …, raw streaming, loop, …)
 * after warm-up; the summary gives medians, min and max, and the medians and spread of the per-round
 * ratios, each contender against the raw streaming side and against the loop. Run with {@code --help}
 * for the options.
 */
public final class ForwarderBench {

  /** The vertex whose work is measured: its name is in every output's id and the consumer name. */
  static final String VERTEX = "fwd";
  private static final int PARTITIONS = 2;
  private static final int DISTINCT_KEYS = 128;
  private static final int PREFILL_BATCH = 500;

  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  /** The contenders, in the order each round runs them. */
  enum Side {
    RAW_STREAMING("raw streaming", "raw-streaming"),
    LOOP("loop", "loop"),
    NO_METERS("forwarder, no meters", "no-meters"),
    METERS("forwarder, meters", "meters"),
    WATERMARKS("forwarder, watermarks", "watermarks"),
    TIMER_METERS("forwarder, TIMERS meters", "timers"),
    NO_READ_AHEAD("forwarder, no read-ahead", "no-read-ahead"),
    ONE_BATCH("forwarder, 1 batch in flight", "one-batch");

    /** As the output names it. */
    final String label;
    /** As {@code --sides} names it. */
    final String option;

    Side(String label, String option) {
      this.label = label;
      this.option = option;
    }

    /** Whether it runs on {@code backend}: raw streaming needs a server, watermarks are not kept on Redis. */
    boolean runsOn(String backend) {
      return switch (this) {
        case RAW_STREAMING -> !backend.equals(ForwarderBenchOptions.MEMORY);
        case WATERMARKS -> !backend.equals(BenchOptions.REDIS);
        default -> true;
      };
    }
  }

  /**
   * One contender's round: rate, JVM-wide CPU and allocation per message, and WMB puts per second per
   * output partition (NaN without watermarks).
   */
  record Result(double rate, double cpuMicros, double allocatedBytes, double putsPerSecond) {}

  /** The namespace and upstream vertex of the watermark contender's buckets. */
  private static final String NS = "bench";
  private static final String UPSTREAM = "src";

  private ForwarderBench() {}

  /**
   * Runs the benchmark.
   *
   * @param args see {@code --help}
   * @throws IllegalArgumentException if an option is wrong
   * @throws IllegalStateException if a round did not forward every message exactly once
   */
  public static void main(String[] args) throws Exception {
    Optional<ForwarderBenchOptions> parsed = ForwarderBenchOptions.parse(args, System.out);
    if (parsed.isEmpty()) {
      return;
    }
    ForwarderBenchOptions options = parsed.get();
    System.out.println("command: ./mvnw -q -pl benchmarks -am compile exec:java"
        + " -Dexec.mainClass=dev.isb.benchmarks.ForwarderBench"
        + (args.length == 0 ? "" : " -Dexec.args=\"" + String.join(" ", args) + "\""));
    Machine.describe().forEach(line -> System.out.println("machine: " + line));
    System.out.println("load average at start: " + Machine.loadAverage());
    var summary = new Table();
    try (Target target = Target.open(options)) {
      System.out.println("backend: " + target.description());
      System.out.println("buffers: fresh per round, 1 input -> 2 output partitions, "
          + (target.name().equals(BenchOptions.JETSTREAM) ? target.config().stream().storage() + " storage, replicas "
              + target.config().stream().replicas() + ", " : "") + target.config().stream().retention()
          + " retention, maxMsgs " + target.config().stream().maxMsgs() + ", duplicates "
          + target.config().stream().duplicates().toSeconds() + "s; writers maxLength "
          + target.writerOptions().maxLength()
          + "; reader batches of " + ReaderOptions.defaults().batchSize());
      System.out.println("work: " + options.messages() + " messages per round, " + options.payload() + " B payload, "
          + DISTINCT_KEYS + " distinct keys, map = copy of the payload; " + options.warmups() + " warm-up and "
          + options.rounds() + " measured rounds per contender, alternating");
      target.raw().ifPresent(raw -> System.out.println("raw streaming: " + raw.description()));
      System.out.println("per round: JVM CPU = process CPU time of the whole JVM (all threads, GC and JIT included)"
          + " per message; allocated = bytes allocated by all JVM threads per message");
      System.out.println();
      run(target, options, summary);
    } catch (BenchFailure e) {
      throw new IllegalStateException("BENCHMARK FAILED, no figure of this run may be reported: " + e.getMessage(), e);
    }
    System.out.println();
    System.out.print(summary.table(options));
    System.out.println("load average at end: " + Machine.loadAverage());
  }

  private static void run(Target target, ForwarderBenchOptions options, Table summary) {
    List<Message> messages = messages(options.messages(), options.payload());
    long toPartition0 = messages.stream().filter(m -> PartitionRouter.of(PARTITIONS).route(m) == 0).count();
    int serial = 0;
    for (int round = 1 - options.warmups(); round <= options.rounds(); round++) {
      for (Side side : options.sidesOn(target.name())) {
        Result result = round(target, side, messages, toPartition0, serial++);
        System.out.printf(Locale.ROOT, "%-9s %6s  %-8s %-23s %,10.0f msg/s  (JVM CPU %.2f us/msg, allocated %,.0f B/msg%s)%n",
            target.name(), options.payload() + " B", round <= 0 ? "warm-up" : "round " + round, side.label,
            result.rate(), result.cpuMicros(), result.allocatedBytes(), Double.isNaN(result.putsPerSecond()) ? ""
                : String.format(Locale.ROOT, ", %.1f WMB puts/s per partition", result.putsPerSecond()));
        if (round > 0) {
          summary.add(side, result);
        }
      }
    }
  }

  /** One contender on fresh buffers: create, pre-fill, forward (timed), check, delete. */
  private static Result round(Target target, Side side, List<Message> messages, long toPartition0, int serial) {
    String input = "fwd-" + serial + "-in";
    List<String> outputs = List.of("fwd-" + serial + "-out-0", "fwd-" + serial + "-out-1");
    List<String> all = List.of(input, outputs.get(0), outputs.get(1));
    String pipeline = "r" + serial;
    List<String> buckets = List.of(BufferNames.edgeBucket(NS, pipeline, UPSTREAM, VERTEX),
        BufferNames.edgeBucket(NS, pipeline, VERTEX, "out"));
    target.control().admin().createBuffers(all, target.config());
    if (side == Side.WATERMARKS) {
      target.control().admin().createBuckets(buckets, target.config(), BucketLayout.OFFSET_TIMELINE);
      try (WatermarkStore in = target.control().watermarkStore(BufferNames.offsetTimelineBucket(buckets.get(0)))) {
        in.put(UPSTREAM + "-0", WatermarkCodec.encode(Wmb.of(false, 0, System.currentTimeMillis(), 0))).join();
      }
    }
    try {
      prefill(target, input, messages);
      System.gc();
      var watch = new AckWatch(messages.size());
      Duration deadline = Duration.ofSeconds(60).plusNanos(messages.size() * 100_000L);
      Measured measured = switch (side) {
        case RAW_STREAMING -> rawStreaming(target, watch, input, outputs, deadline);
        case LOOP -> loop(target, watch, input, outputs, deadline);
        default -> forwarder(target, watch, input, outputs, side, pipeline, messages.size(), deadline);
      };
      check(target, input, outputs, messages.size(), toPartition0);
      int n = messages.size();
      double seconds = measured.nanos / 1e9;
      return new Result(n / seconds, measured.cpuNanos / 1e3 / n, (double) measured.allocatedBytes / n,
          side == Side.WATERMARKS ? measured.watermarkPuts / seconds / PARTITIONS : Double.NaN);
    } finally {
      target.control().admin().deleteBuffers(all);
      if (side == Side.WATERMARKS) {
        target.control().admin().deleteBuckets(buckets);
      }
    }
  }

  private record Measured(long nanos, long cpuNanos, long allocatedBytes, double watermarkPuts) {}

  /** CPU time of the process and bytes allocated per live thread, at one moment. */
  private record Usage(long cpuNanos, Map<Long, Long> allocated) {

    static Usage now() {
      return new Usage(OS.getProcessCpuTime(), Machine.allocatedByThread());
    }

    /** Bytes allocated since {@code before} by the threads alive now (a thread started since counts from 0). */
    long allocatedSince(Usage before) {
      long sum = 0;
      for (var e : allocated.entrySet()) {
        sum += e.getValue() - before.allocated.getOrDefault(e.getKey(), 0L);
      }
      return sum;
    }
  }

  private static Measured measured(long start, long end, Usage before, Usage after) {
    return new Measured(end - start, after.cpuNanos - before.cpuNanos, after.allocatedSince(before), Double.NaN);
  }

  /**
   * The streaming baseline, on the raw clients' own connections: bound to the round's buffers
   * (subscription, connections) before the clock starts, timed as the others until the last ack.
   */
  private static Measured rawStreaming(Target target, AckWatch watch, String input, List<String> outputs,
      Duration deadline) {
    StreamingRawForwarder raw = target.raw().orElseThrow(
        () -> new IllegalStateException("no raw streaming side on " + target.name()));
    try (StreamingRawForwarder.Round round = raw.bind(input, outputs, watch)) {
      Usage before = Usage.now();
      long start = System.nanoTime();
      round.start();
      long end = watch.awaitAllAcked(deadline, round::failure);
      return measured(start, end, before, Usage.now());
    }
  }

  /**
   * The batch baseline: what a vertex written against the library API does per batch, on a thread of
   * its own as the forwarder's loop is, with the same reader and writer options as the forwarder's.
   */
  private static Measured loop(Target target, AckWatch watch, String input, List<String> outputs, Duration deadline) {
    PartitionRouter router = PartitionRouter.of(PARTITIONS);
    ReaderOptions readerOptions = ReaderOptions.defaults().toBuilder().consumerName(VERTEX + "-0").build();
    var failure = new AtomicReference<Throwable>();
    try (BufferReader reader = watch.watch(target.work().reader(input, readerOptions));
         BufferWriter out0 = target.work().writer(outputs.get(0), target.writerOptions());
         BufferWriter out1 = target.work().writer(outputs.get(1), target.writerOptions())) {
      List<BufferWriter> writers = List.of(out0, out1);
      var running = new AtomicBoolean(true);
      Thread thread = new Thread(() -> {
        while (running.get()) {
          forwardBatch(reader, reader.read(), router, writers);
        }
      }, "loop-" + input);
      thread.setUncaughtExceptionHandler((t, e) -> failure.set(e));
      Measured measured;
      Usage before = Usage.now();
      long start = System.nanoTime();
      thread.start();
      try {
        long end = watch.awaitAllAcked(deadline, failure::get);
        measured = measured(start, end, before, Usage.now());
      } finally {
        running.set(false);
        join(thread);
      }
      if (failure.get() != null) {
        throw new BenchFailure("the loop failed: " + failure.get(), failure.get());
      }
      return measured;
    }
  }

  private static void forwardBatch(BufferReader reader, List<ReadMessage> batch, PartitionRouter router,
      List<BufferWriter> writers) {
    if (batch.isEmpty()) {
      return;
    }
    List<List<Message>> byPartition = new ArrayList<>(PARTITIONS);
    for (int p = 0; p < PARTITIONS; p++) {
      byPartition.add(new ArrayList<>(batch.size()));
    }
    List<Offset> offsets = new ArrayList<>(batch.size());
    for (ReadMessage read : batch) {
      Message out = output(read.message(), read.offset().toString());
      byPartition.get(router.route(out)).add(out);
      offsets.add(read.offset());
    }
    for (int p = 0; p < PARTITIONS; p++) {
      List<Message> batchOut = byPartition.get(p);
      if (!batchOut.isEmpty()) {
        List<WriteResult> results = writers.get(p).write(batchOut);
        for (WriteResult result : results) {
          if (!(result instanceof WriteResult.Written)) {
            throw new BenchFailure("the loop's write to " + writers.get(p).buffer() + " came back " + result);
          }
        }
      }
    }
    reader.ack(offsets);
  }

  /** The vertex function of every contender: a copy of the payload. */
  static byte[] map(byte[] payload) {
    return Arrays.copyOf(payload, payload.length);
  }

  /**
   * The output of the hand-written contenders for the input read at {@code offset} (as the library
   * prints it, {@code <sequence>-<partition>}): the mapped payload under Numaflow's id
   * {@code <vertex>-<offset>-0}, with the input's event time, keys and headers.
   */
  static Message output(Message in, String offset) {
    Header header = in.header();
    return new Message(Header.builder(new MessageId(VERTEX, offset, 0))
        .eventTime(header.eventTime()).keys(header.keys()).headers(header.headers()).build(), map(in.payload()));
  }

  private static Measured forwarder(Target target, AckWatch watch, String input, List<String> outputs,
      Side side, String pipeline, int expected, Duration deadline) {
    boolean meters = side != Side.NO_METERS;
    var registry = new SimpleMeterRegistry();
    if (!meters) {
      registry.config().meterFilter(MeterFilter.deny());
    }
    try {
      Measured measured;
      Forwarder.Builder builder = Forwarder.builder(watch.client(target.work()), VERTEX)
          .from(input)
          .map(MapFunction.of(in -> new Output(in.keys(), map(in.value()), Set.of())))
          // By keys, as the loop routes: the partition counts the round checks are then known before it
          // starts (an offset is given by the ISB); the hash costs the same either way.
          .to(Edge.to("out", outputs).withWriterOptions(target.writerOptions()).routedBy(Edge.Routing.BY_KEYS))
          .meterRegistry(registry);
      if (side == Side.WATERMARKS) {
        builder.pipeline(pipeline).watermarks(NS, List.of(UPSTREAM));
      }
      if (side == Side.TIMER_METERS) {
        builder.metricsStyle(MetricsStyle.TIMERS);
      }
      if (side == Side.NO_READ_AHEAD) {
        builder.readAhead(false);
      }
      if (side == Side.ONE_BATCH) {
        builder.maxBatchesInFlight(1);
      }
      Forwarder forwarder = builder.build();
      if (side == Side.WATERMARKS && !forwarder.tracksWatermarks()) {
        forwarder.close();
        throw new BenchFailure("the watermark contender's forwarder does not track watermarks");
      }
      try {
        Usage before = Usage.now();
        long start = System.nanoTime();
        forwarder.start();
        long end = watch.awaitAllAcked(deadline, () -> forwarder.failure().orElse(null));
        Measured m = measured(start, end, before, Usage.now());
        measured = new Measured(m.nanos, m.cpuNanos, m.allocatedBytes, registry.find("isb.watermark.put")
            .functionCounters().stream().mapToDouble(c -> c.count()).sum());
      } finally {
        forwarder.close();
      }
      if (forwarder.failure().isPresent()) {
        throw new BenchFailure("the forwarder failed: " + forwarder.failure().get(), forwarder.failure().get());
      }
      checkMeters(registry, meters, expected);
      return measured;
    } finally {
      registry.close();
    }
  }

  /** With meters, they must have counted the round; without, none may exist. */
  private static void checkMeters(MeterRegistry registry, boolean meters, int expected) {
    if (!meters) {
      if (!registry.getMeters().isEmpty()) {
        throw new BenchFailure("the deny-all registry holds " + registry.getMeters().size() + " meters");
      }
      return;
    }
    double acks = registry.find("forwarder.ack").counters().stream().mapToDouble(Counter::count).sum();
    double written = registry.find("forwarder.write").counters().stream().mapToDouble(Counter::count).sum();
    if (acks != expected || written != expected) {
      throw new BenchFailure("the forwarder's meters counted " + acks + " acks and " + written + " writes, expected "
          + expected + " of each");
    }
  }

  /** Every input acked, and exactly the expected outputs on each partition. */
  private static void check(Target target, String input, List<String> outputs, int expected, long toPartition0) {
    BufferInfo in = target.control().admin().bufferInfo(input);
    if (in.pendingCount() != 0 || in.ackPendingCount() != 0) {
      throw new BenchFailure("input " + input + " still has " + in.pendingCount() + " pending and "
          + in.ackPendingCount() + " ack-pending messages after the round");
    }
    long out0 = target.control().admin().bufferInfo(outputs.get(0)).pendingCount();
    long out1 = target.control().admin().bufferInfo(outputs.get(1)).pendingCount();
    if (out0 + out1 != expected || out0 != toPartition0) {
      throw new BenchFailure("the outputs hold " + out0 + " + " + out1 + " = " + (out0 + out1) + " messages, expected "
          + toPartition0 + " + " + (expected - toPartition0) + " = " + expected);
    }
  }

  private static void prefill(Target target, String input, List<Message> messages) {
    try (BufferWriter writer = target.control().writer(input, target.writerOptions())) {
      for (int from = 0; from < messages.size(); from += PREFILL_BATCH) {
        for (WriteResult result : writer.write(messages.subList(from, Math.min(messages.size(), from + PREFILL_BATCH)))) {
          if (!(result instanceof WriteResult.Written)) {
            throw new BenchFailure("pre-filling " + input + ": a write came back " + result);
          }
        }
      }
    }
    long pending = target.control().admin().bufferInfo(input).pendingCount();
    if (pending != messages.size()) {
      throw new BenchFailure("input " + input + " holds " + pending + " messages after pre-filling, expected "
          + messages.size());
    }
  }

  /** Waits up to 30 s for {@code thread} to end, which its owner has told to stop. */
  static void join(Thread thread) {
    try {
      thread.join(Duration.ofSeconds(30).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchFailure("interrupted while stopping " + thread.getName(), e);
    }
    if (thread.isAlive()) {
      throw new BenchFailure(thread.getName() + " did not stop within 30 s");
    }
  }

  /** The inputs: ids {@code src-<i>-0}, one of {@value #DISTINCT_KEYS} keys each, the same random payload. */
  private static List<Message> messages(int count, int payloadSize) {
    byte[] payload = new byte[payloadSize];
    new Random(42).nextBytes(payload);
    var out = new ArrayList<Message>(count);
    for (int i = 0; i < count; i++) {
      out.add(new Message(Header.builder(new MessageId("src", Integer.toString(i), 0))
          .keys("key-" + i % DISTINCT_KEYS).build(), payload));
    }
    return List.copyOf(out);
  }

  /**
   * The ISB under measurement: a control client (setup and checks) and a work client (the contenders).
   *
   * @param raw the raw clients of the raw streaming side, when it runs
   */
  private record Target(String name, String description, BufferConfig config, WriterOptions writerOptions,
      IsbClient control, IsbClient work, Optional<StreamingRawForwarder> raw, AutoCloseable service)
      implements AutoCloseable {

    static Target open(ForwarderBenchOptions options) {
      int n = options.messages();
      BufferConfig config = BufferConfig.defaults().toBuilder()
          .stream(BufferConfig.Stream.defaults().toBuilder()
              .retention(Retention.LIMITS).maxMsgs(Math.max(100_000, 2L * n)).replicas(1)
              .duplicates(Duration.ofSeconds(60)).storage(Storage.MEMORY).build())
          .otBucket(new BufferConfig.Bucket(0, 1, Duration.ofHours(1), 0, Storage.MEMORY, 1))
          .build();
      // maxLength above a round, so that the buffer-full rule measures usage but never stops a round;
      // fullWaitTimeout 1 s, as the forwarder sets it on its writers.
      WriterOptions writerOptions = WriterOptions.builder().maxLength(4L * n)
          .fullWaitTimeout(Duration.ofSeconds(1)).build();
      if (options.backend().equals(ForwarderBenchOptions.MEMORY)) {
        InMemoryIsb isb = InMemoryIsb.create();
        return new Target("memory", "InMemoryIsb (no network; the contenders use a client of their own, "
            + "InMemoryIsb.connect())", config, writerOptions, isb, isb.connect(), Optional.empty(), isb);
      }
      LocalIsbService service = LocalIsbService.start(options.backend());
      IsbClient control = null;
      IsbClient work = null;
      try {
        control = IsbClient.open(service.options());
        work = IsbClient.open(service.options());
        Optional<StreamingRawForwarder> raw = options.sidesOn(options.backend()).contains(Side.RAW_STREAMING)
            ? Optional.of(StreamingRawForwarder.open(options.backend(), service.url(), config))
            : Optional.empty();
        return new Target(options.backend(), service + " (the contenders use a connection of their own, the raw"
            + " streaming side raw clients of its own)", config, writerOptions, control, work, raw, service);
      } catch (RuntimeException e) {
        if (work != null) {
          work.close();
        }
        if (control != null) {
          control.close();
        }
        service.close();
        throw e;
      }
    }

    @Override
    public void close() {
      raw.ifPresent(StreamingRawForwarder::close);
      work.close();
      control.close();
      try {
        service.close();
      } catch (Exception e) {
        System.err.println("closing " + service + " failed: " + e);
      }
    }
  }

  /** The measured rounds of each contender, and the table printed at the end. */
  private static final class Table {
    private final Map<Side, List<Result>> rounds = new EnumMap<>(Side.class);

    void add(Side side, Result result) {
      rounds.computeIfAbsent(side, s -> new ArrayList<>()).add(result);
    }

    String table(ForwarderBenchOptions options) {
      var out = new StringBuilder();
      out.append(String.format(Locale.ROOT, "%s, %d messages of %d B, medians of %d rounds:%n", options.backend(),
          options.messages(), options.payload(), options.rounds()));
      String format = "%-3s %-24s | %-30s | %-22s | %-22s | %-7s | %s%n";
      out.append(String.format(Locale.ROOT, format, "", "contender", "msg/s median (min..max)",
          "/ raw streaming", "/ loop", "CPU us", "alloc B"));
      out.append("-".repeat(146)).append('\n');
      var letters = new EnumMap<Side, Character>(Side.class);
      for (Side side : Side.values()) {
        if (!rounds.containsKey(side)) {
          continue;
        }
        letters.put(side, (char) ('a' + letters.size()));
        List<Result> r = rounds.get(side);
        out.append(String.format(Locale.ROOT, format, "(" + letters.get(side) + ")", side.label,
            spread(r.stream().map(Result::rate).toList(), "%,.0f"), pairs(side, Side.RAW_STREAMING),
            pairs(side, Side.LOOP),
            String.format(Locale.ROOT, "%.2f", Summary.median(r.stream().map(Result::cpuMicros).toList())),
            String.format(Locale.ROOT, "%,.0f", Summary.median(r.stream().map(Result::allocatedBytes).toList()))));
      }
      out.append("/ x = median over rounds i of rate_i / rate_i(x) (min..max of those pairs); CPU us = JVM CPU per"
          + " message, alloc B = bytes allocated per message, medians\n");
      out.append('\n');
      String ratios = "%-40s | %-16s | %-16s | %s%n";
      out.append(String.format(Locale.ROOT, ratios, "ratio of rates", "median of pairs", "ratio of medians",
          "per-round pairs (min..max)"));
      out.append("-".repeat(100)).append('\n');
      out.append(ratio(ratios, letters, Side.LOOP, Side.RAW_STREAMING, "loop / raw streaming"));
      out.append(ratio(ratios, letters, Side.METERS, Side.RAW_STREAMING, "forwarder, meters / raw streaming"));
      out.append(ratio(ratios, letters, Side.NO_METERS, Side.LOOP, "forwarder, no meters / loop"));
      out.append(ratio(ratios, letters, Side.METERS, Side.NO_METERS, "meters / no meters (meters' cost)"));
      out.append(ratio(ratios, letters, Side.METERS, Side.LOOP, "forwarder, meters / loop"));
      out.append(ratio(ratios, letters, Side.WATERMARKS, Side.METERS, "watermarks / meters (their cost)"));
      out.append(ratio(ratios, letters, Side.TIMER_METERS, Side.NO_METERS, "TIMERS meters / no meters"));
      out.append(ratio(ratios, letters, Side.METERS, Side.TIMER_METERS, "NUMAFLOW meters / TIMERS meters"));
      out.append(ratio(ratios, letters, Side.METERS, Side.NO_READ_AHEAD, "read-ahead / no read-ahead"));
      out.append(ratio(ratios, letters, Side.METERS, Side.ONE_BATCH, "4 batches in flight / 1 (the stages' gain)"));
      out.append(ratio(ratios, letters, Side.ONE_BATCH, Side.RAW_STREAMING, "1 batch in flight / raw streaming"));
      if (rounds.containsKey(Side.WATERMARKS)) {
        out.append(String.format(Locale.ROOT, "(%s) WMB puts per second per output partition, median: %.1f%n",
            letters.get(Side.WATERMARKS),
            Summary.median(rounds.get(Side.WATERMARKS).stream().map(Result::putsPerSecond).toList())));
      }
      out.append("median of pairs = median over rounds i of rate_i(x) / rate_i(y), rounds i of both run back to back\n");
      return out.toString();
    }

    /** The rates of round i of {@code x} over those of round i of {@code y}, the alternation's pairs. */
    private List<Double> pairRatios(Side x, Side y) {
      List<Double> xs = rounds.getOrDefault(x, List.of()).stream().map(Result::rate).toList();
      List<Double> ys = rounds.getOrDefault(y, List.of()).stream().map(Result::rate).toList();
      var pairs = new ArrayList<Double>();
      for (int i = 0; i < Math.min(xs.size(), ys.size()); i++) {
        pairs.add(xs.get(i) / ys.get(i));
      }
      return pairs;
    }

    /** The median and spread of {@link #pairRatios}, or "-" when either side did not run (or x is y). */
    private String pairs(Side x, Side y) {
      List<Double> pairs = pairRatios(x, y);
      return x == y || pairs.isEmpty() ? "-" : spread(pairs, "%.3f");
    }

    /** A row of the ratio table, when both sides ran. */
    private String ratio(String format, Map<Side, Character> letters, Side x, Side y, String text) {
      if (!letters.containsKey(x) || !letters.containsKey(y)) {
        return "";
      }
      List<Double> xs = rounds.get(x).stream().map(Result::rate).toList();
      List<Double> ys = rounds.get(y).stream().map(Result::rate).toList();
      List<Double> pairs = pairRatios(x, y);
      return String.format(Locale.ROOT, format, letters.get(x) + "/" + letters.get(y) + " " + text,
          String.format(Locale.ROOT, "%.3f", Summary.median(pairs)),
          String.format(Locale.ROOT, "%.3f", Summary.median(xs) / Summary.median(ys)),
          String.format(Locale.ROOT, "%.3f..%.3f", min(pairs), max(pairs)));
    }

    /** {@code median (min..max)}, each in {@code number}'s format. */
    private static String spread(List<Double> values, String number) {
      return String.format(Locale.ROOT, number + " (" + number + ".." + number + ")", Summary.median(values),
          min(values), max(values));
    }

    private static double min(List<Double> values) {
      return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    private static double max(List<Double> values) {
      return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }
  }
}
