package dev.isb.spi;

import java.time.Duration;
import java.util.Objects;

/** Argument checks whose messages name the field and the value. */
public final class Checks {

  private Checks() {}

  public static long positive(String field, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(field + " must be positive, was " + value);
    }
    return value;
  }

  /** A count that must be 1 or more (partitions, batches, attempts). */
  public static int atLeastOne(String field, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(field + " must be at least 1, was " + value);
    }
    return value;
  }

  /** An index or a count that may be 0 (a partition, a replica). */
  public static int notNegative(String field, int value) {
    if (value < 0) {
      throw new IllegalArgumentException(field + " must not be negative, was " + value);
    }
    return value;
  }

  public static long positiveOrUnlimited(String field, long value) {
    if (value <= 0 && value != -1) {
      throw new IllegalArgumentException(field + " must be positive or -1 (unlimited), was " + value);
    }
    return value;
  }

  public static long notNegativeOrUnlimited(String field, long value) {
    if (value < -1) {
      throw new IllegalArgumentException(field + " must be 0 or more, or -1 (unlimited), was " + value);
    }
    return value;
  }

  public static long inRange(String field, long value, long min, long max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(field + " must be between " + min + " and " + max + ", was " + value);
    }
    return value;
  }

  /** A share of a whole: more than 0, at most 1 (NaN is refused). */
  public static double fraction(String field, double value) {
    if (!(value > 0 && value <= 1)) {
      throw new IllegalArgumentException(field + " must be in (0, 1], was " + value);
    }
    return value;
  }

  public static Duration positive(String field, Duration value) {
    Objects.requireNonNull(value, field);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(field + " must be positive, was " + value);
    }
    return value;
  }

  public static Duration notNegative(String field, Duration value) {
    Objects.requireNonNull(value, field);
    if (value.isNegative()) {
      throw new IllegalArgumentException(field + " must not be negative, was " + value);
    }
    return value;
  }

  /** An interval a timer runs at: at least one millisecond, the timers' resolution. */
  public static Duration atLeastOneMilli(String field, Duration value) {
    Objects.requireNonNull(value, field);
    if (value.toMillis() < 1) {
      throw new IllegalArgumentException(field + " must be at least 1ms, was " + value);
    }
    return value;
  }

  public static String notBlank(String field, String value) {
    Objects.requireNonNull(value, field);
    if (value.isBlank()) {
      throw new IllegalArgumentException(field + " must not be blank, was '" + value + "'");
    }
    return value;
  }
}
