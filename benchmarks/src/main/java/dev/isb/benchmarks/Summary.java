package dev.isb.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The measured rounds of every backend, scenario and payload, and the table printed at the end. */
final class Summary {

  /** Issues 4 and 5: library at least 0.9 × raw, for JetStream and Redis. */
  static final double TARGET = 0.9;
  static final String LIBRARY = "library";

  private record Key(String backend, Scenario scenario, int payload) {}

  /** A side's rounds in the order run; round i of every side ran back to back. */
  private static final class Side {
    final List<Double> rates = new ArrayList<>();
    final List<Double> cpu = new ArrayList<>();
  }

  private final Map<Key, Map<String, Side>> rounds = new LinkedHashMap<>();

  void add(String backend, Scenario scenario, int payload, String side, double msgsPerSecond,
      double callerCpuMicrosPerMsg) {
    Side s = rounds.computeIfAbsent(new Key(backend, scenario, payload), k -> new LinkedHashMap<>())
        .computeIfAbsent(side, k -> new Side());
    s.rates.add(msgsPerSecond);
    s.cpu.add(callerCpuMicrosPerMsg);
  }

  /** One row per raw baseline: the library against it. */
  String table() {
    var out = new StringBuilder();
    String format = "%-9s %-8s %8s | %-8s | %-31s | %-31s | %6s | %6s | %-11s | %s%n";
    out.append(String.format(Locale.ROOT, format, "backend", "scenario", "payload", "baseline",
        "baseline msg/s median (min..max)", "library msg/s median (min..max)", "ratio", "pairs", "caller CPU",
        "target " + TARGET));
    out.append(String.format(Locale.ROOT, format, "", "", "", "", "", "", "", "", "us/msg b/l", ""));
    out.append("-".repeat(150)).append('\n');
    rounds.forEach((key, sides) -> {
      Side library = sides.get(LIBRARY);
      if (library == null) {
        return;
      }
      sides.forEach((name, baseline) -> {
        if (name.equals(LIBRARY)) {
          return;
        }
        var pairs = new ArrayList<Double>();
        for (int i = 0; i < Math.min(baseline.rates.size(), library.rates.size()); i++) {
          pairs.add(library.rates.get(i) / baseline.rates.get(i));
        }
        double ratio = median(library.rates) / median(baseline.rates);
        out.append(String.format(Locale.ROOT, format, key.backend, key.scenario.label(), key.payload + " B", name,
            spread(baseline.rates), spread(library.rates), String.format(Locale.ROOT, "%.3f", ratio),
            String.format(Locale.ROOT, "%.3f", median(pairs)),
            String.format(Locale.ROOT, "%.2f/%.2f", median(baseline.cpu), median(library.cpu)),
            ratio >= TARGET ? "met" : "MISSED"));
      });
    });
    out.append("ratio = median(library) / median(baseline); pairs = median of the per-round ratios library_i / baseline_i;\n"
        + "caller CPU = median CPU time per message of the threads calling the client (baseline/library), the clients'"
        + " own I/O threads (jnats, lettuce/netty) excluded;\n"
        + "redis baselines: raw = pipelined XADD without de-dup (issue 5's baseline, promises less than the library),"
        + " raw-lua = one EVALSHA per batch of a de-dup + XADD script (the same promise as the library)\n");
    return out.toString();
  }

  private static String spread(List<Double> values) {
    return String.format(Locale.ROOT, "%,9.0f (%,.0f..%,.0f)", median(values),
        values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN),
        values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN));
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
