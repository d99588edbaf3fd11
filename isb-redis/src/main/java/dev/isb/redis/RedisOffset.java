package dev.isb.redis;

import dev.isb.Offset;

/** A position in a Redis buffer: the stream entry id, which is also what XACK takes. */
record RedisOffset(String buffer, int partition, String entryId) implements Offset {

  @Override
  public String sequence() {
    return entryId;
  }

  @Override
  public String toString() {
    return entryId + "-" + partition;
  }
}
