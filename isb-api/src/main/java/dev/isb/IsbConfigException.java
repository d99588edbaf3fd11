package dev.isb;

import dev.isb.spi.Checks;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The ISB configuration could not be resolved: every problem found in every source, reported
 * together, one per line, each as {@code <source>: <path> was '<value>' but it must <rule>}. Secret
 * values are shown as {@code <redacted>}. Not retryable: the files, variables or code must change.
 *
 * <pre>{@code
 * try {
 *   IsbConfig config = IsbConfig.load();
 * } catch (IsbConfigException e) {
 *   e.problems().forEach(p -> log.error(p.toString()));
 * }
 * }</pre>
 */
public final class IsbConfigException extends IsbException {

  private static final long serialVersionUID = 1L;

  /** Problems are values; the list is immutable, so the exception stays serializable in practice. */
  @SuppressWarnings("serial")
  private final List<Problem> problems;

  /**
   * @param problems what is wrong; at least one
   */
  public IsbConfigException(List<Problem> problems) {
    super(null, message(problems), false, null);
    this.problems = List.copyOf(problems);
  }

  private static String message(List<Problem> problems) {
    if (Objects.requireNonNull(problems, "problems").isEmpty()) {
      throw new IllegalArgumentException("problems must not be empty");
    }
    return (problems.size() == 1 ? "1 problem" : problems.size() + " problems") + " in the ISB configuration:\n"
        + problems.stream().map(Problem::toString).collect(Collectors.joining("\n"));
  }

  /** Every problem, in the order the sources were read (defaults, files, environment, secrets, builder). */
  public List<Problem> problems() {
    return problems;
  }

  /**
   * One thing wrong with one value.
   *
   * @param source where the value came from: a file (with {@code #<resource name>} for an
   *     InterStepBufferService), {@code env}, {@code env NUMAFLOW_ISBSVC_CONFIG}, {@code secret <dir>},
   *     {@code builder}
   * @param path the key path inside the source (e.g. {@code spec.jetstream.bufferConfig.stream.maxMsgs}),
   *     the variable or file name, or a line and column for a syntax error
   * @param value the value as given, shortened to one line; {@code <redacted>} for secrets; null when
   *     the value is missing
   * @param rule what the value must be, completing "but it must …"
   */
  public record Problem(String source, String path, String value, String rule) implements java.io.Serializable {

    /** Checks for nulls (except the value). */
    public Problem {
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(rule, "rule");
    }

    /** {@code <source>: <path> was '<value>' but it must <rule>}, or "was not set" for a missing value. */
    @Override
    public String toString() {
      return source + ": " + path + (value == null ? " was not set" : " was '" + value + "'") + " but it must " + rule;
    }
  }
}
