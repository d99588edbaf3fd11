package dev.isb.watermark;

import dev.isb.BufferAdmin;
import dev.isb.BufferNotFoundException;
import dev.isb.BufferReader;
import dev.isb.BufferWriter;
import dev.isb.ReaderOptions;
import dev.isb.WriterOptions;
import dev.isb.spi.AbstractIsbClient;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A client that has watermark buckets and nothing else, for the watermark logic's tests: puts are
 * applied and passed to watchers at once, on the caller's thread, stamped with a clock the test moves.
 */
final class TestBuckets extends AbstractIsbClient {

  /** A wall clock a test sets. */
  static final class Clock implements InstantSource {
    private final AtomicLong millis = new AtomicLong(1_700_000_000_000L);

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis.get());
    }

    void advance(long ms) {
      millis.addAndGet(ms);
    }
  }

  final Clock clock = new Clock();
  private final Map<String, Bucket> buckets = new LinkedHashMap<>();

  TestBuckets() {
    super("test", "test client");
  }

  /** Creates buckets by full name. */
  TestBuckets with(String... names) {
    for (String name : names) {
      buckets.put(name, new Bucket(name));
    }
    return this;
  }

  Bucket bucket(String name) {
    return buckets.get(name);
  }

  @Override
  protected WatermarkStore newWatermarkStore(String bucket, Runnable onClose) {
    Bucket b = buckets.get(bucket);
    if (b == null) {
      throw BufferNotFoundException.bucket(bucket, null);
    }
    return b.open(onClose);
  }

  @Override
  protected BufferWriter newWriter(String buffer, WriterOptions options, Runnable onClose) {
    throw new UnsupportedOperationException("buckets only");
  }

  @Override
  protected BufferReader newReader(String buffer, ReaderOptions options, Runnable onClose) {
    throw new UnsupportedOperationException("buckets only");
  }

  @Override
  protected BufferAdmin buffers() {
    throw new UnsupportedOperationException("buckets only");
  }

  /** One bucket: its values, its watchers, the puts made, and whether puts fail. */
  final class Bucket {
    final String name;
    final Map<String, byte[]> values = new LinkedHashMap<>();
    final List<WatermarkStore.Entry> puts = new ArrayList<>();
    final List<WatermarkStore.Listener> watchers = new ArrayList<>();
    boolean failPuts;

    Bucket(String name) {
      this.name = name;
    }

    /** A put by someone else (an upstream Numaflow processor). */
    synchronized void put(String key, byte[] value) {
      values.put(key, value);
      emit(new WatermarkStore.Entry(WatermarkStore.Op.PUT, key, value, clock.millis(), false));
    }

    synchronized void delete(String key) {
      values.remove(key);
      emit(new WatermarkStore.Entry(WatermarkStore.Op.DELETE, key, new byte[0], clock.millis(), false));
    }

    private void emit(WatermarkStore.Entry entry) {
      if (entry.op() == WatermarkStore.Op.PUT) {
        puts.add(entry);
        notifyAll();
      }
      watchers.forEach(w -> w.onEntry(entry));
    }

    /** Waits until {@code count} puts were made or {@code timeout} passed; returns how many were. */
    synchronized int awaitPuts(int count, Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (puts.size() < count && deadline - System.nanoTime() > 0) {
        TimeUnit.NANOSECONDS.timedWait(this, deadline - System.nanoTime());
      }
      return puts.size();
    }

    WatermarkStore open(Runnable onClose) {
      return new WatermarkStore() {
        @Override
        public String bucket() {
          return name;
        }

        @Override
        public CompletableFuture<Void> put(String key, byte[] value) {
          synchronized (Bucket.this) {
            if (failPuts) {
              return CompletableFuture.failedFuture(new IllegalStateException("bucket '" + name + "' refuses puts"));
            }
            Bucket.this.put(key, value);
            return CompletableFuture.completedFuture(null);
          }
        }

        @Override
        public void delete(String key) {
          Bucket.this.delete(key);
        }

        @Override
        public Watch watch(Listener listener) {
          synchronized (Bucket.this) {
            values.forEach((k, v) -> listener.onEntry(new Entry(Op.PUT, k, v, clock.millis() - 60_000, true)));
            listener.caughtUp();
            watchers.add(listener);
          }
          return () -> {
            synchronized (Bucket.this) {
              watchers.remove(listener);
            }
          };
        }

        @Override
        public void close() {
          onClose.run();
        }
      };
    }
  }
}
