package dev.isb.benchmarks;

/** A round did not do its work exactly once: its figure must not be reported. */
final class BenchFailure extends RuntimeException {

  private static final long serialVersionUID = 1L;

  BenchFailure(String message) {
    super(message);
  }

  BenchFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
