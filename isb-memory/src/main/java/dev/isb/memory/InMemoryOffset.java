package dev.isb.memory;

import dev.isb.Offset;

/** An offset in an in-memory buffer; it remembers the buffer instance so offsets cannot cross buffers. */
record InMemoryOffset(InMemoryBuffer owner, long seq) implements Offset {

  @Override
  public String buffer() {
    return owner.name();
  }

  @Override
  public int partition() {
    return owner.partition();
  }

  @Override
  public String sequence() {
    return Long.toString(seq);
  }

  @Override
  public long sequenceNumber() {
    return seq;
  }

  @Override
  public String toString() {
    return seq + "-" + owner.partition();
  }
}
