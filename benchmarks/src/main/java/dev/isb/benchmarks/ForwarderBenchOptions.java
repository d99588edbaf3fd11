package dev.isb.benchmarks;

import dev.isb.benchmarks.ForwarderBench.Side;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The command line of {@link ForwarderBench}, parsed ({@link #parse}, with picocli) and checked.
 *
 * @param backend {@code memory}, {@code jetstream} or {@code redis}
 * @param messages messages per round
 * @param payload payload size in bytes
 * @param rounds measured rounds per contender
 * @param warmups unmeasured rounds per contender before them
 * @param sides the contenders asked for; those that do not run on the backend are left out
 */
record ForwarderBenchOptions(String backend, int messages, int payload, int rounds, int warmups, Set<Side> sides) {

  static final String MEMORY = "memory";
  /** Messages per round unless {@code --messages} says otherwise. */
  static final int MEMORY_MESSAGES = 200_000;
  static final int SERVER_MESSAGES = 100_000;

  ForwarderBenchOptions {
    sides = Collections.unmodifiableSet(sides.isEmpty() ? EnumSet.noneOf(Side.class) : EnumSet.copyOf(sides));
  }

  /** The contenders that run on {@code backend}, in the order each round runs them. */
  List<Side> sidesOn(String backend) {
    return sides.stream().filter(s -> s.runsOn(backend)).sorted().toList();
  }

  /** The options of a command line, or empty after {@code --help}; see {@link BenchArgs#parse}. */
  static Optional<ForwarderBenchOptions> parse(String[] args, PrintStream out) {
    return BenchArgs.parse(new Args(), Args::options, args, out);
  }

  /** The options as picocli fills them in, before the checks that need more than a type. */
  @Command(name = "ForwarderBench",
      description = {
          "What the Forwarder costs over a hand-written loop and over a streaming pipeline on the raw clients, and"
              + " what its meters cost: N pre-written keyed messages forwarded from one buffer to two partitions by a"
              + " 1-to-1 map.",
          "",
          "  ./mvnw -q -pl benchmarks -am compile exec:java -Dexec.mainClass=dev.isb.benchmarks.ForwarderBench \\",
          "      -Dexec.args=\"--backend jetstream\"",
          ""})
  static final class Args extends BenchArgs.EntryPoint {

    @Option(names = "--backend", paramLabel = "memory|jetstream|redis", defaultValue = MEMORY,
        description = "memory (default: InMemoryIsb, no network, where the forwarder's own cost shows most),"
            + " jetstream or redis (a local server on a random port, LocalIsbService)")
    private String backend;

    @Option(names = "--messages", paramLabel = "N", converter = BenchArgs.WholeNumber.class,
        description = "messages per round (default 200000 in memory, 100000 on a server)")
    private Integer messages;

    @Option(names = "--payload", paramLabel = "BYTES", defaultValue = "256", converter = BenchArgs.WholeNumber.class,
        description = "payload size in bytes (default ${DEFAULT-VALUE})")
    private int payload;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "5", converter = BenchArgs.WholeNumber.class,
        description = "measured rounds per contender, the contenders alternating (default ${DEFAULT-VALUE})")
    private int rounds;

    @Option(names = {"--warmups", "--warmup"}, paramLabel = "N", defaultValue = "1",
        converter = BenchArgs.WholeNumber.class,
        description = "unmeasured rounds per contender before them (default ${DEFAULT-VALUE})")
    private int warmups;

    @Option(names = "--sides", paramLabel = "all|SIDE,...", defaultValue = "all", description = {
        "which contenders to run, comma-separated, in this order (default all):",
        "  raw-streaming  jnats or lettuce by hand, no batch barrier (not in memory)",
        "  loop           the library API by hand, batch by batch",
        "  no-meters      the Forwarder, every meter denied",
        "  meters         the Forwarder, NUMAFLOW meters",
        "  watermarks     the Forwarder with watermarks (not on redis)",
        "  timers         the Forwarder, TIMERS meters",
        "  no-read-ahead  the Forwarder, NUMAFLOW meters, readAhead(false)",
        "  one-batch      the Forwarder, NUMAFLOW meters, maxBatchesInFlight(1): each batch settled before the next"})
    private String sides;

    /** For picocli. */
    Args() {}

    ForwarderBenchOptions options() {
      String name = backend.trim().toLowerCase(Locale.ROOT);
      if (!List.of(MEMORY, BenchOptions.JETSTREAM, BenchOptions.REDIS).contains(name)) {
        throw new IllegalArgumentException("--backend must be memory, jetstream or redis; was '" + backend + "'");
      }
      int n = messages != null ? BenchArgs.atLeast("--messages", messages, 1)
          : name.equals(MEMORY) ? MEMORY_MESSAGES : SERVER_MESSAGES;
      var options = new ForwarderBenchOptions(name, n, BenchArgs.atLeast("--payload", payload, 0),
          BenchArgs.atLeast("--rounds", rounds, 1), BenchArgs.atLeast("--warmups", warmups, 0), sides(sides));
      if (options.sidesOn(name).isEmpty()) {
        throw new IllegalArgumentException("--sides " + sides + " leaves no contender that runs on " + name);
      }
      return options;
    }
  }

  /** {@code all} or option names of contenders, comma-separated. */
  static Set<Side> sides(String value) {
    if (value.trim().equalsIgnoreCase("all")) {
      return EnumSet.allOf(Side.class);
    }
    Set<Side> out = EnumSet.noneOf(Side.class);
    for (String name : value.split(",", -1)) {
      String option = name.trim().toLowerCase(Locale.ROOT);
      out.add(Arrays.stream(Side.values()).filter(s -> s.option.equals(option)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("--sides must be all or some of "
              + Arrays.stream(Side.values()).map(s -> s.option).collect(Collectors.joining(", ")) + "; was '"
              + name.trim() + "'")));
    }
    return out;
  }
}
