package dev.isb.spi;

import dev.isb.watermark.WatermarkStore;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The part of a {@link WatermarkStore} every backend shares: argument checks, the open/closed state,
 * the watches it has started (each a {@link WatchFeed} that keeps the delivery rules), and the close
 * protocol (stop the watches, release the backend's resources, then tell the client). A backend writes
 * only its wire work: {@link #putValue}, {@link #deleteKey} and {@link #startWatch}. Thread-safe if
 * the subclass's wire work is.
 *
 * <pre>{@code
 * final class MyWatermarkStore extends AbstractWatermarkStore {
 *   MyWatermarkStore(String bucket, Runnable onClose) { super(bucket, onClose); ... }
 *   protected CompletableFuture<Void> putValue(String key, byte[] value) { ... }
 *   protected void deleteKey(String key) { ... }
 *   protected AutoCloseable startWatch(WatchFeed feed) { ... }
 * }
 * }</pre>
 *
 * <p>Keys follow JetStream's rule for key/value keys, on every backend: letters, digits and
 * {@code - / _ = .}, not starting or ending with {@code .} (Numaflow's processor names qualify).
 */
public abstract class AbstractWatermarkStore implements WatermarkStore {

  private static final System.Logger LOG = System.getLogger(AbstractWatermarkStore.class.getName());

  /** The bucket's name. */
  protected final String bucket;
  private final Runnable onClose;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Set<WatchFeed> watches = ConcurrentHashMap.newKeySet();

  /**
   * @param bucket the bucket's name, checked by the client
   * @param onClose runs once, last, when the store closes
   */
  protected AbstractWatermarkStore(String bucket, Runnable onClose) {
    this.bucket = Objects.requireNonNull(bucket, "bucket");
    this.onClose = Objects.requireNonNull(onClose, "onClose");
  }

  /**
   * Stores a copy of {@code value} under a valid key, without waiting for the server; the store is
   * open. Failures complete the future exceptionally; an exception thrown here is turned into one.
   */
  protected abstract CompletableFuture<Void> putValue(String key, byte[] value);

  /** Deletes a valid key, waiting for the server; the store is open. */
  protected abstract void deleteKey(String key);

  /**
   * Starts a watch that delivers to {@code feed} (current values, {@link WatchFeed#caughtUp()}, then
   * changes) until what it returns is closed; the store is open.
   *
   * @return what stops the watch; closed once, by the feed
   */
  protected abstract AutoCloseable startWatch(WatchFeed feed);

  /** Releases what the backend holds for this store, once, after its watches stopped. */
  protected void release() {}

  @Override
  public final String bucket() {
    return bucket;
  }

  /**
   * {@inheritDoc}
   *
   * @throws NullPointerException if the key or value is null
   * @throws IllegalArgumentException if the key is not a valid key (see the class comment)
   */
  @Override
  public final CompletableFuture<Void> put(String key, byte[] value) {
    requireValidKey(key);
    Objects.requireNonNull(value, "value");
    if (closed.get()) {
      return CompletableFuture.failedFuture(closedError());
    }
    try {
      return putValue(key, value.clone());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * {@inheritDoc}
   *
   * @throws NullPointerException if the key is null
   * @throws IllegalArgumentException if the key is not a valid key (see the class comment)
   * @throws IllegalStateException if the store is closed
   */
  @Override
  public final void delete(String key) {
    requireValidKey(key);
    requireOpen();
    deleteKey(key);
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalStateException if the store is closed
   */
  @Override
  public final Watch watch(Listener listener) {
    Objects.requireNonNull(listener, "listener");
    requireOpen();
    var feed = new WatchFeed(bucket, listener, watches::remove);
    watches.add(feed);
    try {
      feed.attach(startWatch(feed));
    } catch (RuntimeException e) {
      feed.close();
      throw e;
    }
    if (closed.get()) {
      feed.close();
      throw closedError();
    }
    return feed;
  }

  /** Whether the store is closed. */
  protected final boolean isClosed() {
    return closed.get();
  }

  /** Stops every watch, releases the backend's resources, then runs the client's callback; once. */
  @Override
  public final void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (WatchFeed feed : List.copyOf(watches)) {
      feed.close();
    }
    try {
      release();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "releasing " + this + " failed", e);
    }
    onClose.run();
  }

  private void requireOpen() {
    if (closed.get()) {
      throw closedError();
    }
  }

  private IllegalStateException closedError() {
    return new IllegalStateException("watermark store for bucket '" + bucket + "' is closed");
  }

  /**
   * Checks a key: 1 or more of the characters {@code A-Z a-z 0-9 - / _ = .}, not starting or ending
   * with {@code .}.
   *
   * @return the key
   * @throws IllegalArgumentException naming the key and what is wrong with it
   */
  public static String requireValidKey(String key) {
    Objects.requireNonNull(key, "key");
    if (key.isEmpty() || key.startsWith(".") || key.endsWith(".")) {
      throw new IllegalArgumentException("watermark key '" + key + "' must not be empty, start or end with '.'");
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-/_=.".indexOf(c) >= 0;
      if (!ok) {
        throw new IllegalArgumentException("watermark key '" + key + "' has the character "
            + (c > ' ' && c <= '~' ? "'" + c + "'" : String.format("U+%04X", (int) c)) + " at index " + i
            + "; keys are letters, digits and - / _ = .");
      }
    }
    return key;
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + '{' + bucket + '}';
  }
}
