package dev.isb.memory;

import dev.isb.BufferConfig;
import dev.isb.BufferNotFoundException;
import dev.isb.watermark.WatermarkStore.Op;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One watermark key/value bucket of an in-memory ISB: its settings, the last change of each key, and
 * the watches on it. As in a JetStream bucket, a deleted key keeps its delete marker as its last
 * change, which a new watch replays. Thread-safe: changes are applied and handed to the watches under
 * the bucket's monitor, so every watch is given them in the order they were applied.
 */
final class InMemoryBucket {

  /** Receives a bucket's changes; called under the bucket's monitor, so it must only hand them on. */
  interface Changes {
    void change(Op op, String key, byte[] value, long createdMillis);

    void caughtUp();
  }

  private record Change(Op op, byte[] value, long createdMillis) {}

  private static final byte[] NO_VALUE = new byte[0];

  private final String name;
  private final BufferConfig.Bucket settings;
  /** Guarded by {@code this}. */
  private final Map<String, Change> last = new LinkedHashMap<>();
  private final Set<Changes> watches = ConcurrentHashMap.newKeySet();
  private volatile boolean deleted;

  InMemoryBucket(String name, BufferConfig.Bucket settings) {
    this.name = name;
    this.settings = settings;
  }

  BufferConfig.Bucket settings() {
    return settings;
  }

  String name() {
    return name;
  }

  void put(String key, byte[] value, long nowMillis) {
    apply(key, new Change(Op.PUT, value, nowMillis));
  }

  void delete(String key, long nowMillis) {
    apply(key, new Change(Op.DELETE, NO_VALUE, nowMillis));
  }

  private synchronized void apply(String key, Change change) {
    requireExists();
    // Last changed, last replayed: the order of JetStream's last-per-subject delivery.
    last.remove(key);
    last.put(key, change);
    watches.forEach(w -> w.change(change.op(), key, change.value(), change.createdMillis()));
  }

  /** Hands the last change of each key, then "caught up", to {@code changes}, which then gets every change. */
  synchronized void watch(Changes changes) {
    requireExists();
    last.forEach((key, c) -> changes.change(c.op(), key, c.value(), c.createdMillis()));
    changes.caughtUp();
    watches.add(changes);
  }

  void unwatch(Changes changes) {
    watches.remove(changes);
  }

  /** The bucket was deleted: its watches get nothing more, puts and deletes fail. */
  synchronized void delete() {
    deleted = true;
    watches.clear();
  }

  private void requireExists() {
    if (deleted) {
      throw BufferNotFoundException.bucket(name, null);
    }
  }

  @Override
  public String toString() {
    return "InMemoryBucket{" + name + '}';
  }
}
