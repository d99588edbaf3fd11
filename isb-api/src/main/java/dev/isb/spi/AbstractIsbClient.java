package dev.isb.spi;

import dev.isb.BufferAdmin;
import dev.isb.BufferReader;
import dev.isb.BufferWriter;
import dev.isb.IsbClient;
import dev.isb.ReaderOptions;
import dev.isb.WriterOptions;
import dev.isb.watermark.WatermarkStore;
import dev.isb.wire.BufferNames;
import java.util.Objects;

/**
 * The part of an {@link IsbClient} every backend shares: the open/closed state, argument checks on
 * the way in, and the writers and readers it has handed out, closed with it. A backend supplies its
 * admin, how to open a writer or reader, and what to release when the client closes. Thread-safe.
 *
 * <pre>{@code
 * final class MyClient extends AbstractIsbClient {
 *   MyClient(Connection c) { super("my", "My ISB client"); ... }
 *   protected BufferWriter newWriter(String buffer, WriterOptions o, Runnable onClose) { ... }
 *   protected BufferReader newReader(String buffer, ReaderOptions o, Runnable onClose) { ... }
 *   protected BufferAdmin buffers() { return admin; }
 *   protected void release() { connection.close(); }
 * }
 * }</pre>
 */
public abstract class AbstractIsbClient implements IsbClient {

  private final String backend;
  private final OpenHandles handles;

  /**
   * @param backend the backend's name, as {@link IsbClient#backend()} reports it
   * @param description what a "closed" error calls this client, e.g. {@code JetStream ISB client}
   */
  protected AbstractIsbClient(String backend, String description) {
    this.backend = Objects.requireNonNull(backend, "backend");
    this.handles = new OpenHandles(description);
  }

  /** Throws {@link IllegalStateException} once this client is closed; for the backend's admin. */
  protected final void requireOpen() {
    handles.requireOpen();
  }

  /** Opens a writer on a buffer whose name is valid; {@code onClose} must run when it closes. */
  protected abstract BufferWriter newWriter(String buffer, WriterOptions options, Runnable onClose);

  /** Opens a reader on a buffer whose name is valid; {@code onClose} must run when it closes. */
  protected abstract BufferReader newReader(String buffer, ReaderOptions options, Runnable onClose);

  /**
   * Opens a watermark bucket whose name is valid; {@code onClose} must run when it closes. By default
   * the backend keeps no watermarks and says so.
   */
  protected WatermarkStore newWatermarkStore(String bucket, Runnable onClose) {
    throw new UnsupportedOperationException("the " + backend + " backend keeps no watermark buckets (asked for '"
        + bucket + "')");
  }

  /** The backend's admin; {@link #admin()} checks that the client is open first. */
  protected abstract BufferAdmin buffers();

  /** Releases the backend's connections and threads, once, after every writer and reader closed. */
  protected void release() {}

  @Override
  public final String backend() {
    return backend;
  }

  @Override
  public final BufferAdmin admin() {
    handles.requireOpen();
    return buffers();
  }

  @Override
  public final BufferWriter writer(String buffer, WriterOptions options) {
    return open(buffer, options, this::newWriter);
  }

  @Override
  public final BufferReader reader(String buffer, ReaderOptions options) {
    return open(buffer, options, this::newReader);
  }

  @Override
  public final WatermarkStore watermarkStore(String bucket) {
    handles.requireOpen();
    BufferNames.requireValid(bucket);
    return handles.open(onClose -> newWatermarkStore(bucket, onClose));
  }

  /** How a backend opens a writer or reader. */
  @FunctionalInterface
  private interface Opener<O, T extends AutoCloseable> {
    T open(String buffer, O options, Runnable onClose);
  }

  private <O, T extends AutoCloseable> T open(String buffer, O options, Opener<O, T> opener) {
    Objects.requireNonNull(options, "options");
    handles.requireOpen();
    BufferNames.requireValid(buffer);
    return handles.open(onClose -> opener.open(buffer, options, onClose));
  }

  @Override
  public final void close() {
    if (handles.close()) {
      release();
    }
  }
}
