package dev.isb.benchmarks;

import io.micrometer.core.instrument.MeterRegistry;
import io.nats.client.Nats;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** What every benchmark prints about the machine it ran on, so that its figures can be read in context. */
final class Machine {

  private Machine() {}

  /** Cores and CPU, the JVM and its flags, and the client libraries' versions: one line each. */
  static List<String> describe() {
    var runtime = ManagementFactory.getRuntimeMXBean();
    String gcs = ManagementFactory.getGarbageCollectorMXBeans().stream()
        .map(GarbageCollectorMXBean::getName).collect(Collectors.joining(", "));
    return List.of(
        Runtime.getRuntime().availableProcessors() + " cores available to the JVM, CPU " + cpuModel() + ", "
            + System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
        "JVM " + System.getProperty("java.vm.name") + " " + Runtime.version() + ", max heap "
            + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB, GC " + gcs + ", flags " + runtime.getInputArguments(),
        "micrometer " + version(MeterRegistry.class) + ", jnats " + Nats.CLIENT_VERSION + ", lettuce "
            + RedisBench.lettuceVersion());
  }

  /** The 1, 5 and 15 minute load averages: other work on the machine shows here. */
  static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return fields[0] + " " + fields[1] + " " + fields[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private static String version(Class<?> type) {
    String v = type.getPackage().getImplementationVersion();
    return v == null ? "(version unknown)" : v;
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
