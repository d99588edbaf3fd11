package dev.isb.testkit;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition with a deadline: how tests wait for something to happen, instead of sleeping
 * for a fixed time.
 *
 * <pre>{@code
 * Await.until(Duration.ofSeconds(10), "the writer sees room", () -> !writer.isFull());
 * }</pre>
 *
 * <p>The condition is checked at once and then every few milliseconds, on the calling thread, so it
 * may have side effects (write again, read more) and throw to fail the test early. Stateless and
 * thread-safe.
 */
public final class Await {

  /** Short enough not to slow tests down, long enough not to hammer a server with the condition's calls. */
  private static final Duration PAUSE = Duration.ofMillis(10);

  private Await() {}

  /**
   * Returns as soon as {@code condition} holds; fails with an {@link AssertionError} that names
   * {@code what} and the timeout once {@code timeout} has passed without it holding.
   *
   * @param timeout how long to wait at most
   * @param what what the test waits for, for the failure message ("the writer sees room")
   * @param condition checked until it returns {@code true}
   */
  public static void until(Duration timeout, String what, BooleanSupplier condition) {
    Objects.requireNonNull(what, "what");
    until(timeout, () -> what, condition);
  }

  /**
   * As {@link #until(Duration, String, BooleanSupplier)}, with a failure message built only on
   * failure, so it can show the last state the condition saw.
   *
   * @param timeout how long to wait at most
   * @param what builds the description of what the test waits for
   * @param condition checked until it returns {@code true}
   */
  public static void until(Duration timeout, Supplier<String> what, BooleanSupplier condition) {
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(what, "what");
    Objects.requireNonNull(condition, "condition");
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what.get());
      }
      // parkNanos returns at once on an interrupted thread: stop rather than spin until the deadline.
      if (Thread.currentThread().isInterrupted()) {
        throw new AssertionError("interrupted while waiting for " + what.get());
      }
      LockSupport.parkNanos(PAUSE.toNanos());
    }
  }

  /**
   * Checks that {@code condition} holds for the whole of {@code period}, every few milliseconds;
   * fails with an {@link AssertionError} that names {@code what} as soon as it does not. For what must
   * not happen ("no more is read while the buffer is full"), where waiting is the point of the test.
   *
   * @param period how long the condition must keep holding
   * @param what what must keep holding, for the failure message
   * @param condition checked until the period is over
   */
  public static void holdsFor(Duration period, String what, BooleanSupplier condition) {
    Objects.requireNonNull(period, "period");
    Objects.requireNonNull(what, "what");
    Objects.requireNonNull(condition, "condition");
    long end = System.nanoTime() + period.toNanos();
    do {
      if (!condition.getAsBoolean()) {
        throw new AssertionError("stopped holding within " + period + ": " + what);
      }
      if (Thread.currentThread().isInterrupted()) {
        throw new AssertionError("interrupted while checking that " + what + " holds");
      }
      LockSupport.parkNanos(PAUSE.toNanos());
    } while (System.nanoTime() - end < 0);
  }
}
