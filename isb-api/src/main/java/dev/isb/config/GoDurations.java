package dev.isb.config;

import dev.isb.config.ConfigValues.BadValue;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads durations the way Numaflow writes them: Go's {@code time.ParseDuration} grammar, the one
 * parser the configuration loader and the command line share. Stateless and thread-safe.
 *
 * <pre>{@code
 * Duration ackWait = GoDurations.parse("1m30s");   // 90 seconds
 * Duration quick = GoDurations.parse(".5s");       // 500 milliseconds
 * }</pre>
 *
 * <p>The grammar: an optional sign, then one or more decimal numbers, each with an optional fraction
 * ({@code 1.5h}, {@code .5s} and {@code 1.s} are all numbers) and a unit: {@code ns}, {@code us}
 * (or {@code µs}, either micro sign), {@code ms}, {@code s}, {@code m}, {@code h}. {@code 0} alone
 * needs no unit; any other bare number ({@code 60}) is refused, since Go would refuse it too and
 * viper would read it as nanoseconds, which nobody means. Surrounding white space is ignored; white
 * space inside ({@code 1h 30m}) is not. Fractions below a nanosecond are dropped, and a duration
 * must fit in 63 bits of nanoseconds (about 292 years), as Go's does.
 *
 * <p>ISO-8601 ({@code PT30S}, {@code P1DT2H}, any case) is read as well, because the command line
 * has always documented it; a Go duration never starts with {@code P}, so the two cannot be
 * confused. Numaflow itself reads only Go's form.
 */
public final class GoDurations {

  /** What a duration looks like, phrased to follow "it must be". */
  static final String FORMAT = "a Go duration such as 60s, 1h30m or 500ms";

  private static final Pattern PART = Pattern.compile("(\\d*)(?:\\.(\\d*))?(ns|us|\u00b5s|\u03bcs|ms|s|m|h)");
  private static final Map<String, Long> NANOS_PER_UNIT = Map.of(
      "ns", 1L, "us", 1_000L, "\u00b5s", 1_000L, "\u03bcs", 1_000L, "ms", 1_000_000L, "s", 1_000_000_000L,
      "m", 60_000_000_000L, "h", 3_600_000_000_000L);

  private GoDurations() {}

  /**
   * Parses a duration; a sign is allowed, so callers that need a positive one check it themselves.
   *
   * @param text a Go duration such as {@code 1h30m}, {@code 500ms} or {@code -1.5s}, or ISO-8601
   * @return the duration
   * @throws IllegalArgumentException naming the text and what a duration looks like, as in
   *     {@code '60' is not a duration: it must be a Go duration such as 60s, 1h30m or 500ms (a
   *     number needs a unit)}
   */
  public static Duration parse(String text) {
    Objects.requireNonNull(text, "text");
    try {
      return read(text);
    } catch (BadValue e) {
      throw new IllegalArgumentException("'" + text + "' is not a duration: it must " + e.rule());
    }
  }

  /** As {@link #parse}, for the configuration loader, which names the setting in its own message. */
  static Duration read(String text) throws BadValue {
    String s = text.trim();
    String unsigned = s.startsWith("-") || s.startsWith("+") ? s.substring(1) : s;
    if (unsigned.startsWith("P") || unsigned.startsWith("p")) {
      return iso(s);
    }
    if (unsigned.equals("0")) {
      return Duration.ZERO;
    }
    if (!unsigned.isEmpty() && unsigned.chars().allMatch(c -> Character.isDigit(c) || c == '.')) {
      throw new BadValue("be " + FORMAT + " (a number needs a unit)");
    }
    if (unsigned.isEmpty()) {
      throw new BadValue("be " + FORMAT);
    }
    Matcher m = PART.matcher(unsigned);
    BigDecimal nanos = BigDecimal.ZERO;
    int at = 0;
    while (at < unsigned.length()) {
      // Each part must start where the last ended and hold at least one digit, before or after the point.
      if (!m.find(at) || m.start() != at || (m.group(1).isEmpty() && (m.group(2) == null || m.group(2).isEmpty()))) {
        throw new BadValue("be " + FORMAT);
      }
      String fraction = m.group(2) == null || m.group(2).isEmpty() ? "" : "." + m.group(2);
      BigDecimal number = new BigDecimal((m.group(1).isEmpty() ? "0" : m.group(1)) + fraction);
      nanos = nanos.add(number.multiply(BigDecimal.valueOf(NANOS_PER_UNIT.get(m.group(3)))));
      at = m.end();
    }
    BigInteger whole = nanos.toBigInteger();
    if (whole.bitLength() > 63) {
      throw new BadValue("be " + FORMAT + " no longer than about 292 years");
    }
    Duration d = Duration.ofNanos(whole.longValueExact());
    return s.startsWith("-") ? d.negated() : d;
  }

  private static Duration iso(String s) throws BadValue {
    Duration d;
    try {
      d = Duration.parse(s.toUpperCase(Locale.ROOT));
    } catch (DateTimeParseException e) {
      throw new BadValue("be " + FORMAT + ", or ISO-8601 such as PT30S");
    }
    try {
      d.toNanos(); // the same bound as a Go duration, so both forms mean the same range
    } catch (ArithmeticException e) {
      throw new BadValue("be " + FORMAT + " no longer than about 292 years");
    }
    return d;
  }
}
