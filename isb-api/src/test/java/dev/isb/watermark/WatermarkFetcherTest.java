package dev.isb.watermark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isb.BufferNotFoundException;
import dev.isb.NumaflowVersion;
import dev.isb.watermark.ProcessorState.Status;
import dev.isb.wire.WatermarkCodec;
import dev.isb.wire.Wmb;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class WatermarkFetcherTest {

  private static final String EDGE = "ns-pl-in-map";
  private static final String OT = EDGE + "_OT";
  private static final String PROCESSORS = EDGE + "_PROCESSORS";
  private static final String OTHER_EDGE = "ns-pl-side-map";

  private final TestBuckets isb = new TestBuckets().with(OT, PROCESSORS, OTHER_EDGE + "_OT");
  private WatermarkFetcher fetcher;

  @AfterEach
  void close() {
    if (fetcher != null) {
      fetcher.close();
    }
    isb.close();
  }

  private WatermarkFetcher open(NumaflowVersion version, int... partitions) {
    fetcher = WatermarkFetcher.builder(isb).edges(EDGE).partitions(partitions).version(version)
        .clock(isb.clock).build();
    return fetcher;
  }

  private void put(String bucket, String processor, long offset, long watermark, int partition) {
    isb.bucket(bucket).put(processor, WatermarkCodec.encode(Wmb.of(false, offset, watermark, partition)));
  }

  private void putIdle(String processor, long offset, long watermark, int partition) {
    isb.bucket(OT).put(processor, WatermarkCodec.encode(Wmb.of(true, offset, watermark, partition)));
  }

  private void beat(String processor) {
    isb.bucket(PROCESSORS).put(processor, WatermarkCodec.encodeHeartbeat(isb.clock.millis() / 1000));
  }

  private Status status(String processor) {
    return fetcher.processors().stream().filter(p -> p.name().equals(processor)).findFirst()
        .map(ProcessorState::status).orElse(null);
  }

  @Nested
  @DisplayName("Numaflow v1.8 rules")
  class V18 {

    /** A fetcher of partition 0 that has seen processor up-0 publish watermark 5 000 at offset 10. */
    private void openWithUp0() {
      open(NumaflowVersion.V1_8, 0);
      put(OT, "up-0", 10, 5_000, 0);
    }

    @Test
    @DisplayName("the watermark is -1 until every input partition has one, then the lowest of them")
    void unknownUntilEveryPartitionHasOne() {
      open(NumaflowVersion.V1_8, 0, 1);
      put(OT, "up-0", 10, 5_000, 0);
      put(OT, "up-0", 20, 6_000, 1);

      assertThat(fetcher.fetch(11, 0)).as("partition 1 not read yet").isEqualTo(-1);
      assertThat(fetcher.fetch(21, 1)).isEqualTo(5_000);
      assertThat(fetcher.current()).isEqualTo(5_000);
    }

    @Test
    @DisplayName("a message's watermark is the lowest over the processors of what each published before its offset")
    void lowestOverProcessors() {
      openWithUp0();
      put(OT, "up-1", 12, 4_000, 0);
      put(OT, "up-0", 30, 9_000, 0);
      put(OT, "up-1", 31, 8_000, 0);

      assertThat(fetcher.fetch(13, 0)).isEqualTo(4_000);
      assertThat(fetcher.fetch(31, 0)).as("up-1's entry at 31 is not below 31").isEqualTo(4_000);
      assertThat(fetcher.fetch(40, 0)).isEqualTo(8_000);
    }

    @Test
    @DisplayName("the watermark is the lowest over every edge into the vertex")
    void lowestOverEdges() {
      fetcher = WatermarkFetcher.builder(isb).edges(EDGE, OTHER_EDGE).partitions(0).clock(isb.clock).build();
      put(OT, "up-0", 10, 5_000, 0);
      put(OTHER_EDGE + "_OT", "side-0", 11, 3_000, 0);

      assertThat(fetcher.fetch(20, 0)).isEqualTo(3_000);
    }

    @Test
    @DisplayName("values already in the bucket count from the start; a WMB for an untracked partition is ignored")
    void replaysCurrentValues() {
      put(OT, "up-0", 10, 7_000, 3);
      put(OT, "up-0", 10, 5_000, 0); // one key per processor: the bucket keeps only this one
      open(NumaflowVersion.V1_8, 0);
      put(OT, "up-0", 20, 8_000, 3);

      assertThat(fetcher.fetch(11, 0)).isEqualTo(5_000);
      assertThat(fetcher.processors()).singleElement().satisfies(p -> {
        assertThat(p.status()).isEqualTo(Status.ACTIVE);
        assertThat(p.heads()).containsExactly(java.util.Map.entry(0, Wmb.of(false, 10, 5_000, 0)));
        assertThat(p.lastSeenMillis()).as("a replayed processor counts as seen now").isEqualTo(isb.clock.millis());
      });
    }

    @Test
    @DisplayName("a processor that stops publishing is inactive after 5 s, deleted after 50 s, then forgotten, "
        + "and the watermark moves on without it")
    void silentProcessorIsDropped() {
      openWithUp0();
      put(OT, "up-1", 11, 6_000, 0);
      assertThat(fetcher.fetch(20, 0)).isEqualTo(5_000);

      isb.clock.advance(5_001);
      put(OT, "up-1", 21, 7_000, 0);
      fetcher.refresh();
      assertThat(status("up-0")).isEqualTo(Status.INACTIVE);
      assertThat(status("up-1")).isEqualTo(Status.ACTIVE);
      assertThat(fetcher.fetch(30, 0)).as("an inactive processor still holds the watermark back").isEqualTo(5_000);

      isb.clock.advance(45_000);
      put(OT, "up-1", 31, 8_000, 0);
      fetcher.refresh();
      assertThat(status("up-0")).isEqualTo(Status.DELETED);
      assertThat(fetcher.fetch(40, 0)).as("deleted, but still looked up for this read").isEqualTo(5_000);
      assertThat(status("up-0")).as("forgotten once a read passed its head offset").isNull();
      assertThat(fetcher.fetch(41, 0)).isEqualTo(8_000);
    }

    @Test
    @DisplayName("a batch is fetched message by message: a deleted processor counts until a message passes its head")
    void batchFetch() {
      openWithUp0();
      put(OT, "up-1", 5, 6_000, 0);
      put(OT, "up-1", 20, 7_000, 0);
      isb.bucket(OT).delete("up-0");

      assertThat(fetcher.fetch(new long[] {10, 11, 15, 21}, 0)).as("up-0 forgotten after offset 11")
          .containsExactly(-1, 5_000, 6_000, 7_000);
      assertThat(status("up-0")).isNull();
    }

    @Test
    @DisplayName("a processor that publishes again after being inactive is active again")
    void inactiveComesBack() {
      openWithUp0();
      isb.clock.advance(6_000);
      fetcher.refresh();
      assertThat(status("up-0")).isEqualTo(Status.INACTIVE);

      put(OT, "up-0", 20, 6_000, 0);
      assertThat(status("up-0")).isEqualTo(Status.ACTIVE);
    }

    @Test
    @DisplayName("a deleted key marks its processor deleted")
    void deletedKey() {
      openWithUp0();
      isb.bucket(OT).delete("up-0");

      assertThat(status("up-0")).isEqualTo(Status.DELETED);
    }

    @Test
    @DisplayName("a read that finds nothing takes the idle WMB when every active processor says idle, not before")
    void idleHeads() {
      openWithUp0();
      putIdle("up-1", 12, 9_000, 0);
      assertThat(fetcher.idle(0)).as("up-0 is not idle").isEmpty();

      putIdle("up-0", 15, 8_000, 0);
      assertThat(fetcher.idle(0)).contains(Wmb.of(true, 15, 8_000, 0));
      assertThat(fetcher.current()).isEqualTo(8_000);
    }

    @Test
    @DisplayName("an inactive processor's head does not count for idleness")
    void inactiveIgnoredForIdle() {
      openWithUp0();
      isb.clock.advance(6_000);
      putIdle("up-1", 12, 9_000, 0);
      fetcher.refresh();

      assertThat(fetcher.idle(0)).contains(Wmb.of(true, 12, 9_000, 0));
      assertThat(fetcher.headWatermark(0)).isEqualTo(9_000);
    }

    @Test
    @DisplayName("a value that is not a WMB is skipped and the watch goes on")
    void garbageValue() {
      open(NumaflowVersion.V1_8, 0);
      isb.bucket(OT).put("up-0", "not a wmb".getBytes(StandardCharsets.UTF_8));
      put(OT, "up-0", 10, 5_000, 0);

      assertThat(fetcher.fetch(11, 0)).isEqualTo(5_000);
    }
  }

  @Nested
  @DisplayName("Numaflow v1.7 rules")
  class V17 {

    @Test
    @DisplayName("processors come only from heartbeats: a WMB of an unknown processor is dropped")
    void processorsFromHeartbeats() {
      open(NumaflowVersion.V1_7, 0);
      put(OT, "up-0", 10, 5_000, 0);
      assertThat(fetcher.processors()).isEmpty();

      beat("up-0");
      put(OT, "up-0", 20, 6_000, 0);
      assertThat(fetcher.fetch(21, 0)).isEqualTo(6_000);
    }

    @Test
    @DisplayName("heartbeats already in the bucket are taken before the offset timeline")
    void heartbeatsFirst() {
      beat("up-0");
      put(OT, "up-0", 10, 5_000, 0);
      open(NumaflowVersion.V1_7, 0);

      assertThat(fetcher.fetch(11, 0)).isEqualTo(5_000);
    }

    @Test
    @DisplayName("liveness is the heartbeat's age in seconds: inactive after 5 s, deleted after 50 s")
    void heartbeatAge() {
      open(NumaflowVersion.V1_7, 0);
      beat("up-0");
      isb.clock.advance(6_000);
      fetcher.refresh();
      assertThat(status("up-0")).isEqualTo(Status.INACTIVE);

      beat("up-0");
      fetcher.refresh();
      assertThat(status("up-0")).isEqualTo(Status.ACTIVE);

      isb.clock.advance(51_000);
      fetcher.refresh();
      assertThat(status("up-0")).isEqualTo(Status.DELETED);
    }

    @Test
    @DisplayName("a deleted heartbeat marks its processor deleted for good")
    void deletedHeartbeat() {
      open(NumaflowVersion.V1_7, 0);
      beat("up-0");
      isb.bucket(PROCESSORS).delete("up-0");
      fetcher.refresh();

      assertThat(status("up-0")).isEqualTo(Status.DELETED);
    }
  }

  @Test
  @DisplayName("a missing bucket is refused by name; so are an empty edge list, no partition and untracked partitions")
  void badInput() {
    assertThatThrownBy(() -> WatermarkFetcher.builder(isb).edges("ns-pl-nope-map").partitions(0).build())
        .isInstanceOf(BufferNotFoundException.class).hasMessageContaining("ns-pl-nope-map_OT");
    assertThatThrownBy(() -> WatermarkFetcher.builder(isb).partitions(0).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("edge");
    assertThatThrownBy(() -> WatermarkFetcher.builder(isb).edges(EDGE).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("partition");
    assertThatThrownBy(() -> WatermarkFetcher.builder(isb).edges(EDGE, EDGE))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
    open(NumaflowVersion.V1_8, 0);
    assertThatThrownBy(() -> fetcher.fetch(1, 2)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("partition 2").hasMessageContaining("[0]");
  }
}
