package dev.isb;

import dev.isb.spi.Checks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How buffers and their watermark buckets are created: Numaflow's {@code bufferConfig}, with the
 * Numaflow controller's defaults. Immutable and thread-safe.
 *
 * <pre>{@code
 * BufferConfig config = BufferConfig.defaults().toBuilder()
 *     .stream(BufferConfig.Stream.defaults().toBuilder().retention(Retention.WORK_QUEUE).replicas(1).build())
 *     .build();
 * }</pre>
 *
 * @param stream the buffer (stream) settings
 * @param consumer the consumer group settings
 * @param otBucket the watermark offset-timeline bucket settings
 * @param procBucket the watermark processors bucket settings
 */
public record BufferConfig(Stream stream, Consumer consumer, Bucket otBucket, Bucket procBucket) {

  private static final BufferConfig DEFAULTS = new BufferConfig(
      Stream.defaults(), Consumer.defaults(), Bucket.otDefaults(), Bucket.procDefaults());

  /** Checks for nulls. */
  public BufferConfig {
    Objects.requireNonNull(stream, "stream");
    Objects.requireNonNull(consumer, "consumer");
    Objects.requireNonNull(otBucket, "otBucket");
    Objects.requireNonNull(procBucket, "procBucket");
  }

  /** The Numaflow controller's default buffer configuration. */
  public static BufferConfig defaults() {
    return DEFAULTS;
  }

  /** A builder that starts from this configuration. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  private static void differ(List<String> out, String field, Object actual, Object expected) {
    if (!actual.equals(expected)) {
      out.add(field + " is " + actual + ", expected " + expected);
    }
  }

  /** Builds a {@link BufferConfig}. Not thread-safe. */
  public static final class Builder {
    private Stream stream;
    private Consumer consumer;
    private Bucket otBucket;
    private Bucket procBucket;

    private Builder(BufferConfig from) {
      stream = from.stream;
      consumer = from.consumer;
      otBucket = from.otBucket;
      procBucket = from.procBucket;
    }

    /** Sets the stream settings. */
    public Builder stream(Stream stream) {
      this.stream = Objects.requireNonNull(stream, "stream");
      return this;
    }

    /** Sets the consumer settings. */
    public Builder consumer(Consumer consumer) {
      this.consumer = Objects.requireNonNull(consumer, "consumer");
      return this;
    }

    /** Sets the offset-timeline bucket settings. */
    public Builder otBucket(Bucket otBucket) {
      this.otBucket = Objects.requireNonNull(otBucket, "otBucket");
      return this;
    }

    /** Sets the processors bucket settings. */
    public Builder procBucket(Bucket procBucket) {
      this.procBucket = Objects.requireNonNull(procBucket, "procBucket");
      return this;
    }

    /** The configuration. */
    public BufferConfig build() {
      return new BufferConfig(stream, consumer, otBucket, procBucket);
    }
  }

  /**
   * Buffer (stream) settings. Defaults: Limits retention, 100000 messages, 72h, unlimited bytes,
   * 3 replicas, a 60s duplicates window, file storage.
   *
   * @param retention when messages may be removed
   * @param maxMsgs the most messages kept, or -1 for no limit
   * @param maxAge the oldest message kept; {@link Duration#ZERO} for no limit
   * @param maxBytes the most bytes kept, or -1 for no limit
   * @param replicas copies kept by the ISB service (1 to 5)
   * @param duplicates how long a message id is remembered for de-duplication; positive, and no longer
   *     than {@code maxAge} when that is set (JetStream's rule)
   * @param storage file or memory
   */
  public record Stream(
      Retention retention, long maxMsgs, Duration maxAge, long maxBytes, int replicas,
      Duration duplicates, Storage storage) {

    private static final Stream DEFAULTS = new Stream(
        Retention.LIMITS, 100_000, Duration.ofHours(72), -1, 3, Duration.ofSeconds(60), Storage.FILE);

    /** Validates every field. */
    public Stream {
      Objects.requireNonNull(retention, "stream.retention");
      Checks.positiveOrUnlimited("stream.maxMsgs", maxMsgs);
      Checks.notNegative("stream.maxAge", maxAge);
      Checks.positiveOrUnlimited("stream.maxBytes", maxBytes);
      Checks.inRange("stream.replicas", replicas, 1, 5);
      Checks.positive("stream.duplicates", duplicates);
      Objects.requireNonNull(storage, "stream.storage");
      if (!maxAge.isZero() && duplicates.compareTo(maxAge) > 0) {
        throw new IllegalArgumentException("stream.duplicates must not exceed stream.maxAge, was "
            + duplicates + " with maxAge " + maxAge);
      }
    }

    /** The Numaflow controller's defaults. */
    public static Stream defaults() {
      return DEFAULTS;
    }

    /** Each setting that differs from {@code expected}, as {@code "stream.maxMsgs is 5, expected 10"}. */
    public List<String> differencesFrom(Stream expected) {
      var out = new ArrayList<String>();
      differ(out, "stream.retention", retention, expected.retention);
      differ(out, "stream.maxMsgs", maxMsgs, expected.maxMsgs);
      differ(out, "stream.maxAge", maxAge, expected.maxAge);
      differ(out, "stream.maxBytes", maxBytes, expected.maxBytes);
      differ(out, "stream.replicas", replicas, expected.replicas);
      differ(out, "stream.duplicates", duplicates, expected.duplicates);
      differ(out, "stream.storage", storage, expected.storage);
      return out;
    }

    /** A builder that starts from these settings. */
    public Builder toBuilder() {
      return new Builder(this);
    }

    /** Builds a {@link Stream}; each setter checks its argument. Not thread-safe. */
    public static final class Builder {
      private Retention retention;
      private long maxMsgs;
      private Duration maxAge;
      private long maxBytes;
      private int replicas;
      private Duration duplicates;
      private Storage storage;

      private Builder(Stream from) {
        retention = from.retention;
        maxMsgs = from.maxMsgs;
        maxAge = from.maxAge;
        maxBytes = from.maxBytes;
        replicas = from.replicas;
        duplicates = from.duplicates;
        storage = from.storage;
      }

      /** Sets the retention policy. */
      public Builder retention(Retention retention) {
        this.retention = Objects.requireNonNull(retention, "stream.retention");
        return this;
      }

      /** Sets the most messages kept (-1: no limit). */
      public Builder maxMsgs(long maxMsgs) {
        this.maxMsgs = Checks.positiveOrUnlimited("stream.maxMsgs", maxMsgs);
        return this;
      }

      /** Sets the oldest message kept (zero: no limit). */
      public Builder maxAge(Duration maxAge) {
        this.maxAge = Checks.notNegative("stream.maxAge", maxAge);
        return this;
      }

      /** Sets the most bytes kept (-1: no limit). */
      public Builder maxBytes(long maxBytes) {
        this.maxBytes = Checks.positiveOrUnlimited("stream.maxBytes", maxBytes);
        return this;
      }

      /** Sets the number of replicas (1 to 5). */
      public Builder replicas(int replicas) {
        this.replicas = (int) Checks.inRange("stream.replicas", replicas, 1, 5);
        return this;
      }

      /** Sets the de-duplication window (positive, at most maxAge when that is set). */
      public Builder duplicates(Duration duplicates) {
        this.duplicates = Checks.positive("stream.duplicates", duplicates);
        return this;
      }

      /** Sets the storage. */
      public Builder storage(Storage storage) {
        this.storage = Objects.requireNonNull(storage, "stream.storage");
        return this;
      }

      /** The settings. */
      public Stream build() {
        return new Stream(retention, maxMsgs, maxAge, maxBytes, replicas, duplicates, storage);
      }
    }
  }

  /**
   * Consumer group settings. Defaults: ackWait 60s, maxAckPending 25000.
   *
   * @param ackWait how long a delivered message may stay un-acked (and not kept alive) before it is
   *     delivered again
   * @param maxAckPending the most delivered, un-acked messages the group may hold
   */
  public record Consumer(Duration ackWait, long maxAckPending) {

    private static final Consumer DEFAULTS = new Consumer(Duration.ofSeconds(60), 25_000);

    /** Validates every field. */
    public Consumer {
      Checks.positive("consumer.ackWait", ackWait);
      Checks.positive("consumer.maxAckPending", maxAckPending);
    }

    /** The Numaflow controller's defaults. */
    public static Consumer defaults() {
      return DEFAULTS;
    }

    /** Each setting that differs from {@code expected}, as {@code "consumer.ackWait is PT1S, expected PT1M"}. */
    public List<String> differencesFrom(Consumer expected) {
      var out = new ArrayList<String>();
      differ(out, "consumer.ackWait", ackWait, expected.ackWait);
      differ(out, "consumer.maxAckPending", maxAckPending, expected.maxAckPending);
      return out;
    }

    /** A copy with another ackWait. */
    public Consumer withAckWait(Duration ackWait) {
      return new Consumer(ackWait, maxAckPending);
    }

    /** A copy with another maxAckPending. */
    public Consumer withMaxAckPending(long maxAckPending) {
      return new Consumer(ackWait, maxAckPending);
    }
  }

  /**
   * Watermark key/value bucket settings. Defaults: no value size limit, history 1, ttl 3h (offset
   * timeline) or 72h (processors), no byte limit, file storage, 3 replicas.
   *
   * @param maxValueSize the largest value in bytes; 0 or -1 for no limit
   * @param history values kept per key (1 to 64)
   * @param ttl how long a value lives; zero for ever
   * @param maxBytes the most bytes kept; 0 or -1 for no limit
   * @param storage file or memory
   * @param replicas copies kept (1 to 5)
   */
  public record Bucket(long maxValueSize, int history, Duration ttl, long maxBytes, Storage storage, int replicas) {

    private static final Bucket OT_DEFAULTS = new Bucket(0, 1, Duration.ofHours(3), 0, Storage.FILE, 3);
    private static final Bucket PROC_DEFAULTS = new Bucket(0, 1, Duration.ofHours(72), 0, Storage.FILE, 3);

    /** Validates every field. */
    public Bucket {
      Checks.notNegativeOrUnlimited("bucket.maxValueSize", maxValueSize);
      Checks.inRange("bucket.history", history, 1, 64);
      Checks.notNegative("bucket.ttl", ttl);
      Checks.notNegativeOrUnlimited("bucket.maxBytes", maxBytes);
      Objects.requireNonNull(storage, "bucket.storage");
      Checks.inRange("bucket.replicas", replicas, 1, 5);
    }

    /** The Numaflow controller's defaults for the offset-timeline ({@code _OT}) bucket. */
    public static Bucket otDefaults() {
      return OT_DEFAULTS;
    }

    /** The Numaflow controller's defaults for the processors ({@code _PROCESSORS}) bucket. */
    public static Bucket procDefaults() {
      return PROC_DEFAULTS;
    }

    /** Each setting that differs from {@code expected}, as {@code "bucket.ttl is PT1H, expected PT3H"}. */
    public List<String> differencesFrom(Bucket expected) {
      var out = new ArrayList<String>();
      differ(out, "bucket.maxValueSize", maxValueSize, expected.maxValueSize);
      differ(out, "bucket.history", history, expected.history);
      differ(out, "bucket.ttl", ttl, expected.ttl);
      differ(out, "bucket.maxBytes", maxBytes, expected.maxBytes);
      differ(out, "bucket.storage", storage, expected.storage);
      differ(out, "bucket.replicas", replicas, expected.replicas);
      return out;
    }

    /** A copy with another number of replicas. */
    public Bucket withReplicas(int replicas) {
      return new Bucket(maxValueSize, history, ttl, maxBytes, storage, replicas);
    }

    /** A copy with another ttl. */
    public Bucket withTtl(Duration ttl) {
      return new Bucket(maxValueSize, history, ttl, maxBytes, storage, replicas);
    }
  }
}
