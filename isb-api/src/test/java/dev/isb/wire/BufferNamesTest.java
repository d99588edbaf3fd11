package dev.isb.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BufferNamesTest {

  @Test
  @DisplayName("names are Numaflow's: buffer, edge/source/sink buckets, KV buckets, JetStream and Redis objects")
  void numaflowNames() {
    String buffer = BufferNames.buffer("prod", "orders", "enrich", 2);
    assertThat(buffer).isEqualTo("prod-orders-enrich-2");
    assertThat(BufferNames.edgeBucket("prod", "orders", "in", "enrich")).isEqualTo("prod-orders-in-enrich");
    assertThat(BufferNames.sourceBucket("prod", "orders", "in")).isEqualTo("prod-orders-in_SOURCE");
    assertThat(BufferNames.sinkBucket("prod", "orders", "out")).isEqualTo("prod-orders-out_SINK");
    assertThat(BufferNames.offsetTimelineBucket("prod-orders-in-enrich")).isEqualTo("prod-orders-in-enrich_OT");
    assertThat(BufferNames.processorsBucket("prod-orders-in-enrich")).isEqualTo("prod-orders-in-enrich_PROCESSORS");
    assertThat(BufferNames.jetStreamStream(buffer)).isEqualTo(buffer);
    assertThat(BufferNames.redisStreamKey(buffer)).isEqualTo("{prod-orders-enrich-2}");
    assertThat(BufferNames.redisGroup(buffer)).isEqualTo("prod-orders-enrich-2-group");
    assertThat(BufferNames.redisConsumer("enrich", 3)).isEqualTo("enrich-3");
  }

  @Test
  @DisplayName("the partition is the number after the last dash, 0 when there is none")
  void partitionOf() {
    assertThat(BufferNames.partitionOf("a-b-c-0")).isZero();
    assertThat(BufferNames.partitionOf("a-b-c-17")).isEqualTo(17);
    assertThat(BufferNames.partitionOf("a-b-c")).isZero();
    assertThat(BufferNames.partitionOf("a-b-c-")).isZero();
    assertThat(BufferNames.partitionOf("a-b-c-1x")).isZero();
    assertThat(BufferNames.partitionOf("plain")).isZero();
    assertThat(BufferNames.partitionOf("a-12345678901")).as("too long to be a partition").isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"a.b", "a*", "a>", "a/b", "a\\b", "{a}", "a b", "a\tb", "é", ""})
  @DisplayName("names that would break a JetStream subject or a Redis hash tag are refused, naming the name")
  void invalidNames(String name) {
    assertThatThrownBy(() -> BufferNames.requireValid(name))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + name + "'");
  }

  @Test
  @DisplayName("the refusal says which character at which index is wrong")
  void invalidNameDetail() {
    assertThatThrownBy(() -> BufferNames.requireValid("ns-pl.v-0"))
        .hasMessageStartingWith("buffer name 'ns-pl.v-0' has the character '.' at index 5");
    assertThatThrownBy(() -> BufferNames.requireValid("x".repeat(256)))
        .hasMessageContaining("must be 1 to 255 characters long, was 256");
    assertThatThrownBy(() -> BufferNames.buffer("ns", "", "v", 0)).hasMessage("pipeline must not be empty");
    assertThatThrownBy(() -> BufferNames.buffer("ns", "p", "v", -1)).hasMessage("partition must not be negative, was -1");
  }
}
