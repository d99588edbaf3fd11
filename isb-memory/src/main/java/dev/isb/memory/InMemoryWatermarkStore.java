package dev.isb.memory;

import dev.isb.spi.AbstractWatermarkStore;
import dev.isb.spi.WatchFeed;
import dev.isb.watermark.WatermarkStore.Op;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A watermark bucket of an in-memory ISB. Puts and deletes apply at once (stamped with the wall clock)
 * unless {@link InMemoryFaults} stalls the key; each watch gets the changes on a thread of its own,
 * in order, so a slow listener delays only its own watch and never a put. Thread-safe.
 */
final class InMemoryWatermarkStore extends AbstractWatermarkStore {

  private final InMemoryBucket memory;
  private final InMemoryFaults faults;

  InMemoryWatermarkStore(InMemoryBucket memory, InMemoryFaults faults, Runnable onClose) {
    super(memory.name(), onClose);
    this.memory = memory;
    this.faults = faults;
  }

  @Override
  protected CompletableFuture<Void> putValue(String key, byte[] value) {
    if (!faults.stalled(bucket, key)) {
      memory.put(key, value, System.currentTimeMillis());
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  protected void deleteKey(String key) {
    memory.delete(key, System.currentTimeMillis());
  }

  @Override
  protected AutoCloseable startWatch(WatchFeed feed) {
    var delivery = new Delivery(feed, bucket);
    memory.watch(delivery);
    return () -> {
      memory.unwatch(delivery);
      delivery.thread.shutdown();
    };
  }

  /**
   * Hands a watch's changes to a one-thread executor, in the order the bucket applies them; the
   * thread ends after a second without work. Each change gets its own copy of the value. Changes that
   * race the watch's closing are dropped, as the closed feed would drop them.
   */
  private static final class Delivery implements InMemoryBucket.Changes {
    final ThreadPoolExecutor thread;
    final WatchFeed feed;

    Delivery(WatchFeed feed, String bucket) {
      this.feed = feed;
      this.thread = new ThreadPoolExecutor(1, 1, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
        Thread t = Executors.defaultThreadFactory().newThread(r);
        t.setName("isb-memory-watch-" + bucket);
        t.setDaemon(true);
        return t;
      }, new ThreadPoolExecutor.DiscardPolicy());
      thread.allowCoreThreadTimeOut(true);
    }

    @Override
    public void change(Op op, String key, byte[] value, long createdMillis) {
      byte[] copy = value.clone();
      thread.execute(() -> feed.entry(op, key, copy, createdMillis));
    }

    @Override
    public void caughtUp() {
      thread.execute(feed::caughtUp);
    }
  }

  @Override
  public String toString() {
    return "InMemoryWatermarkStore{" + bucket + '}';
  }
}
