package dev.isb.redis;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("LastIdWatch: the order of stream ids")
class LastIdWatchTest {

  @Test
  @DisplayName("ids order by time, then by sequence, as numbers (not as text)")
  void order() {
    assertThat(LastIdWatch.compare("1700000000000-0", "1700000000000-0")).isZero();
    assertThat(LastIdWatch.compare("1700000000000-1", "1700000000000-0")).isPositive();
    assertThat(LastIdWatch.compare("1700000000000-10", "1700000000000-9")).as("10 after 9").isPositive();
    assertThat(LastIdWatch.compare("999-5", "1000-0")).as("fewer digits, earlier").isNegative();
    assertThat(LastIdWatch.compare("1-1", "1700000000000-0")).isNegative();
  }
}
