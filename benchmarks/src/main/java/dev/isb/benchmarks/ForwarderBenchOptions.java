package dev.isb.benchmarks;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
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
 */
record ForwarderBenchOptions(String backend, int messages, int payload, int rounds, int warmups) {

  static final String MEMORY = "memory";
  /** Messages per round unless {@code --messages} says otherwise. */
  static final int MEMORY_MESSAGES = 200_000;
  static final int SERVER_MESSAGES = 100_000;

  /** The options of a command line, or empty after {@code --help}; see {@link BenchArgs#parse}. */
  static Optional<ForwarderBenchOptions> parse(String[] args, PrintStream out) {
    return BenchArgs.parse(new Args(), Args::options, args, out);
  }

  /** The options as picocli fills them in, before the checks that need more than a type. */
  @Command(name = "ForwarderBench", sortOptions = false, usageHelpWidth = 120,
      description = {
          "What the Forwarder costs over a hand-written loop, and what its meters cost: N pre-written keyed"
              + " messages forwarded from one buffer to two partitions by a 1-to-1 map.",
          "",
          "  ./mvnw -q -pl benchmarks -am compile exec:java -Dexec.mainClass=dev.isb.benchmarks.ForwarderBench \\",
          "      -Dexec.args=\"--backend jetstream\"",
          ""})
  static final class Args {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help and exit")
    private boolean help;

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

    /** For picocli. */
    Args() {}

    ForwarderBenchOptions options() {
      String name = backend.trim().toLowerCase(Locale.ROOT);
      if (!List.of(MEMORY, BenchOptions.JETSTREAM, BenchOptions.REDIS).contains(name)) {
        throw new IllegalArgumentException("--backend must be memory, jetstream or redis; was '" + backend + "'");
      }
      int n = messages != null ? BenchArgs.atLeast("--messages", messages, 1)
          : name.equals(MEMORY) ? MEMORY_MESSAGES : SERVER_MESSAGES;
      return new ForwarderBenchOptions(name, n, BenchArgs.atLeast("--payload", payload, 0),
          BenchArgs.atLeast("--rounds", rounds, 1), BenchArgs.atLeast("--warmups", warmups, 0));
    }
  }
}
