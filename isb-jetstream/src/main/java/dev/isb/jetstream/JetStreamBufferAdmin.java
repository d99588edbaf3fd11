package dev.isb.jetstream;

import dev.isb.BucketLayout;
import dev.isb.BufferAdmin;
import dev.isb.BufferConfig;
import dev.isb.BufferInfo;
import dev.isb.Retention;
import dev.isb.Storage;
import dev.isb.ValidationReport;
import dev.isb.wire.BufferNames;
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
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Buffers as Numaflow creates them on JetStream: per buffer a stream whose name and only subject are
 * the buffer name, and a durable pull consumer of the same name; per edge bucket the {@code _OT} (and
 * {@code _PROCESSORS}) key/value buckets. Thread-safe.
 */
final class JetStreamBufferAdmin implements BufferAdmin {

  private final JetStreamManagement jsm;
  private final KeyValueManagement kvm;
  private final Runnable requireOpen;

  JetStreamBufferAdmin(JetStreamManagement jsm, KeyValueManagement kvm, Runnable requireOpen) {
    this.jsm = jsm;
    this.kvm = kvm;
    this.requireOpen = requireOpen;
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
  public void createBuffers(Collection<String> buffers, BufferConfig config) {
    Objects.requireNonNull(config, "config");
    for (String buffer : names(buffers)) {
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
  }

  @Override
  public void createBuckets(Collection<String> buckets, BufferConfig config, BucketLayout layout) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(layout, "layout");
    for (String bucket : names(buckets)) {
      createBucket(BufferNames.offsetTimelineBucket(bucket), config.otBucket());
      if (layout == BucketLayout.OFFSET_TIMELINE_AND_PROCESSORS) {
        createBucket(BufferNames.processorsBucket(bucket), config.procBucket());
      }
    }
  }

  private void createBucket(String name, BufferConfig.Bucket bucket) {
    JetStreamErrors.call(name, "creating the key/value bucket", () -> {
      if (!bucketExists(name)) {
        kvm.create(bucketConfiguration(name, bucket));
      }
      return null;
    });
  }

  @Override
  public ValidationReport validate(Collection<String> buffers, Collection<String> buckets, BucketLayout layout) {
    return validate(buffers, buckets, layout, Optional.empty());
  }

  @Override
  public ValidationReport validate(Collection<String> buffers, Collection<String> buckets, BucketLayout layout,
      BufferConfig expected) {
    return validate(buffers, buckets, layout, Optional.of(expected));
  }

  private ValidationReport validate(Collection<String> buffers, Collection<String> buckets, BucketLayout layout,
      Optional<BufferConfig> expected) {
    Objects.requireNonNull(layout, "layout");
    var problems = new ArrayList<ValidationReport.Problem>();
    var differences = new ArrayList<ValidationReport.Problem>();
    for (String buffer : names(buffers)) {
      JetStreamErrors.call(buffer, "validating the buffer", () -> {
        StreamInfo stream = streamInfo(buffer);
        ConsumerInfo consumer = stream == null ? null : consumerInfo(buffer);
        if (stream == null) {
          problems.add(new ValidationReport.Problem(buffer, "stream is missing"));
        } else if (consumer == null) {
          problems.add(new ValidationReport.Problem(buffer, "durable consumer '" + buffer + "' is missing"));
        }
        if (stream != null && expected.isPresent()) {
          streamDifferences(stream.getConfiguration(), expected.get().stream())
              .forEach(d -> differences.add(new ValidationReport.Problem(buffer, d)));
        }
        if (consumer != null && expected.isPresent()) {
          var cc = consumer.getConsumerConfiguration();
          new BufferConfig.Consumer(cc.getAckWait(), cc.getMaxAckPending())
              .differencesFrom(expected.get().consumer())
              .forEach(d -> differences.add(new ValidationReport.Problem(buffer, d)));
        }
        return null;
      });
    }
    for (String bucket : names(buckets)) {
      var kvs = new LinkedHashMap<String, Optional<BufferConfig.Bucket>>();
      kvs.put(BufferNames.offsetTimelineBucket(bucket), expected.map(BufferConfig::otBucket));
      if (layout == BucketLayout.OFFSET_TIMELINE_AND_PROCESSORS) {
        kvs.put(BufferNames.processorsBucket(bucket), expected.map(BufferConfig::procBucket));
      }
      kvs.forEach((kv, expectedBucket) -> JetStreamErrors.call(kv, "validating the bucket", () -> {
        KeyValueStatus status = bucketStatus(kv);
        if (status == null) {
          problems.add(new ValidationReport.Problem(kv, "key/value bucket is missing"));
        } else if (expectedBucket.isPresent()) {
          bucketOf(status.getConfiguration()).differencesFrom(asCreated(expectedBucket.get()))
              .forEach(d -> differences.add(new ValidationReport.Problem(kv, d)));
        }
        return null;
      }));
    }
    return new ValidationReport(problems, differences);
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
  private static BufferConfig.Bucket asCreated(BufferConfig.Bucket b) {
    return new BufferConfig.Bucket(b.maxValueSize() == 0 ? -1 : b.maxValueSize(), b.history(), b.ttl(),
        b.maxBytes() == 0 ? -1 : b.maxBytes(), b.storage(), b.replicas());
  }

  @Override
  public void deleteBuffers(Collection<String> buffers) {
    for (String buffer : names(buffers)) {
      JetStreamErrors.call(buffer, "deleting the stream", () -> {
        try {
          jsm.deleteStream(buffer);
        } catch (JetStreamApiException e) {
          if (!JetStreamErrors.isNotFound(e)) {
            throw e;
          }
        }
        return null;
      });
    }
  }

  @Override
  public void deleteBuckets(Collection<String> buckets) {
    for (String bucket : names(buckets)) {
      for (String kv : List.of(BufferNames.offsetTimelineBucket(bucket), BufferNames.processorsBucket(bucket))) {
        JetStreamErrors.call(kv, "deleting the bucket", () -> {
          if (bucketExists(kv)) {
            kvm.delete(kv);
          }
          return null;
        });
      }
    }
  }

  @Override
  public BufferInfo bufferInfo(String buffer) {
    requireOpen.run();
    BufferNames.requireValid(buffer);
    return JetStreamErrors.call(buffer, "reading buffer info", () -> {
      StreamInfo stream = jsm.getStreamInfo(buffer);
      ConsumerInfo consumer = jsm.getConsumerInfo(buffer, buffer);
      return bufferInfo(buffer, stream, consumer);
    });
  }

  /** Numaflow's GetBufferInfo: total is pending + ack-pending under Limits, else the stored messages. */
  static BufferInfo bufferInfo(String buffer, StreamInfo stream, ConsumerInfo consumer) {
    long pending = consumer.getNumPending();
    long ackPending = consumer.getNumAckPending();
    boolean limits = stream.getConfiguration().getRetentionPolicy() == RetentionPolicy.Limits;
    long total = limits ? pending + ackPending : stream.getStreamState().getMsgCount();
    return new BufferInfo(buffer, pending, ackPending, total);
  }

  private StreamInfo streamInfo(String buffer) throws IOException, JetStreamApiException {
    try {
      return jsm.getStreamInfo(buffer);
    } catch (JetStreamApiException e) {
      if (JetStreamErrors.isNotFound(e)) {
        return null;
      }
      throw e;
    }
  }

  private ConsumerInfo consumerInfo(String buffer) throws IOException, JetStreamApiException {
    try {
      return jsm.getConsumerInfo(buffer, buffer);
    } catch (JetStreamApiException e) {
      if (JetStreamErrors.isNotFound(e)) {
        return null;
      }
      throw e;
    }
  }

  private boolean bucketExists(String name) throws IOException, JetStreamApiException {
    return bucketStatus(name) != null;
  }

  private KeyValueStatus bucketStatus(String name) throws IOException, JetStreamApiException {
    try {
      return kvm.getStatus(name);
    } catch (JetStreamApiException e) {
      if (JetStreamErrors.isNotFound(e)) {
        return null;
      }
      throw e;
    }
  }

  private List<String> names(Collection<String> names) {
    Objects.requireNonNull(names, "names");
    requireOpen.run();
    var out = new ArrayList<String>(names.size());
    for (String name : names) {
      out.add(BufferNames.requireValid(name));
    }
    return out;
  }
}
