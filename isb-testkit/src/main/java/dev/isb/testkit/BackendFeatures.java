package dev.isb.testkit;

import dev.isb.Retention;
import dev.isb.spi.Checks;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What a backend can do, and the timings it needs, as declared to {@link IsbConformanceKit}. Tests that
 * need a feature the backend lacks are skipped (JUnit assumptions), not failed. Immutable and
 * thread-safe; start from {@link #defaults()} and change fields with the {@code with…} methods.
 *
 * <pre>{@code
 * BackendFeatures.defaults()
 *     .withAckWait(Duration.ofSeconds(1))
 *     .withPendingExact(false)
 *     .withRetentions(EnumSet.of(Retention.LIMITS, Retention.WORK_QUEUE));
 * }</pre>
 *
 * @param ackWait the consumer ackWait of buffers in redelivery and keep-alive tests; the tests wait
 *     real time for redelivery, so keep it short (default 500ms), but long enough for the backend to
 *     keep messages alive at a third of it
 * @param refreshInterval the usage refresh interval of writers in the tests (default 50ms), so that
 *     buffer-full tests see usage changes quickly
 * @param nakDelayHonoured whether a nak with a delay holds the message back for that delay (default
 *     true); when false, the test of the delay is skipped
 * @param pendingExact whether {@link dev.isb.BufferReader#pending()} reports an exact count (default
 *     true); when false, its test is skipped
 * @param maxPayloadBytes the largest payload the backend stores, tested byte for byte (default 1 MiB)
 * @param rejectsOversizePayloads whether the backend refuses payloads larger than
 *     {@code maxPayloadBytes} (default false, for backends without a limit); when true, a payload of
 *     twice that size must be reported as a non-retryable failure
 * @param retentions the retention policies the backend supports (default all); tests of the others are
 *     skipped
 * @param duplicateReportsOriginal whether {@link dev.isb.WriteResult.Duplicate#original()} is the
 *     offset of the first copy (default true); when false, only the result type is checked
 * @param replicas the replicas of the buffers and buckets the kit creates (default 1; 3 for a
 *     three-node cluster)
 * @param keepsWatermarks whether the backend keeps watermark buckets that
 *     {@link dev.isb.IsbClient#watermarkStore} opens (default true); when false, the watermark tests
 *     check instead that opening a store fails with {@link UnsupportedOperationException} naming the
 *     backend and the bucket (Redis: Numaflow kept no watermarks on a Redis ISB)
 */
public record BackendFeatures(
    Duration ackWait,
    Duration refreshInterval,
    boolean nakDelayHonoured,
    boolean pendingExact,
    int maxPayloadBytes,
    boolean rejectsOversizePayloads,
    Set<Retention> retentions,
    boolean duplicateReportsOriginal,
    int replicas,
    boolean keepsWatermarks) {

  private static final BackendFeatures DEFAULTS = new BackendFeatures(
      Duration.ofMillis(500), Duration.ofMillis(50), true, true, 1024 * 1024, false,
      EnumSet.allOf(Retention.class), true, 1, true);

  /** Checks the values and copies the set. */
  public BackendFeatures {
    Checks.positive("ackWait", ackWait);
    Checks.positive("refreshInterval", refreshInterval);
    Checks.notNegative("maxPayloadBytes", maxPayloadBytes);
    retentions = Set.copyOf(Objects.requireNonNull(retentions, "retentions"));
    Checks.inRange("replicas", replicas, 1, 5);
  }

  /**
   * Everything supported: ackWait 500ms, refresh every 50ms, nak delays honoured, exact pending counts,
   * 1 MiB payloads without a limit above, every retention, duplicates report the original offset,
   * watermark buckets kept.
   */
  public static BackendFeatures defaults() {
    return DEFAULTS;
  }

  /** A copy with another ackWait for redelivery tests. */
  public BackendFeatures withAckWait(Duration ackWait) {
    return copy(c -> c.ackWait = ackWait);
  }

  /** A copy with another writer usage refresh interval. */
  public BackendFeatures withRefreshInterval(Duration refreshInterval) {
    return copy(c -> c.refreshInterval = refreshInterval);
  }

  /** A copy that says whether nak delays are honoured. */
  public BackendFeatures withNakDelayHonoured(boolean nakDelayHonoured) {
    return copy(c -> c.nakDelayHonoured = nakDelayHonoured);
  }

  /** A copy that says whether {@code pending()} is exact. */
  public BackendFeatures withPendingExact(boolean pendingExact) {
    return copy(c -> c.pendingExact = pendingExact);
  }

  /** A copy with another largest payload. */
  public BackendFeatures withMaxPayloadBytes(int maxPayloadBytes) {
    return copy(c -> c.maxPayloadBytes = maxPayloadBytes);
  }

  /** A copy that says whether payloads above {@code maxPayloadBytes} are refused. */
  public BackendFeatures withRejectsOversizePayloads(boolean rejectsOversizePayloads) {
    return copy(c -> c.rejectsOversizePayloads = rejectsOversizePayloads);
  }

  /** A copy with other supported retention policies. */
  public BackendFeatures withRetentions(Set<Retention> retentions) {
    return copy(c -> c.retentions = retentions);
  }

  /** A copy that says whether duplicates report the offset of the first copy. */
  public BackendFeatures withDuplicateReportsOriginal(boolean duplicateReportsOriginal) {
    return copy(c -> c.duplicateReportsOriginal = duplicateReportsOriginal);
  }

  /** A copy whose buffers and buckets have another number of replicas. */
  public BackendFeatures withReplicas(int replicas) {
    return copy(c -> c.replicas = replicas);
  }

  /** A copy that says whether the backend keeps watermark buckets. */
  public BackendFeatures withKeepsWatermarks(boolean keepsWatermarks) {
    return copy(c -> c.keepsWatermarks = keepsWatermarks);
  }

  /** Builds a copy through one mutable holder, so that each wither names only the field it changes. */
  private BackendFeatures copy(Consumer<Fields> change) {
    Fields c = new Fields(this);
    change.accept(c);
    return new BackendFeatures(c.ackWait, c.refreshInterval, c.nakDelayHonoured, c.pendingExact,
        c.maxPayloadBytes, c.rejectsOversizePayloads, c.retentions, c.duplicateReportsOriginal, c.replicas,
        c.keepsWatermarks);
  }

  /** The components of a copy being made; the canonical constructor checks them. */
  private static final class Fields {
    Duration ackWait;
    Duration refreshInterval;
    boolean nakDelayHonoured;
    boolean pendingExact;
    int maxPayloadBytes;
    boolean rejectsOversizePayloads;
    Set<Retention> retentions;
    boolean duplicateReportsOriginal;
    int replicas;
    boolean keepsWatermarks;

    Fields(BackendFeatures from) {
      ackWait = from.ackWait();
      refreshInterval = from.refreshInterval();
      nakDelayHonoured = from.nakDelayHonoured();
      pendingExact = from.pendingExact();
      maxPayloadBytes = from.maxPayloadBytes();
      rejectsOversizePayloads = from.rejectsOversizePayloads();
      retentions = from.retentions();
      duplicateReportsOriginal = from.duplicateReportsOriginal();
      replicas = from.replicas();
      keepsWatermarks = from.keepsWatermarks();
    }
  }
}
