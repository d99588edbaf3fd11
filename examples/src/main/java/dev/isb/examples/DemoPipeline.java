package dev.isb.examples;

import dev.isb.BucketLayout;
import dev.isb.BufferConfig;
import dev.isb.BufferWriter;
import dev.isb.Header;
import dev.isb.IsbClient;
import dev.isb.Message;
import dev.isb.MessageId;
import dev.isb.ReaderOptions;
import dev.isb.Retention;
import dev.isb.Storage;
import dev.isb.WriteResult;
import dev.isb.WriterOptions;
import dev.isb.config.IsbConfig;
import dev.isb.memory.InMemoryIsb;
import dev.isb.servers.LocalIsbService;
import dev.isb.vertex.Edge;
import dev.isb.vertex.Forwarder;
import dev.isb.vertex.Output;
import dev.isb.watermark.SourceWatermarks;
import dev.isb.wire.BufferNames;
import dev.isb.wire.PartitionRouter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * The demo pipeline, four vertices that talk only through inter-step buffers, each with its own
 * client as separate pods would have:
 *
 * <pre>
 *   gen (source) --&gt; parse (flat-map + filter + enrich) --&gt; sink (checks every item)
 *                                                 \--[large]--&gt; audit (sink)
 * </pre>
 *
 * <p>{@code gen} writes order lines (and writes every tenth batch twice, as a source retrying after a
 * lost reply would: the ISB refuses those as duplicates); {@code parse} splits an order into its
 * items, drops voided ones, adds totals and a category, keys each item by customer and tags large
 * ones; {@code sink} checks each item against what the orders must produce and measures the latency
 * from the order's event time; {@code audit} receives only the large items. A progress line is
 * printed every second and a verdict at the end: written, received, duplicates, lost (must be 0),
 * latency.
 *
 * <p>Run: {@code ./mvnw -q -pl examples -am compile exec:java} (in-memory ISB), or add
 * {@code -Dexec.args="--isb jetstream"} (or {@code redis}) to start a local server through the test
 * kit, {@code --isb jetstream --url nats://host:4222} to use a running one, or
 * {@code --config DIR} for an ISB service described by a configuration directory (see
 * docs/configuration.md). {@code --help} lists every option.
 */
public final class DemoPipeline {

  static final String NAMESPACE = "demo";
  static final String PIPELINE = "orders";
  private static final int GEN_BATCH = 500;

  /** What to run; see {@code --help}. */
  record Settings(String isb, Optional<String> url, Optional<Path> configDir, int orders, int rate,
      int partitions, Duration stallTimeout, boolean progress) {

    /**
     * The settings of a command line, parsed by picocli ({@link DemoArgs}).
     *
     * @throws UsageException naming the option and the value; without a message for {@code --help}
     */
    static Settings parse(String[] args) {
      return DemoArgs.parse(args);
    }
  }

  /** A mistake in the arguments (or a request for help, with no message). */
  static final class UsageException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  /** What the run showed. {@link #ok()} when nothing was lost or corrupted and the audit is complete. */
  record Verdict(long ordersWritten, long retriesRefused, long expectedItems, long received, long distinct,
      long duplicates, long corrupt, long expectedLarge, long audited, double[] latencyMillis) {

    long lost() {
      return expectedItems - distinct;
    }

    boolean ok() {
      return lost() == 0 && corrupt == 0 && audited == expectedLarge;
    }
  }

  /** Runs the demo; exits with 0 when the verdict is good. */
  public static void main(String[] args) throws Exception {
    Settings settings;
    try {
      settings = Settings.parse(args);
    } catch (UsageException e) {
      if (e.getMessage() != null) {
        System.err.println("error: " + e.getMessage());
      }
      (e.getMessage() == null ? System.out : System.err).println(DemoArgs.usage());
      System.exit(e.getMessage() == null ? 0 : 2);
      return;
    }
    Verdict verdict = run(settings, System.out);
    System.exit(verdict.ok() ? 0 : 1);
  }

  /** Where the demo's vertices connect: one client per vertex, as separate pods would have. */
  private record Isb(String description, Supplier<IsbClient> connect, BufferConfig bufferConfig,
      List<AutoCloseable> owned) implements AutoCloseable {

    static Isb open(Settings s) {
      BufferConfig.Bucket bucket = new BufferConfig.Bucket(0, 1, Duration.ofHours(3), 0, Storage.FILE, 1);
      BufferConfig demo = BufferConfig.defaults().toBuilder()
          .stream(BufferConfig.Stream.defaults().toBuilder().retention(Retention.WORK_QUEUE).replicas(1).build())
          .otBucket(bucket).procBucket(bucket).build();
      if (s.configDir().isPresent()) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("ISB_CONFIG_DIR", s.configDir().get().toString());
        IsbConfig config = IsbConfig.builder().environment(env).defaultLocations().build();
        return new Isb(config.backend() + " at " + config.url() + " (from " + s.configDir().get() + ")",
            config::open, config.bufferConfig(), List.of());
      }
      if (s.isb().equals("memory")) {
        InMemoryIsb isb = InMemoryIsb.create();
        return new Isb("in-memory ISB (embedded)", isb::connect, demo, List.of(isb));
      }
      if (s.url().isPresent()) {
        var options = dev.isb.IsbOptions.builder().backend(s.isb()).url(s.url().get()).build();
        return new Isb(s.isb() + " at " + s.url().get(), () -> IsbClient.open(options), demo, List.of());
      }
      LocalIsbService service = LocalIsbService.start(s.isb());
      return new Isb(service.toString(), () -> IsbClient.open(service.options()), demo, List.of(service));
    }

    @Override
    public void close() {
      for (AutoCloseable c : owned) {
        try {
          c.close();
        } catch (Exception e) {
          throw new IllegalStateException("closing " + c + " failed", e);
        }
      }
    }
  }

  static Verdict run(Settings s, PrintStream out) throws Exception {
    List<String> parseBuffers = buffers("parse", s.partitions());
    List<String> sinkBuffers = buffers("sink", s.partitions());
    List<String> auditBuffers = buffers("audit", 1);
    List<String> all = new ArrayList<>(parseBuffers);
    all.addAll(sinkBuffers);
    all.addAll(auditBuffers);

    long expectedItems = 0;
    long expectedLarge = 0;
    for (long order = 0; order < s.orders(); order++) {
      for (Orders.Parsed item : Orders.expected(order)) {
        expectedItems++;
        expectedLarge += item.category().equals(Orders.LARGE) ? 1 : 0;
      }
    }

    List<String> buckets = List.of(BufferNames.sourceBucket(NAMESPACE, PIPELINE, "gen"), edge("gen", "parse"),
        edge("parse", "sink"), edge("parse", "audit"));
    try (Isb isb = Isb.open(s); IsbClient admin = isb.connect().get()) {
      out.printf(Locale.ROOT, "ISB: %s%n", isb.description());
      admin.admin().createBuffers(all, isb.bufferConfig());
      admin.admin().createBuckets(buckets, isb.bufferConfig(), BucketLayout.OFFSET_TIMELINE);
      out.printf(Locale.ROOT, "buffers: %s%n", all);
      out.printf(Locale.ROOT, "pipeline: gen -> parse -> sink, and parse -[large]-> audit; %d orders, %d items "
          + "expected (%d large)%n", s.orders(), expectedItems, expectedLarge);

      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      SinkCheck check = new SinkCheck((int) Math.min(Integer.MAX_VALUE - 8, expectedItems));
      AtomicLong audited = new AtomicLong();
      AtomicLong wronglyAudited = new AtomicLong();
      AtomicLong genWritten = new AtomicLong();
      AtomicLong genRefused = new AtomicLong();
      WriterOptions writerOptions = WriterOptions.builder().refreshInterval(Duration.ofMillis(200)).build();
      ReaderOptions readerOptions = ReaderOptions.builder().batchSize(500).readTimeout(Duration.ofMillis(100)).build();

      List<IsbClient> clients = new ArrayList<>();
      List<Forwarder> forwarders = new ArrayList<>();
      ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "demo-progress");
        t.setDaemon(true);
        return t;
      });
      long started = System.nanoTime();
      try {
        IsbClient parseClient = open(isb, clients);
        forwarders.add(Forwarder.builder(parseClient, "parse").pipeline(PIPELINE).from(parseBuffers)
            .watermarks(NAMESPACE, List.of("gen")).readerOptions(readerOptions).meterRegistry(registry)
            .map(in -> Orders.parse(in.valueAsString()).stream().map(DemoPipeline::output).toList())
            .to(Edge.to("sink", sinkBuffers).withWriterOptions(writerOptions),
                Edge.to("audit", auditBuffers).whenTagged(Orders.LARGE).withWriterOptions(writerOptions))
            .build().start());
        forwarders.add(Forwarder.builder(open(isb, clients), "sink").pipeline(PIPELINE).from(sinkBuffers)
            .watermarks(NAMESPACE, List.of("parse")).readerOptions(readerOptions).meterRegistry(registry)
            .sink(check::accept).build().start());
        forwarders.add(Forwarder.builder(open(isb, clients), "audit").pipeline(PIPELINE).from(auditBuffers)
            .watermarks(NAMESPACE, List.of("parse")).readerOptions(readerOptions).meterRegistry(registry)
            .sink(in -> (Orders.Parsed.decode(in.valueAsString()).category().equals(Orders.LARGE)
                ? audited : wronglyAudited).incrementAndGet())
            .build().start());

        if (s.progress()) {
          Progress line = new Progress(registry, forwarders, genWritten, started);
          progress.scheduleAtFixedRate(() -> out.println(line.next()), 1, 1, TimeUnit.SECONDS);
        }
        IsbClient genClient = open(isb, clients);
        CompletableFuture<Void> gen = CompletableFuture.runAsync(
            () -> generate(genClient, parseBuffers, writerOptions, s, genWritten, genRefused));

        long lastMoved = System.nanoTime();
        long lastState = -1;
        while (true) {
          long state = genWritten.get() + check.received() + audited.get() + wronglyAudited.get();
          boolean complete = gen.isDone() && check.distinct() >= expectedItems && audited.get() >= expectedLarge;
          if (complete || gen.isCompletedExceptionally()) {
            break;
          }
          if (state != lastState) {
            lastState = state;
            lastMoved = System.nanoTime();
          } else if (System.nanoTime() - lastMoved > s.stallTimeout().toNanos()) {
            out.printf(Locale.ROOT, "nothing moved for %ds: stopping%n", s.stallTimeout().toSeconds());
            break;
          }
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        gen.join();
        out.println(watermarks(forwarders));
      } finally {
        progress.shutdownNow();
        forwarders.forEach(Forwarder::close);
        clients.forEach(IsbClient::close);
        admin.admin().deleteBuffers(all);
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      Verdict verdict = new Verdict(genWritten.get(), genRefused.get(), expectedItems, check.received(),
          check.distinct(), check.duplicates(), check.corrupt() + wronglyAudited.get(), expectedLarge, audited.get(),
          check.latencyMillis());
      print(verdict, seconds, out);
      return verdict;
    }
  }

  private static String edge(String from, String to) {
    return BufferNames.edgeBucket(NAMESPACE, PIPELINE, from, to);
  }

  /** Each vertex's input watermark and its lag behind the wall clock, or why there is none. */
  static String watermarks(List<Forwarder> forwarders) {
    StringBuilder line = new StringBuilder("watermarks:");
    long now = System.currentTimeMillis();
    for (Forwarder f : forwarders) {
      long wm = f.watermark();
      line.append(' ').append(f.vertex()).append(' ').append(!f.tracksWatermarks() ? "not kept by this backend"
          : wm < 0 ? "unknown" : Instant.ofEpochMilli(wm) + " (lag " + (now - wm) + " ms)");
      line.append(f == forwarders.get(forwarders.size() - 1) ? "" : ",");
    }
    return line.toString();
  }

  private static IsbClient open(Isb isb, List<IsbClient> clients) {
    IsbClient client = isb.connect().get();
    clients.add(client);
    return client;
  }

  private static List<String> buffers(String vertex, int partitions) {
    List<String> buffers = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      buffers.add(BufferNames.buffer(NAMESPACE, PIPELINE, vertex, p));
    }
    return buffers;
  }

  private static Output output(Orders.Parsed item) {
    Output output = Output.of(item.encode()).withKeys(item.customer());
    return item.category().equals(Orders.LARGE) ? output.withTags(Orders.LARGE) : output;
  }

  /**
   * The source: writes every order once, keyed by customer, routed to the parse partition the key
   * hashes to; writes every tenth batch a second time, which the ISB refuses as duplicates.
   */
  private static void generate(IsbClient client, List<String> buffers, WriterOptions options, Settings s,
      AtomicLong written, AtomicLong refused) {
    PartitionRouter router = PartitionRouter.of(buffers.size());
    List<BufferWriter> writers = buffers.stream().map(b -> client.writer(b, options)).toList();
    SourceWatermarks watermarks = sourceWatermarks(client, buffers.size());
    int batchSize = s.rate() > 0 ? Math.max(1, Math.min(GEN_BATCH, s.rate() / 20)) : GEN_BATCH;
    long start = System.nanoTime();
    try {
      for (long first = 0, batch = 0; first < s.orders(); first += batchSize, batch++) {
        if (s.rate() > 0) {
          long due = start + (long) (first * 1e9 / s.rate());
          LockSupport.parkNanos(due - System.nanoTime());
        }
        List<List<Message>> byPartition = new ArrayList<>();
        writers.forEach(w -> byPartition.add(new ArrayList<>()));
        Instant now = Instant.now();
        boolean late = false;
        if (watermarks != null) {
          watermarks.publish(0, now.toEpochMilli());
          late = watermarks.isLate(now.toEpochMilli());
        }
        for (long order = first; order < Math.min(s.orders(), first + batchSize); order++) {
          Header header = Header.builder(new MessageId("gen", Long.toString(order), 0)).eventTime(now)
              .keys(Orders.customer(order)).late(late).build();
          Message message = new Message(header, Orders.line(order).getBytes(StandardCharsets.UTF_8));
          byPartition.get(router.byKeys(message)).add(message);
        }
        for (int p = 0; p < writers.size(); p++) {
          long[] counts = writeAll(writers.get(p), byPartition.get(p));
          written.addAndGet(counts[0]);
          if (watermarks != null && counts[2] >= 0) {
            watermarks.written(0, "parse", p, counts[2]);
          }
          if (batch % 10 == 9) {
            refused.addAndGet(writeAll(writers.get(p), byPartition.get(p))[1]);
          }
        }
      }
    } finally {
      writers.forEach(BufferWriter::close);
      if (watermarks != null) {
        watermarks.close();
      }
    }
  }

  /**
   * The source's watermark, as a Numaflow source keeps it: one source partition, each batch's event
   * time published to gen's {@code _SOURCE_OT} bucket and, as its messages are stored, to the edge to
   * parse; null when the backend keeps no watermarks.
   */
  private static SourceWatermarks sourceWatermarks(IsbClient client, int partitions) {
    try {
      return SourceWatermarks.builder(client, NAMESPACE, PIPELINE, "gen").toVertex("parse", partitions).build();
    } catch (UnsupportedOperationException noBuckets) {
      return null;
    }
  }

  /**
   * Writes until each message is stored; returns how many were new, how many duplicates, and the
   * highest stream sequence written (-1 if none was new).
   */
  private static long[] writeAll(BufferWriter writer, List<Message> messages) {
    long fresh = 0;
    long duplicates = 0;
    long last = -1;
    List<Message> todo = messages;
    while (!todo.isEmpty()) {
      List<WriteResult> results = writer.write(todo);
      List<Message> again = new ArrayList<>();
      for (int i = 0; i < results.size(); i++) {
        WriteResult r = results.get(i);
        if (r instanceof WriteResult.Written w) {
          fresh++;
          last = Math.max(last, w.offset().sequenceNumber());
        } else if (r instanceof WriteResult.Duplicate) {
          duplicates++;
        } else if (r instanceof WriteResult.Failed f && f.retryable()) {
          again.add(todo.get(i));
        } else {
          throw new IllegalStateException("gen could not write order " + todo.get(i).id() + ": " + r);
        }
      }
      todo = again;
    }
    return new long[] {fresh, duplicates, last};
  }


  private static void print(Verdict v, double seconds, PrintStream out) {
    out.printf(Locale.ROOT, "gen: %d orders written, %d retried writes refused as duplicates%n",
        v.ordersWritten(), v.retriesRefused());
    out.printf(Locale.ROOT, "sink: %d items expected, %d received, %d distinct, %d duplicates, %d corrupt, "
        + "%d lost%n", v.expectedItems(), v.received(), v.distinct(), v.duplicates(), v.corrupt(), v.lost());
    out.printf(Locale.ROOT, "audit: %d of %d large items%n", v.audited(), v.expectedLarge());
    out.printf(Locale.ROOT, "end-to-end latency: p50 %.1f ms, p99 %.1f ms, max %.1f ms; %.1f s, %.0f items/s%n",
        v.latencyMillis()[0], v.latencyMillis()[1], v.latencyMillis()[2], seconds, v.distinct() / seconds);
    out.println(v.ok() ? "verdict: OK, lost = 0" : "verdict: FAILED, lost = " + v.lost()
        + (v.corrupt() > 0 ? ", corrupt = " + v.corrupt() : "")
        + (v.audited() != v.expectedLarge() ? ", audit incomplete" : ""));
  }

  /**
   * The progress line: messages per second read by each vertex, what waits in its buffers, and how far
   * its watermark is behind the wall clock.
   */
  private static final class Progress {
    private final MeterRegistry registry;
    private final List<Forwarder> forwarders;
    private final AtomicLong genWritten;
    private final long started;
    private final Map<String, Double> last = new HashMap<>();

    Progress(MeterRegistry registry, List<Forwarder> forwarders, AtomicLong genWritten, long started) {
      this.registry = registry;
      this.forwarders = forwarders;
      this.genWritten = genWritten;
      this.started = started;
    }

    String next() {
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "[%4.0fs] gen %7.0f/s",
          (System.nanoTime() - started) / 1e9, rate("gen", genWritten.get())));
      for (Forwarder f : forwarders) {
        String vertex = f.vertex();
        double read = Search.in(registry).name("forwarder.data.read").tag("vertex", vertex).counters().stream()
            .mapToDouble(c -> c.count()).sum();
        double pending = Search.in(registry).name("vertex.pending.messages.raw").tag("vertex", vertex).gauges()
            .stream().mapToDouble(g -> g.value()).filter(v -> !Double.isNaN(v)).sum();
        long wm = f.watermark();
        String lag = wm < 0 ? "  -" : String.format(Locale.ROOT, "%3.1fs", (System.currentTimeMillis() - wm) / 1e3);
        line.append(String.format(Locale.ROOT, " | %s %7.0f/s pending %5.0f wm lag %s", vertex, rate(vertex, read),
            pending, lag));
      }
      return line.toString();
    }

    private double rate(String vertex, double total) {
      Double before = last.put(vertex, total);
      return before == null ? total : total - before;
    }
  }
}
