package dev.isb.cli;

import dev.isb.config.GoDurations;
import java.math.BigDecimal;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The command line's durations: {@link GoDurations}' grammar ({@code 500ms}, {@code 30s}, {@code 1h30m},
 * {@code .5s}, and ISO-8601 such as {@code PT30S}), never negative, since every option that takes
 * one is a wait; printed back in Go form. Stateless.
 */
final class Durations implements ITypeConverter<Duration> {

  /** For picocli. */
  Durations() {}

  @Override
  public Duration convert(String value) {
    try {
      return parse(value);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }

  /**
   * A duration, not negative.
   *
   * @throws IllegalArgumentException naming the text, when it is not a duration or is negative
   */
  static Duration parse(String text) {
    Duration d = GoDurations.parse(text);
    if (d.isNegative()) {
      throw new IllegalArgumentException("'" + text + "' is negative: a wait must be 0 or more");
    }
    return d;
  }

  /** Go's form: {@code 1h30m}, {@code 2s}, {@code 250ms}, {@code 0s}. */
  static String format(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    if (d.compareTo(Duration.ofSeconds(1)) < 0 && d.toNanosPart() % 1_000_000 == 0) {
      return d.toMillis() + "ms";
    }
    var out = new StringBuilder();
    if (d.toHours() > 0) {
      out.append(d.toHours()).append('h');
    }
    if (d.toMinutesPart() > 0) {
      out.append(d.toMinutesPart()).append('m');
    }
    if (d.toSecondsPart() > 0 || d.toNanosPart() > 0 || out.length() == 0) {
      out.append(BigDecimal.valueOf(d.toSecondsPart()).add(BigDecimal.valueOf(d.toNanosPart(), 9))
          .stripTrailingZeros().toPlainString()).append('s');
    }
    return out.toString();
  }
}
