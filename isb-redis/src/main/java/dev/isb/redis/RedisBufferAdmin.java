package dev.isb.redis;

import dev.isb.BucketLayout;
import dev.isb.BufferAdmin;
import dev.isb.BufferConfig;
import dev.isb.BufferInfo;
import dev.isb.BufferNotFoundException;
import dev.isb.Retention;
import dev.isb.Storage;
import dev.isb.ValidationReport;
import dev.isb.wire.BufferNames;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Buffers in Numaflow's Redis layout: the stream {@code {<buffer>}} with the group
 * {@code <buffer>-group} created at the start, plus the buffer's settings next to it. Redis has no
 * key/value buckets for watermarks (Numaflow's Redis ISB had none either); a bucket is recorded as a
 * hash of its settings so that create, validate and delete behave as on JetStream. Thread-safe.
 */
final class RedisBufferAdmin implements BufferAdmin {

  private final RedisClusterCommands<byte[], byte[]> redis;
  private final Runnable requireOpen;

  RedisBufferAdmin(RedisClusterCommands<byte[], byte[]> redis, Runnable requireOpen) {
    this.redis = redis;
    this.requireOpen = requireOpen;
  }

  @Override
  public void createBuffers(Collection<String> buffers, BufferConfig config) {
    Objects.requireNonNull(config, "config");
    for (String buffer : names(buffers)) {
      RedisKeys keys = RedisKeys.of(buffer);
      var args = new ArrayList<byte[]>();
      args.add(keys.groupBytes());
      new RedisBufferSettings(config.stream(), config.consumer()).toHash().forEach((k, v) -> {
        args.add(k);
        args.add(v);
      });
      RedisErrors.call(buffer, "creating the buffer", () -> RedisScripts.CREATE.run(redis,
          new byte[][] {keys.stream(), keys.config()}, args.toArray(byte[][]::new)));
    }
  }

  @Override
  public void createBuckets(Collection<String> buckets, BufferConfig config, BucketLayout layout) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(layout, "layout");
    for (String bucket : names(buckets)) {
      kvs(bucket, layout, Optional.of(config)).forEach((kv, settings) -> RedisErrors.call(kv, "creating the bucket", () -> {
        byte[] key = RedisKeys.kvBucket(kv);
        bucketHash(settings.orElseThrow()).forEach((field, value) -> redis.hsetnx(key, field, value));
        return null;
      }));
    }
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
      RedisKeys keys = RedisKeys.of(buffer);
      List<Object> info = RedisErrors.call(buffer, "validating the buffer",
          () -> RedisScripts.INFO.run(redis, new byte[][] {keys.stream()}, keys.groupBytes(), new byte[0]));
      Map<byte[], byte[]> settings = RedisErrors.call(buffer, "validating the buffer", () -> redis.hgetall(keys.config()));
      if ((Long) info.get(0) < 0) {
        problems.add(new ValidationReport.Problem(buffer, "stream " + BufferNames.redisStreamKey(buffer)
            + " or its group " + keys.group() + " is missing"));
      } else if (settings.isEmpty()) {
        problems.add(new ValidationReport.Problem(buffer, "settings hash " + RedisKeys.string(keys.config()) + " is missing"));
      } else if (expected.isPresent()) {
        var actual = RedisBufferSettings.fromHash(buffer, settings);
        actual.stream().differencesFrom(expected.get().stream())
            .forEach(d -> differences.add(new ValidationReport.Problem(buffer, d)));
        actual.consumer().differencesFrom(expected.get().consumer())
            .forEach(d -> differences.add(new ValidationReport.Problem(buffer, d)));
      }
    }
    for (String bucket : names(buckets)) {
      kvs(bucket, layout, expected).forEach((kv, expectedBucket) -> {
        Map<byte[], byte[]> hash = RedisErrors.call(kv, "validating the bucket", () -> redis.hgetall(RedisKeys.kvBucket(kv)));
        if (hash.isEmpty()) {
          problems.add(new ValidationReport.Problem(kv, "key/value bucket is missing"));
        } else if (expectedBucket.isPresent()) {
          bucketOf(kv, hash).differencesFrom(expectedBucket.get())
              .forEach(d -> differences.add(new ValidationReport.Problem(kv, d)));
        }
      });
    }
    return new ValidationReport(problems, differences);
  }

  private static Map<String, Optional<BufferConfig.Bucket>> kvs(String bucket, BucketLayout layout,
      Optional<BufferConfig> config) {
    var kvs = new LinkedHashMap<String, Optional<BufferConfig.Bucket>>();
    kvs.put(BufferNames.offsetTimelineBucket(bucket), config.map(BufferConfig::otBucket));
    if (layout == BucketLayout.OFFSET_TIMELINE_AND_PROCESSORS) {
      kvs.put(BufferNames.processorsBucket(bucket), config.map(BufferConfig::procBucket));
    }
    return kvs;
  }

  private static Map<byte[], byte[]> bucketHash(BufferConfig.Bucket b) {
    var out = new LinkedHashMap<byte[], byte[]>();
    out.put(RedisKeys.bytes("maxValueSize"), RedisKeys.bytes(Long.toString(b.maxValueSize())));
    out.put(RedisKeys.bytes("history"), RedisKeys.bytes(Integer.toString(b.history())));
    out.put(RedisKeys.bytes("ttlMs"), RedisKeys.bytes(Long.toString(b.ttl().toMillis())));
    out.put(RedisKeys.bytes("maxBytes"), RedisKeys.bytes(Long.toString(b.maxBytes())));
    out.put(RedisKeys.bytes("storage"), RedisKeys.bytes(b.storage().name()));
    out.put(RedisKeys.bytes("replicas"), RedisKeys.bytes(Integer.toString(b.replicas())));
    return out;
  }

  private static BufferConfig.Bucket bucketOf(String kv, Map<byte[], byte[]> raw) {
    var m = new LinkedHashMap<String, String>();
    raw.forEach((k, v) -> m.put(RedisKeys.string(k), RedisKeys.string(v)));
    try {
      return new BufferConfig.Bucket(Long.parseLong(m.get("maxValueSize")), Integer.parseInt(m.get("history")),
          Duration.ofMillis(Long.parseLong(m.get("ttlMs"))), Long.parseLong(m.get("maxBytes")),
          Storage.valueOf(m.get("storage")), Integer.parseInt(m.get("replicas")));
    } catch (RuntimeException e) {
      throw new IllegalStateException("bucket '" + kv + "': its settings hash " + m + " is damaged: " + e, e);
    }
  }

  @Override
  public void deleteBuffers(Collection<String> buffers) {
    for (String buffer : names(buffers)) {
      RedisKeys keys = RedisKeys.of(buffer);
      RedisErrors.call(buffer, "deleting the buffer", () -> RedisScripts.DELETE.runForLong(redis,
          new byte[][] {keys.stream(), keys.config(), keys.dedupIndex()}));
    }
  }

  @Override
  public void deleteBuckets(Collection<String> buckets) {
    for (String bucket : names(buckets)) {
      for (String kv : List.of(BufferNames.offsetTimelineBucket(bucket), BufferNames.processorsBucket(bucket))) {
        RedisErrors.call(kv, "deleting the bucket", () -> redis.del(RedisKeys.kvBucket(kv)));
      }
    }
  }

  @Override
  public BufferInfo bufferInfo(String buffer) {
    requireOpen.run();
    BufferNames.requireValid(buffer);
    RedisKeys keys = RedisKeys.of(buffer);
    Map<byte[], byte[]> settings = RedisErrors.call(buffer, "reading buffer info", () -> redis.hgetall(keys.config()));
    if (settings.isEmpty()) {
      throw new BufferNotFoundException(buffer, null);
    }
    return info(redis, keys, RedisBufferSettings.fromHash(buffer, settings));
  }

  /**
   * Numaflow's counts: pending = not yet delivered, ack pending = delivered and not acked. Entries
   * older than maxAge are removed first, so that the counts never include them.
   *
   * @throws BufferNotFoundException when the stream or its group is missing
   */
  static BufferInfo info(RedisClusterCommands<byte[], byte[]> redis, RedisKeys keys, RedisBufferSettings settings) {
    return info(keys, settings, counts(redis, keys, settings));
  }

  /** The raw reply of info.lua: {length, ack pending, pending}, {-1} or {-2, length}. */
  static List<Object> counts(RedisClusterCommands<byte[], byte[]> redis, RedisKeys keys, RedisBufferSettings settings) {
    return RedisErrors.call(keys.buffer(), "reading buffer info", () -> RedisScripts.INFO.run(redis,
        new byte[][] {keys.stream()}, keys.groupBytes(), RedisKeys.bytes(settings.maxAgeMinId())));
  }

  static BufferInfo info(RedisKeys keys, RedisBufferSettings settings, List<Object> counts) {
    long length = (Long) counts.get(0);
    if (length < 0) {
      throw new BufferNotFoundException(keys.buffer(), null);
    }
    long ackPending = (Long) counts.get(1);
    long pending = (Long) counts.get(2);
    long total = settings.stream().retention() == Retention.LIMITS ? pending + ackPending : length;
    return new BufferInfo(keys.buffer(), pending, ackPending, total);
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
