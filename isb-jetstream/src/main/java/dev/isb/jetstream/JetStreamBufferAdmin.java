package dev.isb.jetstream;

import dev.isb.BufferConfig;
import dev.isb.BufferInfo;
import dev.isb.Retention;
import dev.isb.Storage;
import dev.isb.spi.AbstractBufferAdmin;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.KeyValueManagement;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.KeyValueStatus;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Buffers as Numaflow creates them on JetStream: per buffer a stream whose name and only subject are
 * the buffer name, and a durable pull consumer of the same name; per edge bucket the {@code _OT} (and
 * {@code _PROCESSORS}) key/value buckets. Thread-safe.
 */
final class JetStreamBufferAdmin extends AbstractBufferAdmin {

  private final JetStreamManagement jsm;
  private final KeyValueManagement kvm;

  JetStreamBufferAdmin(JetStreamManagement jsm, KeyValueManagement kvm, Runnable requireOpen) {
    super(requireOpen);
    this.jsm = jsm;
    this.kvm = kvm;
  }

  /** Numaflow's stream for a buffer; discard Old under Limits, New otherwise (no silent loss). */
  static StreamConfiguration streamConfiguration(String buffer, BufferConfig.Stream stream) {
    return StreamConfiguration.builder()
        .name(buffer)
        .subjects(buffer)
        .retentionPolicy(retention(stream.retention()))
        .discardPolicy(stream.retention() == Retention.LIMITS ? DiscardPolicy.Old : DiscardPolicy.New)
        .maxMessages(stream.maxMsgs())
        .maxAge(stream.maxAge())
        .maxBytes(stream.maxBytes())
        .storageType(storage(stream.storage()))
        .replicas(stream.replicas())
        .duplicateWindow(stream.duplicates())
        .build();
  }

  /** Numaflow's durable pull consumer for a buffer. */
  static ConsumerConfiguration consumerConfiguration(String buffer, BufferConfig.Consumer consumer) {
    return ConsumerConfiguration.builder()
        .durable(buffer)
        .deliverPolicy(DeliverPolicy.All)
        .ackPolicy(AckPolicy.Explicit)
        .ackWait(consumer.ackWait())
        .maxAckPending(consumer.maxAckPending())
        .filterSubject(buffer)
        .build();
  }

  static KeyValueConfiguration bucketConfiguration(String name, BufferConfig.Bucket bucket) {
    return KeyValueConfiguration.builder()
        .name(name)
        .maximumValueSize(bucket.maxValueSize() <= 0 ? -1 : (int) Math.min(Integer.MAX_VALUE, bucket.maxValueSize()))
        .maxHistoryPerKey(bucket.history())
        .ttl(bucket.ttl())
        .maxBucketSize(bucket.maxBytes() == 0 ? -1 : bucket.maxBytes())
        .storageType(storage(bucket.storage()))
        .replicas(bucket.replicas())
        .build();
  }

  static RetentionPolicy retention(Retention retention) {
    return switch (retention) {
      case LIMITS -> RetentionPolicy.Limits;
      case INTEREST -> RetentionPolicy.Interest;
      case WORK_QUEUE -> RetentionPolicy.WorkQueue;
    };
  }

  static Retention retention(RetentionPolicy policy) {
    return switch (policy) {
      case Limits -> Retention.LIMITS;
      case Interest -> Retention.INTEREST;
      case WorkQueue -> Retention.WORK_QUEUE;
    };
  }

  private static StorageType storage(Storage storage) {
    return storage == Storage.FILE ? StorageType.File : StorageType.Memory;
  }

  private static Storage storage(StorageType storage) {
    return storage == StorageType.File ? Storage.FILE : Storage.MEMORY;
  }

  @Override
  protected void createBuffer(String buffer, BufferConfig config) {
    JetStreamErrors.call(buffer, "creating the stream", () -> {
      if (streamInfo(buffer) == null) {
        try {
          jsm.addStream(streamConfiguration(buffer, config.stream()));
        } catch (JetStreamApiException e) {
          // Another creator won the race: what exists now is what counts, as in Numaflow.
          if (streamInfo(buffer) == null) {
            throw e;
          }
        }
      }
      return null;
    });
    JetStreamErrors.call(buffer, "creating the consumer", () -> {
      if (consumerInfo(buffer) == null) {
        jsm.addOrUpdateConsumer(buffer, consumerConfiguration(buffer, config.consumer()));
      }
      return null;
    });
  }

  @Override
  protected void createKeyValue(String name, BufferConfig.Bucket bucket) {
    JetStreamErrors.call(name, "creating the key/value bucket", () -> {
      if (bucketStatus(name) == null) {
        kvm.create(bucketConfiguration(name, bucket));
      }
      return null;
    });
  }

  @Override
  protected void inspectBuffer(String buffer, Optional<BufferConfig> expected, Findings findings) {
    JetStreamErrors.call(buffer, "validating the buffer", () -> {
      StreamInfo stream = streamInfo(buffer);
      ConsumerInfo consumer = stream == null ? null : consumerInfo(buffer);
      if (stream == null) {
        findings.problem("stream is missing");
      } else if (consumer == null) {
        findings.problem("durable consumer '" + buffer + "' is missing");
      }
      if (stream != null && expected.isPresent()) {
        findings.differences(streamDifferences(stream.getConfiguration(), expected.get().stream()));
      }
      if (consumer != null && expected.isPresent()) {
        var cc = consumer.getConsumerConfiguration();
        findings.differences(new BufferConfig.Consumer(cc.getAckWait(), cc.getMaxAckPending())
            .differencesFrom(expected.get().consumer()));
      }
      return null;
    });
  }

  @Override
  protected Optional<BufferConfig.Bucket> keyValueSettings(String kv) {
    return JetStreamErrors.call(kv, "validating the bucket",
        () -> Optional.ofNullable(bucketStatus(kv)).map(status -> bucketOf(status.getConfiguration())));
  }

  private static List<String> streamDifferences(StreamConfiguration actual, BufferConfig.Stream expected) {
    try {
      return new BufferConfig.Stream(retention(actual.getRetentionPolicy()), actual.getMaxMsgs(), actual.getMaxAge(),
          actual.getMaxBytes(), actual.getReplicas(), actual.getDuplicateWindow(), storage(actual.getStorageType()))
          .differencesFrom(expected);
    } catch (IllegalArgumentException outsideOurRange) {
      return List.of("stream has settings this library does not create: " + outsideOurRange.getMessage());
    }
  }

  private static BufferConfig.Bucket bucketOf(KeyValueConfiguration c) {
    return new BufferConfig.Bucket(c.getMaximumValueSize(), (int) c.getMaxHistoryPerKey(), c.getTtl(), c.getMaxBucketSize(),
        storage(c.getStorageType()), c.getReplicas());
  }

  /** The bucket settings as created: JetStream says -1 where Numaflow's config says 0 for "no limit". */
  @Override
  protected BufferConfig.Bucket asStored(BufferConfig.Bucket b) {
    return new BufferConfig.Bucket(b.maxValueSize() == 0 ? -1 : b.maxValueSize(), b.history(), b.ttl(),
        b.maxBytes() == 0 ? -1 : b.maxBytes(), b.storage(), b.replicas());
  }

  @Override
  protected void deleteBuffer(String buffer) {
    JetStreamErrors.call(buffer, "deleting the stream", () -> unlessNotFound(() -> jsm.deleteStream(buffer)));
  }

  @Override
  protected void deleteKeyValue(String kv) {
    JetStreamErrors.call(kv, "deleting the bucket", () -> {
      if (bucketStatus(kv) != null) {
        kvm.delete(kv);
      }
      return null;
    });
  }

  @Override
  protected BufferInfo info(String buffer) {
    return JetStreamErrors.call(buffer, "reading buffer info", () -> {
      StreamInfo stream = jsm.getStreamInfo(buffer);
      ConsumerInfo consumer = jsm.getConsumerInfo(buffer, buffer);
      return bufferInfo(buffer, stream, consumer);
    });
  }

  /**
   * Numaflow's GetBufferInfo (total is pending + ack-pending under Limits, else the stored messages),
   * with the gaps and stalls {@link ConsumerGaps} finds.
   */
  static BufferInfo bufferInfo(String buffer, StreamInfo stream, ConsumerInfo consumer) {
    long pending = consumer.getNumPending();
    long ackPending = consumer.getNumAckPending();
    boolean limits = stream.getConfiguration().getRetentionPolicy() == RetentionPolicy.Limits;
    long total = limits ? pending + ackPending : stream.getStreamState().getMsgCount();
    var state = stream.getStreamState();
    boolean firstAfterConsumer = state.getFirstTime() != null && consumer.getCreationTime() != null
        && state.getFirstTime().isAfter(consumer.getCreationTime());
    ConsumerGaps gaps = ConsumerGaps.of(state.getFirstSequence(), state.getLastSequence(),
        consumer.getAckFloor().getStreamSequence(), consumer.getDelivered().getStreamSequence(), pending, ackPending,
        firstAfterConsumer);
    return new BufferInfo(buffer, pending, ackPending, total, gaps.lost(), gaps.warnings());
  }

  private StreamInfo streamInfo(String buffer) throws IOException, JetStreamApiException {
    return unlessNotFound(() -> jsm.getStreamInfo(buffer));
  }

  private ConsumerInfo consumerInfo(String buffer) throws IOException, JetStreamApiException {
    return unlessNotFound(() -> jsm.getConsumerInfo(buffer, buffer));
  }

  private KeyValueStatus bucketStatus(String name) throws IOException, JetStreamApiException {
    return unlessNotFound(() -> kvm.getStatus(name));
  }

  @FunctionalInterface
  private interface Lookup<T> {
    T get() throws IOException, JetStreamApiException;
  }

  /** What the call returns, or null when the server says that what it asked for does not exist. */
  private static <T> T unlessNotFound(Lookup<T> lookup) throws IOException, JetStreamApiException {
    try {
      return lookup.get();
    } catch (JetStreamApiException e) {
      if (JetStreamErrors.isNotFound(e)) {
        return null;
      }
      throw e;
    }
  }
}
