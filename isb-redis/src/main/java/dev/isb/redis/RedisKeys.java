package dev.isb.redis;

import dev.isb.wire.BufferNames;
import java.nio.charset.StandardCharsets;

/**
 * The keys of one buffer. Every key carries the buffer's {@code {<buffer>}} hash tag, so all of them
 * live in one cluster slot and one script may touch them together.
 */
record RedisKeys(String buffer, byte[] stream, byte[] config, byte[] dedupIndex, String group, byte[] groupBytes) {

  static RedisKeys of(String buffer) {
    String stream = BufferNames.redisStreamKey(buffer);
    String group = BufferNames.redisGroup(buffer);
    return new RedisKeys(buffer, bytes(stream), bytes(stream + ":config"), bytes(stream + ":dedup"), group,
        bytes(group));
  }

  /** The de-dup bucket that starts at {@code startMillis}. */
  byte[] dedupBucket(long startMillis) {
    return bytes(BufferNames.redisStreamKey(buffer) + ":dedup:" + startMillis);
  }

  /** The hash that stands for a watermark key/value bucket (Redis has no KV buckets of its own). */
  static byte[] kvBucket(String kv) {
    return bytes(BufferNames.redisStreamKey(kv) + ":kv");
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String string(Object bytes) {
    return bytes instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(bytes);
  }
}
