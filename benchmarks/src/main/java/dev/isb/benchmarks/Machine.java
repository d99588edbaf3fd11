package dev.isb.benchmarks;

import io.micrometer.core.instrument.MeterRegistry;
import io.nats.client.Nats;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** What every benchmark prints about the machine it ran on, so that its figures can be read in context. */
final class Machine {

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private Machine() {}

  /**
   * The bytes each live thread of this JVM has allocated since it started, by thread id; a thread that
   * ended between listing and asking is left out.
   */
  static Map<Long, Long> allocatedByThread() {
    long[] ids = THREADS.getAllThreadIds();
    long[] bytes = THREADS.getThreadAllocatedBytes(ids);
    var out = new HashMap<Long, Long>(ids.length * 2);
    for (int i = 0; i < ids.length; i++) {
      if (bytes[i] >= 0) {
        out.put(ids[i], bytes[i]);
      }
    }
    return out;
  }

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
