package dev.isb.cli;

import dev.isb.BufferNotFoundException;
import dev.isb.IsbConfigException;
import dev.isb.IsbException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Map;
import java.util.Objects;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code isb} admin tool: creates, validates, inspects and deletes buffers and watermark buckets
 * with the configuration a vertex reads ({@link dev.isb.config.IsbConfig}). Run it from the runnable jar,
 *
 * <pre>{@code
 * java -jar isb-cli/target/isb.jar validate --retries 10 --namespace demo --pipeline orders --vertex enrich
 * }</pre>
 *
 * <p>or in-process, for tests and tools, with {@link #run}. Exit codes: 0 success, 1 a buffer or bucket
 * is missing, 2 bad command line, 3 bad configuration, 4 the ISB service failed, 5 internal error (see
 * {@code docs/cli.md}). Thread-safe: each run has its own state.
 */
public final class IsbCli {

  private IsbCli() {}

  /**
   * Runs the tool on the process's streams and environment, and exits with its exit code.
   *
   * @param args the command line, such as {@code validate --retries 5 demo-orders-enrich-0}
   */
  public static void main(String[] args) {
    // Backends and the configuration loader log through java.util.logging: one line per record.
    if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
      System.setProperty("java.util.logging.SimpleFormatter.format", "%4$s: %5$s%6$s%n");
    }
    System.exit(run(args, System.out, System.err, System.getenv()));
  }

  /**
   * Runs the tool without exiting: results go to {@code out}, progress, warnings and errors to
   * {@code err}; the configuration is read from {@code environment} (the default files too).
   *
   * <pre>{@code
   * int code = IsbCli.run(new String[] {"info", "--output", "json", "demo-orders-enrich-0"},
   *     System.out, System.err, Map.of("NUMAFLOW_ISBSVC_JETSTREAM_URL", "nats://127.0.0.1:4222"));
   * }</pre>
   *
   * @param args the command line
   * @param out where results go
   * @param err where progress, warnings and errors go
   * @param environment the environment variables to read instead of {@link System#getenv()}
   * @return the exit code
   */
  public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> environment) {
    Objects.requireNonNull(args, "args");
    Objects.requireNonNull(out, "out");
    Objects.requireNonNull(err, "err");
    Objects.requireNonNull(environment, "environment");
    var outWriter = new PrintWriter(out, true);
    var errWriter = new PrintWriter(err, true);
    try {
      return commandLine(environment, outWriter, errWriter).execute(args.clone());
    } finally {
      outWriter.flush();
      errWriter.flush();
    }
  }

  private static CommandLine commandLine(Map<String, String> environment, PrintWriter out, PrintWriter err) {
    var cli = new CommandLine(new IsbCommand())
        .addSubcommand(new CreateCommand().readingEnvironment(environment))
        .addSubcommand(new ValidateCommand().readingEnvironment(environment))
        .addSubcommand(new DeleteCommand().readingEnvironment(environment))
        .addSubcommand(new InfoCommand().readingEnvironment(environment))
        .addSubcommand(new ConfigCommand().readingEnvironment(environment))
        .addSubcommand(new CommandLine.HelpCommand());
    // These setters reach the sub-commands added above.
    return cli.setOut(out)
        .setErr(err)
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setUsageHelpLongOptionsMaxWidth(30)
        .setParameterExceptionHandler(IsbCli::badCommandLine)
        .setExecutionExceptionHandler(IsbCli::failed);
  }

  /** Picocli could not parse the command line: one message naming the option and the value. */
  private static int badCommandLine(ParameterException e, String[] args) {
    CommandLine command = e.getCommandLine();
    PrintWriter err = command.getErr();
    String name = command.getCommandSpec().qualifiedName();
    err.println(name + ": " + (e instanceof UnmatchedArgumentException u ? unmatched(u) : e.getMessage()));
    UnmatchedArgumentException.printSuggestions(e, err);
    err.println("Try '" + name + " --help' for more information.");
    return ExitCodes.USAGE;
  }

  /**
   * Picocli's own message quotes every unmatched argument, and the one after an unknown option is
   * likely its value, perhaps a secret ({@code --password s3cret}): only option names are quoted.
   */
  private static String unmatched(UnmatchedArgumentException e) {
    var parts = new ArrayList<String>();
    boolean afterOption = false;
    for (String arg : e.getUnmatched()) {
      if (arg.startsWith("-") && arg.length() > 1) {
        int eq = arg.indexOf('=');
        parts.add("unknown option '" + (eq > 0 ? arg.substring(0, eq) : arg) + "'");
        afterOption = eq < 0;
      } else {
        parts.add(afterOption ? "an argument after it (not shown, in case it is a secret)"
            : "unexpected argument '" + arg + "'");
        afterOption = false;
      }
    }
    return parts.isEmpty() ? e.getMessage() : String.join(", ", parts);
  }

  /** A sub-command failed: one message, the exit code of the failure, a stack trace only for bugs or --verbose. */
  private static int failed(Exception e, CommandLine command, ParseResult parsed) {
    PrintWriter err = command.getErr();
    String name = command.getCommandSpec().qualifiedName();
    boolean verbose = command.getCommand() instanceof Subcommand s && s.verbose();
    int code;
    String message;
    if (e instanceof CliException cli) {
      code = cli.exitCode();
      message = cli.getMessage();
    } else if (e instanceof IsbConfigException) {
      code = ExitCodes.CONFIG;
      message = e.getMessage();
    } else if (e instanceof BufferNotFoundException) {
      code = ExitCodes.MISSING;
      message = e.getMessage();
    } else if (e instanceof IsbException) {
      code = ExitCodes.BACKEND;
      message = "the ISB service failed: " + e.getMessage();
    } else {
      code = ExitCodes.INTERNAL;
      message = "internal error, please report it with this output: " + e;
    }
    err.println(name + ": " + message);
    if (code == ExitCodes.USAGE) {
      err.println("Try '" + name + " --help' for more information.");
    }
    if (verbose || code == ExitCodes.INTERNAL) {
      e.printStackTrace(err);
    } else if (code == ExitCodes.BACKEND) {
      err.println("(--verbose shows the configuration used and the stack trace)");
    }
    err.flush();
    return code;
  }
}
