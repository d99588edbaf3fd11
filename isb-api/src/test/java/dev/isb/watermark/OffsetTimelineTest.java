package dev.isb.watermark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isb.NumaflowVersion;
import dev.isb.wire.Wmb;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class OffsetTimelineTest {

  private static Wmb wmb(long offset, long watermark) {
    return Wmb.of(false, offset, watermark, 0);
  }

  /** A v1.8 timeline that was given {@code wmbs}, in that order. */
  private static OffsetTimeline timelineOf(Wmb... wmbs) {
    OffsetTimeline t = new OffsetTimeline(NumaflowVersion.V1_8);
    for (Wmb w : wmbs) {
      t.put(w);
    }
    return t;
  }

  @Test
  @DisplayName("a new timeline knows nothing: every lookup is -1, the head is offset -1, watermark -1")
  void empty() {
    OffsetTimeline t = new OffsetTimeline(NumaflowVersion.V1_8);
    assertThat(t.watermarkAt(100)).isEqualTo(-1);
    assertThat(t.head()).isEqualTo(Wmb.of(false, -1, -1, 0));
    assertThat(t.entries()).hasSize(OffsetTimeline.CAPACITY);
  }

  @Test
  @DisplayName("a lookup gives the watermark of the newest entry at an offset strictly below the message's")
  void lookupIsStrictlyBelow() {
    OffsetTimeline t = timelineOf(wmb(10, 1000), wmb(20, 2000), wmb(30, 3000));

    assertThat(t.watermarkAt(10)).as("offset 10 itself is not below 10").isEqualTo(-1);
    assertThat(t.watermarkAt(11)).isEqualTo(1000);
    assertThat(t.watermarkAt(20)).isEqualTo(1000);
    assertThat(t.watermarkAt(21)).isEqualTo(2000);
    assertThat(t.watermarkAt(1_000)).isEqualTo(3000);
  }

  @Test
  @DisplayName("an equal watermark at a higher offset is a new entry in v1.8 and raises the head's offset in v1.7")
  void equalWatermarkHigherOffset() {
    OffsetTimeline v18 = new OffsetTimeline(NumaflowVersion.V1_8);
    OffsetTimeline v17 = new OffsetTimeline(NumaflowVersion.V1_7);
    for (OffsetTimeline t : new OffsetTimeline[] {v18, v17}) {
      t.put(wmb(10, 1000));
      t.put(wmb(20, 1000));
    }

    assertThat(v18.entries().subList(0, 2)).containsExactly(wmb(20, 1000), wmb(10, 1000));
    assertThat(v17.entries().subList(0, 2)).containsExactly(wmb(20, 1000), wmb(-1, -1));
    assertThat(v17.watermarkAt(15)).as("v1.7 forgot that offset 10 had 1000").isEqualTo(-1);
    assertThat(v18.watermarkAt(15)).isEqualTo(1000);
  }

  @Test
  @DisplayName("a higher watermark at the head's offset (an idle WMB again) replaces the head's watermark")
  void idleRepeatReplacesHeadWatermark() {
    OffsetTimeline t = timelineOf(Wmb.of(true, 50, 1000, 0), Wmb.of(true, 50, 2500, 0));

    assertThat(t.head()).isEqualTo(Wmb.of(true, 50, 2500, 0));
    assertThat(t.entries().get(1)).isEqualTo(wmb(-1, -1));
  }

  @Test
  @DisplayName("lower watermarks, and higher ones at lower offsets, are ignored")
  void neverGoesBack() {
    OffsetTimeline t = timelineOf(wmb(20, 2000), wmb(30, 1500), wmb(10, 3000), wmb(20, 2000), wmb(5, 2000));

    assertThat(t.head()).isEqualTo(wmb(20, 2000));
    assertThat(t.entries().get(1)).isEqualTo(wmb(-1, -1));
  }

  @Test
  @DisplayName("only the newest ten entries are kept")
  void capacity() {
    OffsetTimeline t = new OffsetTimeline(NumaflowVersion.V1_8);
    for (int i = 1; i <= 15; i++) {
      t.put(wmb(i * 10L, i * 1000L));
    }

    assertThat(t.entries()).hasSize(10);
    assertThat(t.entries().get(9)).isEqualTo(wmb(60, 6000));
    assertThat(t.watermarkAt(55)).as("below the oldest entry kept").isEqualTo(-1);
  }
}
