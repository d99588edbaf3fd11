package dev.isb.vertex;

import dev.isb.BufferReader;
import dev.isb.BufferWriter;
import dev.isb.Compression;
import dev.isb.IsbClient;
import dev.isb.NumaflowVersion;
import dev.isb.ReaderOptions;
import dev.isb.WriterOptions;
import dev.isb.spi.Checks;
import dev.isb.wire.PartitionRouter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The loop every vertex runs: read a batch from each of its input partitions, apply the vertex
 * function, write the outputs to the downstream buffers the edges and keys choose, and ack the inputs
 * only once their outputs are stored. A vertex in a few lines:
 *
 * <pre>{@code
 * try (IsbClient isb = IsbConfig.load().open();
 *     Forwarder upper = Forwarder.builder(isb, "upper")
 *         .from("ns-pl-upper-0")
 *         .map(MapFunction.of(in -> Output.of(in.valueAsString().toUpperCase()).withKeys(in.keys())))
 *         .to(Edge.to("sink", "ns-pl-sink-0", "ns-pl-sink-1"))
 *         .build()) {
 *   upper.runUntilShutdown(); // returns after SIGTERM, once in-flight work is finished or nakked
 * }
 * }</pre>
 *
 * <p>What it guarantees:
 *
 * <ul>
 *   <li><b>No loss, no double write.</b> An input is acked only when every output is stored
 *       ({@code Written} or {@code Duplicate}) or deliberately dropped ({@code discardLatest} on a full
 *       buffer, or no edge takes it); each output's id is {@code <vertex>-<input offset>-<index>}, so
 *       when an input is delivered again its outputs are recognised as duplicates.
 *   <li><b>Back-pressure.</b> Under {@code retryUntilSuccess} a write to a full buffer is retried until
 *       it is stored, and the partition reads no more than its batches in flight allow meanwhile: a
 *       full downstream buffer stops the reading. Other retryable write failures are retried the same way.
 *   <li><b>Function errors are never acked.</b> A function that throws is retried by the
 *       {@link RetryPolicy}, then its input is nakked (delivered again after the policy's delay).
 *   <li><b>Graceful shutdown.</b> {@link #close()} stops reading, lets the batches in flight finish
 *       until {@code shutdownTimeout}, and naks what did not finish by then.
 * </ul>
 *
 * <p>Per input partition the stages overlap: one thread reads the next batch ({@link Builder#readAhead}),
 * one applies the function and starts the writes in read order, and one waits for the writes and acks
 * each batch's inputs, up to {@link Builder#maxBatchesInFlight} batches behind; an
 * {@link AsyncMapFunction} runs up to {@code maxInFlight} calls of a batch at once. Outputs are routed to
 * a downstream partition as numaflow-core routes them ({@link Edge.Routing}: by the hash of the input's
 * offset into a map or sink vertex, of the keys into a reduce or ordered one), which sends a redelivered
 * input's outputs where they went the first time (a round robin would not, and the duplicate would escape
 * de-duplication, which is per buffer).
 *
 * <p>Meters (Micrometer, numaflow-core's names, labels and units unless {@link MetricsStyle#TIMERS} is
 * asked for; see {@code docs/metrics.md}) go to the given registry. Thread-safe.
 */
public final class Forwarder implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(Forwarder.class.getName());

  private final String vertex;
  private final List<PartitionLoop> loops;
  private final List<Edge> edges;
  private final List<List<BufferWriter>> writers;
  private final List<BufferReader> readers;
  private final ForwarderMetrics metrics;
  private final ForwarderMetrics.Output sinkMeters;
  private final Duration shutdownTimeout;
  private final ScheduledExecutorService poller;
  private final VertexWatermarks watermarks;
  private final DeadLetters deadLetters;
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final ShutdownDeadline deadline = new ShutdownDeadline();
  private final CountDownLatch terminated = new CountDownLatch(1);
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private volatile boolean running = true;

  private Forwarder(Builder b) {
    this.vertex = b.vertex;
    this.edges = List.copyOf(b.edges);
    this.shutdownTimeout = b.shutdownTimeout;
    String type = b.sink != null || b.asyncSink != null ? "Sink" : "MapUDF";
    this.metrics = new ForwarderMetrics(b.registry, Tags.of("pipeline", b.pipeline, "vertex", vertex,
        "vertex_type", type, "replica", Integer.toString(b.replica)), b.metricsStyle, b.client.backend());
    this.sinkMeters = type.equals("Sink") ? metrics.sinkOutput(vertex) : null;
    this.deadLetters = DeadLetters.open(b.client, vertex, b.deadLetterPolicy);
    List<BufferReader> openedReaders = new ArrayList<>();
    List<List<BufferWriter>> openedWriters = new ArrayList<>();
    try {
      for (Edge edge : edges) {
        List<BufferWriter> partitionWriters = new ArrayList<>();
        openedWriters.add(partitionWriters);
        for (String buffer : edge.buffers()) {
          partitionWriters.add(b.client.writer(buffer, forForwarder(edge.writerOptions(), b.compression)));
        }
      }
      ReaderOptions.Builder reading = b.readerOptions.toBuilder().consumerName(vertex + "-" + b.replica);
      ReaderOptions readerOptions = b.compression == null ? reading.build() : reading.compression(b.compression).build();
      for (String buffer : b.inputs) {
        openedReaders.add(b.client.reader(buffer, readerOptions));
      }
      this.watermarks = b.fromVertices == null ? null : VertexWatermarks.open(b.client, b.watermarkSettings(),
          openedReaders.stream().map(BufferReader::partition).toList(), edges).orElse(null);
    } catch (RuntimeException e) {
      openedReaders.forEach(BufferReader::close);
      openedWriters.forEach(ws -> ws.forEach(BufferWriter::close));
      if (deadLetters != null) {
        deadLetters.close();
      }
      throw e;
    }
    this.writers = openedWriters.stream().map(List::copyOf).toList();
    this.readers = watermarks == null ? List.copyOf(openedReaders)
        : openedReaders.stream().map(watermarks::track).toList();
    if (watermarks != null) {
      metrics.watermarkGauges(watermarks, edges);
    }

    List<Route> routes = new ArrayList<>();
    for (int e = 0; e < edges.size(); e++) {
      List<ForwarderMetrics.Output> outputs = new ArrayList<>();
      for (String buffer : edges.get(e).buffers()) {
        outputs.add(metrics.output(buffer));
      }
      routes.add(new Route(e, edges.get(e), PartitionRouter.of(edges.get(e).buffers().size()), writers.get(e),
          List.copyOf(outputs)));
    }
    VertexFunction function = VertexFunction.of(b.map, b.asyncMap, b.sink, b.asyncSink);
    List<PartitionLoop> partitionLoops = new ArrayList<>();
    List<ForwarderMetrics.Input> inputMeters = new ArrayList<>();
    for (BufferReader reader : readers) {
      ForwarderMetrics.Input meters = metrics.input(reader);
      inputMeters.add(meters);
      partitionLoops.add(new PartitionLoop(this, reader, meters, List.copyOf(routes),
          function, b.retryPolicy, b.maxInFlight, watermarks,
          new PartitionLoop.Stages(b.readAhead, b.maxBatchesInFlight, b.maxBytesInFlight)));
    }
    this.loops = List.copyOf(partitionLoops);
    this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "isb-forwarder-" + vertex + "-usage");
      t.setDaemon(true);
      return t;
    });
    Runnable usage = metrics.usagePolls(b.client, vertex, readers, inputMeters, edges);
    poller.scheduleWithFixedDelay(usage, 0, b.usageInterval.toMillis(), TimeUnit.MILLISECONDS);
    if (watermarks != null && !edges.isEmpty()) {
      long idle = b.watermarkSettings().idleInterval().toNanos();
      poller.scheduleWithFixedDelay(this::publishIdle, idle, idle, TimeUnit.NANOSECONDS);
    }
  }

  /** A builder of a forwarder for this vertex, reading and writing through {@code client}. */
  public static Builder builder(IsbClient client, String vertex) {
    return new Builder(client, vertex);
  }

  /** The vertex this forwarder runs. */
  public String vertex() {
    return vertex;
  }

  /**
   * The vertex's input watermark (epoch milliseconds): the lowest over its input partitions and the
   * edges into it; -1 while not known, or when the forwarder does not take part in watermarks.
   */
  public long watermark() {
    return watermarks == null ? -1 : watermarks.inputWatermark();
  }

  /** Whether this forwarder reads and publishes watermarks (asked for, and the backend keeps them). */
  public boolean tracksWatermarks() {
    return watermarks != null;
  }

  /** Starts the partitions' threads; a second call does nothing. Returns this forwarder. */
  public Forwarder start() {
    if (closed.get()) {
      throw new IllegalStateException("forwarder of vertex '" + vertex + "' is closed");
    }
    if (started.compareAndSet(false, true)) {
      for (PartitionLoop loop : loops) {
        Thread thread = new Thread(loop, "isb-forwarder-" + vertex + "-" + loop.buffer());
        thread.setUncaughtExceptionHandler((t, e) -> fail(e));
        threads.add(thread);
      }
      threads.forEach(Thread::start);
      Thread joiner = new Thread(this::joinLoops, "isb-forwarder-" + vertex + "-join");
      joiner.setDaemon(true);
      joiner.start();
    }
    return this;
  }

  /**
   * Starts, closes on JVM shutdown (SIGTERM, SIGINT), and returns when the forwarder has stopped, by
   * shutdown or by {@link #close()} from another thread.
   *
   * @throws IllegalStateException if a partition thread died of an unexpected error (its cause)
   */
  public void runUntilShutdown() throws InterruptedException {
    Thread hook = new Thread(this::close, "isb-forwarder-" + vertex + "-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      start();
      terminated.await();
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // The hook is running or has run; nothing to remove.
      }
    }
    Throwable cause = failure.get();
    if (cause != null) {
      throw new IllegalStateException("forwarder of vertex '" + vertex + "' stopped on an error", cause);
    }
  }

  /** Waits until every partition thread has stopped; true if they did within {@code timeout}. */
  public boolean awaitTermination(Duration timeout) throws InterruptedException {
    return terminated.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** The unexpected error a partition thread died of, if one did; the other partitions go on. */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure.get());
  }

  /**
   * Stops reading, waits up to {@code shutdownTimeout} for the batches in flight to be written and
   * acked, naks what is left after that, and closes the readers and writers it opened (not the
   * client). Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      awaitQuietly(terminated, shutdownTimeout.plusSeconds(5));
      return;
    }
    running = false;
    if (!started.get()) {
      terminated.countDown();
    } else if (!awaitQuietly(terminated, shutdownTimeout)) {
      LOG.log(System.Logger.Level.WARNING, "vertex ''{0}'': in-flight batches did not finish within {1}; "
          + "nakking what is left", vertex, shutdownTimeout);
      deadline.pass();
      threads.forEach(Thread::interrupt);
      awaitQuietly(terminated, Duration.ofSeconds(5));
    }
    poller.shutdownNow();
    readers.forEach(Forwarder::closeQuietly);
    writers.forEach(ws -> ws.forEach(Forwarder::closeQuietly));
    if (deadLetters != null) {
      closeQuietly(deadLetters);
    }
    if (watermarks != null) {
      closeQuietly(watermarks);
    }
    metrics.removeGauges();
  }

  boolean running() {
    return running;
  }

  /** When a closing forwarder stops waiting for its work in flight. */
  ShutdownDeadline deadline() {
    return deadline;
  }

  /** A sink vertex's meters of its writes to the sink (NUMAFLOW style); null otherwise. */
  ForwarderMetrics.Output sinkMeters() {
    return sinkMeters;
  }

  ForwarderMetrics metrics() {
    return metrics;
  }

  /** Where inputs given up on go; null without a {@link DeadLetterPolicy}. */
  DeadLetters deadLetters() {
    return deadLetters;
  }

  private void fail(Throwable e) {
    failure.compareAndSet(null, e);
    LOG.log(System.Logger.Level.ERROR, "vertex '" + vertex + "': a partition thread died", e);
  }

  private void joinLoops() {
    for (Thread thread : threads) {
      boolean joined = false;
      while (!joined) {
        try {
          thread.join();
          joined = true;
        } catch (InterruptedException e) {
          // This daemon thread has no one to hand the interrupt to; keep waiting.
        }
      }
    }
    terminated.countDown();
  }

  /** The idle tick; an error is logged, never thrown, so the schedule goes on. */
  private void publishIdle() {
    try {
      watermarks.publishIdle(writers, java.time.Clock.systemUTC());
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "vertex ''{0}'': publishing idle watermarks failed: {1}", vertex,
          e.toString());
    }
  }

  /**
   * An edge's options with a wait for room of at most 1 s (the forwarder retries retryable failures
   * itself, so a write call must come back often enough for it to notice a shutdown), and the
   * forwarder's compression if it has one.
   */
  private static WriterOptions forForwarder(WriterOptions options, Compression compression) {
    Duration bound = Duration.ofSeconds(1);
    WriterOptions.Builder b = options.toBuilder();
    if (options.fullWaitTimeout().compareTo(bound) > 0) {
      b.fullWaitTimeout(bound);
    }
    if (compression != null) {
      b.compression(compression);
    }
    return b.build();
  }

  private static boolean awaitQuietly(CountDownLatch latch, Duration timeout) {
    try {
      return latch.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return latch.getCount() == 0;
    }
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      LOG.log(System.Logger.Level.WARNING, "closing " + closeable + " failed", e);
    }
  }

  /** One edge (the {@code index}-th) with its router, its partitions' writers and their meters. */
  record Route(int index, Edge edge, PartitionRouter router, List<BufferWriter> writers,
      List<ForwarderMetrics.Output> meters) {}

  /**
   * Builds a {@link Forwarder}. Required: at least one input ({@link #from}), exactly one function
   * ({@link #map}, {@link #asyncMap}, {@link #sink} or {@link #asyncSink}) and, for a map, at least one
   * edge ({@link #to}). Not thread-safe.
   */
  public static final class Builder {
    private final IsbClient client;
    private final String vertex;
    private String pipeline = "";
    private int replica;
    private final List<String> inputs = new ArrayList<>();
    private final List<Edge> edges = new ArrayList<>();
    private MapFunction map;
    private AsyncMapFunction asyncMap;
    private SinkFunction sink;
    private AsyncSinkFunction asyncSink;
    private ReaderOptions readerOptions = ReaderOptions.defaults();
    private Compression compression;
    private MetricsStyle metricsStyle = MetricsStyle.NUMAFLOW;
    private boolean readAhead = true;
    private int maxBatchesInFlight = 4;
    private long maxBytesInFlight = 64L << 20;
    private RetryPolicy retryPolicy = RetryPolicy.defaults();
    private DeadLetterPolicy deadLetterPolicy;
    private int maxInFlight = 100;
    private MeterRegistry registry = Metrics.globalRegistry;
    private Duration shutdownTimeout = Duration.ofSeconds(20);
    private Duration usageInterval = Duration.ofSeconds(1);
    private String namespace;
    private List<String> fromVertices;
    private NumaflowVersion version = NumaflowVersion.latest();
    private Duration watermarkDelay = Duration.ofMillis(100);
    private Duration idleInterval;

    private Builder(IsbClient client, String vertex) {
      this.client = Objects.requireNonNull(client, "client");
      this.vertex = Checks.notBlank("vertex", vertex);
    }

    /** The pipeline name, a meter tag; empty by default. */
    public Builder pipeline(String pipeline) {
      this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
      return this;
    }

    /** This pod's replica index: a meter tag and part of the consumer name {@code <vertex>-<replica>}. */
    public Builder replica(int replica) {
      this.replica = Checks.notNegative("replica", replica);
      return this;
    }

    /** Adds input buffers (partitions) of this vertex; each is read by its own thread. */
    public Builder from(String... buffers) {
      return from(List.of(buffers));
    }

    /** Adds input buffers (partitions) of this vertex; each is read by its own thread. */
    public Builder from(List<String> buffers) {
      for (String buffer : buffers) {
        Objects.requireNonNull(buffer, "buffer");
        if (inputs.contains(buffer)) {
          throw new IllegalArgumentException("vertex '" + vertex + "' reads buffer '" + buffer + "' twice");
        }
        inputs.add(buffer);
      }
      return this;
    }

    /** Adds edges to downstream vertices. */
    public Builder to(Edge... edges) {
      for (Edge edge : edges) {
        this.edges.add(Objects.requireNonNull(edge, "edge"));
      }
      return this;
    }

    /** The function of a map vertex: one input, zero or more outputs. */
    public Builder map(MapFunction function) {
      this.map = Objects.requireNonNull(function, "function");
      return this;
    }

    /** The function of a map vertex whose outputs arrive later. */
    public Builder asyncMap(AsyncMapFunction function) {
      this.asyncMap = Objects.requireNonNull(function, "function");
      return this;
    }

    /** The function of a sink vertex, which writes nothing downstream. */
    public Builder sink(SinkFunction function) {
      this.sink = Objects.requireNonNull(function, "function");
      return this;
    }

    /** The function of a sink vertex that completes later. */
    public Builder asyncSink(AsyncSinkFunction function) {
      this.asyncSink = Objects.requireNonNull(function, "function");
      return this;
    }

    /**
     * How inputs are read: batch size, read timeout, keep-alive, undecodable messages. The consumer
     * name is always {@code <vertex>-<replica>}, Numaflow's.
     */
    public Builder readerOptions(ReaderOptions options) {
      this.readerOptions = Objects.requireNonNull(options, "options");
      return this;
    }

    /**
     * How data payloads are compressed in every buffer the vertex reads and writes, as the pipeline's
     * {@code interStepBuffer.compression.type} says ({@code IsbConfig.compression()}); it overrides the
     * compression of {@link #readerOptions} and of each edge's writer options. Unset, those apply.
     */
    public Builder compression(Compression compression) {
      this.compression = Objects.requireNonNull(compression, "compression");
      return this;
    }

    /**
     * Whether each partition reads its next batch while it forwards one (on a second thread; at most
     * two batches in flight): on by default, as numaflow-core's {@code NUMAFLOW_READ_AHEAD} is for map
     * and sink vertices. Off, a batch is read only once the one before is acked or nakked.
     */
    public Builder readAhead(boolean readAhead) {
      this.readAhead = readAhead;
      return this;
    }

    /**
     * How many batches of one partition may be between the function and their acks: while the writes of
     * one are awaited, the next ones are mapped and written already. 4 by default; 1 settles each batch
     * (every input acked or nakked) before the function sees the next.
     */
    public Builder maxBatchesInFlight(int batches) {
      this.maxBatchesInFlight = Checks.atLeastOne("maxBatchesInFlight", batches);
      return this;
    }

    /**
     * How many input payload bytes of one partition may be between the function and their acks; 64 MiB
     * by default. A batch larger than this goes into flight alone.
     */
    public Builder maxBytesInFlight(long bytes) {
      this.maxBytesInFlight = Checks.positive("maxBytesInFlight", bytes);
      return this;
    }

    /** What happens when the function fails. */
    public Builder retryPolicy(RetryPolicy policy) {
      this.retryPolicy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * Where an input goes that keeps failing, instead of being nakked on every delivery (the
     * default, Numaflow's behaviour); the buffer of a {@link DeadLetterPolicy#toBuffer} policy must exist.
     */
    public Builder deadLetters(DeadLetterPolicy policy) {
      this.deadLetterPolicy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** How many calls of an asynchronous function one partition runs at once; 100 by default. */
    public Builder maxInFlight(int maxInFlight) {
      this.maxInFlight = Checks.atLeastOne("maxInFlight", maxInFlight);
      return this;
    }

    /**
     * How the meters are named and shaped: numaflow-core's ({@link MetricsStyle#NUMAFLOW}, the default)
     * or this library's earlier timers ({@link MetricsStyle#TIMERS}).
     */
    public Builder metricsStyle(MetricsStyle style) {
      this.metricsStyle = Objects.requireNonNull(style, "style");
      return this;
    }

    /** Where meters go; Micrometer's global registry by default. */
    public Builder meterRegistry(MeterRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /**
     * How long {@link Forwarder#close()} lets batches in flight finish before nakking them; 20 s by
     * default, inside Kubernetes' default 30 s grace period.
     */
    public Builder shutdownTimeout(Duration timeout) {
      this.shutdownTimeout = Checks.notNegative("shutdownTimeout", timeout);
      return this;
    }

    /** How often the buffers' pending counts and usage are read for the gauges; 1 s by default. */
    public Builder usageInterval(Duration interval) {
      this.usageInterval = Checks.atLeastOneMilli("usageInterval", interval);
      return this;
    }

    /**
     * Takes part in the pipeline's watermarks, as a Numaflow vertex does: reads the watermarks the
     * vertices {@code fromVertices} publish on their edges into this one (buckets
     * {@code <namespace>-<pipeline>-<from>-<vertex>_OT}), gives each input its watermark
     * ({@link Datum#watermark()}), and publishes this vertex's to every edge out of it as processor
     * {@code <vertex>-<replica>}. Needs {@link #pipeline} and the buckets (created by
     * {@code BufferAdmin.createBuckets}). On a backend that keeps no watermarks (Redis, as Numaflow's
     * Redis ISB) the forwarder runs without them and logs a warning.
     */
    public Builder watermarks(String namespace, List<String> fromVertices) {
      Checks.notBlank("namespace", namespace);
      if (fromVertices.isEmpty()) {
        throw new IllegalArgumentException("vertex '" + vertex + "': watermarks need at least one vertex with an "
            + "edge into this one");
      }
      fromVertices.forEach(f -> Objects.requireNonNull(f, "fromVertex"));
      this.namespace = namespace;
      this.fromVertices = List.copyOf(fromVertices);
      return this;
    }

    /** Whose watermark rules apply; {@link NumaflowVersion#latest()} by default. */
    public Builder numaflowVersion(NumaflowVersion version) {
      this.version = Objects.requireNonNull(version, "version");
      return this;
    }

    /**
     * The least time between two watermark puts per output partition: Numaflow's 100 ms by default
     * ({@code NUMAFLOW_WATERMARK_DELAY_IN_MS} in v1.7, {@code spec.watermark.idleSource.stepInterval}
     * in v1.8).
     */
    public Builder watermarkDelay(Duration delay) {
      this.watermarkDelay = Checks.notNegative("watermarkDelay", delay);
      return this;
    }

    /**
     * How long an output partition may get nothing before it gets an idle watermark. Numaflow's by
     * default: the watermark delay in v1.8, twice the read timeout in v1.7.
     */
    public Builder idleInterval(Duration interval) {
      this.idleInterval = Checks.atLeastOneMilli("idleInterval", interval);
      return this;
    }

    VertexWatermarks.Settings watermarkSettings() {
      Duration idle = idleInterval != null ? idleInterval
          : version == NumaflowVersion.V1_7 ? readerOptions.readTimeout().multipliedBy(2)
          : watermarkDelay.toMillis() < 1 ? Duration.ofMillis(1) : watermarkDelay;
      return new VertexWatermarks.Settings(namespace, pipeline, vertex, replica, fromVertices, version,
          watermarkDelay, idle);
    }

    /**
     * Checks the configuration and opens a reader per input and a writer per downstream partition.
     *
     * @throws IllegalStateException naming what is missing or contradictory
     * @throws dev.isb.BufferNotFoundException if a buffer does not exist
     */
    public Forwarder build() {
      long functions = java.util.stream.Stream.of(map, asyncMap, sink, asyncSink).filter(Objects::nonNull).count();
      if (functions != 1) {
        throw new IllegalStateException("vertex '" + vertex + "' needs exactly one function (map, asyncMap, "
            + "sink or asyncSink), has " + functions);
      }
      if (inputs.isEmpty()) {
        throw new IllegalStateException("vertex '" + vertex + "' reads no buffer: call from(...)");
      }
      boolean isSink = sink != null || asyncSink != null;
      if (isSink && !edges.isEmpty()) {
        throw new IllegalStateException("sink vertex '" + vertex + "' writes nowhere, but has edges " + names());
      }
      if (!isSink && edges.isEmpty()) {
        throw new IllegalStateException("map vertex '" + vertex + "' has no edge: call to(...)");
      }
      Set<String> inputSet = Set.copyOf(inputs);
      for (Edge edge : edges) {
        for (String buffer : edge.buffers()) {
          if (inputSet.contains(buffer)) {
            throw new IllegalStateException("vertex '" + vertex + "' would write to its own input '" + buffer + "'");
          }
        }
      }
      if (fromVertices != null && pipeline.isBlank()) {
        throw new IllegalStateException("vertex '" + vertex + "': watermarks need the pipeline's name for their "
            + "bucket names: call pipeline(...)");
      }
      return new Forwarder(this);
    }

    private List<String> names() {
      return edges.stream().map(Edge::toVertex).toList();
    }
  }
}
