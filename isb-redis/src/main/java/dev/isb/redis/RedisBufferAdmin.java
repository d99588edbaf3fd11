package dev.isb.redis;

import dev.isb.BufferConfig;
import dev.isb.BufferInfo;
import dev.isb.BufferNotFoundException;
import dev.isb.Retention;
import dev.isb.Storage;
import dev.isb.spi.AbstractBufferAdmin;
import dev.isb.wire.BufferNames;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Buffers in Numaflow's Redis layout: the stream {@code {<buffer>}} with the group
 * {@code <buffer>-group} created at the start, plus the buffer's settings next to it. Redis has no
 * key/value buckets for watermarks (Numaflow's Redis ISB had none either); a bucket is recorded as a
 * hash of its settings so that create, validate and delete behave as on JetStream. Thread-safe.
 */
final class RedisBufferAdmin extends AbstractBufferAdmin {

  private final RedisClusterCommands<byte[], byte[]> redis;

  RedisBufferAdmin(RedisClusterCommands<byte[], byte[]> redis, Runnable requireOpen) {
    super(requireOpen);
    this.redis = redis;
  }

  @Override
  protected void createBuffer(String buffer, BufferConfig config) {
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

  @Override
  protected void createKeyValue(String kv, BufferConfig.Bucket settings) {
    RedisErrors.call(kv, "creating the bucket", () -> {
      byte[] key = RedisKeys.kvBucket(kv);
      bucketHash(settings).forEach((field, value) -> redis.hsetnx(key, field, value));
      return null;
    });
  }

  @Override
  protected void inspectBuffer(String buffer, Optional<BufferConfig> expected, Findings findings) {
    RedisKeys keys = RedisKeys.of(buffer);
    List<Object> info = RedisErrors.call(buffer, "validating the buffer",
        () -> RedisScripts.INFO.run(redis, new byte[][] {keys.stream()}, keys.groupBytes(), new byte[0]));
    Map<byte[], byte[]> settings = RedisErrors.call(buffer, "validating the buffer", () -> redis.hgetall(keys.config()));
    if ((Long) info.get(0) < 0) {
      findings.problem("stream " + BufferNames.redisStreamKey(buffer) + " or its group " + keys.group() + " is missing");
    } else if (settings.isEmpty()) {
      findings.problem("settings hash " + RedisKeys.string(keys.config()) + " is missing (as in a buffer made by Numaflow's "
          + "Go create job: createBuffers, or isb create, adds it and keeps the stream, its group and its entries)");
    } else if (expected.isPresent()) {
      var actual = RedisBufferSettings.fromHash(buffer, settings);
      findings.differences(actual.stream().differencesFrom(expected.get().stream()));
      findings.differences(actual.consumer().differencesFrom(expected.get().consumer()));
    }
  }

  @Override
  protected Optional<BufferConfig.Bucket> keyValueSettings(String kv) {
    Map<byte[], byte[]> hash = RedisErrors.call(kv, "validating the bucket", () -> redis.hgetall(RedisKeys.kvBucket(kv)));
    return hash.isEmpty() ? Optional.empty() : Optional.of(bucketOf(kv, hash));
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
  protected void deleteBuffer(String buffer) {
    RedisKeys keys = RedisKeys.of(buffer);
    RedisErrors.call(buffer, "deleting the buffer", () -> RedisScripts.DELETE.runForLong(redis,
        new byte[][] {keys.stream(), keys.config(), keys.dedupIndex()}));
  }

  @Override
  protected void deleteKeyValue(String kv) {
    RedisErrors.call(kv, "deleting the bucket", () -> redis.del(RedisKeys.kvBucket(kv)));
  }

  @Override
  protected BufferInfo info(String buffer) {
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
}
