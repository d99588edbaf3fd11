package dev.isb.cli;

import java.time.Duration;
import java.util.Objects;

/**
 * The delays between the attempts of {@code isb validate}: {@code initial} before the first retry,
 * doubling after each, never more than {@code max}. Immutable.
 *
 * @param initial the first delay, positive
 * @param max the longest delay, at least {@code initial}
 */
record Backoff(Duration initial, Duration max) {

  Backoff {
    Objects.requireNonNull(initial, "initial");
    Objects.requireNonNull(max, "max");
    if (initial.isZero() || initial.isNegative()) {
      throw CliException.usage("--backoff must be positive, was " + Durations.format(initial));
    }
    if (max.compareTo(initial) < 0) {
      throw CliException.usage("--max-backoff must be at least --backoff (" + Durations.format(initial) + "), was "
          + Durations.format(max));
    }
  }

  /** The delay before retry number {@code retry} (1 for the first). */
  Duration delay(int retry) {
    if (retry < 1) {
      throw new IllegalArgumentException("retry must be at least 1, was " + retry);
    }
    Duration d = initial;
    for (int i = 1; i < retry && d.compareTo(max) < 0; i++) {
      d = d.multipliedBy(2);
    }
    return d.compareTo(max) > 0 ? max : d;
  }
}
