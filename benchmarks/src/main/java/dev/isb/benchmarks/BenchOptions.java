package dev.isb.benchmarks;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The command line of {@link Bench}, parsed ({@link #parse}, with picocli) and checked.
 *
 * @param backends the backends to measure, in order: {@code jetstream}, {@code redis}
 * @param natsUrl a nats-server to use instead of starting one
 * @param redisUrl a redis-server to use instead of starting one
 * @param scenarios the scenarios to run, in order
 * @param payloads payload sizes in bytes
 * @param messages messages per round, when given; otherwise each backend's default
 * @param warmups unmeasured rounds per side before the measured ones, when given; otherwise
 *     {@link #warmupsFor}
 * @param rounds measured rounds per side, when given; otherwise {@link #roundsFor}
 * @param batchSize messages per write call and per read
 * @param rate the paced writer's messages per second, when given; otherwise each backend's default
 * @param partitions the partition counts of the {@code partitions} scenario
 * @param batches the batch sizes of the {@code batch} scenario
 * @param largePayload the payload size of the extra {@code write} and {@code read} run with fewer
 *     messages; 0 for none
 */
record BenchOptions(
    List<String> backends, Optional<String> natsUrl, Optional<String> redisUrl, Set<Scenario> scenarios,
    List<Integer> payloads, Optional<Integer> messages, Optional<Integer> warmups, Optional<Integer> rounds,
    int batchSize, Optional<Integer> rate, List<Integer> partitions, List<Integer> batches, int largePayload) {

  static final String JETSTREAM = "jetstream";
  static final String REDIS = "redis";
  /** Messages per round unless {@code --messages} says otherwise: a JetStream round takes ~0.5 s. */
  static final int JETSTREAM_MESSAGES = 50_000;
  /** Redis is 2 to 4 times faster: more messages, so that a round is not over in a tenth of a second. */
  static final int REDIS_MESSAGES = 100_000;
  /** The paced writer's rate unless {@code --rate} says otherwise: about a third of JetStream's e2e rate. */
  static final int JETSTREAM_RATE = 20_000;
  /** About a third of the Redis backend's e2e rate (closer to it, queues and so latency grow on 2 cores). */
  static final int REDIS_RATE = 50_000;
  /** A back-pressure round writes this many normal rounds' worth of messages. */
  static final int BACK_PRESSURE_ROUNDS = 4;
  /** A paced round lasts about this long unless {@code --messages} says otherwise. */
  static final int PACED_SECONDS = 5;
  /** Messages per round at the large payload (at most {@link #messagesFor}): 128 MiB on JetStream. */
  static final int JETSTREAM_LARGE_MESSAGES = 2_000;
  /** 320 MiB on Redis, held in memory. */
  static final int REDIS_LARGE_MESSAGES = 5_000;
  /** Warm-up and measured rounds of {@code write}, {@code read} and {@code e2e} at {@code --payload}. */
  static final int WARMUPS = 2;
  static final int ROUNDS = 5;
  /** Fewer for the rest (paced, partitions, batch, the large payload), so the full run stays short. */
  static final int EXTRA_WARMUPS = 1;
  static final int EXTRA_ROUNDS = 3;

  /** Messages per round for one backend. */
  int messagesFor(String backend) {
    return messages.orElse(backend.equals(REDIS) ? REDIS_MESSAGES : JETSTREAM_MESSAGES);
  }

  /** The paced writer's messages per second on one backend. */
  int rateFor(String backend) {
    return rate.orElse(backend.equals(REDIS) ? REDIS_RATE : JETSTREAM_RATE);
  }

  /** Messages per paced round on one backend: {@link #PACED_SECONDS} at its rate, unless given. */
  int pacedMessagesFor(String backend) {
    return messages.orElse((int) Math.min(Integer.MAX_VALUE, (long) rateFor(backend) * PACED_SECONDS));
  }

  /**
   * Messages per back-pressure round on one backend, unless given: four times a normal round, so that
   * the backlog of a writer without back-pressure has time to grow far past Numaflow's default limit.
   */
  int backPressureMessagesFor(String backend) {
    return messages.orElse(BACK_PRESSURE_ROUNDS * messagesFor(backend));
  }

  /** Messages per round at the large payload on one backend. */
  int largeMessagesFor(String backend) {
    return Math.min(messagesFor(backend), backend.equals(REDIS) ? REDIS_LARGE_MESSAGES : JETSTREAM_LARGE_MESSAGES);
  }

  /** Warm-up rounds per side: of write, read and e2e at {@code --payload}, or of the others. */
  int warmupsFor(boolean extra) {
    return warmups.orElse(extra ? EXTRA_WARMUPS : WARMUPS);
  }

  /** Measured rounds per side: of write, read and e2e at {@code --payload}, or of the others. */
  int roundsFor(boolean extra) {
    return rounds.orElse(extra ? EXTRA_ROUNDS : ROUNDS);
  }

  /** Every row one backend runs, in order. */
  List<Scenario.Case> casesFor(String backend) {
    var out = new ArrayList<Scenario.Case>();
    for (Scenario scenario : scenarios) {
      out.addAll(scenario.cases(this, backend));
    }
    return out;
  }

  /** The most messages a round of one backend writes into one buffer: its buffers must hold them. */
  int largestRound(String backend) {
    return casesFor(backend).stream().mapToInt(Scenario.Case::messages).max().orElse(messagesFor(backend));
  }

  /** The most partitions any round writes at once. */
  int maxPartitions() {
    return scenarios.contains(Scenario.PARTITIONS) ? partitions.stream().mapToInt(Integer::intValue).max().orElse(1) : 1;
  }

  /** The options of a command line, or empty after {@code --help}; see {@link BenchArgs#parse}. */
  static Optional<BenchOptions> parse(String[] args, PrintStream out) {
    return BenchArgs.parse(new Args(), Args::options, args, out);
  }

  /** The options as picocli fills them in, before the checks that need more than a type. */
  @Command(name = "Bench",
      description = {
          "The library against the raw client it wraps, in the same JVM, on the same server, in the same run:"
              + " the JetStream backend against raw jnats, the Redis backend against raw lettuce.",
          "",
          "  ./mvnw -q -pl benchmarks -am compile exec:java -Dexec.args=\"--backend redis --scenario write\"",
          ""})
  static final class Args extends BenchArgs.EntryPoint {

    @Option(names = "--backend", paramLabel = "all|jetstream|redis", defaultValue = "all",
        description = "which backends to measure, each against its raw client (default all: jetstream, then redis)")
    private String backend;

    @Option(names = {"--nats-url", "--url"}, paramLabel = "nats://host:port",
        description = "use this nats-server instead of starting one (file storage) through the test kit")
    private String natsUrl;

    @Option(names = "--redis-url", paramLabel = "redis://host:port",
        description = "use this redis-server instead of starting one through the test kit")
    private String redisUrl;

    @Option(names = "--scenario", paramLabel = "all|NAME,...", defaultValue = "all", description = {
        "which scenarios to run (default all):",
        "  write, read, e2e  at each --payload; write and read also at --large-payload;",
        "                    write at each --payload also streams batches: library-async",
        "                    (writeAsync) against raw-stream (and on redis raw-stream-xadd);",
        "                    read at each --payload also reads ahead and on while",
        "                    acks are confirmed: library-async (readAhead, ackAsync)",
        "  paced             e2e with the writer at --rate msg/s; write-to-read latency",
        "  backpressure      e2e unpaced, the library's writer under Numaflow's default",
        "                    buffer-full rule; write-to-read latency",
        "  partitions        e2e over N buffers at once, one writer and one reader",
        "                    thread each, for each N of --partitions",
        "  batch             write and read with each batch size of --batches",
        "paced, partitions and batch use the first --payload"})
    private String scenario;

    @Option(names = "--payload", paramLabel = "BYTES", split = ",", defaultValue = "256,1024",
        converter = BenchArgs.WholeNumber.class,
        description = "payload sizes in bytes, comma-separated (default 256,1024)")
    private List<Integer> payloads;

    @Option(names = "--messages", paramLabel = "N", converter = BenchArgs.WholeNumber.class, description = {
        "messages per round (default 50000 for jetstream, 100000 for redis; paced: rate x 5 s; large payload:"
            + " at most 2000 for jetstream, 5000 for redis; batch sizes 10 to 99: a fifth, below 10: a 25th;"
            + " partitions: shared out among the partitions)"})
    private Integer messages;

    @Option(names = "--warmup", paramLabel = "N", converter = BenchArgs.WholeNumber.class,
        description = "unmeasured warm-up rounds per side (default 2 for write, read, e2e at --payload, 1 for the"
            + " rest: large payload, paced, partitions, batch; at least 1)")
    private Integer warmups;

    @Option(names = "--rounds", paramLabel = "N", converter = BenchArgs.WholeNumber.class,
        description = "measured rounds per side, the sides alternating (default 5 for write, read, e2e at"
            + " --payload, 3 for the rest; at least 3)")
    private Integer rounds;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "500", converter = BenchArgs.WholeNumber.class,
        description = "messages per write call and per read (default 500); the paced writer writes"
            + " min(batch, rate / 100) messages per tick")
    private int batch;

    @Option(names = "--rate", paramLabel = "N", converter = BenchArgs.WholeNumber.class,
        description = "the paced writer's messages per second (default 20000 for jetstream, 50000 for redis)")
    private Integer rate;

    @Option(names = "--partitions", paramLabel = "N", split = ",", defaultValue = "1,2,4",
        converter = BenchArgs.WholeNumber.class,
        description = "partition counts of the partitions scenario, comma-separated (default 1,2,4)")
    private List<Integer> partitions;

    @Option(names = "--batches", paramLabel = "N", split = ",", defaultValue = "1,10,100,500",
        converter = BenchArgs.WholeNumber.class,
        description = "batch sizes of the batch scenario, comma-separated (default 1,10,100,500)")
    private List<Integer> batches;

    @Option(names = "--large-payload", paramLabel = "BYTES", defaultValue = "65536",
        converter = BenchArgs.WholeNumber.class,
        description = "payload size in bytes of one more write and read with fewer messages (default 65536; 0: none)")
    private int largePayload;

    /** For picocli. */
    Args() {}

    BenchOptions options() {
      return new BenchOptions(backends(backend), Optional.ofNullable(natsUrl), Optional.ofNullable(redisUrl),
          scenarios(scenario), BenchArgs.atLeast("--payload", payloads, 0), atLeast("--messages", messages, 1),
          atLeast("--warmup", warmups, 1), atLeast("--rounds", rounds, 3), BenchArgs.atLeast("--batch", batch, 1),
          atLeast("--rate", rate, 1), BenchArgs.atLeast("--partitions", partitions, 1),
          BenchArgs.atLeast("--batches", batches, 1), BenchArgs.atLeast("--large-payload", largePayload, 0));
    }

    private static Optional<Integer> atLeast(String option, Integer value, int min) {
      return Optional.ofNullable(value).map(v -> BenchArgs.atLeast(option, v, min));
    }
  }

  /** {@code all}, {@code jetstream} or {@code redis}, as a list of backends in the order they run. */
  static List<String> backends(String value) {
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "all" -> List.of(JETSTREAM, REDIS);
      case JETSTREAM -> List.of(JETSTREAM);
      case REDIS -> List.of(REDIS);
      default -> throw new IllegalArgumentException("--backend must be jetstream, redis or all; was '" + value + "'");
    };
  }

  private static Set<Scenario> scenarios(String value) {
    if (value.equalsIgnoreCase("all")) {
      return EnumSet.allOf(Scenario.class);
    }
    Set<Scenario> out = EnumSet.noneOf(Scenario.class);
    for (String name : value.split(",")) {
      out.add(Scenario.named(name.trim().toLowerCase(Locale.ROOT)));
    }
    return out;
  }
}
