package dev.isb.testkit;

import dev.isb.BufferAdmin;
import dev.isb.BufferReader;
import dev.isb.BufferWriter;
import dev.isb.IsbClient;
import dev.isb.ReaderOptions;
import dev.isb.WriterOptions;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/** One client (one "pod") of an in-memory ISB; closing it closes what it opened. Thread-safe. */
final class InMemoryClient implements IsbClient {

  private final InMemoryStore store;
  private final BufferAdmin admin;
  private final Set<AutoCloseable> open = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();

  InMemoryClient(InMemoryStore store) {
    this.store = store;
    this.admin = new InMemoryBufferAdmin(store, this::requireOpen);
  }

  @Override
  public String backend() {
    return InMemoryBackend.NAME;
  }

  @Override
  public BufferAdmin admin() {
    requireOpen();
    return admin;
  }

  @Override
  public BufferWriter writer(String buffer, WriterOptions options) {
    Objects.requireNonNull(options, "options");
    requireOpen();
    InMemoryBuffer b = store.buffer(buffer);
    var handle = new AutoCloseable[1];
    var writer = new InMemoryBufferWriter(b, options, store.faults, store.scheduler, () -> open.remove(handle[0]));
    handle[0] = writer;
    return register(writer);
  }

  @Override
  public BufferReader reader(String buffer, ReaderOptions options) {
    Objects.requireNonNull(options, "options");
    requireOpen();
    InMemoryBuffer b = store.buffer(buffer);
    var handle = new AutoCloseable[1];
    var reader = new InMemoryBufferReader(b, options, store.faults, store.scheduler, () -> open.remove(handle[0]));
    handle[0] = reader;
    return register(reader);
  }

  private <T extends AutoCloseable> T register(T handle) {
    open.add(handle);
    if (closed.get()) {
      // Lost a race with close(): do not leave a handle open behind a closed client.
      closeQuietly(handle);
      throw new IllegalStateException("client closed");
    }
    return handle;
  }

  private void requireOpen() {
    if (closed.get()) {
      throw new IllegalStateException("in-memory ISB client is closed");
    }
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (AutoCloseable handle : List.copyOf(open)) {
      closeQuietly(handle);
    }
    open.clear();
  }

  private static void closeQuietly(AutoCloseable handle) {
    try {
      handle.close();
    } catch (Exception e) {
      // Writers and readers of this backend do not throw on close.
      throw new IllegalStateException("unexpected failure closing " + handle, e);
    }
  }
}
