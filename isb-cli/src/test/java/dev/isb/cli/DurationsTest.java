package dev.isb.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("durations and backoff")
class DurationsTest {

  @Test
  @DisplayName("Go durations, ISO-8601 and a bare 0 are read")
  void readsGoAndIsoDurations() {
    assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(Durations.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(Durations.parse("2m3s4ms")).isEqualTo(Duration.ofSeconds(123).plusMillis(4));
    assertThat(Durations.parse("250us")).isEqualTo(Duration.ofNanos(250_000));
    assertThat(Durations.parse("PT10S")).isEqualTo(Duration.ofSeconds(10));
    assertThat(Durations.parse("0")).isZero();
    // Go's grammar, shared with the configuration: a number may start or end with its point.
    assertThat(Durations.parse(".5s")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("1.s")).isEqualTo(Duration.ofSeconds(1));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "5", "5x", "s", "-1s", "1h 30m", "PT-1S", "P1X", "-PT1S", "-.5s"})
  @DisplayName("anything else, and a negative duration, is refused, quoting the text")
  void refusesTheRest(String text) {
    assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + text + "'");
  }

  @Test
  @DisplayName("durations print in Go form")
  void formatsInGoForm() {
    assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
    assertThat(Durations.format(Duration.ofMillis(250))).isEqualTo("250ms");
    assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1.5s");
    assertThat(Durations.format(Duration.ofMinutes(90))).isEqualTo("1h30m");
    assertThat(Durations.format(Duration.ofHours(2).plusSeconds(5))).isEqualTo("2h5s");
  }

  @Test
  @DisplayName("backoff doubles from the first delay and stops at the cap")
  void backoffDoublesUpToTheCap() {
    var backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(5));
    assertThat(backoff.delay(1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(backoff.delay(2)).isEqualTo(Duration.ofSeconds(2));
    assertThat(backoff.delay(3)).isEqualTo(Duration.ofSeconds(4));
    assertThat(backoff.delay(4)).isEqualTo(Duration.ofSeconds(5));
    assertThat(backoff.delay(1_000_000)).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  @DisplayName("a backoff that is not positive, or a cap below it, is a usage error naming the option")
  void backoffIsChecked() {
    assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)))
        .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.USAGE))
        .hasMessage("--backoff must be positive, was 0s");
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .hasMessage("--max-backoff must be at least --backoff (2s), was 1s");
  }
}
