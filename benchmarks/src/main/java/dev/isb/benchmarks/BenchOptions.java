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
 * @param warmups unmeasured rounds per side before the measured ones
 * @param rounds measured rounds per side
 * @param batchSize messages per write call and per read
 */
record BenchOptions(
    List<String> backends, Optional<String> natsUrl, Optional<String> redisUrl, Set<Scenario> scenarios,
    List<Integer> payloads, Optional<Integer> messages, int warmups, int rounds, int batchSize) {

  static final String JETSTREAM = "jetstream";
  static final String REDIS = "redis";
  /** Messages per round unless {@code --messages} says otherwise: a JetStream round takes ~0.5 s. */
  static final int JETSTREAM_MESSAGES = 50_000;
  /** Redis is 2 to 4 times faster: more messages, so that a round is not over in a tenth of a second. */
  static final int REDIS_MESSAGES = 100_000;

  static final String USAGE = """
      usage: Bench [--backend all|jetstream|redis] [--nats-url nats://host:port] [--redis-url redis://host:port]
                   [--scenario all|write,read,e2e] [--payload 256,1024] [--messages N]
                   [--warmup 2] [--rounds 5] [--batch 500]
        --backend    which backends to measure, each against its raw client (default all: jetstream, then redis)
        --nats-url   use this nats-server instead of starting one (file storage) through the test kit
                     (--url is the same)
        --redis-url  use this redis-server instead of starting one through the test kit
        --scenario   which scenarios to run (default all)
        --payload    payload sizes in bytes, comma-separated (default 256,1024)
        --messages   messages per round (default 50000 for jetstream, 100000 for redis)
        --warmup     unmeasured warm-up rounds per side (default 2, at least 1)
        --rounds     measured rounds per side, raw and library alternating (default 5, at least 3)
        --batch      messages per write call and per read (default 500)""";

  /** Messages per round for one backend. */
  int messagesFor(String backend) {
    return messages.orElse(backend.equals(REDIS) ? REDIS_MESSAGES : JETSTREAM_MESSAGES);
  }

  static BenchOptions parse(String[] args) {
    List<String> backends = List.of(JETSTREAM, REDIS);
    Optional<String> natsUrl = Optional.empty();
    Optional<String> redisUrl = Optional.empty();
    Set<Scenario> scenarios = EnumSet.allOf(Scenario.class);
    List<Integer> payloads = List.of(256, 1024);
    Optional<Integer> messages = Optional.empty();
    int warmups = 2;
    int rounds = 5;
    int batch = 500;
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
        case "--payload" -> payloads = payloads(value);
        case "--messages" -> messages = Optional.of(atLeast("messages", value, 1));
        case "--warmup" -> warmups = atLeast("warmup", value, 1);
        case "--rounds" -> rounds = atLeast("rounds", value, 3);
        case "--batch" -> batch = atLeast("batch", value, 1);
        default -> throw new IllegalArgumentException("unknown option '" + flag + "'\n" + USAGE);
      }
    }
    return new BenchOptions(backends, natsUrl, redisUrl, scenarios, payloads, messages, warmups, rounds, batch);
  }

  private static List<String> backends(String value) {
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

  private static List<Integer> payloads(String value) {
    var out = new ArrayList<Integer>();
    for (String size : value.split(",")) {
      out.add(atLeast("payload", size.trim(), 0));
    }
    return List.copyOf(out);
  }

  private static int atLeast(String name, String value, int min) {
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
