package dev.isb.benchmarks;

import dev.isb.BufferConfig;
import dev.isb.IsbClient;
import dev.isb.IsbOptions;
import dev.isb.Message;
import dev.isb.MessageId;
import dev.isb.Retention;
import dev.isb.Storage;
import dev.isb.testkit.NatsServer;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.StreamState;
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
 * The library against the raw jnats client, in the same JVM, on the same server, in the same run.
 *
 * <pre>{@code
 * ./mvnw -q -pl benchmarks -am compile exec:java -Dexec.args="--scenario write --payload 256 --messages 50000"
 * }</pre>
 *
 * <p>For each scenario ({@code write}, {@code read}, {@code e2e}) and payload size: warm-up rounds
 * of each side (not counted), then raw and library rounds alternately (raw, library, raw, library, …), each on a
 * fresh stream created with {@code BufferAdmin.createBuffers} and deleted afterwards, with a GC
 * before each round. Every round checks that each message was written, or read and acked, exactly
 * once, both as the client saw it and on the server afterwards; a round that did not fails the run.
 * Prints each round, then the medians and the ratio library/raw. Run with {@code --help} for the
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
    try (NatsServer server = options.url().isPresent() ? null : NatsServer.builder().start()) {
      String url = server == null ? options.url().orElseThrow() : server.url();
      new Bench().run(options, url, server);
    } catch (BenchFailure e) {
      throw new IllegalStateException("BENCHMARK FAILED, no figure of this run may be reported: " + e.getMessage(), e);
    }
  }

  private void run(BenchOptions options, String url, NatsServer server) throws Exception {
    long maxMsgs = Math.max(100_000, 2L * options.messages());
    BufferConfig config = BufferConfig.defaults().toBuilder()
        .stream(BufferConfig.Stream.defaults().toBuilder()
            .retention(Retention.LIMITS).maxMsgs(maxMsgs).replicas(1)
            .duplicates(Duration.ofSeconds(60)).storage(Storage.FILE).build())
        .build();
    // Setup, pre-filling and the checks after each round go through connections of their own.
    try (RawJetStream control = RawJetStream.connect(url, "isb-bench-control");
         IsbClient admin = IsbClient.open(IsbOptions.builder().backend("jetstream").url(url).build());
         RawJetStream raw = RawJetStream.connect(url, "isb-bench-raw");
         LibraryJetStream library = new LibraryJetStream(url, 4L * options.messages())) {
      System.out.println("server: nats-server " + control.serverVersion() + " at " + url
          + (server == null ? " (given with --url)" : " (started by the benchmark, single node, store_dir "
              + server.storeDir() + ")"));
      System.out.println("streams: fresh per round, file storage, replicas 1, Limits retention, maxMsgs " + maxMsgs
          + ", duplicates 60s; " + options.messages() + " messages per round, batches of " + options.batchSize()
          + ", " + options.warmups() + " warm-up and " + options.rounds() + " measured rounds per side, raw and library"
          + " alternating");
      System.out.println();
      JetStreamManagement jsm = control.management();
      var summary = new Summary();
      ExecutorService threads = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "bench-e2e");
        t.setDaemon(true);
        return t;
      });
      try {
        int serial = 0;
        for (Scenario scenario : options.scenarios()) {
          for (int payload : options.payloads()) {
            List<Message> messages = messages(options.messages(), payload);
            for (int round = 1 - options.warmups(); round <= options.rounds(); round++) {
              for (Contender side : List.<Contender>of(raw, library)) {
                String buffer = "bench-" + scenario.label() + "-" + payload + "-" + side.name() + "-" + serial++;
                admin.admin().createBuffers(List.of(buffer), config);
                Rounds.Timing timing;
                try {
                  if (scenario == Scenario.READ) {
                    Rounds.write(control, buffer, messages, options.batchSize());
                    requireStored(jsm, buffer, messages.size());
                  }
                  System.gc();
                  timing = switch (scenario) {
                    case WRITE -> Rounds.write(side, buffer, messages, options.batchSize());
                    case READ -> Rounds.read(side, buffer, messages.size(), options.batchSize());
                    case E2E -> Rounds.endToEnd(side, buffer, messages, options.batchSize(), threads);
                  };
                  requireStored(jsm, buffer, messages.size());
                  if (scenario != Scenario.WRITE) {
                    requireAllAcked(jsm, buffer);
                  }
                } finally {
                  admin.admin().deleteBuffers(List.of(buffer));
                }
                double rate = messages.size() / (timing.nanos() / 1e9);
                double cpuMicros = timing.callerCpuNanos() / 1e3 / messages.size();
                System.out.printf(Locale.ROOT, "%-6s %6s  %-8s %-8s %,10.0f msg/s  (%,d in %.3f s, caller CPU %.2f us/msg)%n",
                    scenario.label(), payload + " B", round <= 0 ? "warm-up" : "round " + round, side.name(),
                    rate, messages.size(), timing.nanos() / 1e9, cpuMicros);
                if (round > 0) {
                  summary.add(scenario, payload, side.name(), rate, cpuMicros);
                }
              }
            }
          }
        }
      } finally {
        threads.shutdownNow();
      }
      System.out.println();
      System.out.print(summary.table());
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

  private static void requireStored(JetStreamManagement jsm, String buffer, int expected) throws Exception {
    StreamState state = jsm.getStreamInfo(buffer).getStreamState();
    if (state.getMsgCount() != expected || state.getLastSequence() != expected) {
      throw new BenchFailure("stream '" + buffer + "' holds " + state.getMsgCount() + " messages up to sequence "
          + state.getLastSequence() + ", expected exactly " + expected);
    }
  }

  private static void requireAllAcked(JetStreamManagement jsm, String buffer) throws Exception {
    ConsumerInfo consumer = jsm.getConsumerInfo(buffer, buffer);
    if (consumer.getNumPending() != 0 || consumer.getNumAckPending() != 0) {
      throw new BenchFailure("consumer '" + buffer + "' still has " + consumer.getNumPending() + " pending and "
          + consumer.getNumAckPending() + " ack-pending messages after the round");
    }
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
        "jnats " + Nats.CLIENT_VERSION);
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
