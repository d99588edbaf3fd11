package dev.isb.watermark;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * One watermark key/value bucket of an ISB service (an edge's {@code _OT} or {@code _PROCESSORS}
 * bucket), as the watermark publishers and fetchers use it: put a value under a processor's key,
 * delete a key, and watch every change. Opened with {@link dev.isb.IsbClient#watermarkStore}; closed
 * with the client. Thread-safe.
 */
public interface WatermarkStore extends AutoCloseable {

  /** The bucket's name, e.g. {@code ns-pl-in-out_OT}. */
  String bucket();

  /**
   * Stores {@code value} under {@code key} without waiting for the server: the future completes when
   * the server has stored it, or exceptionally (never thrown here, so a failing store cannot fail the
   * caller's write).
   */
  CompletableFuture<Void> put(String key, byte[] value);

  /** Deletes {@code key}; watchers see a {@link Op#DELETE}. Waits for the server. */
  void delete(String key);

  /**
   * Watches the bucket: first the current value of every key ({@link Entry#initial()} true), then
   * {@link Listener#caughtUp()}, then every change as it happens, until the returned watch is closed
   * or the store closes. The listener is called from one thread at a time, in order. A watch that
   * breaks (a lost connection) is started again by the store, which then replays current values.
   *
   * <p>A bucket keeps one value per key (Numaflow's buckets have a history of 1), so a watch that
   * falls behind may miss values replaced before it got to them: each key's values still come in the
   * order they were put, and its last value always comes. A key deleted before the watch started is
   * replayed as its {@link Op#DELETE}, as JetStream keeps the delete marker.
   */
  Watch watch(Listener listener);

  /** Stops every watch; idempotent. */
  @Override
  void close();

  /** What happened to a key. */
  enum Op {
    /** A value was put. */
    PUT,
    /** The key was deleted. */
    DELETE,
    /** The whole bucket was purged. */
    PURGE
  }

  /**
   * One change of a key.
   *
   * @param op what happened
   * @param key the key
   * @param value the value put; empty for a delete or purge
   * @param createdMillis when the server stored the change, epoch milliseconds
   * @param initial whether this is a current value replayed when the watch started
   */
  record Entry(Op op, String key, byte[] value, long createdMillis, boolean initial) {
    /** Checks for nulls. */
    public Entry {
      Objects.requireNonNull(op, "op");
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, "value");
    }
  }

  /** Receives a watch's entries. */
  interface Listener {
    /** One change, or one current value while the watch starts. */
    void onEntry(Entry entry);

    /** Every current value has been given; what follows are new changes. */
    default void caughtUp() {}
  }

  /** A running watch. */
  interface Watch extends AutoCloseable {
    /** Stops the watch; idempotent. */
    @Override
    void close();
  }
}
