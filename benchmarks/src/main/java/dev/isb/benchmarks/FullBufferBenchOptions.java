package dev.isb.benchmarks;

import java.io.PrintStream;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The command line of {@link FullBufferBench}, parsed ({@link #parse}, with picocli) and checked.
 *
 * @param backends {@code jetstream}, {@code redis} or both, in the order they run
 * @param seconds how long the output stays full
 * @param messages input messages pre-written for the forwarder
 * @param payload payload size in bytes
 * @param maxLength the output writer's maxLength, and how many messages fill the output
 * @param slackMib how much the heap after GC may grow for the verdict "bounded"
 */
record FullBufferBenchOptions(List<String> backends, int seconds, int messages, int payload, int maxLength,
    int slackMib) {

  /** The options of a command line, or empty after {@code --help}; see {@link BenchArgs#parse}. */
  static Optional<FullBufferBenchOptions> parse(String[] args, PrintStream out) {
    return BenchArgs.parse(new Args(), Args::options, args, out);
  }

  /** The options as picocli fills them in, before the checks that need more than a type. */
  @Command(name = "FullBufferBench",
      description = {
          "Writer memory while a buffer stays full under retryUntilSuccess: a whole Forwarder on each backend"
              + " keeps writing to a full output; its heap after GC is sampled, then the output is drained and"
              + " every message must arrive once.",
          "",
          "  ./mvnw -q -pl benchmarks -am compile exec:java -Dexec.mainClass=dev.isb.benchmarks.FullBufferBench \\",
          "      -Dexec.args=\"--backend jetstream --seconds 60\"",
          ""})
  static final class Args extends BenchArgs.EntryPoint {

    @Option(names = "--backend", paramLabel = "all|jetstream|redis", defaultValue = "all",
        description = "jetstream or redis (a local server on a random port, LocalIsbService), or all (both, in that"
            + " order; default)")
    private String backend;

    @Option(names = "--seconds", paramLabel = "N", defaultValue = "60", converter = BenchArgs.WholeNumber.class,
        description = "how long the output stays full, from the forwarder's first refused write (default"
            + " ${DEFAULT-VALUE}); heap and allocation are sampled every 5 s")
    private int seconds;

    @Option(names = "--messages", paramLabel = "N", defaultValue = "100000", converter = BenchArgs.WholeNumber.class,
        description = "input messages pre-written for the forwarder, at least " + FullBufferBench.BATCH
            + " (default ${DEFAULT-VALUE})")
    private int messages;

    @Option(names = "--payload", paramLabel = "BYTES", defaultValue = "256", converter = BenchArgs.WholeNumber.class,
        description = "payload size in bytes, at least " + FullBufferBench.INDEX_BYTES + " (default ${DEFAULT-VALUE})")
    private int payload;

    @Option(names = "--max-length", paramLabel = "N", defaultValue = "1000", converter = BenchArgs.WholeNumber.class,
        description = "the output writer's maxLength; the output is filled with that many (default ${DEFAULT-VALUE})")
    private int maxLength;

    @Option(names = "--slack-mib", paramLabel = "MIB", defaultValue = "16", converter = BenchArgs.WholeNumber.class,
        description = "\"bounded\" when the heap after GC at the end is at most the start's plus this (default"
            + " ${DEFAULT-VALUE})")
    private int slackMib;

    /** For picocli. */
    Args() {}

    FullBufferBenchOptions options() {
      return new FullBufferBenchOptions(BenchOptions.backends(backend), BenchArgs.atLeast("--seconds", seconds, 1),
          BenchArgs.atLeast("--messages", messages, FullBufferBench.BATCH),
          BenchArgs.atLeast("--payload", payload, FullBufferBench.INDEX_BYTES),
          BenchArgs.atLeast("--max-length", maxLength, 1), BenchArgs.atLeast("--slack-mib", slackMib, 0));
    }
  }
}
