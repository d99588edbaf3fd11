package dev.isb.watermark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isb.NumaflowVersion;
import dev.isb.wire.WatermarkCodec;
import dev.isb.wire.Wmb;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class WatermarkPublisherTest {

  private static final String EDGE = "ns-pl-map-out";
  private static final String OT = EDGE + "_OT";
  private static final String PROCESSORS = EDGE + "_PROCESSORS";
  private static final long DELAY = 100;

  private final TestBuckets isb = new TestBuckets().with(OT, PROCESSORS);
  private WatermarkPublisher publisher;

  @AfterEach
  void close() {
    if (publisher != null) {
      publisher.close();
    }
    isb.close();
  }

  private WatermarkPublisher open(NumaflowVersion version) {
    publisher = WatermarkPublisher.builder(isb, EDGE, "map-0").partitions(2).version(version)
        .delay(Duration.ofMillis(DELAY)).heartbeatInterval(Duration.ofHours(1)).clock(isb.clock).build();
    return publisher;
  }

  /** A publisher whose first delay has passed, so that its next publish puts. */
  private void openPastFirstDelay(NumaflowVersion version) {
    open(version);
    isb.clock.advance(DELAY);
  }

  private List<Wmb> published() {
    return isb.bucket(OT).puts.stream().map(e -> WatermarkCodec.decodeWmb(e.value())).toList();
  }

  @Test
  @DisplayName("v1.8: at most one put per partition per delay, carrying the highest offset and watermark seen")
  void v18Throttle() {
    open(NumaflowVersion.V1_8);
    publisher.publish(0, 1, 1_000);
    assertThat(published()).as("within the first delay").isEmpty();

    isb.clock.advance(DELAY);
    publisher.publish(0, 2, 2_000);
    publisher.publish(0, 3, 3_000);
    publisher.publish(0, 4, 2_500);
    assertThat(published()).containsExactly(Wmb.of(false, 2, 2_000, 0));

    isb.clock.advance(DELAY);
    publisher.publish(0, 5, 2_600);
    assertThat(published()).last().as("the watermark never goes back").isEqualTo(Wmb.of(false, 5, 3_000, 0));
    assertThat(isb.bucket(OT).puts).allSatisfy(e -> assertThat(e.key()).isEqualTo("map-0"));
  }

  @Test
  @DisplayName("v1.8: the best pair is put again when the delay has passed even if unchanged or -1: the liveness signal")
  void v18RepublishesUnchanged() {
    openPastFirstDelay(NumaflowVersion.V1_8);
    publisher.publish(1, 7, -1);
    isb.clock.advance(DELAY);
    publisher.publish(1, 6, -1);

    assertThat(published()).containsExactly(Wmb.of(false, 7, -1, 1), Wmb.of(false, 7, -1, 1));
  }

  @Test
  @DisplayName("v1.7: an equal or unknown watermark only raises the offset; a lower one is skipped; a higher one is put")
  void v17Rules() {
    openPastFirstDelay(NumaflowVersion.V1_7);
    publisher.publish(0, 1, -1);
    assertThat(published()).isEmpty();

    publisher.publish(0, 2, 1_000);
    assertThat(published()).containsExactly(Wmb.of(false, 2, 1_000, 0));

    isb.clock.advance(DELAY);
    publisher.publish(0, 3, 1_000);
    publisher.publish(0, 4, 900);
    assertThat(published()).as("equal, then lower: nothing put").hasSize(1);

    publisher.publish(0, 5, 1_100);
    assertThat(published()).last().isEqualTo(Wmb.of(false, 5, 1_100, 0));
  }

  @Test
  @DisplayName("v1.7: a throttled watermark is kept and goes out with the next put")
  void v17ThrottledIsKept() {
    openPastFirstDelay(NumaflowVersion.V1_7);
    publisher.publish(0, 1, 1_000);
    publisher.publish(0, 2, 2_000);
    assertThat(publisher.watermark(0)).isEqualTo(2_000);

    isb.clock.advance(DELAY);
    publisher.publish(0, 3, 3_000);
    assertThat(published()).containsExactly(Wmb.of(false, 1, 1_000, 0), Wmb.of(false, 3, 3_000, 0));
  }

  @Test
  @DisplayName("v1.7: heartbeats in epoch seconds go to _PROCESSORS under the processor's key")
  void v17Heartbeats() throws Exception {
    publisher = WatermarkPublisher.builder(isb, EDGE, "map-0").version(NumaflowVersion.V1_7)
        .heartbeatInterval(Duration.ofMillis(20)).clock(isb.clock).build();

    assertThat(isb.bucket(PROCESSORS).awaitPuts(2, Duration.ofSeconds(5)))
        .as("heartbeats within 5 s at a 20 ms interval").isGreaterThanOrEqualTo(2);
    publisher.close();
    assertThat(isb.bucket(PROCESSORS).puts).allSatisfy(e -> {
      assertThat(e.key()).isEqualTo("map-0");
      assertThat(WatermarkCodec.decodeHeartbeat(e.value())).isEqualTo(isb.clock.millis() / 1000);
    });
  }

  @Test
  @DisplayName("idle bookkeeping: idle after the interval without data; the control offset is kept until data comes")
  void idleBookkeeping() {
    open(NumaflowVersion.V1_8);
    Duration interval = Duration.ofSeconds(1);
    assertThat(publisher.isIdle(0, interval)).isFalse();

    isb.clock.advance(1_001);
    assertThat(publisher.isIdle(0, interval)).isTrue();
    assertThat(publisher.controlOffset(0)).isEmpty();

    publisher.publishIdle(0, 42, 5_000);
    assertThat(published()).containsExactly(Wmb.of(true, 42, 5_000, 0));
    assertThat(publisher.controlOffset(0)).hasValue(42);
    assertThat(publisher.isIdle(0, interval)).as("just published").isFalse();

    isb.clock.advance(1_001);
    publisher.publishIdle(0, 42, 6_000);
    assertThat(published()).last().isEqualTo(Wmb.of(true, 42, 6_000, 0));

    publisher.publish(0, 43, 6_500);
    assertThat(publisher.controlOffset(0)).isEmpty();
  }

  @Test
  @DisplayName("a failing bucket is counted, never thrown: publishing cannot fail a write")
  void failingPuts() {
    openPastFirstDelay(NumaflowVersion.V1_8);
    isb.bucket(OT).failPuts = true;

    assertThatCode(() -> publisher.publish(0, 1, 1_000)).doesNotThrowAnyException();
    assertThat(publisher.puts()).isEqualTo(1);
    assertThat(publisher.failedPuts()).isEqualTo(1);
  }

  @Test
  @DisplayName("a partition outside the edge is refused, naming the edge and its range")
  void badPartition() {
    open(NumaflowVersion.V1_8);
    assertThatThrownBy(() -> publisher.publish(2, 1, 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(EDGE).hasMessageContaining("0 to 1");
    assertThatThrownBy(() -> WatermarkPublisher.builder(isb, EDGE, " ")).isInstanceOf(IllegalArgumentException.class);
  }
}
