package dev.isb.watermark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isb.BufferNotFoundException;
import dev.isb.NumaflowVersion;
import dev.isb.wire.WatermarkCodec;
import dev.isb.wire.Wmb;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SourceWatermarksTest {

  private static final String SOURCE_OT = "ns-pl-in_SOURCE_OT";
  private static final String EDGE_OT = "ns-pl-in-map_OT";

  private final TestBuckets isb = new TestBuckets().with(SOURCE_OT, EDGE_OT, "ns-pl-in_SOURCE_PROCESSORS",
      "ns-pl-in-map_PROCESSORS");
  private SourceWatermarks watermarks;

  @AfterEach
  void close() {
    if (watermarks != null) {
      watermarks.close();
    }
    isb.close();
  }

  private SourceWatermarks.Builder builder() {
    return SourceWatermarks.builder(isb, "ns", "pl", "in").toVertex("map", 2).delay(Duration.ZERO).clock(isb.clock);
  }

  private List<Wmb> published(String bucket, String key) {
    return isb.bucket(bucket).puts.stream().filter(e -> e.key().equals(key))
        .map(e -> WatermarkCodec.decodeWmb(e.value())).toList();
  }

  @Test
  @DisplayName("a batch's lowest event time less maxDelay goes to _SOURCE_OT under source-<vertex>-<partition>, at now in µs")
  void publishesLowestEventTimeLessMaxDelay() {
    watermarks = builder().maxDelay(Duration.ofSeconds(2)).totalPartitions(1).build();

    watermarks.publish(0, 10_000);

    assertThat(published(SOURCE_OT, "source-in-0"))
        .containsExactly(new Wmb(false, isb.clock.millis() * 1000, 8_000, 0, OptionalInt.of(1)));
    assertThat(watermarks.watermark()).isEqualTo(8_000);
  }

  @Test
  @DisplayName("the watermark is the lowest over the partitions that have published, as numaflow-core counts them")
  void lowestOverPartitions() {
    watermarks = builder().partitions(0, 1).build();
    assertThat(watermarks.watermark()).as("nothing published").isEqualTo(-1);

    watermarks.publish(1, 5_000);
    assertThat(watermarks.watermark()).as("partition 0 has not published: not counted without a total")
        .isEqualTo(5_000);

    isb.clock.advance(1);
    watermarks.publish(0, 7_000);
    assertThat(watermarks.watermark()).isEqualTo(5_000);

    isb.clock.advance(1);
    watermarks.publish(1, 9_000);
    assertThat(watermarks.watermark()).isEqualTo(7_000);

    isb.clock.advance(1);
    watermarks.publish(1, 6_000);
    assertThat(watermarks.watermark()).as("an older batch does not lower a partition's watermark").isEqualTo(7_000);
  }

  @Test
  @DisplayName("v1.8: -1 while fewer partitions are active than the total the source has")
  void waitsForEveryPartitionOfEveryReplica() {
    watermarks = builder().partitions(0).totalPartitions(2).build();

    watermarks.publish(0, 5_000);
    assertThat(watermarks.watermark()).as("partition 1 is another replica's and has not published").isEqualTo(-1);

    isb.bucket(SOURCE_OT).put("source-in-1",
        WatermarkCodec.encode(new Wmb(false, 1, 4_000, 0, OptionalInt.of(2))));
    assertThat(watermarks.watermark()).isEqualTo(4_000);
  }

  @Test
  @DisplayName("a stored message publishes the source's watermark to the edge, at its sequence, under <vertex>-<partition>")
  void writtenPublishesToTheEdge() {
    watermarks = builder().partitions(0, 1).build();
    watermarks.publish(0, 5_000);
    watermarks.publish(1, 6_000);

    watermarks.written(1, "map", 1, 17);

    assertThat(published(EDGE_OT, "in-1")).containsExactly(Wmb.of(false, 17, 5_000, 1));
    try (WatermarkFetcher downstream = WatermarkFetcher.builder(isb).edges("ns-pl-in-map").partitions(1)
        .clock(isb.clock).build()) {
      assertThat(downstream.fetch(18, 1)).as("what map reads after it").isEqualTo(5_000);
    }
  }

  @Test
  @DisplayName("an event before the source's watermark is late")
  void lateEvents() {
    watermarks = builder().build();
    assertThat(watermarks.isLate(1_000)).as("no watermark yet").isFalse();

    watermarks.publish(0, 5_000);

    assertThat(watermarks.isLate(4_999)).isTrue();
    assertThat(watermarks.isLate(5_000)).isFalse();
  }

  @Test
  @DisplayName("v1.7: no processor_count in the WMB, whatever the total")
  void v17HasNoProcessorCount() {
    watermarks = builder().version(NumaflowVersion.V1_7).totalPartitions(3).build();

    watermarks.publish(0, 5_000);

    assertThat(published(SOURCE_OT, "source-in-0")).singleElement()
        .satisfies(wmb -> assertThat(wmb.processorCount()).isEmpty());
  }

  @Test
  @DisplayName("a missing bucket, an unknown edge or partition, and a source without edges are refused by name")
  void refusals() {
    TestBuckets noEdgeBucket = new TestBuckets().with(SOURCE_OT);
    assertThatThrownBy(() -> SourceWatermarks.builder(noEdgeBucket, "ns", "pl", "in").toVertex("map", 1).build())
        .isInstanceOf(BufferNotFoundException.class).hasMessageContaining(EDGE_OT);
    assertThatThrownBy(() -> SourceWatermarks.builder(isb, "ns", "pl", "in").build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("'in' has no to-vertex");
    assertThatThrownBy(() -> builder().partitions(0, 0)).hasMessageContaining("[0, 0]");

    watermarks = builder().build();
    assertThatThrownBy(() -> watermarks.written(0, "sink", 0, 1)).hasMessageContaining("no edge to 'sink'");
    assertThatThrownBy(() -> watermarks.publish(3, 1)).hasMessageContaining("reads partitions [0], not 3");
  }
}
