package dev.isb.benchmarks;

import dev.isb.BufferConfig;
import dev.isb.BufferInfo;
import dev.isb.BufferReader;
import dev.isb.BufferWriter;
import dev.isb.IsbClient;
import dev.isb.Message;
import dev.isb.MessageId;
import dev.isb.Offset;
import dev.isb.OnFull;
import dev.isb.ReadMessage;
import dev.isb.ReaderOptions;
import dev.isb.Retention;
import dev.isb.Storage;
import dev.isb.WriteResult;
import dev.isb.WriterOptions;
import dev.isb.servers.LocalIsbService;
import dev.isb.vertex.Edge;
import dev.isb.vertex.Forwarder;
import dev.isb.vertex.MapFunction;
import dev.isb.vertex.Output;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadInfo;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;
import java.util.stream.Collectors;

/**
 * Writer memory while a buffer stays full under {@code retryUntilSuccess}: does a vertex whose
 * downstream buffer is full for a minute keep a flat heap, or does it pile up what it cannot write, as
 * Numaflow users saw with multi-GB writer pods (numaflow#2814)? {@code JetStreamFullBufferMemoryTest}
 * answers that for a bare writer in a tight loop for 10 s; this answers it for a whole {@link Forwarder}
 * on each backend, for as long as asked, and then checks that the forwarder was waiting, not dead.
 *
 * <pre>{@code
 * ./mvnw -q -pl benchmarks -am compile exec:java -Dexec.mainClass=dev.isb.benchmarks.FullBufferBench \
 *     -Dexec.args="--backend jetstream --seconds 60"
 * }</pre>
 *
 * <p>Per backend, on a server of its own started through the test kit ({@link LocalIsbService}):
 *
 * <ol>
 *   <li>an input buffer is pre-filled with N messages (100 000 of 256 B by default), each carrying its
 *       index in its first 4 bytes;
 *   <li>a small output buffer is filled to full: {@code maxLength} (1 000) messages, usage 1.0 against
 *       Numaflow's usage limit of 0.8 (the library's rule, {@code BufferFullGate}: full when
 *       (pending + ack-pending) / maxLength reaches the limit, and under WorkQueue retention also stored
 *       / maxLength). It has WorkQueue retention, so that a message leaves it when acked, and a stream
 *       limit of {@value #STREAM_HEADROOM} x maxLength, refused beyond (DiscardNew), so that the overshoot
 *       between two usage refreshes is refused and retried, never discarded;
 *   <li>a {@link Forwarder} (a 1-to-1 map, meters on) reads the input and writes to the output under
 *       {@code onFull: retryUntilSuccess} with Numaflow's other defaults: usage refreshed every second,
 *       each write call waiting at most 1 s for room (the forwarder's bound), then the forwarder's own
 *       back-off; it reads nothing more while its batch is not written;
 *   <li>from the forwarder's first refused write on, for {@code --seconds} (60), every 5 s: heap used
 *       after {@code System.gc()}, bytes allocated by all JVM threads so far, and the forwarder's write
 *       calls and their results, counted by a wrapper around its writer. At the end of that time the
 *       output must still hold only the fill and no input may be acked: every input is still held or
 *       waiting, none lost;
 *   <li>then the output is drained (read and acked): the forwarder must resume and finish the input,
 *       and the output must have held every input exactly once, unchanged, and nothing else.
 * </ol>
 *
 * <p>Verdict: "bounded" when the heap after GC at the end is at most the heap after GC at the start
 * plus {@code --slack-mib} (16 MiB, the bound of {@code JetStreamFullBufferMemoryTest}). The heap is the
 * whole JVM's (Maven's too, under {@code exec:java}): its growth, not its level, is the figure.
 * Allocation is summed over the threads alive at each sample, so a thread that ended between two
 * samples misses its last few seconds; the library's threads live as long as its clients. The run fails
 * (an exception out of {@code main}, so a non-zero exit) when a backend's heap is not bounded, a message
 * was lost, doubled or changed, or the forwarder did not resume. Run with {@code --help} for the
 * options.
 */
public final class FullBufferBench {

  /** The forwarder's vertex: in its outputs' ids and its consumer name. */
  private static final String VERTEX = "full";
  private static final String FILL = "fill";
  private static final String SOURCE = "src";
  private static final String INPUT = "bench-full-in-0";
  private static final String OUTPUT = "bench-full-out-0";
  /** Messages per pre-fill write; the input holds at least one batch. */
  static final int BATCH = 500;
  /** A payload carries its index in its first bytes. */
  static final int INDEX_BYTES = Integer.BYTES;
  /** The output's stream limit, in multiples of the writer's maxLength. */
  private static final int STREAM_HEADROOM = 10;
  private static final int TOP_THREADS = 5;
  private static final Duration SAMPLE_EVERY = Duration.ofSeconds(5);
  private static final Duration POLL = Duration.ofMillis(20);
  private static final Duration FIRST_REFUSAL_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration INPUT_ACKED_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration QUIET_READ = Duration.ofSeconds(1);
  private static final WriterOptions NEVER_FULL = WriterOptions.builder().maxLength(Long.MAX_VALUE).build();
  private static final double KIB = 1024;
  private static final double MIB = 1024 * 1024;
  private static final double NANOS = 1e9;

  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

  /** One backend's result: its summary line (empty if it failed before the figures) and what went wrong. */
  private record Outcome(String backend, String summary, List<String> problems) {}

  /** One sample while the output is full. */
  private record Sample(double seconds, long heapAfterGc, long allocated, Writes writes) {}

  private FullBufferBench() {}

  /**
   * Runs the benchmark.
   *
   * @param args see {@code --help}
   * @throws IllegalArgumentException if an option is wrong
   * @throws IllegalStateException if a backend's heap was not bounded, a message was lost, doubled or
   *     changed, or the forwarder did not resume
   */
  public static void main(String[] args) {
    Optional<FullBufferBenchOptions> parsed = FullBufferBenchOptions.parse(args, System.out);
    if (parsed.isEmpty()) {
      return;
    }
    FullBufferBenchOptions options = parsed.get();
    List<String> flags = ManagementFactory.getRuntimeMXBean().getInputArguments();
    if (flags.stream().anyMatch(f -> f.contains("DisableExplicitGC"))) {
      throw new IllegalStateException("the JVM ignores System.gc() (" + flags + "): the heap after GC cannot be "
          + "measured; run without -XX:+DisableExplicitGC");
    }
    System.out.println("command: ./mvnw -q -pl benchmarks -am compile exec:java"
        + " -Dexec.mainClass=dev.isb.benchmarks.FullBufferBench"
        + (args.length == 0 ? "" : " -Dexec.args=\"" + String.join(" ", args) + "\""));
    Machine.describe().forEach(line -> System.out.println("machine: " + line));
    System.out.println("load average at start: " + Machine.loadAverage());
    WriterOptions edge = edgeOptions(options);
    System.out.printf(Locale.ROOT, "input: %s, Limits retention, %,d messages of %d B pre-written%n", INPUT,
        options.messages(), options.payload());
    System.out.printf(Locale.ROOT, "output: %s, WorkQueue retention, stream limit %,d messages (refused beyond), "
        + "filled with %,d messages = maxLength%n", OUTPUT, (long) STREAM_HEADROOM * options.maxLength(),
        options.maxLength());
    System.out.printf(Locale.ROOT, "forwarder: vertex '%s', 1-to-1 map (payload passed on), meters on, reader batches "
        + "of %d; its writer: maxLength %,d, usageLimit %.2f (full at %,.0f pending + ack-pending), onFull %s, usage "
        + "refreshed every %d ms, each write call waits at most 1 s for room (the forwarder's bound)%n", VERTEX,
        ReaderOptions.defaults().batchSize(), edge.maxLength(), edge.usageLimit(),
        Math.ceil(edge.usageLimit() * edge.maxLength()), edge.onFull(), edge.refreshInterval().toMillis());
    System.out.printf(Locale.ROOT, "measured: the output full for %d s from the forwarder's first refused write; every "
        + "%d s heap used after System.gc() (whole JVM) and bytes allocated by all live JVM threads; bounded when the "
        + "heap after GC at the end <= at the start + %d MiB%n", options.seconds(), SAMPLE_EVERY.toSeconds(),
        options.slackMib());

    List<Outcome> outcomes = new ArrayList<>();
    for (String backend : options.backends()) {
      outcomes.add(run(backend, options, edge));
    }

    System.out.println();
    System.out.println("summary:");
    for (Outcome outcome : outcomes) {
      System.out.println(outcome.summary().isEmpty() ? outcome.backend() + ": FAILED" : outcome.summary());
      outcome.problems().forEach(p -> System.out.println("  problem: " + p));
    }
    System.out.println("load average at end: " + Machine.loadAverage());
    List<String> problems = outcomes.stream().flatMap(o -> o.problems().stream()).toList();
    if (!problems.isEmpty()) {
      throw new IllegalStateException("BENCHMARK FAILED: " + String.join("; ", problems));
    }
  }

  /**
   * The output edge's writer options: Numaflow's defaults (usageLimit 0.8, usage refreshed every
   * second, waiting as long as it takes, which the forwarder bounds to 1 s per call) on a small buffer.
   */
  private static WriterOptions edgeOptions(FullBufferBenchOptions options) {
    return WriterOptions.builder().maxLength(options.maxLength()).onFull(OnFull.RETRY_UNTIL_SUCCESS).build();
  }

  /** One backend on a server of its own: setup, full phase, drain; never throws. */
  private static Outcome run(String backend, FullBufferBenchOptions options, WriterOptions edge) {
    System.out.println();
    var problems = new ArrayList<String>();
    try (LocalIsbService service = LocalIsbService.start(backend);
         IsbClient control = IsbClient.open(service.options());
         IsbClient work = IsbClient.open(service.options())) {
      System.out.println(backend + ": " + service + " (the forwarder on a connection of its own)");
      String summary = fullBuffer(backend, options, edge, control, work, problems);
      return new Outcome(backend, summary, problems);
    } catch (RuntimeException e) {
      System.err.println(backend + ": the run failed:");
      e.printStackTrace();
      problems.add(backend + ": the run failed: " + e);
      return new Outcome(backend, "", problems);
    }
  }

  /**
   * Creates and fills the buffers, keeps the output full under a running forwarder while sampling,
   * then drains it. Adds what went wrong to {@code problems}; returns the summary line.
   *
   * @throws IllegalStateException if the run cannot go on: a setup check failed, the forwarder died,
   *     never tried to write, or did not finish in time
   */
  private static String fullBuffer(String backend, FullBufferBenchOptions options, WriterOptions edge, IsbClient control,
      IsbClient work, List<String> problems) {
    int n = options.messages();
    BufferConfig.Stream stream = BufferConfig.Stream.defaults().toBuilder()
        .replicas(1).storage(Storage.MEMORY).duplicates(Duration.ofSeconds(60)).build();
    control.admin().createBuffers(List.of(INPUT), BufferConfig.defaults().toBuilder()
        .stream(stream.toBuilder().retention(Retention.LIMITS).maxMsgs(Math.max(100_000L, 2L * n)).build()).build());
    control.admin().createBuffers(List.of(OUTPUT), BufferConfig.defaults().toBuilder()
        .stream(stream.toBuilder().retention(Retention.WORK_QUEUE)
            .maxMsgs((long) STREAM_HEADROOM * options.maxLength()).build()).build());

    byte[] filler = filler(options.payload());
    long setup = System.nanoTime();
    prefill(control, INPUT, n, i -> Message.data(new MessageId(SOURCE, Integer.toString(i), 0), payload(i, filler)));
    prefill(control, OUTPUT, options.maxLength(),
        i -> Message.data(new MessageId(FILL, Integer.toString(i), 0), payload(i, filler)));
    BufferInfo in = control.admin().bufferInfo(INPUT);
    if (in.pendingCount() != n) {
      throw new IllegalStateException("input " + INPUT + " holds " + in.pendingCount() + " messages after the "
          + "pre-fill, expected " + n);
    }
    BufferInfo out = control.admin().bufferInfo(OUTPUT);
    double usage = (double) (out.pendingCount() + out.ackPendingCount()) / edge.maxLength();
    if (usage < edge.usageLimit()) {
      throw new IllegalStateException(String.format(Locale.ROOT, "the output is not full after the fill: usage %.3f "
          + "(%s) below the limit %.2f", usage, out, edge.usageLimit()));
    }
    System.out.printf(Locale.ROOT, "%s: pre-filled in %.1f s; output after the fill: %,d pending + %,d ack-pending "
        + "of maxLength %,d = usage %.2f >= %.2f: full; heap after GC before the forwarder starts %,.0f KiB%n", backend,
        (System.nanoTime() - setup) / NANOS, out.pendingCount(), out.ackPendingCount(), edge.maxLength(), usage,
        edge.usageLimit(), heapAfterGc() / KIB);

    var writes = new WriteCounter();
    var registry = new SimpleMeterRegistry();
    try {
      var counted = BorrowedClient.tappingWrites(work, writes::record);
      Forwarder forwarder = Forwarder.builder(counted, VERTEX)
          .from(INPUT)
          .map(MapFunction.of(datum -> Output.of(datum.value())))
          .to(Edge.to("sink", OUTPUT).withWriterOptions(edge))
          .meterRegistry(registry)
          .build();
      String summary;
      try {
        forwarder.start();
        long started = System.nanoTime();
        await(() -> writes.snapshot().refused() > 0, FIRST_REFUSAL_TIMEOUT, forwarder,
            "the forwarder's first write refused as full");
        System.out.printf(Locale.ROOT, "%s: the forwarder's first write was refused %.1f s after it started; the "
            + "output stays full for %d s from now%n", backend, (System.nanoTime() - started) / NANOS,
            options.seconds());

        List<Sample> samples = sampleWhileFull(backend, options, writes, forwarder);
        String figures = figures(backend, options, samples, problems);
        checkStillFull(backend, control, n, options.maxLength(), samples.get(samples.size() - 1).writes(), problems);
        summary = figures + "; " + drain(backend, control, options, filler, writes, forwarder, problems);
      } finally {
        forwarder.close();
      }
      forwarder.failure().ifPresent(e -> problems.add(backend + ": the forwarder failed: " + e));
      return summary;
    } finally {
      registry.close();
    }
  }

  /** Samples every {@link #SAMPLE_EVERY}, and at the end, from now for {@code --seconds}. */
  private static List<Sample> sampleWhileFull(String backend, FullBufferBenchOptions options, WriteCounter writes,
      Forwarder forwarder) {
    var allocation = new Allocation();
    var samples = new ArrayList<Sample>();
    long start = System.nanoTime();
    long length = Duration.ofSeconds(options.seconds()).toNanos();
    for (long at = 0; ; at = Math.min(at + SAMPLE_EVERY.toNanos(), length)) {
      parkUntil(start + at);
      forwarder.failure().ifPresent(e -> {
        throw new IllegalStateException("the forwarder failed while the output was full: " + e, e);
      });
      Writes w = writes.snapshot();
      long allocated = allocation.total();
      long heap = heapAfterGc();
      double seconds = (System.nanoTime() - start) / NANOS;
      Sample previous = samples.isEmpty() ? null : samples.get(samples.size() - 1);
      samples.add(new Sample(seconds, heap, allocated, w));
      long base = samples.get(0).heapAfterGc();
      String rate = previous == null ? "-" : String.format(Locale.ROOT, "%.2f",
          (allocated - previous.allocated()) / MIB / (seconds - previous.seconds()));
      System.out.printf(Locale.ROOT, "%-9s t=%5.1f s  heap after GC %,9.0f KiB (%+,8.0f KiB)  allocated %,9.1f MiB "
          + "(%6s MiB/s)  write calls %,6d, messages refused %,9d, written %,d%n", backend, seconds, heap / KIB,
          (heap - base) / KIB, allocated / MIB, rate, w.calls(), w.refused(), w.written() + w.duplicates());
      if (at >= length) {
        System.out.println(backend + ": allocated while full, by thread: " + allocation.top(TOP_THREADS));
        return samples;
      }
    }
  }

  /** The heap figures and verdict, printed; a heap that is not bounded goes to {@code problems}. */
  private static String figures(String backend, FullBufferBenchOptions options, List<Sample> samples, List<String> problems) {
    Sample first = samples.get(0);
    Sample last = samples.get(samples.size() - 1);
    long max = samples.stream().mapToLong(Sample::heapAfterGc).max().orElseThrow();
    long growth = last.heapAfterGc() - first.heapAfterGc();
    long slack = (long) options.slackMib() << 20;
    double seconds = last.seconds() - first.seconds();
    double rate = (last.allocated() - first.allocated()) / MIB / seconds;
    Writes w = last.writes();
    String figures = String.format(Locale.ROOT, "%s, output full for %.1f s: heap after GC at start %,.0f KiB, max "
        + "%,.0f KiB, at end %,.0f KiB, growth %+,.0f KiB; allocated %.2f MiB/s while full; %,d write calls, %,d "
        + "messages refused, %,d written", backend, seconds, first.heapAfterGc() / KIB, max / KIB,
        last.heapAfterGc() / KIB, growth / KIB, rate, w.calls(), w.refused(), w.written() + w.duplicates());
    System.out.println(figures);
    boolean bounded = last.heapAfterGc() <= first.heapAfterGc() + slack;
    String verdict = String.format(Locale.ROOT, "heap after GC at the end %,.0f KiB %s start %,.0f KiB + %d MiB slack",
        last.heapAfterGc() / KIB, bounded ? "<=" : ">", first.heapAfterGc() / KIB, options.slackMib());
    System.out.println(backend + " verdict: " + (bounded ? "bounded" : "NOT bounded") + " (" + verdict + ")");
    if (!bounded) {
      problems.add(backend + ": the heap is not bounded: " + verdict);
    }
    return figures + ": " + (bounded ? "bounded" : "NOT bounded");
  }

  /**
   * At the end of the full phase nothing may have been written and no input acked: every input is
   * still with the forwarder or in the input buffer, waiting, and the output holds only the fill.
   */
  private static void checkStillFull(String backend, IsbClient control, int n, int fill, Writes writes,
      List<String> problems) {
    BufferInfo in = control.admin().bufferInfo(INPUT);
    BufferInfo out = control.admin().bufferInfo(OUTPUT);
    System.out.printf(Locale.ROOT, "%s: at the end of the full phase: input %,d pending + %,d held by the forwarder; "
        + "output %,d pending + %,d ack-pending; writer results: %,d written, %,d duplicates, %,d dropped, %,d failed "
        + "for good, %,d refused (retryable)%n", backend, in.pendingCount(), in.ackPendingCount(), out.pendingCount(),
        out.ackPendingCount(), writes.written(), writes.duplicates(), writes.dropped(), writes.failed(),
        writes.refused());
    if (in.pendingCount() + in.ackPendingCount() != n) {
      problems.add(backend + ": " + (n - in.pendingCount() - in.ackPendingCount()) + " inputs were acked while the "
          + "output was full, their outputs not written");
    }
    if (writes.written() + writes.duplicates() != 0 || out.pendingCount() + out.ackPendingCount() != fill) {
      problems.add(backend + ": the output did not stay full: " + (writes.written() + writes.duplicates())
          + " messages stored, the output holds " + (out.pendingCount() + out.ackPendingCount()) + " (filled with "
          + fill + ")");
    }
  }

  /**
   * Reads and acks the output until it has given every fill message and every input's output, then
   * checks that the forwarder acked the whole input and that the output held each exactly once.
   * Returns the drain's summary.
   */
  private static String drain(String backend, IsbClient control, FullBufferBenchOptions options, byte[] filler, WriteCounter writes,
      Forwarder forwarder, List<String> problems) {
    int n = options.messages();
    var check = new OutputCheck(n, options.maxLength(), filler);
    ReaderOptions readerOptions = ReaderOptions.defaults().toBuilder()
        .consumerName("drain-0").readTimeout(Duration.ofMillis(200)).build();
    Duration timeout = Duration.ofSeconds(60).plusMillis(n);
    long start = System.nanoTime();
    long lastOutput;
    try (BufferReader reader = control.reader(OUTPUT, readerOptions)) {
      long deadline = start + timeout.toNanos();
      while (!check.complete()) {
        forwarder.failure().ifPresent(e -> {
          throw new IllegalStateException("the forwarder failed during the drain: " + e, e);
        });
        if (System.nanoTime() - deadline > 0) {
          throw new IllegalStateException("the drain did not finish within " + timeout + ": " + check
              + "; the forwarder wrote " + writes.snapshot().written() + " (did it resume?)");
        }
        readAndAck(reader, reader.read(), check);
      }
      lastOutput = System.nanoTime();
      await(() -> inputDone(control), INPUT_ACKED_TIMEOUT, forwarder, "the forwarder acking its whole input");
      readAndAck(reader, reader.read(BATCH, QUIET_READ), check);
    }
    Writes w = writes.snapshot();
    BufferInfo out = control.admin().bufferInfo(OUTPUT);
    if (check.repeated() > 0 || check.unexpected() > 0) {
      problems.add(backend + ": the output held " + check);
    }
    if (out.pendingCount() + out.ackPendingCount() != 0) {
      problems.add(backend + ": the output still holds " + out + " after the drain");
    }
    if (w.written() + w.duplicates() != n || w.dropped() != 0 || w.failed() != 0) {
      problems.add(backend + ": the forwarder's writer reports " + w + " for " + n + " inputs");
    }
    if (w.firstWrittenAt() == Writes.NEVER) {
      problems.add(backend + ": the forwarder never wrote after the drain began");
      return "the forwarder did not resume";
    }
    String drained = String.format(Locale.ROOT, "drain: the forwarder wrote again %.1f s after the drain began and "
        + "finished its %,d inputs %.1f s after it; the output held every input once and the %,d fill messages once",
        (w.firstWrittenAt() - start) / NANOS, n, (lastOutput - start) / NANOS, options.maxLength());
    System.out.println(backend + ": " + drained + (w.duplicates() > 0 ? " (" + w.duplicates()
        + " writes were reported duplicates of an earlier one)" : ""));
    return drained;
  }

  private static void readAndAck(BufferReader reader, List<ReadMessage> batch, OutputCheck check) {
    if (batch.isEmpty()) {
      return;
    }
    List<Offset> offsets = new ArrayList<>(batch.size());
    for (ReadMessage read : batch) {
      check.add(read.message());
      offsets.add(read.offset());
    }
    reader.ack(offsets);
  }

  private static boolean inputDone(IsbClient control) {
    BufferInfo in = control.admin().bufferInfo(INPUT);
    return in.pendingCount() == 0 && in.ackPendingCount() == 0;
  }

  /** What the output gave during the drain, against what it must give: each fill and each input once. */
  private static final class OutputCheck {
    private final int inputs;
    private final int fills;
    private final byte[] filler;
    private final BitSet forwarded;
    private final BitSet filled;
    private long repeated;
    private long unexpected;
    private String firstUnexpected = "";

    OutputCheck(int inputs, int fills, byte[] filler) {
      this.inputs = inputs;
      this.fills = fills;
      this.filler = filler;
      this.forwarded = new BitSet(inputs);
      this.filled = new BitSet(fills);
    }

    void add(Message message) {
      String vertex = message.id().vertexName();
      BitSet seen = vertex.equals(VERTEX) ? forwarded : vertex.equals(FILL) ? filled : null;
      int index = index(message.payload(), filler);
      if (seen == null || index < 0 || index >= (seen == forwarded ? inputs : fills)) {
        if (unexpected++ == 0) {
          firstUnexpected = message.toString();
        }
      } else if (seen.get(index)) {
        repeated++;
      } else {
        seen.set(index);
      }
    }

    boolean complete() {
      return forwarded.cardinality() == inputs && filled.cardinality() == fills;
    }

    long repeated() {
      return repeated;
    }

    long unexpected() {
      return unexpected;
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%,d of %,d inputs' outputs and %,d of %,d fill messages, %,d repeated, %,d "
          + "unexpected%s", forwarded.cardinality(), inputs, filled.cardinality(), fills, repeated, unexpected,
          unexpected > 0 ? " (first: " + firstUnexpected + ")" : "");
    }
  }

  /** The forwarder's writer results so far. {@code firstWrittenAt}: nanoTime of the first stored, or NEVER. */
  private record Writes(long calls, long refused, long written, long duplicates, long dropped, long failed,
      long firstWrittenAt) {
    static final long NEVER = Long.MIN_VALUE;
  }

  /** Counts the write calls and results of the writers the forwarder opens. Thread-safe. */
  private static final class WriteCounter {
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong firstWrittenAt = new AtomicLong(Writes.NEVER);

    void record(List<WriteResult> results) {
      calls.incrementAndGet();
      for (WriteResult result : results) {
        if (result instanceof WriteResult.Failed f) {
          (f.retryable() ? refused : failed).incrementAndGet();
        } else if (result instanceof WriteResult.Dropped) {
          dropped.incrementAndGet();
        } else {
          (result instanceof WriteResult.Written ? written : duplicates).incrementAndGet();
          firstWrittenAt.compareAndSet(Writes.NEVER, System.nanoTime());
        }
      }
    }

    Writes snapshot() {
      return new Writes(calls.get(), refused.get(), written.get(), duplicates.get(), dropped.get(), failed.get(),
          firstWrittenAt.get());
    }
  }

  /**
   * Bytes allocated by the JVM's threads since this was created: per sample, what each live thread
   * allocated since the previous sample (a thread started since counts from 0). Not thread-safe.
   */
  private static final class Allocation {
    private final Map<Long, Long> byThread = new HashMap<>();
    private Map<Long, Long> last = Machine.allocatedByThread();
    private long total;

    long total() {
      Map<Long, Long> now = Machine.allocatedByThread();
      for (var e : now.entrySet()) {
        long bytes = e.getValue() - last.getOrDefault(e.getKey(), 0L);
        total += bytes;
        byThread.merge(e.getKey(), bytes, Long::sum);
      }
      last = now;
      return total;
    }

    /** The {@code count} threads that allocated most up to the last sample, by name, with their MiB. */
    String top(int count) {
      return byThread.entrySet().stream()
          .sorted(Map.Entry.<Long, Long>comparingByValue().reversed())
          .limit(count)
          .map(e -> {
            ThreadInfo info = ManagementFactory.getThreadMXBean().getThreadInfo(e.getKey());
            String name = info == null ? "thread " + e.getKey() + " (ended)" : info.getThreadName();
            return String.format(Locale.ROOT, "%s %.1f MiB", name, e.getValue() / MIB);
          })
          .collect(Collectors.joining(", "));
    }
  }

  private static void prefill(IsbClient client, String buffer, int count, IntFunction<Message> message) {
    try (BufferWriter writer = client.writer(buffer, NEVER_FULL)) {
      for (int from = 0; from < count; from += BATCH) {
        List<Message> batch = new ArrayList<>(BATCH);
        for (int i = from; i < Math.min(count, from + BATCH); i++) {
          batch.add(message.apply(i));
        }
        for (WriteResult result : writer.write(batch)) {
          if (!(result instanceof WriteResult.Written)) {
            throw new IllegalStateException("pre-filling " + buffer + ": a write came back " + result);
          }
        }
      }
    }
  }

  /** The payload of message {@code index}: its index (big-endian), then the filler's bytes. */
  private static byte[] payload(int index, byte[] filler) {
    byte[] payload = filler.clone();
    ByteBuffer.wrap(payload).putInt(0, index);
    return payload;
  }

  /** The index a payload carries, or -1 if it is not a payload of this run. */
  private static int index(byte[] payload, byte[] filler) {
    if (payload.length != filler.length
        || !Arrays.equals(payload, INDEX_BYTES, payload.length, filler, INDEX_BYTES, filler.length)) {
      return -1;
    }
    return ByteBuffer.wrap(payload).getInt(0);
  }

  private static byte[] filler(int size) {
    byte[] filler = new byte[size];
    new Random(42).nextBytes(filler);
    return filler;
  }

  /** Heap used after two full collections: the live data, whatever was allocated since. */
  private static long heapAfterGc() {
    System.gc();
    System.gc();
    return MEMORY.getHeapMemoryUsage().getUsed();
  }

  private static void parkUntil(long deadline) {
    for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted");
      }
      LockSupport.parkNanos(left);
    }
  }

  /** Polls {@code done} every {@link #POLL} until it holds. */
  private static void await(BooleanSupplier done, Duration timeout, Forwarder forwarder, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.getAsBoolean()) {
      forwarder.failure().ifPresent(e -> {
        throw new IllegalStateException("the forwarder failed while waiting for " + what + ": " + e, e);
      });
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("no " + what + " within " + timeout);
      }
      parkUntil(System.nanoTime() + POLL.toNanos());
    }
  }
}
