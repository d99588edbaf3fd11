package dev.isb.examples;

import dev.isb.vertex.Datum;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the demo's sink checks: each item it receives must be one the source's orders produce, with
 * the right content, and arrive once; it records the time from the order's event time to arrival.
 * Thread-safe: the sink's partitions call it from their own threads.
 */
final class SinkCheck {

  private final Set<String> seen = ConcurrentHashMap.newKeySet();
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong duplicates = new AtomicLong();
  private final AtomicLong corrupt = new AtomicLong();
  private final long[] latencyMicros;
  private final AtomicInteger latencies = new AtomicInteger();

  SinkCheck(int expectedItems) {
    latencyMicros = new long[expectedItems];
  }

  void accept(Datum datum) {
    received.incrementAndGet();
    Orders.Parsed item;
    try {
      item = Orders.Parsed.decode(datum.valueAsString());
    } catch (IllegalArgumentException e) {
      corrupt.incrementAndGet();
      return;
    }
    boolean matches = Orders.expected(item.order()).stream().anyMatch(item::equals)
        && datum.keys().equals(java.util.List.of(item.customer()));
    if (!matches) {
      corrupt.incrementAndGet();
      return;
    }
    if (!seen.add(item.id())) {
      duplicates.incrementAndGet();
      return;
    }
    int slot = latencies.getAndIncrement();
    if (slot < latencyMicros.length) {
      latencyMicros[slot] = Duration.between(datum.eventTime(), Instant.now()).toNanos() / 1_000;
    }
  }

  long distinct() {
    return seen.size();
  }

  long received() {
    return received.get();
  }

  long duplicates() {
    return duplicates.get();
  }

  long corrupt() {
    return corrupt.get();
  }

  /** The latency percentiles in milliseconds: p50, p99, max; zeros when nothing arrived. */
  double[] latencyMillis() {
    int n = Math.min(latencies.get(), latencyMicros.length);
    if (n == 0) {
      return new double[] {0, 0, 0};
    }
    long[] sorted = Arrays.copyOf(latencyMicros, n);
    Arrays.sort(sorted);
    return new double[] {sorted[(n - 1) / 2] / 1000.0, sorted[(int) Math.ceil(n * 0.99) - 1] / 1000.0,
        sorted[n - 1] / 1000.0};
  }
}
