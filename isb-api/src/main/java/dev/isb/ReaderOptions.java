package dev.isb;

import dev.isb.spi.Checks;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * How a {@link BufferReader} reads. Defaults are Numaflow's: batches of 500, a 1s read timeout,
 * held messages kept alive every ackWait/3. Immutable and thread-safe.
 *
 * <pre>{@code
 * ReaderOptions options = ReaderOptions.builder().consumerName("my-vertex-0").batchSize(100).build();
 * }</pre>
 *
 * @param consumerName this reader's name inside the buffer's consumer group; Numaflow uses
 *     {@code <vertex>-<replica>}. Redis keeps un-acked entries per name, so a restarted reader should
 *     keep its name.
 * @param batchSize how many messages {@link BufferReader#read()} asks for
 * @param readTimeout how long {@link BufferReader#read()} waits when the buffer is empty
 * @param keepAlive whether the reader keeps the messages it holds (read, not yet acked or nakked)
 *     from being redelivered, by telling the ISB service they are in progress
 * @param keepAliveInterval how often it does so; empty means a third of the consumer's ackWait
 * @param onUndecodable what to do with a message whose bytes do not decode, after reporting it
 * @param undecodableListener where such messages are reported; by default a warning is logged
 * @param compression how the buffer's writers compressed data payloads (the pipeline's
 *     {@code interStepBuffer.compression}); a payload that does not decompress is undecodable
 * @param readAhead whether a thread of the reader keeps the next read (of {@code batchSize}, waiting
 *     up to {@code readTimeout} but at least 100 ms) in flight while the caller works on what the last
 *     one brought; off by default. Messages read ahead are held (their ackWait runs; keep-alive covers
 *     them) and, if the reader closes before they are taken, given back to be delivered again at once;
 *     those of a read still under way when the reader closes come again after ackWait, as with any read
 *     that a close cuts short
 */
public record ReaderOptions(
    String consumerName, int batchSize, Duration readTimeout, boolean keepAlive,
    Optional<Duration> keepAliveInterval, OnUndecodable onUndecodable,
    Consumer<UndecodableMessage> undecodableListener, Compression compression, boolean readAhead) {

  private static final System.Logger LOG = System.getLogger(ReaderOptions.class.getName());

  /** Logs the buffer, offset, delivery count and error of an undecodable message at WARNING. */
  public static final Consumer<UndecodableMessage> LOG_UNDECODABLE = m -> LOG.log(System.Logger.Level.WARNING,
      "buffer ''{0}'': undecodable message at offset {1} (delivery {2}, {3} bytes): {4}",
      m.offset().buffer(), m.offset(), m.deliveryCount(), m.bytes().length, m.error().getMessage());

  private static final ReaderOptions DEFAULTS = new ReaderOptions("reader-0", 500, Duration.ofSeconds(1), true,
      Optional.empty(), OnUndecodable.TERMINATE, LOG_UNDECODABLE, Compression.NONE, false);

  /** Validates every field. */
  public ReaderOptions {
    Checks.notBlank("consumerName", consumerName);
    Checks.positive("batchSize", batchSize);
    Checks.notNegative("readTimeout", readTimeout);
    Objects.requireNonNull(keepAliveInterval, "keepAliveInterval");
    keepAliveInterval.ifPresent(d -> Checks.positive("keepAliveInterval", d));
    Objects.requireNonNull(onUndecodable, "onUndecodable");
    Objects.requireNonNull(undecodableListener, "undecodableListener");
    Objects.requireNonNull(compression, "compression");
  }

  /** Options without read-ahead, as before it was one of them. */
  public ReaderOptions(String consumerName, int batchSize, Duration readTimeout, boolean keepAlive,
      Optional<Duration> keepAliveInterval, OnUndecodable onUndecodable,
      Consumer<UndecodableMessage> undecodableListener, Compression compression) {
    this(consumerName, batchSize, readTimeout, keepAlive, keepAliveInterval, onUndecodable, undecodableListener,
        compression, false);
  }

  /**
   * Numaflow's defaults, with consumer name {@code reader-0}; undecodable messages are logged and
   * terminated.
   */
  public static ReaderOptions defaults() {
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

  /** The keep-alive interval to use for a consumer with the given ackWait. */
  public Duration keepAliveIntervalFor(Duration ackWait) {
    return keepAliveInterval.orElseGet(() -> {
      Duration third = ackWait.dividedBy(3);
      return third.isZero() ? Duration.ofMillis(1) : third;
    });
  }

  /** Builds {@link ReaderOptions}; each setter checks its argument. Not thread-safe. */
  public static final class Builder {
    private String consumerName;
    private int batchSize;
    private Duration readTimeout;
    private boolean keepAlive;
    private Optional<Duration> keepAliveInterval;
    private OnUndecodable onUndecodable;
    private Consumer<UndecodableMessage> undecodableListener;
    private Compression compression;
    private boolean readAhead;

    private Builder(ReaderOptions from) {
      consumerName = from.consumerName;
      batchSize = from.batchSize;
      readTimeout = from.readTimeout;
      keepAlive = from.keepAlive;
      keepAliveInterval = from.keepAliveInterval;
      onUndecodable = from.onUndecodable;
      undecodableListener = from.undecodableListener;
      compression = from.compression;
      readAhead = from.readAhead;
    }

    /** Sets the consumer name ({@code <vertex>-<replica>} in Numaflow). */
    public Builder consumerName(String consumerName) {
      this.consumerName = Checks.notBlank("consumerName", consumerName);
      return this;
    }

    /** Sets the default batch size. */
    public Builder batchSize(int batchSize) {
      this.batchSize = (int) Checks.positive("batchSize", batchSize);
      return this;
    }

    /** Sets the default read timeout. */
    public Builder readTimeout(Duration readTimeout) {
      this.readTimeout = Checks.notNegative("readTimeout", readTimeout);
      return this;
    }

    /** Turns automatic keep-alive of held messages on or off. */
    public Builder keepAlive(boolean keepAlive) {
      this.keepAlive = keepAlive;
      return this;
    }

    /** Sets the keep-alive interval (default: ackWait / 3). */
    public Builder keepAliveInterval(Duration interval) {
      this.keepAliveInterval = Optional.of(Checks.positive("keepAliveInterval", interval));
      return this;
    }

    /** Sets what to do with undecodable messages (default: terminate them). */
    public Builder onUndecodable(OnUndecodable onUndecodable) {
      this.onUndecodable = Objects.requireNonNull(onUndecodable, "onUndecodable");
      return this;
    }

    /** Sets where undecodable messages are reported (default: {@link #LOG_UNDECODABLE}). */
    public Builder undecodableListener(Consumer<UndecodableMessage> listener) {
      this.undecodableListener = Objects.requireNonNull(listener, "undecodableListener");
      return this;
    }

    /** Sets how data payloads were compressed; {@link Compression#NONE} by default. */
    public Builder compression(Compression compression) {
      this.compression = Objects.requireNonNull(compression, "compression");
      return this;
    }

    /** Turns read-ahead on or off (off by default): the next read in flight while the caller works. */
    public Builder readAhead(boolean readAhead) {
      this.readAhead = readAhead;
      return this;
    }

    /** The options. */
    public ReaderOptions build() {
      return new ReaderOptions(consumerName, batchSize, readTimeout, keepAlive, keepAliveInterval, onUndecodable,
          undecodableListener, compression, readAhead);
    }
  }
}
