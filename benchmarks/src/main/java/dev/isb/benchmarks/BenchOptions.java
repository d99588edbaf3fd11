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
 * @param url a server to use instead of starting one
 * @param scenarios the scenarios to run, in order
 * @param payloads payload sizes in bytes
 * @param messages messages per round
 * @param warmups unmeasured rounds per side before the measured ones
 * @param rounds measured rounds per side
 * @param batchSize messages per write call and per read
 */
record BenchOptions(
    Optional<String> url, Set<Scenario> scenarios, List<Integer> payloads, int messages, int warmups, int rounds,
    int batchSize) {

  static final String USAGE = """
      usage: Bench [--url nats://host:port] [--scenario all|write,read,e2e] [--payload 256,1024]
                   [--messages 50000] [--warmup 2] [--rounds 5] [--batch 500]
        --url       use this server instead of starting a nats-server (file storage) through the test kit
        --scenario  which scenarios to run (default all)
        --payload   payload sizes in bytes, comma-separated (default 256,1024)
        --messages  messages per round (default 50000)
        --warmup    unmeasured warm-up rounds per side (default 2, at least 1)
        --rounds    measured rounds per side, raw and library alternating (default 5, at least 3)
        --batch     messages per write call and per read (default 500)""";

  static BenchOptions parse(String[] args) {
    Optional<String> url = Optional.empty();
    Set<Scenario> scenarios = EnumSet.allOf(Scenario.class);
    List<Integer> payloads = List.of(256, 1024);
    int messages = 50_000;
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
        case "--url" -> url = Optional.of(value);
        case "--scenario" -> scenarios = scenarios(value);
        case "--payload" -> payloads = payloads(value);
        case "--messages" -> messages = atLeast("messages", value, 1);
        case "--warmup" -> warmups = atLeast("warmup", value, 1);
        case "--rounds" -> rounds = atLeast("rounds", value, 3);
        case "--batch" -> batch = atLeast("batch", value, 1);
        default -> throw new IllegalArgumentException("unknown option '" + flag + "'\n" + USAGE);
      }
    }
    return new BenchOptions(url, scenarios, payloads, messages, warmups, rounds, batch);
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
