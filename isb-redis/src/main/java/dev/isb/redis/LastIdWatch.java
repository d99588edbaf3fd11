package dev.isb.redis;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.util.List;

/**
 * Notices a stream whose newest id went back below an entry this writer stored: the server lost
 * entries it had acknowledged, as a replica promoted without the last writes does. Stream ids only
 * grow (an {@code XDEL} or a trim keeps the stream's last-generated id), so the stream's {@code
 * last-generated-id} ({@code XINFO STREAM}) below the highest id stored means exactly that. Checked on
 * the writer's usage schedule; a user whose ACL lacks {@code xinfo|stream} turns the check off, said
 * once at INFO. Thread-safe: one thread notes stored ids, another checks.
 */
final class LastIdWatch {

  private static final System.Logger LOG = System.getLogger(LastIdWatch.class.getName());

  private final String buffer;
  private volatile String highest;
  private volatile boolean enabled = true;

  LastIdWatch(String buffer) {
    this.buffer = buffer;
  }

  /** Notes an entry id the server acknowledged for this writer: the newest of a batch is enough. */
  void stored(String entryId) {
    String h = highest;
    if (h == null || RedisOffset.compareIds(entryId, h) > 0) {
      highest = entryId;
    }
  }

  /**
   * Asks the stream for its last-generated id and warns when it is below the highest stored one.
   *
   * @return whether the stream went back this time
   */
  boolean check(RedisClusterCommands<byte[], byte[]> redis, byte[] stream) {
    String h = highest;
    if (!enabled || h == null) {
      return false;
    }
    String last;
    try {
      last = lastGeneratedId(redis.xinfoStream(stream));
    } catch (RedisCommandExecutionException e) {
      if (String.valueOf(e.getMessage()).startsWith("NOPERM")) {
        enabled = false;
        LOG.log(System.Logger.Level.INFO, "buffer ''{0}'': the user may not run XINFO STREAM, so a stream that lost"
            + " acknowledged entries in a fail-over is not noticed (grant +xinfo|stream to notice it)", buffer);
      }
      return false; // a missing stream or a server going away: the usage measurement reports those
    }
    if (last == null || RedisOffset.compareIds(last, h) >= 0) {
      return false;
    }
    LOG.log(System.Logger.Level.WARNING, "buffer ''{0}'': the stream''s last id went back from {1} (stored by this"
        + " writer) to {2}: the server lost entries it had acknowledged, as a replica promoted without the last"
        + " writes does; readers that had not read them will not", buffer, h, last);
    highest = last;
    return true;
  }

  private static String lastGeneratedId(List<Object> info) {
    for (int i = 0; i + 1 < info.size(); i += 2) {
      if ("last-generated-id".equals(RedisKeys.string(info.get(i)))) {
        return RedisKeys.string(info.get(i + 1));
      }
    }
    return null;
  }
}
