package dev.isb.memory;

import dev.isb.BufferConfig;
import dev.isb.BufferInfo;
import dev.isb.spi.AbstractBufferAdmin;
import java.util.Map;
import java.util.Optional;

/** A client's view of the buffers and buckets of an in-memory ISB. Thread-safe: the maps are concurrent. */
final class InMemoryBufferAdmin extends AbstractBufferAdmin {

  private final InMemoryStore store;
  private final Map<String, InMemoryBuffer> buffers;
  private final Map<String, InMemoryBucket> buckets;

  InMemoryBufferAdmin(InMemoryStore store, Runnable requireOpen) {
    super(requireOpen);
    this.store = store;
    this.buffers = store.buffers;
    this.buckets = store.buckets;
  }

  @Override
  protected void createBuffer(String buffer, BufferConfig config) {
    buffers.computeIfAbsent(buffer, n -> new InMemoryBuffer(n, config));
  }

  @Override
  protected void createKeyValue(String name, BufferConfig.Bucket settings) {
    buckets.computeIfAbsent(name, n -> new InMemoryBucket(n, settings));
  }

  @Override
  protected void inspectBuffer(String name, Optional<BufferConfig> expected, Findings findings) {
    InMemoryBuffer buffer = buffers.get(name);
    if (buffer == null) {
      findings.problem("buffer (stream and consumer group) is missing");
    } else {
      expected.ifPresent(e -> {
        findings.differences(buffer.config().stream().differencesFrom(e.stream()));
        findings.differences(buffer.config().consumer().differencesFrom(e.consumer()));
      });
    }
  }

  @Override
  protected Optional<BufferConfig.Bucket> keyValueSettings(String name) {
    return Optional.ofNullable(buckets.get(name)).map(InMemoryBucket::settings);
  }

  @Override
  protected void deleteBuffer(String name) {
    InMemoryBuffer removed = buffers.remove(name);
    if (removed != null) {
      removed.delete();
    }
  }

  @Override
  protected void deleteKeyValue(String name) {
    InMemoryBucket removed = buckets.remove(name);
    if (removed != null) {
      removed.delete();
    }
  }

  @Override
  protected BufferInfo info(String name) {
    return store.buffer(name).info();
  }
}
