package dev.isb.jetstream;

import dev.isb.BucketLayout;
import dev.isb.BufferAdmin;
import dev.isb.BufferConfig;
import dev.isb.BufferInfo;
import dev.isb.BufferNames;
import dev.isb.Retention;
import dev.isb.Storage;
import dev.isb.ValidationReport;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.KeyValueManagement;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

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
    Objects.requireNonNull(layout, "layout");
    var problems = new ArrayList<ValidationReport.Problem>();
    for (String buffer : names(buffers)) {
      JetStreamErrors.call(buffer, "validating the buffer", () -> {
        if (streamInfo(buffer) == null) {
          problems.add(new ValidationReport.Problem(buffer, "stream is missing"));
        } else if (consumerInfo(buffer) == null) {
          problems.add(new ValidationReport.Problem(buffer, "durable consumer '" + buffer + "' is missing"));
        }
        return null;
      });
    }
    for (String bucket : names(buckets)) {
      var kvs = layout == BucketLayout.OFFSET_TIMELINE
          ? List.of(BufferNames.offsetTimelineBucket(bucket))
          : List.of(BufferNames.offsetTimelineBucket(bucket), BufferNames.processorsBucket(bucket));
      for (String kv : kvs) {
        if (!JetStreamErrors.call(kv, "validating the bucket", () -> bucketExists(kv))) {
          problems.add(new ValidationReport.Problem(kv, "key/value bucket is missing"));
        }
      }
    }
    return new ValidationReport(problems);
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
    try {
      kvm.getStatus(name);
      return true;
    } catch (JetStreamApiException e) {
      if (JetStreamErrors.isNotFound(e)) {
        return false;
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
