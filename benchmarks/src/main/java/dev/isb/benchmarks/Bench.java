package dev.isb.benchmarks;

import dev.isb.BufferConfig;
import dev.isb.Message;
import dev.isb.MessageId;
import dev.isb.Retention;
import dev.isb.Storage;
import io.nats.client.Nats;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The library against the raw client it wraps, in the same JVM, on the same server, in the same run:
 * the JetStream backend against raw jnats, the Redis backend against raw lettuce.
 *
 * <pre>{@code
 * ./mvnw -q -pl benchmarks -am compile exec:java -Dexec.args="--backend redis --scenario write --payload 256"
 * }</pre>
 *
 * <p>For each backend ({@code --backend}), scenario ({@code write}, {@code read}, {@code e2e}) and
 * payload size: warm-up rounds of each side (not counted), then the sides alternately (raw, library,
 * raw, library, …; on Redis raw, raw-lua, library, …), each round on a fresh buffer created with
 * {@code BufferAdmin.createBuffers} and deleted afterwards, with a GC before each round. Every round
 * checks that each message was written, or read and acked, exactly once, both as the client saw it
 * and on the server afterwards; a round that did not fails the run. Prints each round, then the
 * medians and the ratio library/raw against each raw baseline. Run with {@code --help} for the
 * options.
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
    if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
      System.out.println(BenchOptions.USAGE);
      return;
    }
    BenchOptions options = BenchOptions.parse(args);
    System.out.println("command: ./mvnw -q -pl benchmarks -am compile exec:java"
        + (args.length == 0 ? "" : " -Dexec.args=\"" + String.join(" ", args) + "\""));
    machine().forEach(line -> System.out.println("machine: " + line));
    System.out.println("warm-up and rounds: " + options.warmups() + " warm-up and " + options.rounds()
        + " measured rounds per side, the sides alternating");
    var summary = new Summary();
    ExecutorService threads = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "bench-e2e");
      t.setDaemon(true);
      return t;
    });
    try {
      for (String backend : options.backends()) {
        try (BenchBackend target = backend.equals(BenchOptions.REDIS) ? RedisBench.open(options)
            : JetStreamBench.open(options)) {
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
  }

  /** The buffers of every round: Limits retention, room for twice a round, a 60 s de-dup window. */
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
    int count = options.messagesFor(target.name());
    for (Scenario scenario : options.scenarios()) {
      List<Contender> sides = target.contenders().stream().filter(s -> target.takesPart(s, scenario)).toList();
      for (int payload : options.payloads()) {
        List<Message> messages = messages(count, payload);
        for (int round = 1 - options.warmups(); round <= options.rounds(); round++) {
          for (Contender side : sides) {
            String buffer = "bench-" + scenario.label() + "-" + payload + "-" + side.name() + "-" + serial++;
            target.create(buffer);
            Rounds.Timing timing;
            try {
              if (scenario == Scenario.READ) {
                target.prefill(buffer, messages, options.batchSize());
              }
              System.gc();
              timing = switch (scenario) {
                case WRITE -> Rounds.write(side, buffer, messages, options.batchSize());
                case READ -> Rounds.read(side, buffer, messages.size(), options.batchSize());
                case E2E -> Rounds.endToEnd(side, buffer, messages, options.batchSize(), threads);
              };
              target.check(buffer, scenario, side, messages.size());
            } finally {
              target.delete(buffer);
            }
            double rate = messages.size() / (timing.nanos() / 1e9);
            double cpuMicros = timing.callerCpuNanos() / 1e3 / messages.size();
            System.out.printf(Locale.ROOT,
                "%-9s %-6s %6s  %-8s %-8s %,10.0f msg/s  (%,d in %.3f s, caller CPU %.2f us/msg)%n",
                target.name(), scenario.label(), payload + " B", round <= 0 ? "warm-up" : "round " + round,
                side.name(), rate, messages.size(), timing.nanos() / 1e9, cpuMicros);
            if (round > 0) {
              summary.add(target.name(), scenario, payload, side.name(), rate, cpuMicros);
            }
          }
        }
      }
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

  private static List<String> machine() {
    var runtime = ManagementFactory.getRuntimeMXBean();
    String gcs = ManagementFactory.getGarbageCollectorMXBeans().stream()
        .map(GarbageCollectorMXBean::getName).collect(Collectors.joining(", "));
    return List.of(
        Runtime.getRuntime().availableProcessors() + " cores available to the JVM, CPU " + cpuModel() + ", "
            + System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
        "JVM " + System.getProperty("java.vm.name") + " " + Runtime.version() + ", max heap "
            + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB, GC " + gcs + ", flags " + runtime.getInputArguments(),
        "jnats " + Nats.CLIENT_VERSION + ", lettuce " + RedisBench.lettuceVersion());
  }

  private static String cpuModel() {
    try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
      return lines.filter(l -> l.startsWith("model name")).findFirst()
          .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown");
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }
}
