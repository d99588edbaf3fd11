package dev.isb.benchmarks;

import dev.isb.Message;
import java.util.BitSet;

/**
 * Which of a round's messages have been read, by the index the benchmark put in each message id's
 * offset: a message read twice, or one the round never wrote, fails the round. Not thread-safe: one
 * reader thread per round.
 */
final class Tally {

  private final int expected;
  private final BitSet seen;
  private int count;

  Tally(int expected) {
    this.expected = expected;
    this.seen = new BitSet(expected);
  }

  void seen(Message message) {
    int index = Integer.parseInt(message.id().offset());
    if (index < 0 || index >= expected) {
      throw new BenchFailure("read message " + message.id() + " that this round never wrote");
    }
    if (seen.get(index)) {
      throw new BenchFailure("read message " + message.id() + " twice");
    }
    seen.set(index);
    count++;
  }

  int count() {
    return count;
  }

  boolean complete() {
    return count == expected;
  }

  void requireComplete(String who) {
    if (!complete()) {
      throw new BenchFailure(who + " read " + count + " distinct messages, expected " + expected
          + "; first missing index " + seen.nextClearBit(0));
    }
  }
}
