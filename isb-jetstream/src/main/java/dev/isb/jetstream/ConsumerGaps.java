package dev.isb.jetstream;

import java.util.ArrayList;
import java.util.List;

/**
 * What a buffer's stream and consumer state say about messages lost or stuck (numaflow #1551, #1554,
 * #1883, #2639), from sequence numbers alone, so that it can be checked without a server:
 *
 * <ul>
 *   <li>a <b>gap</b>: the stream's first message comes after the first one the consumer has not
 *       acked ({@code firstSeq > ackFloor + 1}), so the messages between were removed unacked, by
 *       the limits of a Limits stream or a purge. A consumer created on a stream that had already
 *       removed messages starts with an ack floor of 0 too, so a gap counts only when the stream's
 *       first message was published after the consumer was created (until then a recreated
 *       consumer is not taken for a loss; after that its gap includes what was removed before it);
 *   <li>a <b>stalled consumer</b>: it reports nothing pending and nothing waiting for an ack while
 *       the stream holds messages after the last one it delivered.
 * </ul>
 *
 * @param lost the messages removed unacked
 * @param warnings one line per finding, with its numbers
 */
record ConsumerGaps(long lost, List<String> warnings) {

  /**
   * @param firstSeq the stream's first sequence (its last plus one when it is empty)
   * @param lastSeq the stream's last sequence
   * @param ackFloor the stream sequence up to which the consumer acked everything
   * @param delivered the stream sequence of the last message the consumer delivered
   * @param numPending the consumer's count of messages not yet delivered
   * @param numAckPending the consumer's count of messages delivered and not acked
   * @param firstAfterConsumer whether the stream's first message was published after the consumer was
   *     created
   */
  static ConsumerGaps of(long firstSeq, long lastSeq, long ackFloor, long delivered, long numPending,
      long numAckPending, boolean firstAfterConsumer) {
    List<String> warnings = new ArrayList<>();
    long lost = firstAfterConsumer ? Math.max(0, firstSeq - 1 - ackFloor) : 0;
    if (lost > 0) {
      warnings.add(lost + " message(s) removed before the consumer acked them: the stream starts at sequence "
          + firstSeq + ", the consumer has acked up to " + ackFloor + "; under Limits retention the stream"
          + " discards its oldest messages when a limit is reached, read or not");
    }
    boolean holdsUndelivered = lastSeq >= firstSeq && lastSeq > Math.max(delivered, firstSeq - 1);
    if (numPending == 0 && numAckPending == 0 && holdsUndelivered) {
      warnings.add("the consumer reports nothing pending, but the stream holds messages up to sequence " + lastSeq
          + " and the consumer delivered up to " + delivered + ": it may be stalled (recreating it resumes"
          + " from its ack floor)");
    }
    return new ConsumerGaps(lost, List.copyOf(warnings));
  }
}
