package dev.isb.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isb.BufferNotFoundException;
import dev.isb.BufferReader;
import dev.isb.IsbException;
import dev.isb.ReadMessage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Conformance tests of {@link dev.isb.ReaderOptions#readAhead()}: the next read in flight while the
 * caller works, the messages of a batch handed out in order over the reads that ask for them, and what
 * was read ahead and never taken given back when the reader closes.
 *
 * <p>{@link IsbConformanceKit} runs these tests against each backend as one of its {@code @Nested}
 * groups; the helpers and the per-test client come from {@link ConformanceGroup}.
 */
abstract class ReadAheadConformance extends ConformanceGroup {

  private static final int MESSAGES = 1_000;

  @Test
  @DisplayName("with read-ahead every message comes once and in write order, no read returning more than it asked")
  void everyMessageOnceInOrder() {
    String b = createBufferHolding(msgs(MESSAGES));
    BufferReader r = readingAhead(b, "kit-0", 100);
    List<ReadMessage> read = new ArrayList<>();
    while (read.size() < MESSAGES) {
      List<ReadMessage> batch = readExactly(r, Math.min(70, MESSAGES - read.size()));
      r.ack(offsets(batch));
      read.addAll(batch);
    }

    assertThat(payloads(read)).containsExactlyElementsOf(expectedPayloads(msgs(MESSAGES)));
    assertNothingToRead(r, QUIET);
  }

  @Test
  @DisplayName("while the caller works on a batch, the next one is read: the group holds both before the caller asks")
  void nextBatchReadWhileTheCallerWorks() {
    String b = createBufferHolding(msgs(10));
    BufferReader r = readingAhead(b, "kit-0", 5);
    List<ReadMessage> first = readExactly(r, 5);

    Await.until(PATIENCE, "the next five are read ahead (ack-pending 10)",
        () -> client.admin().bufferInfo(b).ackPendingCount() == 10);
    assertThat(payloads(first)).containsExactly("m0", "m1", "m2", "m3", "m4");
    assertThat(payloads(readExactly(r, 5))).containsExactly("m5", "m6", "m7", "m8", "m9");
  }

  @Test
  @DisplayName("closing the reader gives back what it read ahead: another reader of the group gets it at once, not after ackWait")
  void closeGivesBackWhatWasReadAhead() {
    String b = createBufferHolding(config(LONG_ACK_WAIT), msgs(10));
    BufferReader first = readingAhead(b, "kit-0", 5);
    first.ack(offsets(readExactly(first, 5)));
    // Taking one message of the next batch shows that batch is read ahead whole; the reader then waits
    // for the rest to be taken, with no read in flight, and the group holds the five for it.
    ReadMessage m5 = readOne(first);
    assertThat(payloads(List.of(m5))).as("the first of the next batch").containsExactly("m5");
    Await.until(PATIENCE, "the next five are delivered to the first reader (ack-pending 5)",
        () -> client.admin().bufferInfo(b).ackPendingCount() == 5);
    first.ack(m5.offset());
    first.close();

    List<ReadMessage> again = readExactly(reader(b, "kit-1", false), 4);
    // Redeliveries keep no order (BufferReader#read): the four, in any order.
    assertThat(payloads(again)).as("within %s, ackWait being %s", PATIENCE, LONG_ACK_WAIT)
        .containsExactlyInAnyOrder("m6", "m7", "m8", "m9");
    assertThat(again).allSatisfy(m -> assertThat(m.deliveryCount()).as("delivery count").isGreaterThanOrEqualTo(2));
  }

  @Test
  @DisplayName("with read-ahead a read of an empty buffer returns empty, and a message written later comes with a later read")
  void emptyThenLater() {
    String b = createBuffer();
    BufferReader r = readingAheadFromEmpty(b);

    writeOne(writer(b), msg("later"));
    assertThat(payloads(readExactly(r, 1))).containsExactly("later");
  }

  @Test
  @DisplayName("with read-ahead a failed read reaches the caller: reads of a deleted buffer fail with BufferNotFoundException naming it")
  void failureReachesTheCaller() {
    String b = createBuffer();
    BufferReader r = readingAheadFromEmpty(b);
    client.admin().deleteBuffers(List.of(b));

    // The read under way when the buffer went may end empty; a later one fails, and the caller sees it.
    IsbException failed = null;
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (failed == null && System.nanoTime() - deadline < 0) {
      try {
        assertThat(r.read(10, QUIET)).as("a read of the deleted buffer").isEmpty();
      } catch (IsbException e) {
        failed = e;
      }
    }
    assertThat(failed).as("the failure within %s", PATIENCE).isInstanceOf(BufferNotFoundException.class)
        .hasMessageContaining(b);
  }

  @Test
  @DisplayName("with read-ahead a read waiting when its reader closes returns empty, without an error")
  void closeWhileAReadWaits() {
    BufferReader r = readingAhead(createBuffer(), "kit-0", 10);
    assertReadEndsEmptyOnClose(r);
  }

  /** A reader with read-ahead and batches of 10 whose first read of the empty {@code buffer} returned nothing. */
  private BufferReader readingAheadFromEmpty(String buffer) {
    BufferReader r = readingAhead(buffer, "kit-0", 10);
    assertNothingToRead(r, QUIET);
    return r;
  }

  /** A reader with read-ahead, batches of {@code batchSize} and keep-alive off. */
  private BufferReader readingAhead(String buffer, String consumerName, int batchSize) {
    return client.reader(buffer, readerOptions(consumerName).batchSize(batchSize).keepAlive(false).readAhead(true)
        .build());
  }
}
