package dev.isb.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.ToLongFunction;

/** The measured rounds of every backend and case, and the table printed at the end. */
final class Summary {

  /** Issue 7: library at least 0.95 × raw, for JetStream and Redis. */
  static final double TARGET = 0.95;
  /** Issue 7: read + confirmed ack at least 0.8 × raw jnats with fire-and-forget acks. */
  static final double FIRE_AND_FORGET_TARGET = 0.8;
  /** Issue 7: one script call per batch should beat pipelined {@code XADD}. */
  static final double REDIS_WRITE_TARGET = 1.5;
  static final String LIBRARY = "library";

  private record Key(String backend, Scenario.Case scenario) {}

  /** A side's rounds in the order run; round i of every side ran back to back. */
  private static final class Side {
    final List<Double> rates = new ArrayList<>();
    final List<Double> cpu = new ArrayList<>();
    final List<Tally.Latency> latencies = new ArrayList<>();
  }

  private final Map<Key, Map<String, Side>> rounds = new LinkedHashMap<>();

  void add(String backend, Scenario.Case scenario, String side, double msgsPerSecond, double callerCpuMicrosPerMsg,
      Optional<Tally.Latency> latency) {
    Side s = rounds.computeIfAbsent(new Key(backend, scenario), k -> new LinkedHashMap<>())
        .computeIfAbsent(side, k -> new Side());
    s.rates.add(msgsPerSecond);
    s.cpu.add(callerCpuMicrosPerMsg);
    latency.ifPresent(s.latencies::add);
  }

  /**
   * The target of the library against one baseline: 0.8 against fire-and-forget acks, 1.5 against
   * pipelined {@code XADD} for Redis writes, none for paced rounds (latency has no target), 0.95 elsewhere.
   */
  private static OptionalDouble target(String backend, Scenario.Case scenario, String baseline) {
    if (scenario.work() == Scenario.PACED) {
      return OptionalDouble.empty();
    }
    if (scenario.work() == Scenario.BACKPRESSURE) {
      return OptionalDouble.of(TARGET); // throughput within 0.95 of raw, which has no back-pressure
    }
    if (baseline.equals(RawJetStream.Acks.FIRE_AND_FORGET.side)) {
      return OptionalDouble.of(FIRE_AND_FORGET_TARGET);
    }
    if (backend.equals(BenchOptions.REDIS) && scenario.work() == Scenario.WRITE
        && baseline.equals(RawRedis.Mode.XADD.side)) {
      return OptionalDouble.of(REDIS_WRITE_TARGET);
    }
    return OptionalDouble.of(TARGET);
  }

  /** One row per raw baseline: the library against it; two for paced rounds, latency then msg/s. */
  String table() {
    var out = new StringBuilder();
    String format = "%-9s %-12s %8s | %-8s | %-31s | %-31s | %6s | %6s | %-11s | %s%n";
    out.append(String.format(Locale.ROOT, format, "backend", "scenario", "payload", "baseline",
        "baseline msg/s median (min..max)", "library msg/s median (min..max)", "ratio", "pairs", "caller CPU",
        "target"));
    out.append(String.format(Locale.ROOT, format, "", "", "", "", "", "", "", "", "us/msg b/l", ""));
    out.append("-".repeat(155)).append('\n');
    rounds.forEach((key, sides) -> {
      Side library = sides.get(LIBRARY);
      if (library == null) {
        return;
      }
      sides.forEach((name, baseline) -> {
        if (name.equals(LIBRARY)) {
          return;
        }
        String cpu = String.format(Locale.ROOT, "%.2f/%.2f", median(baseline.cpu), median(library.cpu));
        String payload = key.scenario.payload() + " B";
        if (key.scenario.work() == Scenario.PACED || key.scenario.work() == Scenario.BACKPRESSURE) {
          double p99Ratio = medianOf(library.latencies, Tally.Latency::p99) / medianOf(baseline.latencies, Tally.Latency::p99);
          var p99Pairs = new ArrayList<Double>();
          for (int i = 0; i < Math.min(baseline.latencies.size(), library.latencies.size()); i++) {
            p99Pairs.add((double) library.latencies.get(i).p99() / baseline.latencies.get(i).p99());
          }
          out.append(String.format(Locale.ROOT, format, key.backend, key.scenario.label(), payload, name,
              latencies(baseline.latencies), latencies(library.latencies), ratio(p99Ratio), ratio(median(p99Pairs)),
              cpu, "- (p99)"));
        }
        double ratio = median(library.rates) / median(baseline.rates);
        OptionalDouble target = target(key.backend, key.scenario, name);
        out.append(String.format(Locale.ROOT, format, key.backend, key.scenario.label(), payload, name,
            spread(baseline.rates), spread(library.rates), ratio(ratio), ratio(median(pairs(baseline, library))), cpu,
            target.isEmpty() ? "-" : String.format(Locale.ROOT, "%.2f %s", target.getAsDouble(),
                ratio >= target.getAsDouble() ? "met" : "MISSED")));
      });
    });
    out.append("ratio = median(library) / median(baseline); pairs = median of the per-round ratios library_i / baseline_i;\n"
        + "caller CPU = median CPU time per message of the threads calling the client (baseline/library), the clients'"
        + " own I/O threads (jnats, lettuce/netty) excluded;\n"
        + "target: library / raw >= " + TARGET + ", library / raw-ff >= " + FIRE_AND_FORGET_TARGET + ", redis write"
        + " library / raw >= " + REDIS_WRITE_TARGET + " (issue 7), none for paced rows;\n"
        + "paced: the writer keeps a fixed rate; its first row is write-to-read latency p50/p99/max (medians over the"
        + " rounds), its ratio library p99 / baseline p99 (lower is better), its second row the msg/s achieved;\n"
        + "backpressure: unpaced e2e with the library's writer under Numaflow's default buffer-full rule (the raw"
        + " clients have none); rows as for paced, the msg/s row against the 0.95 target;\n"
        + "e2e parts=N: N buffers at once, one writer and one reader thread each, msg/s over all of them;"
        + " write/read b=N: batches of N;\n"
        + "jetstream baselines: raw = jnats with confirmed acks (as the library), raw-ff = jnats with fire-and-forget"
        + " acks (Message.ack(), read only);\n"
        + "redis baselines: raw = pipelined XADD without de-dup (issue 5's baseline, promises less than the library),"
        + " raw-lua = one EVALSHA per batch of a de-dup + XADD script (the same promise as the library)\n");
    return out.toString();
  }

  private static List<Double> pairs(Side baseline, Side library) {
    var pairs = new ArrayList<Double>();
    for (int i = 0; i < Math.min(baseline.rates.size(), library.rates.size()); i++) {
      pairs.add(library.rates.get(i) / baseline.rates.get(i));
    }
    return pairs;
  }

  private static String ratio(double value) {
    return String.format(Locale.ROOT, "%.3f", value);
  }

  private static String spread(List<Double> values) {
    return String.format(Locale.ROOT, "%,9.0f (%,.0f..%,.0f)", median(values),
        values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN),
        values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN));
  }

  /** {@code p50/p99/max 0.81/3.20/9.87 ms}, each the median over the rounds. */
  private static String latencies(List<Tally.Latency> rounds) {
    return String.format(Locale.ROOT, "p50/p99/max %.2f/%.2f/%.2f ms", medianOf(rounds, Tally.Latency::p50) / 1e6,
        medianOf(rounds, Tally.Latency::p99) / 1e6, medianOf(rounds, Tally.Latency::max) / 1e6);
  }

  private static double medianOf(List<Tally.Latency> rounds, ToLongFunction<Tally.Latency> percentile) {
    return median(rounds.stream().map(l -> (double) percentile.applyAsLong(l)).toList());
  }

  static double median(List<Double> values) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }
}
