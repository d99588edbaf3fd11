package dev.isb;

import dev.isb.spi.Checks;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * How a {@link BufferWriter} decides that its buffer is full and what it does then. Defaults are
 * Numaflow's: {@code bufferMaxLength} 30000, {@code bufferUsageLimit} 80%, {@code onFull:
 * retryUntilSuccess}, usage refreshed every second. Immutable and thread-safe.
 *
 * <pre>{@code
 * WriterOptions options = WriterOptions.builder().maxLength(10_000).onFull(OnFull.DISCARD_LATEST).build();
 * }</pre>
 *
 * @param maxLength the buffer length the usage is measured against (the to-vertex's
 *     {@code limits.bufferMaxLength})
 * @param usageLimit the usage, in (0, 1], at which the buffer counts as full
 * @param onFull what to do with a batch while the buffer is full
 * @param refreshInterval how often the usage is measured
 * @param fullWaitTimeout under {@link OnFull#RETRY_UNTIL_SUCCESS}, how long one {@code write} call
 *     waits for room before it reports the rest of its batch as retryable failures; by default it
 *     waits as long as it takes
 * @param compression how data payloads are compressed, as the pipeline's
 *     {@code interStepBuffer.compression} says; control messages never are
 */
public record WriterOptions(
    long maxLength, double usageLimit, OnFull onFull, Duration refreshInterval, Duration fullWaitTimeout,
    Compression compression) {

  /** A wait with no practical end. */
  public static final Duration WAIT_FOREVER = ChronoUnit.FOREVER.getDuration();

  private static final WriterOptions DEFAULTS =
      new WriterOptions(30_000, 0.8, OnFull.RETRY_UNTIL_SUCCESS, Duration.ofSeconds(1), WAIT_FOREVER,
          Compression.NONE);

  /** Validates every field. */
  public WriterOptions {
    Checks.positive("maxLength", maxLength);
    Checks.fraction("usageLimit", usageLimit);
    Objects.requireNonNull(onFull, "onFull");
    Checks.positive("refreshInterval", refreshInterval);
    Checks.notNegative("fullWaitTimeout", fullWaitTimeout);
    Objects.requireNonNull(compression, "compression");
  }

  /** Numaflow's defaults. */
  public static WriterOptions defaults() {
    return DEFAULTS;
  }

  /** A builder that starts from the defaults. */
  public static Builder builder() {
    return new Builder(DEFAULTS);
  }

  /** A builder that starts from these options. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Builds {@link WriterOptions}; each setter checks its argument. Not thread-safe. */
  public static final class Builder {
    private long maxLength;
    private double usageLimit;
    private OnFull onFull;
    private Duration refreshInterval;
    private Duration fullWaitTimeout;
    private Compression compression;

    private Builder(WriterOptions from) {
      maxLength = from.maxLength;
      usageLimit = from.usageLimit;
      onFull = from.onFull;
      refreshInterval = from.refreshInterval;
      fullWaitTimeout = from.fullWaitTimeout;
      compression = from.compression;
    }

    /** Sets the length usage is measured against. */
    public Builder maxLength(long maxLength) {
      this.maxLength = Checks.positive("maxLength", maxLength);
      return this;
    }

    /** Sets the usage, in (0, 1], at which the buffer is full. */
    public Builder usageLimit(double usageLimit) {
      this.usageLimit = Checks.fraction("usageLimit", usageLimit);
      return this;
    }

    /** Sets what to do while the buffer is full. */
    public Builder onFull(OnFull onFull) {
      this.onFull = Objects.requireNonNull(onFull, "onFull");
      return this;
    }

    /** Sets how often usage is measured. */
    public Builder refreshInterval(Duration refreshInterval) {
      this.refreshInterval = Checks.positive("refreshInterval", refreshInterval);
      return this;
    }

    /** Sets how long one write waits for room under {@link OnFull#RETRY_UNTIL_SUCCESS}. */
    public Builder fullWaitTimeout(Duration fullWaitTimeout) {
      this.fullWaitTimeout = Checks.notNegative("fullWaitTimeout", fullWaitTimeout);
      return this;
    }

    /** Sets how data payloads are compressed; {@link Compression#NONE} by default. */
    public Builder compression(Compression compression) {
      this.compression = Objects.requireNonNull(compression, "compression");
      return this;
    }

    /** The options. */
    public WriterOptions build() {
      return new WriterOptions(maxLength, usageLimit, onFull, refreshInterval, fullWaitTimeout, compression);
    }
  }
}
