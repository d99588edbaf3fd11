package dev.isb.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isb.config.ConfigValues.BadValue;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The one duration grammar, shared by the configuration loader and the command line. */
class GoDurationsTest {

  @ParameterizedTest(name = "{0} = {1} ms")
  @CsvSource({"72h, 259200000", "1h30m, 5400000", "500ms, 500", "60s, 60000", "1.5h, 5400000", "0, 0",
      "1m30.5s, 90500", "2h45m10s, 9910000", "-1h, -3600000", "+5s, 5000", ".5s, 500", "1000us, 1", "1000000ns, 1",
      "1000µs, 1"})
  @DisplayName("Go durations parse as time.ParseDuration does")
  void goDurations(String text, long millis) throws BadValue {
    assertThat(GoDurations.read(text)).isEqualTo(Duration.ofMillis(millis));
  }

  @ParameterizedTest(name = "{0} = {1} ns")
  @CsvSource({"1h2m3.5s, 3723500000000", "300ms, 300000000", "1us, 1000", "1\u00b5s, 1000", "1\u03bcs, 1000",
      "2ns, 2", "-1.5s, -1500000000", "1.s, 1000000000", "2m3s4ms, 123004000000", "250us, 250000",
      "-0, 0", "+0, 0", "' 30s ', 30000000000", "1.0000000009s, 1000000000", "2562047h47m16.854775807s, 9223372036854775807"})
  @DisplayName("fractions, every unit, a sign and surrounding white space are read; sub-nanosecond parts are dropped")
  void everyPartOfTheGrammar(String text, long nanos) {
    assertThat(GoDurations.parse(text)).isEqualTo(Duration.ofNanos(nanos));
  }

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource({"PT30S, PT30S", "pt10s, PT10S", "PT1H30M, PT1H30M", "P1DT2H, PT26H", "PT-1S, PT-1S", "-PT1S, PT-1S"})
  @DisplayName("ISO-8601, as the command line has always read it, is read too")
  void iso8601(String text, String expected) {
    assertThat(GoDurations.parse(text)).isEqualTo(Duration.parse(expected));
  }

  @ParameterizedTest(name = "''{0}''")
  @ValueSource(strings = {"", "72", "-1", "1.5", "h", "1d", "1 h", "1h 30m", "1hh", "five seconds", "1.h.5", "5x", "s",
      ".s", "-", "+-1s", "1h30", "1H", "1sec"})
  @DisplayName("anything else is refused, a bare number with the hint that it needs a unit")
  void badDurations(String text) {
    assertThatThrownBy(() -> GoDurations.read(text)).isInstanceOf(BadValue.class)
        .hasMessageStartingWith("be a Go duration such as 60s, 1h30m or 500ms");
  }

  @Test
  @DisplayName("a bare number is refused with the reason")
  void bareNumber() {
    assertThatThrownBy(() -> GoDurations.read("60")).isInstanceOf(BadValue.class)
        .hasMessage("be a Go duration such as 60s, 1h30m or 500ms (a number needs a unit)");
  }

  @ParameterizedTest(name = "''{0}''")
  @CsvSource(delimiter = '|', value = {
      "P1X | , or ISO-8601 such as PT30S", "PT | , or ISO-8601 such as PT30S", "P | , or ISO-8601 such as PT30S",
      "PT1H2 | , or ISO-8601 such as PT30S",
      "2562048h | ' no longer than about 292 years'", "9223372036854775808ns | ' no longer than about 292 years'",
      "PT2562048H | ' no longer than about 292 years'"})
  @DisplayName("text that starts like ISO-8601 but is not, and a duration beyond 63 bits of nanoseconds, say so")
  void badIsoAndTooLong(String text, String reason) {
    assertThatThrownBy(() -> GoDurations.read(text)).isInstanceOf(BadValue.class)
        .hasMessage("be a Go duration such as 60s, 1h30m or 500ms" + reason);
  }

  @Test
  @DisplayName("the public parser names the value and the rule it broke")
  void errorsNameTheValue() {
    assertThatThrownBy(() -> GoDurations.parse("5x")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("'5x' is not a duration: it must be a Go duration such as 60s, 1h30m or 500ms");
    assertThatThrownBy(() -> GoDurations.parse("60")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("'60' is not a duration: it must be a Go duration such as 60s, 1h30m or 500ms "
            + "(a number needs a unit)");
    assertThatThrownBy(() -> GoDurations.parse(null)).isInstanceOf(NullPointerException.class).hasMessage("text");
  }
}
