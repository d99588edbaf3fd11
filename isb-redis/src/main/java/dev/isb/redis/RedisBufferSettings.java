package dev.isb.redis;

import dev.isb.BufferConfig;
import dev.isb.Retention;
import dev.isb.Storage;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A buffer's configuration as stored next to its stream, in the {@code {<buffer>}:config} hash: Redis
 * keeps no retention or consumer settings of its own, so writers and readers read them from there.
 */
record RedisBufferSettings(BufferConfig.Stream stream, BufferConfig.Consumer consumer) {

  /**
   * The {@code MINID} that removes entries older than maxAge, as of now; empty when maxAge does not
   * apply (no maxAge, or entries leave only when acked: Interest and WorkQueue retention).
   */
  String maxAgeMinId() {
    if (stream.retention() != Retention.LIMITS || stream.maxAge().isZero()) {
      return "";
    }
    return (System.currentTimeMillis() - stream.maxAge().toMillis()) + "-0";
  }

  Map<byte[], byte[]> toHash() {
    var m = new LinkedHashMap<String, String>();
    m.put("retention", stream.retention().name());
    m.put("maxMsgs", Long.toString(stream.maxMsgs()));
    m.put("maxAgeMs", Long.toString(stream.maxAge().toMillis()));
    m.put("maxBytes", Long.toString(stream.maxBytes()));
    m.put("replicas", Integer.toString(stream.replicas()));
    m.put("duplicatesMs", Long.toString(stream.duplicates().toMillis()));
    m.put("storage", stream.storage().name());
    m.put("ackWaitMs", Long.toString(consumer.ackWait().toMillis()));
    m.put("maxAckPending", Long.toString(consumer.maxAckPending()));
    var out = new LinkedHashMap<byte[], byte[]>();
    m.forEach((k, v) -> out.put(RedisKeys.bytes(k), RedisKeys.bytes(v)));
    return out;
  }

  /** Reads the hash back; throws IllegalStateException naming the field when it is damaged. */
  static RedisBufferSettings fromHash(String buffer, Map<byte[], byte[]> raw) {
    var m = new LinkedHashMap<String, String>();
    raw.forEach((k, v) -> m.put(RedisKeys.string(k), RedisKeys.string(v)));
    try {
      var stream = new BufferConfig.Stream(Retention.valueOf(m.get("retention")), Long.parseLong(m.get("maxMsgs")),
          Duration.ofMillis(Long.parseLong(m.get("maxAgeMs"))), Long.parseLong(m.get("maxBytes")),
          Integer.parseInt(m.get("replicas")), Duration.ofMillis(Long.parseLong(m.get("duplicatesMs"))),
          Storage.valueOf(m.get("storage")));
      var consumer = new BufferConfig.Consumer(Duration.ofMillis(Long.parseLong(m.get("ackWaitMs"))),
          Long.parseLong(m.get("maxAckPending")));
      return new RedisBufferSettings(stream, consumer);
    } catch (RuntimeException e) {
      throw new IllegalStateException("buffer '" + buffer + "': its settings hash " + m + " is damaged: " + e, e);
    }
  }
}
