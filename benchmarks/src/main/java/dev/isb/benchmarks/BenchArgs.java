package dev.isb.benchmarks;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * What the command lines of the benchmark entry points ({@link Bench}, {@link ForwarderBench},
 * {@link FullBufferBench}) share: picocli parses them into the option fields of a {@code @Command}
 * object, {@code --help} prints the usage it generates, and a mistake is an {@link
 * IllegalArgumentException} naming the option and the value, which {@code exec:java} reports as the
 * run's failure before any server starts. Stateless.
 */
final class BenchArgs {

  private BenchArgs() {}

  /**
   * Parses {@code args} into the option fields of {@code command}, then makes the options of them.
   *
   * @param command a {@code @Command} object whose fields picocli fills in
   * @param options the options of the filled-in command, with the checks that need more than a type
   * @return empty when {@code --help} was asked: the usage is printed to {@code out} and there is
   *     nothing to run
   * @throws IllegalArgumentException naming the option and the value (after picocli's own mistakes,
   *     the usage too)
   */
  static <C, T> Optional<T> parse(C command, Function<C, T> options, String[] args, PrintStream out) {
    CommandLine line = new CommandLine(command)
        // As the hand-written parsers did: an option given twice takes its last value.
        .setOverwrittenOptionsAllowed(true)
        .setUsageHelpLongOptionsMaxWidth(30);
    try {
      line.parseArgs(args.clone());
    } catch (ParameterException e) {
      var suggestions = new StringWriter();
      UnmatchedArgumentException.printSuggestions(e, new PrintWriter(suggestions, true));
      throw new IllegalArgumentException(e.getMessage() + "\n" + suggestions + usage(line), e);
    }
    if (line.isUsageHelpRequested()) {
      out.print(usage(line));
      out.flush();
      return Optional.empty();
    }
    return Optional.of(options.apply(command));
  }

  private static String usage(CommandLine line) {
    // exec:java may run on a terminal: no colour codes in a usage that ends up in logs.
    return line.getUsageMessage(Help.Ansi.OFF);
  }

  /**
   * A value checked after parsing, where picocli knows only its type.
   *
   * @throws IllegalArgumentException naming the option and the value when it is below {@code min}
   */
  static int atLeast(String option, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(option + " must be at least " + min + ", was " + value);
    }
    return value;
  }

  /** As {@link #atLeast(String, int, int)} for each value of a comma-separated list. */
  static List<Integer> atLeast(String option, List<Integer> values, int min) {
    values.forEach(v -> atLeast(option, v, min));
    return List.copyOf(values);
  }

  /**
   * What the {@code @Command} object of every entry point extends: {@code -h, --help} and the usage's
   * layout (options in the order declared, 120 columns). Picocli reads a superclass's {@code @Command}
   * and options first.
   */
  @Command(sortOptions = false, usageHelpWidth = 120)
  abstract static class EntryPoint {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help and exit")
    private boolean help;
  }

  /** A whole number as the docs write large ones, {@code 100000} or {@code 100_000}. Stateless. */
  static final class WholeNumber implements ITypeConverter<Integer> {

    /** For picocli. */
    WholeNumber() {}

    @Override
    public Integer convert(String value) {
      try {
        return Integer.valueOf(value.trim().replace("_", ""));
      } catch (NumberFormatException e) {
        throw new TypeConversionException("'" + value + "' is not a whole number");
      }
    }
  }
}
