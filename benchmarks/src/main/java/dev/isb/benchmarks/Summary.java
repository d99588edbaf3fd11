package dev.isb.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The measured rounds of every scenario and payload, and the table printed at the end. */
final class Summary {

  /** Issue 4's target for the JetStream backend: library at least 0.9 × raw. */
  static final double TARGET = 0.9;

  private record Key(Scenario scenario, int payload) {}

  /** Rounds in the order run; raw round i and library round i ran back to back. */
  private static final class Rounds {
    final List<Double> raw = new ArrayList<>();
    final List<Double> library = new ArrayList<>();
    final List<Double> rawCpu = new ArrayList<>();
    final List<Double> libraryCpu = new ArrayList<>();
  }

  private final Map<Key, Rounds> rounds = new LinkedHashMap<>();

  void add(Scenario scenario, int payload, String side, double msgsPerSecond, double callerCpuMicrosPerMsg) {
    Rounds r = rounds.computeIfAbsent(new Key(scenario, payload), k -> new Rounds());
    boolean raw = side.equals("raw");
    (raw ? r.raw : r.library).add(msgsPerSecond);
    (raw ? r.rawCpu : r.libraryCpu).add(callerCpuMicrosPerMsg);
  }

  String table() {
    var out = new StringBuilder();
    String format = "%-8s %8s | %-31s | %-31s | %7s | %7s | %-11s | %s%n";
    out.append(String.format(Locale.ROOT, format, "scenario", "payload", "raw msg/s median (min..max)",
        "library msg/s median (min..max)", "ratio", "pairs", "caller CPU", "target " + TARGET));
    out.append(String.format(Locale.ROOT, format, "", "", "", "", "", "", "us/msg r/l", ""));
    out.append("-".repeat(132)).append('\n');
    rounds.forEach((key, r) -> {
      double raw = median(r.raw);
      double lib = median(r.library);
      var pairs = new ArrayList<Double>();
      for (int i = 0; i < Math.min(r.raw.size(), r.library.size()); i++) {
        pairs.add(r.library.get(i) / r.raw.get(i));
      }
      double ratio = lib / raw;
      out.append(String.format(Locale.ROOT, format, key.scenario.label(), key.payload + " B",
          spread(r.raw), spread(r.library), String.format(Locale.ROOT, "%.3f", ratio),
          String.format(Locale.ROOT, "%.3f", median(pairs)),
          String.format(Locale.ROOT, "%.2f/%.2f", median(r.rawCpu), median(r.libraryCpu)),
          ratio >= TARGET ? "met" : "MISSED"));
    });
    out.append("ratio = median(library) / median(raw); pairs = median of the per-round ratios library_i / raw_i;\n"
        + "caller CPU = median CPU time per message of the threads calling the client (raw/library), jnats'"
        + " I/O threads excluded\n");
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
