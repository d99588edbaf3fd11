package dev.isb.memory;

import dev.isb.IsbBackendException;
import dev.isb.spi.AbstractWatermarkStore;
import dev.isb.spi.Checks;
import dev.isb.wire.BufferNames;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * Fault injection for an {@link InMemoryIsb}: make a buffer look full, fail the next N writes, reads,
 * acks or usage refreshes of a buffer, slow every call down, or stall a key of a watermark bucket.
 * Faults may be set before the buffer or bucket exists. Thread-safe.
 *
 * <pre>{@code
 * isb.faults().failNextWrites("ns-pl-out-0", 2);   // the next two messages written get a retryable Failed
 * isb.faults().forceFull("ns-pl-out-0", true);     // writers see a full buffer from their next refresh
 * isb.faults().stallWatermarkKey("ns-pl-in-out_OT", "in-0");   // processor in-0 seems to stop publishing
 * }</pre>
 *
 * <p>Injected failures are {@link IsbBackendException}s with code {@value #INJECTED} and are retryable.
 */
public final class InMemoryFaults {

  /** The error code of every injected failure. */
  public static final String INJECTED = "INJECTED";

  private final Map<String, BufferFaults> byBuffer = new ConcurrentHashMap<>();
  /** Per watermark bucket, its stalled keys. */
  private final Map<String, Set<String>> stalledKeys = new ConcurrentHashMap<>();
  private volatile long latencyNanos;

  InMemoryFaults() {}

  private static final class BufferFaults {
    final AtomicInteger writes = new AtomicInteger();
    final AtomicInteger reads = new AtomicInteger();
    final AtomicInteger acks = new AtomicInteger();
    final AtomicInteger refreshes = new AtomicInteger();
    volatile boolean full;
  }

  private BufferFaults of(String buffer) {
    return byBuffer.computeIfAbsent(BufferNames.requireValid(buffer), b -> new BufferFaults());
  }

  /** Makes writers of the buffer see it full (or stop seeing it full) from their next usage refresh. */
  public InMemoryFaults forceFull(String buffer, boolean full) {
    of(buffer).full = full;
    return this;
  }

  /** Fails the next {@code n} messages written to the buffer, each with a retryable failure. */
  public InMemoryFaults failNextWrites(String buffer, int n) {
    return failNext(buffer, n, f -> f.writes);
  }

  /** Fails the next {@code n} reads of the buffer with a retryable exception. */
  public InMemoryFaults failNextReads(String buffer, int n) {
    return failNext(buffer, n, f -> f.reads);
  }

  /** Fails the next {@code n} ack calls on the buffer with a retryable exception; nothing is acked. */
  public InMemoryFaults failNextAcks(String buffer, int n) {
    return failNext(buffer, n, f -> f.acks);
  }

  /** Fails the next {@code n} usage refreshes of writers of the buffer; a failed refresh counts as full. */
  public InMemoryFaults failNextUsageRefreshes(String buffer, int n) {
    return failNext(buffer, n, f -> f.refreshes);
  }

  /** Delays every write, read and ack call of every buffer by {@code latency} (zero: no delay). */
  public InMemoryFaults latency(Duration latency) {
    latencyNanos = Checks.notNegative("latency", latency).toNanos();
    return this;
  }

  /**
   * Stalls a key of a watermark key/value bucket, as a processor that stopped publishing: puts to it
   * are dropped without a word (their futures complete as if stored), so watchers keep seeing its last
   * value, until {@link #resumeWatermarkKey}. Deletes of the key still happen.
   *
   * @param bucket the key/value bucket, e.g. {@code ns-pl-in-out_OT}
   * @param key the processor's key
   */
  public InMemoryFaults stallWatermarkKey(String bucket, String key) {
    stalledKeys.computeIfAbsent(BufferNames.requireValid(bucket), b -> ConcurrentHashMap.newKeySet())
        .add(AbstractWatermarkStore.requireValidKey(key));
    return this;
  }

  /** Lets puts to a key stalled with {@link #stallWatermarkKey} through again, from the next put on. */
  public InMemoryFaults resumeWatermarkKey(String bucket, String key) {
    Set<String> keys = stalledKeys.get(BufferNames.requireValid(bucket));
    if (keys != null) {
      keys.remove(AbstractWatermarkStore.requireValidKey(key));
    }
    return this;
  }

  /** Removes every fault. */
  public void clear() {
    byBuffer.clear();
    stalledKeys.clear();
    latencyNanos = 0;
  }

  private InMemoryFaults failNext(String buffer, int n, Function<BufferFaults, AtomicInteger> counter) {
    counter.apply(of(buffer)).set(Checks.notNegative("n", n));
    return this;
  }

  boolean forcedFull(String buffer) {
    BufferFaults f = byBuffer.get(buffer);
    return f != null && f.full;
  }

  boolean stalled(String bucket, String key) {
    Set<String> keys = stalledKeys.get(bucket);
    return keys != null && keys.contains(key);
  }

  void onWrite(String buffer) {
    take(buffer, "write", f -> f.writes);
  }

  void onRead(String buffer) {
    take(buffer, "read", f -> f.reads);
  }

  void onAck(String buffer) {
    take(buffer, "ack", f -> f.acks);
  }

  void onUsageRefresh(String buffer) {
    take(buffer, "usage refresh", f -> f.refreshes);
  }

  private void take(String buffer, String what, Function<BufferFaults, AtomicInteger> counter) {
    long latency = latencyNanos;
    if (latency > 0) {
      // Injected latency is the behaviour asked for, not a wait for a condition.
      LockSupport.parkNanos(latency);
    }
    BufferFaults f = byBuffer.get(buffer);
    if (f != null && counter.apply(f).getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      throw new IsbBackendException(buffer, INJECTED, "injected " + what + " failure", true, null);
    }
  }
}
