package dev.isb;

import dev.isb.spi.Checks;
import java.util.List;
import java.util.Objects;

/**
 * What {@link BufferAdmin#validate} found: every missing buffer, consumer group or bucket (problems: a
 * vertex cannot run), and, when an expected configuration was given, every setting of an existing one
 * that differs from it (differences: Numaflow never changes an existing buffer, so they are to be
 * expected after a configuration change, and do not make the report invalid).
 *
 * @param problems what is missing, in a stable order
 * @param differences settings that differ from the expected configuration, in a stable order
 */
public record ValidationReport(List<Problem> problems, List<Problem> differences) {

  /** Copies the lists. */
  public ValidationReport {
    problems = List.copyOf(problems);
    differences = List.copyOf(differences);
  }

  /** A report of problems only. */
  public ValidationReport(List<Problem> problems) {
    this(problems, List.of());
  }

  /** Whether nothing is missing. */
  public boolean isValid() {
    return problems.isEmpty();
  }

  /**
   * One problem.
   *
   * @param resource the buffer, stream, consumer or bucket it is about
   * @param description what is wrong, e.g. {@code "missing"} or {@code "maxMsgs is 500, expected 100000"}
   */
  public record Problem(String resource, String description) {
    /** Checks for nulls. */
    public Problem {
      Objects.requireNonNull(resource, "resource");
      Objects.requireNonNull(description, "description");
    }

    @Override
    public String toString() {
      return resource + ": " + description;
    }
  }
}
