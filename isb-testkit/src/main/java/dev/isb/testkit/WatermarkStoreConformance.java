package dev.isb.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.isb.BucketLayout;
import dev.isb.IsbClient;
import dev.isb.watermark.WatermarkStore;
import dev.isb.watermark.WatermarkStore.Entry;
import dev.isb.watermark.WatermarkStore.Op;
import dev.isb.wire.BufferNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Conformance tests of the watermark buckets a backend keeps ({@link IsbClient#watermarkStore}): what
 * a put, a delete and a watch do, as Numaflow's watermark publishers and fetchers rely on them; and,
 * for a backend that keeps none ({@link BackendFeatures#keepsWatermarks()} false), that it says so.
 *
 * <p>{@link IsbConformanceKit} runs these tests against each backend as one of its {@code @Nested}
 * groups; the helpers and the per-test client come from {@link ConformanceGroup}. A test that must
 * show that a watch got nothing (more) puts a last value and waits until a second watch sees it: the
 * first watch, given every change in order, would have had what it should not have by then.
 */
abstract class WatermarkStoreConformance extends ConformanceGroup {

  /** How far a change's createdMillis may be from the test's own clock (the server's clock may differ a little). */
  private static final long CLOCK_SLACK_MILLIS = 2_000;
  /** The key prefix of {@link #settle}'s values. */
  private static final String SETTLE = "settle-";

  /** A new edge bucket's offset-timeline key/value bucket, created; deleted after the test. */
  private String createWatermarkBucket() {
    String bucket = bucketName();
    client.admin().createBuckets(List.of(bucket), config(), BucketLayout.OFFSET_TIMELINE);
    return BufferNames.offsetTimelineBucket(bucket);
  }

  /** A store on a new bucket; the test is skipped on a backend that keeps no watermark buckets. */
  private WatermarkStore newStore() {
    assumeTrue(features().keepsWatermarks(), "the backend keeps no watermark buckets");
    return client.watermarkStore(createWatermarkBucket());
  }

  private static byte[] bytes(String text) {
    return text.getBytes(UTF_8);
  }

  /** Puts and waits for the future, which must complete normally. */
  private static void putAndWait(WatermarkStore store, String key, String value) {
    assertStored(store.put(key, bytes(value)), key);
  }

  private static void assertStored(CompletableFuture<Void> put, String key) {
    assertThatCode(() -> put.get(PATIENCE.toMillis(), MILLISECONDS)).as("the put of %s", key)
        .doesNotThrowAnyException();
  }

  /**
   * Puts a last value under a key of its own ({@value #SETTLE} and hex digits) and waits until a new
   * watch sees it, so that every earlier change has been delivered.
   */
  private static void settle(WatermarkStore store) {
    String marker = SETTLE + hex();
    putAndWait(store, marker, "done");
    try (WatchRecorder probe = WatchRecorder.watch(store)) {
      probe.awaitValue(marker, "done");
    }
  }

  private static List<Entry> withoutSettle(List<Entry> entries) {
    return entries.stream().filter(e -> !e.key().startsWith(SETTLE)).toList();
  }

  @Test
  @DisplayName("a watch first replays the last value of every key (initial), then says once that it caught up")
  void replaysCurrentValues() {
    WatermarkStore store = newStore();
    putAndWait(store, "p-0", "a1");
    putAndWait(store, "p-1", "b1");
    putAndWait(store, "p-0", "a2");

    try (WatchRecorder watch = WatchRecorder.watchCaughtUp(store)) {
      assertThat(watch.beforeCaughtUp()).as("entries before caughtUp")
          .extracting(WatchRecorder::describe).containsExactlyInAnyOrder("PUT p-0=a2 initial", "PUT p-1=b1 initial");
      settle(store);
      assertThat(watch.caughtUpCount()).as("caughtUp calls").isEqualTo(1);
    }
  }

  @Test
  @DisplayName("a watch of an empty bucket says at once that it caught up, with no entry")
  void emptyBucketCatchesUpAtOnce() {
    WatermarkStore store = newStore();
    try (WatchRecorder watch = WatchRecorder.watchCaughtUp(store)) {
      assertThat(watch.beforeCaughtUp()).isEmpty();
    }
  }

  @Test
  @DisplayName("a put after the watch caught up comes once, not initial, stamped with about the time it was put")
  void laterPut() {
    WatermarkStore store = newStore();
    try (WatchRecorder watch = WatchRecorder.watchCaughtUp(store)) {
      long before = System.currentTimeMillis();
      putAndWait(store, "p-0", "later");
      long after = System.currentTimeMillis();

      Entry entry = watch.awaitValue("p-0", "later");
      assertThat(entry.op()).isEqualTo(Op.PUT);
      assertThat(entry.initial()).as("initial").isFalse();
      assertThat(entry.createdMillis()).as("createdMillis (put between %d and %d)", before, after)
          .isBetween(before - CLOCK_SLACK_MILLIS, after + CLOCK_SLACK_MILLIS);
      settle(store);
      assertThat(withoutSettle(watch.entries())).extracting(WatchRecorder::describe).containsExactly("PUT p-0=later");
    }
  }

  @Test
  @DisplayName("a value is stored and watched byte for byte: every byte value, and an empty value")
  void valuesByteForByte() {
    WatermarkStore store = newStore();
    byte[] every = new byte[256];
    for (int i = 0; i < every.length; i++) {
      every[i] = (byte) i;
    }
    assertStored(store.put("every", every), "every");
    assertStored(store.put("empty", new byte[0]), "empty");

    try (WatchRecorder watch = WatchRecorder.watchCaughtUp(store)) {
      assertThat(watch.last("every").value()).isEqualTo(every);
      assertThat(watch.last("empty").value()).isEmpty();
      assertThat(watch.last("empty").op()).isEqualTo(Op.PUT);
    }
  }

  @Test
  @DisplayName("the future of a put completes once the value is stored: a watch started after it sees the value")
  void putFutureCompletes() throws Exception {
    WatermarkStore store = newStore();
    CompletableFuture<Void> put = store.put("p-0", bytes("stored"));
    assertThat(put.get(PATIENCE.toMillis(), MILLISECONDS)).isNull();
    try (WatchRecorder watch = WatchRecorder.watchCaughtUp(store)) {
      assertThat(watch.beforeCaughtUp()).extracting(WatchRecorder::describe).containsExactly("PUT p-0=stored initial");
    }
  }

  @Test
  @DisplayName("a delete is watched as a DELETE of the key with an empty value, and a later watch replays it")
  void delete() {
    WatermarkStore store = newStore();
    putAndWait(store, "p-0", "a");
    putAndWait(store, "p-1", "b");
    try (WatchRecorder watch = WatchRecorder.watchCaughtUp(store)) {
      store.delete("p-0");
      Entry deleted = watch.await("a DELETE of p-0", e -> e.key().equals("p-0") && e.op() == Op.DELETE);
      assertThat(deleted.value()).isEmpty();
      assertThat(deleted.initial()).isFalse();
    }
    try (WatchRecorder later = WatchRecorder.watchCaughtUp(store)) {
      assertThat(later.beforeCaughtUp()).extracting(WatchRecorder::describe)
          .containsExactlyInAnyOrder("DELETE p-0= initial", "PUT p-1=b initial");
    }
  }

  @Test
  @DisplayName("several keys: changes come in the order they were put, and the last value of every key comes "
      + "(a watch that falls behind may miss values replaced meanwhile: a bucket keeps one value per key)")
  void severalKeysInOrder() {
    WatermarkStore store = newStore();
    try (WatchRecorder watch = WatchRecorder.watchCaughtUp(store)) {
      List<String> expected = new ArrayList<>();
      List<CompletableFuture<Void>> puts = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        String key = "p-" + i % 3;
        puts.add(store.put(key, bytes("v" + i)));
        expected.add("PUT " + key + "=v" + i);
      }
      puts.forEach(put -> assertStored(put, "one of the keys"));
      watch.awaitValue("p-0", "v27");
      watch.awaitValue("p-1", "v28");
      watch.awaitValue("p-2", "v29");
      assertInPutOrder(watch.entries(), expected);
    }
  }

  /** {@code entries} are some of {@code expected} ("PUT key=value"), in the same order, each once. */
  private static void assertInPutOrder(List<Entry> entries, List<String> expected) {
    List<String> got = entries.stream().map(WatchRecorder::describe).toList();
    assertThat(got).as("what the watch got").doesNotHaveDuplicates();
    assertThat(expected).as("the puts, in order, hold what the watch got in the same order")
        .containsSubsequence(got);
  }

  @Test
  @DisplayName("two watches of a bucket each get every change")
  void twoWatches() {
    WatermarkStore store = newStore();
    try (WatchRecorder first = WatchRecorder.watchCaughtUp(store);
        WatchRecorder second = WatchRecorder.watchCaughtUp(store)) {
      putAndWait(store, "p-0", "x");
      putAndWait(store, "p-1", "y");
      for (WatchRecorder watch : List.of(first, second)) {
        watch.awaitValue("p-1", "y");
        assertThat(watch.entries()).extracting(WatchRecorder::describe).containsExactly("PUT p-0=x", "PUT p-1=y");
      }
    }
  }

  @Test
  @DisplayName("a closed watch gets nothing more; closing it twice is harmless")
  void closedWatchGetsNothing() {
    WatermarkStore store = newStore();
    WatchRecorder watch = WatchRecorder.watchCaughtUp(store);
    putAndWait(store, "p-0", "before");
    watch.awaitValue("p-0", "before");

    assertSecondCloseHarmless(watch::close);
    putAndWait(store, "p-0", "after");
    settle(store);

    assertThat(watch.entries()).extracting(WatchRecorder::describe).containsExactly("PUT p-0=before");
  }

  @Test
  @DisplayName("a listener that throws is logged and its watch goes on")
  void throwingListener() {
    WatermarkStore store = newStore();
    putAndWait(store, "p-0", "initial");
    var watch = new WatchRecorder() {
      @Override
      public void onEntry(Entry entry) {
        super.onEntry(entry);
        throw new IllegalStateException("a listener failure the kit provoked");
      }

      @Override
      public void caughtUp() {
        super.caughtUp();
        throw new IllegalStateException("a listener failure the kit provoked");
      }
    };
    watch.start(store);
    try (watch) {
      watch.awaitCaughtUp();
      putAndWait(store, "p-0", "one");
      putAndWait(store, "p-1", "two");
      watch.awaitValue("p-1", "two");
      assertThat(watch.all()).extracting(WatchRecorder::describe)
          .containsExactly("PUT p-0=initial initial", "PUT p-0=one", "PUT p-1=two");
      assertThat(watch.caughtUpCount()).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("the listener is called from one thread at a time, even while several threads put")
  void oneCallAtATime() throws Exception {
    WatermarkStore store = newStore();
    // Each call lasts long enough for calls to overlap if the store let them.
    try (WatchRecorder watch = new WatchRecorder(Duration.ofMillis(1)).start(store)) {
      watch.awaitCaughtUp();
      List<Future<?>> putters = IntStream.range(0, 4).<Future<?>>mapToObj(t -> executor.submit(() -> {
        for (int i = 0; i < 25; i++) {
          putAndWait(store, "p-" + t, "v" + i);
        }
      })).toList();
      for (Future<?> putter : putters) {
        putter.get(PATIENCE.toMillis(), MILLISECONDS);
      }
      for (int t = 0; t < 4; t++) {
        watch.awaitValue("p-" + t, "v24");
      }
      assertThat(watch.maxConcurrentCalls()).as("calls of the listener at the same time").isEqualTo(1);
      for (int t = 0; t < 4; t++) {
        String key = "p-" + t;
        assertInPutOrder(watch.entries().stream().filter(e -> e.key().equals(key)).toList(),
            IntStream.range(0, 25).mapToObj(i -> "PUT " + key + "=v" + i).toList());
      }
    }
  }

  @Test
  @DisplayName("closing the store stops its watches; then put fails (in its future), delete and watch throw "
      + "IllegalStateException; closing it twice is harmless")
  void closedStore() {
    WatermarkStore store = newStore();
    WatchRecorder watch = WatchRecorder.watchCaughtUp(store);

    assertSecondCloseHarmless(store::close);

    assertThatThrownBy(() -> store.put("p-0", bytes("x")).get(PATIENCE.toMillis(), MILLISECONDS))
        .as("put").isInstanceOf(ExecutionException.class).cause().isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertClosed(() -> store.delete("p-0"), "delete");
    assertClosed(() -> store.watch(entry -> {}), "watch");
    try (WatermarkStore again = client.watermarkStore(store.bucket())) {
      putAndWait(again, "p-0", "after");
      settle(again);
    }
    assertThat(watch.entries()).as("what the stopped watch got").isEmpty();
  }

  @Test
  @DisplayName("closing the client closes its watermark stores: their calls fail with IllegalStateException")
  void closedWithTheClient() {
    WatermarkStore store = newStore();
    WatchRecorder watch = WatchRecorder.watchCaughtUp(store);

    client.close();

    assertClosed(() -> store.watch(entry -> {}), "watch after the client closed");
    assertThatThrownBy(() -> store.put("p-0", bytes("x")).get(PATIENCE.toMillis(), MILLISECONDS))
        .as("put after the client closed").cause().isInstanceOf(IllegalStateException.class);
    assertThatCode(store::close).as("closing the store again").doesNotThrowAnyException();
    assertThatCode(watch::close).as("closing its watch again").doesNotThrowAnyException();
  }

  @Test
  @DisplayName("a bucket that was not created fails with BufferNotFoundException naming it")
  void missingBucket() {
    assumeTrue(features().keepsWatermarks(), "the backend keeps no watermark buckets");
    String missing = BufferNames.offsetTimelineBucket(bucketName());
    assertBufferNotFound(() -> client.watermarkStore(missing), missing);
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @MethodSource("dev.isb.testkit.BadInputConformance#invalidBufferNames")
  @DisplayName("an invalid bucket name is refused with IllegalArgumentException naming it, on every backend")
  void invalidBucketName(String name) {
    assertThatThrownBy(() -> client.watermarkStore(name)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(name);
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @ValueSource(strings = {"", "has space", "star*", "gt>", ".leading", "trailing.", "ünïcode"})
  @DisplayName("an invalid key is refused with IllegalArgumentException naming it, by put and delete")
  void invalidKey(String key) {
    WatermarkStore store = newStore();
    assertThatThrownBy(() -> store.put(key, bytes("x"))).as("put").isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(key);
    assertThatThrownBy(() -> store.delete(key)).as("delete").isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(key);
  }

  @Test
  @DisplayName("null arguments fail with NullPointerException")
  void nulls() {
    assertNullRefused(() -> client.watermarkStore(null), "watermarkStore(null)");
    WatermarkStore store = newStore();
    assertNullRefused(() -> store.put(null, bytes("x")), "put(null, value)");
    assertNullRefused(() -> store.put("p-0", null), "put(key, null)");
    assertNullRefused(() -> store.delete(null), "delete(null)");
    assertNullRefused(() -> store.watch(null), "watch(null)");
  }

  @Test
  @DisplayName("a backend that keeps no watermark buckets says so, naming itself and the bucket")
  void unsupported() {
    assumeFalse(features().keepsWatermarks(), "the backend keeps watermark buckets");
    String bucket = createWatermarkBucket();
    assertThatThrownBy(() -> client.watermarkStore(bucket))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining(client.backend())
        .hasMessageContaining(bucket);
  }
}
