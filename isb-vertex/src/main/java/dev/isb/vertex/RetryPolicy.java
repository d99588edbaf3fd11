package dev.isb.vertex;

import dev.isb.spi.Checks;
import java.time.Duration;

/**
 * What the forwarder does when a vertex function throws (or its stage fails): call it again up to
 * {@code maxAttempts} times in all, waiting {@code backoff} before the first retry and twice as long
 * before each next one (at most {@code maxBackoff}); when every attempt has failed, nak the input so
 * the ISB delivers it again after {@code nakDelay}. A failing input is never acked. Immutable.
 *
 * <pre>{@code
 * RetryPolicy.defaults().withMaxAttempts(5).withNakDelay(Duration.ofSeconds(10))
 * }</pre>
 *
 * @param maxAttempts calls per delivery, at least 1
 * @param backoff the wait before the first retry
 * @param maxBackoff the longest wait between two calls
 * @param nakDelay how long the ISB waits before delivering a nakked input again
 */
public record RetryPolicy(int maxAttempts, Duration backoff, Duration maxBackoff, Duration nakDelay) {

  private static final RetryPolicy DEFAULTS =
      new RetryPolicy(3, Duration.ofMillis(10), Duration.ofSeconds(1), Duration.ofSeconds(1));

  /** Checks every field. */
  public RetryPolicy {
    Checks.atLeastOne("maxAttempts", maxAttempts);
    Checks.notNegative("backoff", backoff);
    Checks.notNegative("maxBackoff", maxBackoff);
    Checks.notNegative("nakDelay", nakDelay);
  }

  /** Three attempts 10 ms and 20 ms apart, then a nak delayed by one second. */
  public static RetryPolicy defaults() {
    return DEFAULTS;
  }

  /** This policy with another number of attempts. */
  public RetryPolicy withMaxAttempts(int maxAttempts) {
    return new RetryPolicy(maxAttempts, backoff, maxBackoff, nakDelay);
  }

  /** This policy with other waits between attempts. */
  public RetryPolicy withBackoff(Duration backoff, Duration maxBackoff) {
    return new RetryPolicy(maxAttempts, backoff, maxBackoff, nakDelay);
  }

  /** This policy with another nak delay. */
  public RetryPolicy withNakDelay(Duration nakDelay) {
    return new RetryPolicy(maxAttempts, backoff, maxBackoff, nakDelay);
  }

  /** The wait before attempt {@code attempt} (2 = the first retry). */
  Duration backoffBefore(int attempt) {
    Duration wait = backoff;
    for (int i = 2; i < attempt && wait.compareTo(maxBackoff) < 0; i++) {
      wait = wait.multipliedBy(2);
    }
    return wait.compareTo(maxBackoff) < 0 ? wait : maxBackoff;
  }
}
