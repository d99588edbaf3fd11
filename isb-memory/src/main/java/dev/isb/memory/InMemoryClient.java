package dev.isb.memory;

import dev.isb.BufferAdmin;
import dev.isb.BufferReader;
import dev.isb.BufferWriter;
import dev.isb.IsbClient;
import dev.isb.ReaderOptions;
import dev.isb.WriterOptions;
import dev.isb.spi.OpenHandles;
import java.util.Objects;

/** One client (one "pod") of an in-memory ISB; closing it closes what it opened. Thread-safe. */
final class InMemoryClient implements IsbClient {

  private final InMemoryStore store;
  private final BufferAdmin admin;
  private final OpenHandles handles = new OpenHandles("in-memory ISB client");

  InMemoryClient(InMemoryStore store) {
    this.store = store;
    this.admin = new InMemoryBufferAdmin(store, handles::requireOpen);
  }

  @Override
  public String backend() {
    return InMemoryBackend.NAME;
  }

  @Override
  public BufferAdmin admin() {
    handles.requireOpen();
    return admin;
  }

  @Override
  public BufferWriter writer(String buffer, WriterOptions options) {
    Objects.requireNonNull(options, "options");
    handles.requireOpen();
    InMemoryBuffer b = store.buffer(buffer);
    return handles.open(onClose -> new InMemoryBufferWriter(b, options, store.faults, store.scheduler, onClose));
  }

  @Override
  public BufferReader reader(String buffer, ReaderOptions options) {
    Objects.requireNonNull(options, "options");
    handles.requireOpen();
    InMemoryBuffer b = store.buffer(buffer);
    return handles.open(onClose -> new InMemoryBufferReader(b, options, store.faults, store.scheduler, onClose));
  }

  @Override
  public void close() {
    handles.close();
  }
}
