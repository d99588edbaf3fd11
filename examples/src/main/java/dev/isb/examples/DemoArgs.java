package dev.isb.examples;

import dev.isb.examples.DemoPipeline.Settings;
import dev.isb.examples.DemoPipeline.UsageException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The demo's command line as picocli fills it in; {@link #settings()} adds the checks that need more
 * than a type. One instance serves one parse.
 */
@Command(name = "DemoPipeline", sortOptions = false, usageHelpWidth = 120,
    description = {
        "Runs the demo pipeline, gen -> parse -> sink and parse -[large]-> audit, each vertex with a client of"
            + " its own, and prints a progress line every second and a verdict at the end (lost must be 0).",
        ""},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:every item arrived intact", "1:an item was lost or corrupted, or the audit is incomplete",
        "2:bad arguments"})
final class DemoArgs {

  private static final List<String> BACKENDS = List.of("memory", "jetstream", "redis");

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help and exit")
  private boolean help;

  @Option(names = "--isb", paramLabel = "memory|jetstream|redis", defaultValue = "memory",
      description = "the ISB: in-memory (default) or a local server started through the test kit")
  private String isb;

  @Option(names = "--url", paramLabel = "URL",
      description = "with --isb jetstream|redis: use this running server instead")
  private String url;

  @Option(names = "--config", paramLabel = "DIR",
      description = "use the ISB service a configuration directory describes (docs/configuration.md)")
  private Path configDir;

  @Option(names = "--orders", paramLabel = "N", defaultValue = "20000",
      description = "orders the source writes (default ${DEFAULT-VALUE})")
  private int orders;

  @Option(names = "--rate", paramLabel = "N",
      description = "orders per second (default: as fast as the pipeline takes them)")
  private Integer rate;

  @Option(names = "--partitions", paramLabel = "N", defaultValue = "2",
      description = "partitions of the parse and sink buffers (default ${DEFAULT-VALUE})")
  private int partitions;

  @Option(names = "--stall-timeout", paramLabel = "SECONDS", defaultValue = "30",
      description = "give up when nothing moves for this long (default ${DEFAULT-VALUE})")
  private int stallTimeoutSeconds;

  @Option(names = "--quiet", description = "no progress lines")
  private boolean quiet;

  /** For picocli. */
  private DemoArgs() {}

  /**
   * The settings of a command line.
   *
   * @throws UsageException naming the option and the value; without a message for {@code --help}
   */
  static Settings parse(String[] args) {
    var parsed = new DemoArgs();
    CommandLine line = commandLine(parsed);
    try {
      line.parseArgs(args.clone());
    } catch (ParameterException e) {
      var suggestions = new StringWriter();
      UnmatchedArgumentException.printSuggestions(e, new PrintWriter(suggestions, true));
      String didYouMean = suggestions.toString().strip();
      throw new UsageException(e.getMessage() + (didYouMean.isEmpty() ? "" : "\n" + didYouMean));
    }
    if (line.isUsageHelpRequested()) {
      throw new UsageException(null);
    }
    return parsed.settings();
  }

  /** The usage picocli generates from the options above. */
  static String usage() {
    // exec:java may run on a terminal: no colour codes in a usage that may end up in a log.
    return commandLine(new DemoArgs()).getUsageMessage(Help.Ansi.OFF).stripTrailing();
  }

  private static CommandLine commandLine(DemoArgs args) {
    // As the hand-written parser did: an option given twice takes its last value.
    return new CommandLine(args).setOverwrittenOptionsAllowed(true).setUsageHelpLongOptionsMaxWidth(32);
  }

  private Settings settings() {
    String backend = isb.toLowerCase(Locale.ROOT);
    if (!BACKENDS.contains(backend)) {
      throw new UsageException("--isb was '" + isb + "' but it must be memory, jetstream or redis");
    }
    if (configDir != null && !Files.isDirectory(configDir)) {
      throw new UsageException("--config was '" + configDir + "' but it must be a directory");
    }
    if (url != null && backend.equals("memory")) {
      throw new UsageException("--url needs --isb jetstream or --isb redis");
    }
    if (configDir != null && (url != null || !backend.equals("memory"))) {
      throw new UsageException("--config names the ISB service itself: use it without --isb and --url");
    }
    return new Settings(backend, Optional.ofNullable(url), Optional.ofNullable(configDir),
        positive("--orders", orders), rate == null ? 0 : positive("--rate", rate),
        positive("--partitions", partitions),
        Duration.ofSeconds(positive("--stall-timeout", stallTimeoutSeconds)), !quiet);
  }

  private static int positive(String option, int value) {
    if (value <= 0) {
      throw new UsageException(option + " was '" + value + "' but it must be a positive whole number");
    }
    return value;
  }
}
