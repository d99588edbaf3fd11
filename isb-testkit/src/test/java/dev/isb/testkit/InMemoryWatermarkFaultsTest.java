package dev.isb.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isb.BucketLayout;
import dev.isb.BufferConfig;
import dev.isb.memory.InMemoryIsb;
import dev.isb.watermark.WatermarkStore;
import dev.isb.wire.BufferNames;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The in-memory backend's watermark fault: a stalled key, as a processor that stopped publishing.
 * Here rather than in isb-memory, whose tests cannot use the test kit (the kit depends on isb-memory).
 */
@DisplayName("In-memory watermark faults")
class InMemoryWatermarkFaultsTest {

  private static final String EDGE = "ns-pl-in-out";
  private static final String BUCKET = BufferNames.offsetTimelineBucket(EDGE);

  private final InMemoryIsb isb = InMemoryIsb.create();

  InMemoryWatermarkFaultsTest() {
    isb.admin().createBuckets(List.of(EDGE), BufferConfig.defaults(), BucketLayout.OFFSET_TIMELINE);
  }

  @AfterEach
  void close() {
    isb.close();
  }

  private static void put(WatermarkStore store, String key, String value) throws Exception {
    assertThat(store.put(key, value.getBytes(UTF_8)).get(10, SECONDS)).as("the put of %s=%s", key, value).isNull();
  }

  @Test
  @DisplayName("a stalled key's puts complete but are dropped, other keys go on, and after resume its puts come again")
  void stallAndResume() throws Exception {
    try (WatermarkStore store = isb.watermarkStore(BUCKET); WatchRecorder watch = WatchRecorder.watchCaughtUp(store)) {
      put(store, "in-0", "a");
      watch.awaitValue("in-0", "a");

      isb.faults().stallWatermarkKey(BUCKET, "in-0");
      put(store, "in-0", "b");
      put(store, "in-1", "x");
      // in-1 was put after in-0=b, and a watch gets changes in order: had in-0=b been stored, it would be here.
      watch.awaitValue("in-1", "x");
      assertThat(watch.entries()).extracting(WatchRecorder::describe).containsExactly("PUT in-0=a", "PUT in-1=x");
      try (WatchRecorder later = WatchRecorder.watchCaughtUp(store)) {
        assertThat(later.beforeCaughtUp()).extracting(WatchRecorder::describe)
            .as("what a new watch finds stored").containsExactlyInAnyOrder("PUT in-0=a initial", "PUT in-1=x initial");
      }

      isb.faults().resumeWatermarkKey(BUCKET, "in-0");
      put(store, "in-0", "c");
      watch.awaitValue("in-0", "c");
      assertThat(watch.entries()).extracting(WatchRecorder::describe)
          .containsExactly("PUT in-0=a", "PUT in-1=x", "PUT in-0=c");
    }
  }

  @Test
  @DisplayName("a key can be stalled before its bucket exists, and clear() resumes every stalled key")
  void stallBeforeAndClear() throws Exception {
    String edge = "ns-pl-late-out";
    String bucket = BufferNames.offsetTimelineBucket(edge);
    isb.faults().stallWatermarkKey(bucket, "late-0");
    isb.admin().createBuckets(List.of(edge), BufferConfig.defaults(), BucketLayout.OFFSET_TIMELINE);
    try (WatermarkStore store = isb.watermarkStore(bucket); WatchRecorder watch = WatchRecorder.watchCaughtUp(store)) {
      put(store, "late-0", "dropped");
      put(store, "late-1", "kept");
      watch.awaitValue("late-1", "kept");

      isb.faults().clear();
      put(store, "late-0", "stored");
      watch.awaitValue("late-0", "stored");
      assertThat(watch.entries()).extracting(WatchRecorder::describe)
          .containsExactly("PUT late-1=kept", "PUT late-0=stored");
    }
  }

  @Test
  @DisplayName("the fault's arguments are checked and name the bad value")
  void arguments() {
    assertThatThrownBy(() -> isb.faults().stallWatermarkKey("dot.ted", "in-0"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dot.ted");
    assertThatThrownBy(() -> isb.faults().stallWatermarkKey(BUCKET, "has space"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has space");
    assertThatThrownBy(() -> isb.faults().resumeWatermarkKey(BUCKET, "star*"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("star*");
    assertThatThrownBy(() -> isb.faults().stallWatermarkKey(BUCKET, null)).isInstanceOf(NullPointerException.class);
  }
}
