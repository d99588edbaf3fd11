package dev.isb.spi;

import dev.isb.BufferWriter;
import dev.isb.WriterOptions;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * The writers and readers a client has open, for backend implementations: opening one registers it,
 * closing it unregisters it, and closing the client closes every one still open. Thread-safe.
 *
 * <pre>{@code
 * private final OpenHandles handles = new OpenHandles("JetStream ISB client");
 *
 * public BufferWriter writer(String buffer, WriterOptions options) {
 *   handles.requireOpen();
 *   return handles.open(onClose -> new JetStreamBufferWriter(this, buffer, options, onClose));
 * }
 *
 * public void close() {
 *   if (handles.close()) {
 *     connection.close();
 *   }
 * }
 * }</pre>
 */
public final class OpenHandles {

  private static final System.Logger LOG = System.getLogger(OpenHandles.class.getName());

  private final String what;
  private final Set<AutoCloseable> open = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();

  /** @param what the client, for the error message: {@code "<what> is closed"} */
  public OpenHandles(String what) {
    this.what = Objects.requireNonNull(what, "what");
  }

  /**
   * Opens a handle and registers it.
   *
   * @param opener makes the handle, given the callback its {@code close()} must run
   * @return the handle
   * @throws IllegalStateException if the client is closed (a handle opened while it closed is closed again)
   */
  public <T extends AutoCloseable> T open(Function<Runnable, T> opener) {
    requireOpen();
    var handle = new AutoCloseable[1];
    T opened = opener.apply(() -> open.remove(handle[0]));
    handle[0] = opened;
    open.add(opened);
    if (closed.get()) {
      closeQuietly(opened);
      throw new IllegalStateException(what + " is closed");
    }
    return opened;
  }

  /** @throws IllegalStateException if the client is closed */
  public void requireOpen() {
    if (closed.get()) {
      throw new IllegalStateException(what + " is closed");
    }
  }

  /**
   * Closes every handle still open; true for the call that closed the client, false if it was closed
   * already. A handle that fails to close is logged and the others are still closed.
   */
  public boolean close() {
    if (!closed.compareAndSet(false, true)) {
      return false;
    }
    for (AutoCloseable handle : List.copyOf(open)) {
      closeQuietly(handle);
    }
    open.clear();
    return true;
  }

  private static void closeQuietly(AutoCloseable handle) {
    try {
      handle.close();
    } catch (Exception e) {
      LOG.log(System.Logger.Level.WARNING, "closing " + handle + " failed", e);
    }
  }

  /**
   * A one-thread timer for a client's periodic work (usage refreshes, keep-alives): a daemon thread of
   * that name that ends when nothing is scheduled for a second, so an idle client holds no thread.
   */
  public static ScheduledExecutorService timer(String threadName) {
    var executor = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = Executors.defaultThreadFactory().newThread(r);
      t.setName(threadName);
      t.setDaemon(true);
      return t;
    });
    executor.setRemoveOnCancelPolicy(true);
    executor.setKeepAliveTime(1, TimeUnit.SECONDS);
    executor.allowCoreThreadTimeOut(true);
    return executor;
  }
}
