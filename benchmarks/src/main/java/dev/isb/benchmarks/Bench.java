package dev.isb.benchmarks;

import dev.isb.BufferConfig;
import dev.isb.Message;
import dev.isb.MessageId;
import dev.isb.Retention;
import dev.isb.Storage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;

/**
 * The library against the raw client it wraps, in the same JVM, on the same server, in the same run:
 * the JetStream backend against raw jnats, the Redis backend against raw lettuce.
 *
 * <pre>{@code
 * ./mvnw -q -pl benchmarks -am compile exec:java -Dexec.args="--backend redis --scenario write --payload 256"
 * }</pre>
 *
 * <p>For each backend ({@code --backend}) and each case of each scenario ({@code write}, {@code read},
 * {@code e2e} per payload size, the large payload, {@code paced}, {@code partitions} per partition
 * count, {@code batch} per batch size; see {@link Scenario#cases}): warm-up rounds of each side (not
 * counted), then the sides alternately (raw, library, raw, library, …; on Redis raw, raw-lua, library,
 * …; in JetStream reads raw, raw-ff, library, …; in {@code write} at each {@code --payload} the
 * streaming sides follow: raw, library, library-async, raw-stream, raw, …, and on Redis
 * raw-stream-xadd after raw-stream; in {@code read} at each {@code --payload} library-async follows
 * the library), each round on fresh buffers created with {@code
 * BufferAdmin.createBuffers} and deleted afterwards, with a GC before each round. Every round checks
 * that each message was written, or read and acked, exactly once, both as the client saw it and on the
 * server afterwards (each partition's buffer on its own); a round that did not fails the run. Prints
 * each round, then the medians and the ratio library/raw against each raw baseline (for paced rounds,
 * of the p99 latencies), library-async against each streaming raw side (in {@code read}, each raw
 * side) and against the library, and
 * the time the run took. Run with {@code --help} for the options.
 */
public final class Bench {

  private Bench() {}

  /**
   * Runs the benchmark.
   *
   * @param args see {@code --help}
   * @throws IllegalArgumentException if an option is wrong
   * @throws IllegalStateException if a round did not write or read every message exactly once
   */
  public static void main(String[] args) throws Exception {
    long started = System.nanoTime();
    Optional<BenchOptions> parsed = BenchOptions.parse(args, System.out);
    if (parsed.isEmpty()) {
      return;
    }
    BenchOptions options = parsed.get();
    System.out.println("command: ./mvnw -q -pl benchmarks -am compile exec:java"
        + (args.length == 0 ? "" : " -Dexec.args=\"" + String.join(" ", args) + "\""));
    Machine.describe().forEach(line -> System.out.println("machine: " + line));
    System.out.println("warm-up and rounds: " + options.warmupsFor(false) + " warm-up and " + options.roundsFor(false)
        + " measured rounds per side for write, read and e2e at --payload, " + options.warmupsFor(true) + " and "
        + options.roundsFor(true) + " for the others, the sides alternating");
    var summary = new Summary();
    // A writer and a reader thread per partition, all at once.
    ExecutorService threads = Executors.newFixedThreadPool(2 * options.maxPartitions(), r -> {
      Thread t = new Thread(r, "bench-e2e");
      t.setDaemon(true);
      return t;
    });
    try {
      for (String backend : options.backends()) {
        try (BenchBackend target = backend.equals(BenchOptions.REDIS) ? new RedisBench(options)
            : new JetStreamBench(options)) {
          System.out.println();
          target.describe().forEach(line -> System.out.println(backend + " " + line));
          System.out.println();
          run(target, options, summary, threads);
        }
      }
    } catch (BenchFailure e) {
      throw new IllegalStateException("BENCHMARK FAILED, no figure of this run may be reported: " + e.getMessage(), e);
    } finally {
      threads.shutdownNow();
    }
    System.out.println();
    System.out.print(summary.table());
    long seconds = (System.nanoTime() - started) / 1_000_000_000L;
    System.out.printf(Locale.ROOT, "total: %d min %02d s%n", seconds / 60, seconds % 60);
  }

  /** The buffers of every round: Limits retention, room for twice the largest round, a 60 s de-dup window. */
  static BufferConfig bufferConfig(int messages) {
    long maxMsgs = Math.max(100_000, 2L * messages);
    return BufferConfig.defaults().toBuilder()
        .stream(BufferConfig.Stream.defaults().toBuilder()
            .retention(Retention.LIMITS).maxMsgs(maxMsgs).replicas(1)
            .duplicates(Duration.ofSeconds(60)).storage(Storage.FILE).build())
        .build();
  }

  private static void run(BenchBackend target, BenchOptions options, Summary summary, ExecutorService threads) {
    int serial = 0;
    for (Scenario.Case c : options.casesFor(target.name())) {
      List<Contender> sides = target.contenders().stream()
          .filter(s -> target.takesPart(s, c.work()) && (!s.streams() || c.streaming() && s.streamsIn(c.work())))
          .toList();
      List<Message> messages = messages(c.messages(), c.payload());
      for (int round = 1 - c.warmups(); round <= c.rounds(); round++) {
        for (Contender side : sides) {
          String name = "bench-" + c.tag() + "-" + c.payload() + "-" + side.name() + "-" + serial++;
          List<String> buffers = c.partitions() == 1 ? List.of(name)
              : IntStream.range(0, c.partitions()).mapToObj(p -> name + "-" + p).toList();
          Rounds.Timing timing = round(target, c, side, buffers, messages, options, threads);
          double rate = c.total() / (timing.nanos() / 1e9);
          double cpuMicros = timing.callerCpuNanos() / 1e3 / c.total();
          System.out.printf(Locale.ROOT,
              "%-9s %-12s %7s  %-8s %-15s %,10.0f msg/s  (%,d in %.3f s, caller CPU %.2f us/msg)%s%n",
              target.name(), c.label(), c.payload() + " B", round <= 0 ? "warm-up" : "round " + round,
              side.name(), rate, c.total(), timing.nanos() / 1e9, cpuMicros,
              timing.latency().map(l -> " latency " + l).orElse(""));
          if (round > 0) {
            summary.add(target.name(), c, side, rate, cpuMicros, timing.latency());
          }
        }
      }
    }
  }

  /** One round of one side on fresh buffers, checked on the server afterwards, the buffers then deleted. */
  private static Rounds.Timing round(BenchBackend target, Scenario.Case c, Contender side, List<String> buffers,
      List<Message> messages, BenchOptions options, ExecutorService threads) {
    var created = new ArrayList<String>(buffers.size());
    try {
      for (String buffer : buffers) {
        target.create(buffer);
        created.add(buffer);
      }
      String buffer = buffers.get(0);
      if (c.work() == Scenario.READ) {
        // Pre-filled in the usual batches whatever the round's batch size: that is setup.
        target.prefill(buffer, messages, options.batchSize());
      }
      System.gc();
      Rounds.Timing timing = switch (c.work()) {
        case WRITE -> Rounds.write(side, buffer, messages, c.batchSize());
        case READ -> Rounds.read(side, buffer, messages.size(), c.batchSize());
        case E2E -> Rounds.endToEnd(side, buffers, messages, c.batchSize(), threads);
        case PACED -> Rounds.paced(side, buffer, messages, c.batchSize(), c.rate(), threads);
        case BACKPRESSURE -> Rounds.underBackPressure(side, buffer, messages, c.batchSize(), threads);
        case PARTITIONS, BATCH -> throw new IllegalStateException(c.work() + " is not the work of a round");
      };
      for (String b : buffers) {
        target.check(b, c.work(), side, messages.size());
      }
      return timing;
    } finally {
      created.forEach(target::delete);
    }
  }

  /** The round's messages: ids {@code bench-<i>-0} (the index is how {@link Tally} counts them). */
  private static List<Message> messages(int count, int payloadSize) {
    byte[] payload = new byte[payloadSize];
    new Random(42).nextBytes(payload);
    var out = new ArrayList<Message>(count);
    for (int i = 0; i < count; i++) {
      out.add(Message.data(new MessageId("bench", Integer.toString(i), 0), payload));
    }
    return List.copyOf(out);
  }
}
