package dev.isb;

import java.util.List;
import java.util.Objects;

/**
 * What {@link BufferAdmin#validate} found wrong: every missing buffer or bucket, and every setting that
 * differs from the expected configuration. Empty when all is well.
 *
 * @param problems the problems, in a stable order
 */
public record ValidationReport(List<Problem> problems) {

  /** Copies the list. */
  public ValidationReport {
    problems = List.copyOf(problems);
  }

  /** Whether nothing is wrong. */
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
