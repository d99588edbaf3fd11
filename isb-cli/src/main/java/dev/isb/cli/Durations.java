package dev.isb.cli;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads durations as Go and Numaflow write them ({@code 500ms}, {@code 30s}, {@code 1h30m}, {@code 1.5s}),
 * or in ISO-8601 ({@code PT30S}), and prints them back in Go form. Stateless.
 */
final class Durations implements ITypeConverter<Duration> {

  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|\u00b5s|ms|s|m|h)");
  private static final Map<String, Long> NANOS_PER_UNIT = Map.of("ns", 1L, "us", 1_000L, "\u00b5s", 1_000L,
      "ms", 1_000_000L, "s", 1_000_000_000L, "m", 60_000_000_000L, "h", 3_600_000_000_000L);

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
   * @throws IllegalArgumentException naming the text, when it is not a duration
   */
  static Duration parse(String text) {
    String s = text.trim();
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    if (s.startsWith("P") || s.startsWith("p")) {
      try {
        Duration d = Duration.parse(s.toUpperCase(Locale.ROOT));
        if (!d.isNegative()) {
          return d;
        }
      } catch (DateTimeParseException e) {
        // reported below, with the accepted forms
      }
      throw notADuration(text);
    }
    Matcher m = PART.matcher(s);
    BigDecimal nanos = BigDecimal.ZERO;
    int end = 0;
    while (m.lookingAt()) {
      nanos = nanos.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(NANOS_PER_UNIT.get(m.group(2)))));
      end = m.end();
      m.region(end, s.length());
    }
    if (end == 0 || end != s.length()) {
      throw notADuration(text);
    }
    try {
      return Duration.ofNanos(nanos.longValueExact());
    } catch (ArithmeticException tooLong) {
      throw new IllegalArgumentException("'" + text + "' is longer than this tool can wait");
    }
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

  private static IllegalArgumentException notADuration(String text) {
    return new IllegalArgumentException("'" + text + "' is not a duration: use a number and a unit (ns, us, ms,"
        + " s, m, h) such as 500ms, 30s, 2m or 1h30m");
  }
}
