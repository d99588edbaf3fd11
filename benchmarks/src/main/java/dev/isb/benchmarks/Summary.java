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
  /** The library's writer streaming batches with {@code writeAsync}. */
  static final String LIBRARY_ASYNC = "library-async";

  private record Key(String backend, Scenario.Case scenario) {}

  /** A side's rounds in the order run; round i of every side ran back to back. */
  private static final class Side {
    final boolean streams;
    final List<Double> rates = new ArrayList<>();
    final List<Double> cpu = new ArrayList<>();
    final List<Tally.Latency> latencies = new ArrayList<>();

    Side(boolean streams) {
      this.streams = streams;
    }
  }

  private final Map<Key, Map<String, Side>> rounds = new LinkedHashMap<>();

  void add(String backend, Scenario.Case scenario, Contender side, double msgsPerSecond, double callerCpuMicrosPerMsg,
      Optional<Tally.Latency> latency) {
    Side s = rounds.computeIfAbsent(new Key(backend, scenario), k -> new LinkedHashMap<>())
        .computeIfAbsent(side.name(), k -> new Side(side.streams()));
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

  private static final String FORMAT = "%-9s %-12s %8s | %-13s | %-15s | %-32s | %-32s | %6s | %-23s | %-11s | %s%n";

  /**
   * Per case: the library against each raw baseline that waits per batch (two rows for paced rounds,
   * latency then msg/s); then library-async against each streaming raw side (in {@code read}: each raw
   * side, with the library's targets) and against the library.
   */
  String table() {
    var out = new StringBuilder();
    out.append(String.format(Locale.ROOT, FORMAT, "backend", "scenario", "payload", "side", "baseline",
        "baseline msg/s median (min..max)", "side msg/s median (min..max)", "ratio", "pairs median (min..max)",
        "caller CPU", "target"));
    out.append(String.format(Locale.ROOT, FORMAT, "", "", "", "", "", "", "", "", "", "us/msg b/s", ""));
    out.append("-".repeat(196)).append('\n');
    rounds.forEach((key, sides) -> {
      Side library = sides.get(LIBRARY);
      if (library != null) {
        sides.forEach((name, baseline) -> {
          if (!name.equals(LIBRARY) && !baseline.streams) {
            if (key.scenario.work() == Scenario.PACED || key.scenario.work() == Scenario.BACKPRESSURE) {
              latencyRow(out, key, name, baseline, library);
            }
            row(out, key, LIBRARY, library, name, baseline, target(key.backend, key.scenario, name));
          }
        });
      }
      Side async = sides.get(LIBRARY_ASYNC);
      if (async != null) {
        boolean read = key.scenario.work() == Scenario.READ;
        sides.forEach((name, baseline) -> {
          if (!name.equals(LIBRARY_ASYNC) && !name.equals(LIBRARY) && (baseline.streams || read)) {
            row(out, key, LIBRARY_ASYNC, async, name, baseline,
                read ? target(key.backend, key.scenario, name) : OptionalDouble.empty());
          }
        });
        if (library != null) {
          row(out, key, LIBRARY_ASYNC, async, LIBRARY, library, OptionalDouble.empty());
        }
      }
    });
    out.append("ratio = median(side) / median(baseline); pairs = median (min..max) of the per-round ratios side_i /"
        + " baseline_i, round i of each run back to back (raw/raw-lua then library, library then library-async,"
        + " library-async then raw-stream; raw and raw-stream-xadd one round away);\n"
        + "caller CPU = median CPU time per message of the threads calling the client (baseline/side), the clients'"
        + " own I/O threads (jnats, lettuce/netty) excluded;\n"
        + "target: library / raw >= " + TARGET + ", library / raw-ff >= " + FIRE_AND_FORGET_TARGET + ", redis write"
        + " library / raw >= " + REDIS_WRITE_TARGET + " (issue 7), the same for library-async in read, none for paced"
        + " rows nor for library-async in write;\n"
        + "paced: the writer keeps a fixed rate; its first row is write-to-read latency p50/p99/max (medians over the"
        + " rounds), its ratio library p99 / baseline p99 (lower is better), its second row the msg/s achieved;\n"
        + "backpressure: unpaced e2e with the library's writer under Numaflow's default buffer-full rule (the raw"
        + " clients have none); rows as for paced, the msg/s row against the 0.95 target;\n"
        + "e2e parts=N: N buffers at once, one writer and one reader thread each, msg/s over all of them;"
        + " write/read b=N: batches of N;\n"
        + "jetstream baselines: raw = jnats with confirmed acks (as the library), raw-ff = jnats with fire-and-forget"
        + " acks (Message.ack(), read only);\n"
        + "redis baselines: raw = pipelined XADD without de-dup (issue 5's baseline, promises less than the library),"
        + " raw-lua = one EVALSHA per batch of a de-dup + XADD script (the same promise as the library);\n"
        + "write at --payload, streaming (no barrier between batches, every ack checked at the end): library-async ="
        + " BufferWriter.writeAsync, at most " + Library.BATCHES_IN_FLIGHT + " batches incomplete; raw-stream ="
        + " jetstream: raw's publishAsync, " + RawJetStream.WINDOW + " outstanding; redis: raw-lua's EVALSHA per batch"
        + " not awaited, " + RawRedis.WINDOW + " messages outstanding; raw-stream-xadd = redis: raw's XADDs flushed"
        + " per batch not awaited, " + RawRedis.WINDOW + " outstanding, no de-dup (the floor);\n"
        + "read at --payload: library-async = read with read-ahead on, then BufferReader.ackAsync and read on, at most "
        + Library.BATCHES_IN_FLIGHT + " batches' acks unconfirmed (all confirmed before the round ends)\n");
    return out.toString();
  }

  /** One msg/s row: {@code side} against {@code baseline}. */
  private static void row(StringBuilder out, Key key, String sideName, Side side, String baselineName, Side baseline,
      OptionalDouble target) {
    double ratio = median(side.rates) / median(baseline.rates);
    out.append(String.format(Locale.ROOT, FORMAT, key.backend, key.scenario.label(), key.scenario.payload() + " B",
        sideName, baselineName, spread(baseline.rates), spread(side.rates), ratio(ratio),
        ratios(pairs(baseline.rates, side.rates)), cpu(baseline, side),
        target.isEmpty() ? "-" : String.format(Locale.ROOT, "%.2f %s", target.getAsDouble(),
            ratio >= target.getAsDouble() ? "met" : "MISSED")));
  }

  /** The latency row of a paced or back-pressure case: the library's p99 against the baseline's. */
  private static void latencyRow(StringBuilder out, Key key, String baselineName, Side baseline, Side library) {
    double p99Ratio = medianOf(library.latencies, Tally.Latency::p99) / medianOf(baseline.latencies, Tally.Latency::p99);
    var p99Pairs = new ArrayList<Double>();
    for (int i = 0; i < Math.min(baseline.latencies.size(), library.latencies.size()); i++) {
      p99Pairs.add((double) library.latencies.get(i).p99() / baseline.latencies.get(i).p99());
    }
    out.append(String.format(Locale.ROOT, FORMAT, key.backend, key.scenario.label(), key.scenario.payload() + " B",
        LIBRARY, baselineName, latencies(baseline.latencies), latencies(library.latencies), ratio(p99Ratio),
        ratios(p99Pairs), cpu(baseline, library), "- (p99)"));
  }

  private static String cpu(Side baseline, Side side) {
    return String.format(Locale.ROOT, "%.2f/%.2f", median(baseline.cpu), median(side.cpu));
  }

  /** side_i / baseline_i for each round i both ran. */
  private static List<Double> pairs(List<Double> baseline, List<Double> side) {
    var pairs = new ArrayList<Double>();
    for (int i = 0; i < Math.min(baseline.size(), side.size()); i++) {
      pairs.add(side.get(i) / baseline.get(i));
    }
    return pairs;
  }

  /** {@code 0.981 (0.950..1.020)}: the median of the ratios and their spread. */
  private static String ratios(List<Double> values) {
    return String.format(Locale.ROOT, "%s (%.3f..%.3f)", ratio(median(values)),
        values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN),
        values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN));
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
