package dev.isb.memory;

import dev.isb.BufferAdmin;
import dev.isb.BufferReader;
import dev.isb.BufferWriter;
import dev.isb.ReaderOptions;
import dev.isb.WriterOptions;
import dev.isb.spi.AbstractIsbClient;
import dev.isb.watermark.WatermarkStore;

/**
 * One client (one "pod") of an in-memory ISB; closing it closes what it opened (writers, readers,
 * watermark stores). Thread-safe.
 */
final class InMemoryClient extends AbstractIsbClient {

  private final InMemoryStore store;
  private final BufferAdmin admin;

  InMemoryClient(InMemoryStore store) {
    super(InMemoryBackend.NAME, "in-memory ISB client");
    this.store = store;
    this.admin = new InMemoryBufferAdmin(store, this::requireOpen);
  }

  @Override
  protected BufferWriter newWriter(String buffer, WriterOptions options, Runnable onClose) {
    return new InMemoryBufferWriter(store.buffer(buffer), options, store.faults, store.scheduler, onClose);
  }

  @Override
  protected BufferReader newReader(String buffer, ReaderOptions options, Runnable onClose) {
    return new InMemoryBufferReader(store.buffer(buffer), options, store.faults, store.scheduler, onClose);
  }

  @Override
  protected WatermarkStore newWatermarkStore(String bucket, Runnable onClose) {
    return new InMemoryWatermarkStore(store.bucket(bucket), store.faults, onClose);
  }

  @Override
  protected BufferAdmin buffers() {
    return admin;
  }
}
