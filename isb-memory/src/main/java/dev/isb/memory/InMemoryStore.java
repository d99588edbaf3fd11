package dev.isb.memory;

import dev.isb.BufferNotFoundException;
import dev.isb.spi.OpenHandles;
import dev.isb.wire.BufferNames;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/** The shared state of one in-memory ISB: its buffers, buckets, faults and timer thread. */
final class InMemoryStore {

  private static final AtomicInteger STORES = new AtomicInteger();

  final Map<String, InMemoryBuffer> buffers = new ConcurrentHashMap<>();
  final Map<String, InMemoryBucket> buckets = new ConcurrentHashMap<>();
  final InMemoryFaults faults = new InMemoryFaults();
  final ScheduledExecutorService scheduler;

  InMemoryStore() {
    // No thread lingers once every writer and reader is closed, even if the store itself never is.
    this.scheduler = OpenHandles.timer("isb-memory-" + STORES.incrementAndGet());
  }

  /** The live buffer of that name. */
  InMemoryBuffer buffer(String name) {
    BufferNames.requireValid(name);
    InMemoryBuffer b = buffers.get(name);
    if (b == null) {
      throw new BufferNotFoundException(name, null);
    }
    return b;
  }

  /** The live watermark key/value bucket of that name. */
  InMemoryBucket bucket(String name) {
    BufferNames.requireValid(name);
    InMemoryBucket b = buckets.get(name);
    if (b == null) {
      throw BufferNotFoundException.bucket(name, null);
    }
    return b;
  }

  void shutdown() {
    scheduler.shutdownNow();
  }
}
