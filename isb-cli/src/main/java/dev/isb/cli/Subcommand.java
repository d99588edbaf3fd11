package dev.isb.cli;

import dev.isb.config.IsbConfig;
import java.io.PrintWriter;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What every sub-command shares: the configuration options, {@code --verbose}, the output streams and
 * the environment. Failures are thrown ({@link CliException} and the library's exceptions) and turned
 * into messages and exit codes by {@link IsbCli}. One instance serves one run. The usage attributes
 * here apply to every sub-command (picocli reads a superclass's {@code @Command} first).
 */
@Command(mixinStandardHelpOptions = true, sortOptions = false, abbreviateSynopsis = true,
    versionProvider = Version.class, exitCodeListHeading = ExitCodes.HEADING)
abstract class Subcommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @ArgGroup(validate = false, order = 100,
      heading = "%nConfiguration (read as a vertex reads it; these options win):%n")
  private ConfigOptions configOptions = new ConfigOptions();

  @Option(names = {"-v", "--verbose"}, order = 50,
      description = "print the resolved configuration before connecting, and the stack trace of an error")
  private boolean verbose;

  private Map<String, String> environment = Map.of();

  /** The environment variables the configuration is read from; returns this command. */
  final Subcommand readingEnvironment(Map<String, String> environment) {
    this.environment = Objects.requireNonNull(environment, "environment");
    return this;
  }

  @Override
  public final Integer call() {
    return execute();
  }

  /** Runs the sub-command; returns its exit code or throws. */
  abstract int execute();

  final boolean verbose() {
    return verbose;
  }

  final PrintWriter out() {
    return spec.commandLine().getOut();
  }

  final PrintWriter err() {
    return spec.commandLine().getErr();
  }

  /** The configuration of the sources and the options; with {@code --verbose}, also printed to stderr. */
  final IsbConfig resolveConfig() {
    // picocli leaves the group unset when none of its options is given.
    IsbConfig config = (configOptions == null ? new ConfigOptions() : configOptions).resolve(environment);
    if (verbose) {
      err().print(config.describe());
      err().flush();
    }
    return config;
  }
}
