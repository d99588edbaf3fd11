package dev.isb.redis;

import dev.isb.Offset;

/** A position in a Redis buffer: the stream entry id, which is also what XACK takes. */
record RedisOffset(String buffer, int partition, String entryId) implements Offset {

  @Override
  public String sequence() {
    return entryId;
  }

  /** Orders two stream entry ids, {@code <ms>-<seq>}, as numbers (not as text). */
  static int compareIds(String a, String b) {
    int da = a.indexOf('-');
    int db = b.indexOf('-');
    int byTime = Long.compare(Long.parseLong(a.substring(0, da)), Long.parseLong(b.substring(0, db)));
    return byTime != 0 ? byTime : Long.compare(Long.parseLong(a.substring(da + 1)), Long.parseLong(b.substring(db + 1)));
  }

  @Override
  public String toString() {
    return entryId + "-" + partition;
  }
}
