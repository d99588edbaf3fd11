package dev.isb.redis;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("RedisOffset: the order of stream entry ids")
class RedisOffsetTest {

  @Test
  @DisplayName("ids order by time, then by sequence, as numbers (not as text)")
  void order() {
    assertThat(RedisOffset.compareIds("1700000000000-0", "1700000000000-0")).isZero();
    assertThat(RedisOffset.compareIds("1700000000000-1", "1700000000000-0")).isPositive();
    assertThat(RedisOffset.compareIds("1700000000000-10", "1700000000000-9")).as("10 after 9").isPositive();
    assertThat(RedisOffset.compareIds("999-5", "1000-0")).as("fewer digits, earlier").isNegative();
    assertThat(RedisOffset.compareIds("1-1", "1700000000000-0")).isNegative();
  }
}
