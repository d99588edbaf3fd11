package dev.isb.benchmarks;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The command line of {@link Bench}, parsed and checked.
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

  static final String USAGE = """
      usage: Bench [--backend all|jetstream|redis] [--nats-url nats://host:port] [--redis-url redis://host:port]
                   [--scenario all|write,read,e2e,paced,partitions,batch] [--payload 256,1024] [--messages N]
                   [--warmup N] [--rounds N] [--batch 500] [--rate N] [--partitions 1,2,4] [--batches 1,10,100,500]
                   [--large-payload 65536]
        --backend        which backends to measure, each against its raw client (default all: jetstream, then redis)
        --nats-url       use this nats-server instead of starting one (file storage) through the test kit
                         (--url is the same)
        --redis-url      use this redis-server instead of starting one through the test kit
        --scenario       which scenarios to run (default all):
                           write, read, e2e  at each --payload; write and read also at --large-payload
                           paced             e2e with the writer at --rate msg/s; write-to-read latency
                           backpressure      e2e unpaced, the library's writer under Numaflow's default
                                             buffer-full rule; write-to-read latency
                           partitions        e2e over N buffers at once, one writer and one reader thread
                                             each, for each N of --partitions
                           batch             write and read with each batch size of --batches
                         paced, partitions and batch use the first --payload
        --payload        payload sizes in bytes, comma-separated (default 256,1024)
        --messages       messages per round (default 50000 for jetstream, 100000 for redis; paced: rate x 5 s;
                         large payload: at most 2000 for jetstream, 5000 for redis; batch sizes 10 to 99: a
                         fifth, below 10: a 25th; partitions: shared out among the partitions)
        --warmup         unmeasured warm-up rounds per side (default 2 for write, read, e2e at --payload, 1 for
                         the rest: large payload, paced, partitions, batch; at least 1)
        --rounds         measured rounds per side, the sides alternating (default 5 for write, read, e2e at
                         --payload, 3 for the rest; at least 3)
        --batch          messages per write call and per read (default 500); the paced writer writes
                         min(batch, rate / 100) messages per tick
        --rate           the paced writer's messages per second (default 20000 for jetstream, 50000 for redis)
        --partitions     partition counts of the partitions scenario, comma-separated (default 1,2,4)
        --batches        batch sizes of the batch scenario, comma-separated (default 1,10,100,500)
        --large-payload  payload size in bytes of one more write and read with fewer messages (default 65536;
                         0: none)""";

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

  static BenchOptions parse(String[] args) {
    List<String> backends = List.of(JETSTREAM, REDIS);
    Optional<String> natsUrl = Optional.empty();
    Optional<String> redisUrl = Optional.empty();
    Set<Scenario> scenarios = EnumSet.allOf(Scenario.class);
    List<Integer> payloads = List.of(256, 1024);
    Optional<Integer> messages = Optional.empty();
    Optional<Integer> warmups = Optional.empty();
    Optional<Integer> rounds = Optional.empty();
    int batch = 500;
    Optional<Integer> rate = Optional.empty();
    List<Integer> partitions = List.of(1, 2, 4);
    List<Integer> batches = List.of(1, 10, 100, 500);
    int largePayload = 65_536;
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(flag + " needs a value\n" + USAGE);
      }
      String value = args[++i];
      switch (flag) {
        case "--backend" -> backends = backends(value);
        case "--url", "--nats-url" -> natsUrl = Optional.of(value);
        case "--redis-url" -> redisUrl = Optional.of(value);
        case "--scenario" -> scenarios = scenarios(value);
        case "--payload" -> payloads = numbers("payload", value, 0);
        case "--messages" -> messages = Optional.of(atLeast("messages", value, 1));
        case "--warmup" -> warmups = Optional.of(atLeast("warmup", value, 1));
        case "--rounds" -> rounds = Optional.of(atLeast("rounds", value, 3));
        case "--batch" -> batch = atLeast("batch", value, 1);
        case "--rate" -> rate = Optional.of(atLeast("rate", value, 1));
        case "--partitions" -> partitions = numbers("partitions", value, 1);
        case "--batches" -> batches = numbers("batches", value, 1);
        case "--large-payload" -> largePayload = atLeast("large-payload", value, 0);
        default -> throw new IllegalArgumentException("unknown option '" + flag + "'\n" + USAGE);
      }
    }
    return new BenchOptions(backends, natsUrl, redisUrl, scenarios, payloads, messages, warmups, rounds, batch, rate,
        partitions, batches, largePayload);
  }

  /** {@code all}, {@code jetstream} or {@code redis}, as a list of backends in the order they run. */
  static List<String> backends(String value) {
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "all" -> List.of(JETSTREAM, REDIS);
      case JETSTREAM -> List.of(JETSTREAM);
      case REDIS -> List.of(REDIS);
      default -> throw new IllegalArgumentException("backend must be jetstream, redis or all; was '" + value + "'");
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

  /** A comma-separated list of whole numbers, each at least {@code min}. */
  private static List<Integer> numbers(String name, String value, int min) {
    var out = new ArrayList<Integer>();
    for (String n : value.split(",")) {
      out.add(atLeast(name, n.trim(), min));
    }
    return List.copyOf(out);
  }

  /** A whole number of at least {@code min}, or an error that names the option and the value. */
  static int atLeast(String name, String value, int min) {
    int n;
    try {
      n = Integer.parseInt(value.replace("_", ""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a whole number, was '" + value + "'", e);
    }
    if (n < min) {
      throw new IllegalArgumentException(name + " must be at least " + min + ", was " + n);
    }
    return n;
  }
}
