package dev.isb.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.isb.watermark.WatermarkStore;
import dev.isb.watermark.WatermarkStore.Entry;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * A watch's listener that records what it is given, for tests of watermark stores and of what uses
 * them: the entries, when the watch caught up, and how many calls ever overlapped. The waits fail the
 * test after 10 s. Thread-safe; closing it closes the watch.
 *
 * <pre>{@code
 * try (WatchRecorder watch = WatchRecorder.watch(store)) {
 *   watch.awaitCaughtUp();
 *   store.put("p-0", value);
 *   watch.awaitValue("p-0", "v1");
 * }
 * }</pre>
 */
public class WatchRecorder implements WatermarkStore.Listener, AutoCloseable {

  /** How long the waits wait for what a watch should deliver soon. */
  public static final Duration PATIENCE = ConformanceGroup.PATIENCE;

  /** Longer values are described by their length. */
  private static final int SHOWN_BYTES = 64;

  private final List<Entry> all = new CopyOnWriteArrayList<>();
  private final AtomicInteger calls = new AtomicInteger();
  private final AtomicInteger maxCalls = new AtomicInteger();
  private final AtomicInteger caughtUp = new AtomicInteger();
  private final Duration dwell;
  /** How many entries came before the first caughtUp; -1 before it. */
  private volatile int caughtUpAfter = -1;
  private volatile WatermarkStore.Watch watch;

  /** A recorder whose every call returns at once. */
  public WatchRecorder() {
    this(Duration.ZERO);
  }

  /** A recorder whose every call of {@link #onEntry} lasts {@code dwell}, so that overlapping calls would show. */
  public WatchRecorder(Duration dwell) {
    this.dwell = dwell;
  }

  /** A new recorder watching {@code store}. */
  public static WatchRecorder watch(WatermarkStore store) {
    return new WatchRecorder().start(store);
  }

  /** A new recorder watching {@code store}, once the watch has caught up. */
  public static WatchRecorder watchCaughtUp(WatermarkStore store) {
    WatchRecorder recorder = watch(store);
    try {
      recorder.awaitCaughtUp();
    } catch (RuntimeException | Error e) {
      recorder.close();
      throw e;
    }
    return recorder;
  }

  /** Starts watching {@code store}; once. */
  public WatchRecorder start(WatermarkStore store) {
    watch = store.watch(this);
    return this;
  }

  @Override
  public void onEntry(Entry entry) {
    maxCalls.accumulateAndGet(calls.incrementAndGet(), Math::max);
    try {
      if (!dwell.isZero()) {
        LockSupport.parkNanos(dwell.toNanos());
      }
      all.add(entry);
    } finally {
      calls.decrementAndGet();
    }
  }

  @Override
  public void caughtUp() {
    if (caughtUp.incrementAndGet() == 1) {
      caughtUpAfter = all.size();
    }
  }

  /** Every entry so far. */
  public List<Entry> all() {
    return List.copyOf(all);
  }

  /** The entries before the first caughtUp; call after {@link #awaitCaughtUp()}. */
  public List<Entry> beforeCaughtUp() {
    return all().subList(0, Math.max(0, caughtUpAfter));
  }

  /** The entries after the first caughtUp (all of them until then). */
  public List<Entry> entries() {
    List<Entry> now = all();
    return now.subList(Math.max(0, Math.min(caughtUpAfter, now.size())), now.size());
  }

  /** How many times the watch said it caught up. */
  public int caughtUpCount() {
    return caughtUp.get();
  }

  /** The most calls of {@link #onEntry} that ran at the same time. */
  public int maxConcurrentCalls() {
    return maxCalls.get();
  }

  /** Waits until the watch says it caught up. */
  public void awaitCaughtUp() {
    Await.until(PATIENCE, "the watch catches up", () -> caughtUp.get() > 0);
  }

  /** The first entry that matches, once one has come. */
  public Entry await(String what, Predicate<Entry> match) {
    return await(what, PATIENCE, match);
  }

  /** The first entry that matches, once one has come; fails the test after {@code within}. */
  public Entry await(String what, Duration within, Predicate<Entry> match) {
    Await.until(within, () -> what + " (entries so far: " + described() + ")",
        () -> all.stream().anyMatch(match));
    return all.stream().filter(match).findFirst().orElseThrow();
  }

  /** The first PUT of {@code value} (UTF-8) under {@code key}, once it has come. */
  public Entry awaitValue(String key, String value) {
    return awaitValue(key, value, PATIENCE);
  }

  /** The first PUT of {@code value} (UTF-8) under {@code key}, once it has come; fails the test after {@code within}. */
  public Entry awaitValue(String key, String value, Duration within) {
    byte[] expected = value.getBytes(UTF_8);
    return await("PUT " + key + "=" + value, within,
        e -> e.op() == WatermarkStore.Op.PUT && e.key().equals(key) && Arrays.equals(e.value(), expected));
  }

  /** The last entry of {@code key}. */
  public Entry last(String key) {
    List<Entry> ofKey = all().stream().filter(e -> e.key().equals(key)).toList();
    if (ofKey.isEmpty()) {
      throw new AssertionError("no entry of key " + key + " in " + described());
    }
    return ofKey.get(ofKey.size() - 1);
  }

  private List<String> described() {
    return all().stream().map(WatchRecorder::describe).toList();
  }

  /**
   * {@code "PUT key=value initial"}, the value read as UTF-8 (as {@code <n bytes>} beyond
   * {@value #SHOWN_BYTES} bytes), for assertions and failure messages that read well.
   */
  public static String describe(Entry e) {
    String value = e.value().length > SHOWN_BYTES ? "<" + e.value().length + " bytes>" : new String(e.value(), UTF_8);
    return e.op() + " " + e.key() + "=" + value + (e.initial() ? " initial" : "");
  }

  @Override
  public void close() {
    WatermarkStore.Watch w = watch;
    if (w != null) {
      w.close();
    }
  }
}
