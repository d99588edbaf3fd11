package dev.isb.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isb.BufferNotFoundException;
import dev.isb.BufferReader;
import dev.isb.BufferWriter;
import dev.isb.Message;
import dev.isb.OnFull;
import dev.isb.ReadMessage;
import dev.isb.Retention;
import dev.isb.WriteResult;
import dev.isb.WriteResult.Dropped;
import dev.isb.WriteResult.Duplicate;
import dev.isb.WriteResult.Failed;
import dev.isb.WriteResult.Written;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Conformance tests of {@link BufferWriter#writeAsync}: several batches in flight from one writer, each
 * stage completing with what {@code write} would have reported, in batch order, never exceptionally.
 *
 * <p>{@link IsbConformanceKit} runs these tests against each backend as one of its {@code @Nested}
 * groups; the helpers and the per-test client come from {@link ConformanceGroup}.
 */
abstract class AsyncWritingConformance extends ConformanceGroup {

  private static final int BATCHES = 20;
  private static final int BATCH = 50;

  @Test
  @DisplayName("batches in flight together complete with one Written per message, in order, stored in the order sent")
  void batchesInFlightTogether() {
    String b = createBuffer();
    BufferWriter w = writer(b);
    List<CompletionStage<List<WriteResult>>> stages = writeBatchesAsync(w);
    List<String> sequences = new ArrayList<>();
    for (CompletionStage<List<WriteResult>> stage : stages) {
      List<WriteResult> results = await(stage);
      assertThat(results).hasSize(BATCH).allSatisfy(r -> assertThat(r).isInstanceOf(Written.class));
      results.forEach(r -> sequences.add(((Written) r).offset().sequence()));
    }
    assertThat(sequences).as("distinct offsets").doesNotHaveDuplicates();
    List<ReadMessage> read = readExactly(reader(b), BATCHES * BATCH);
    assertThat(payloads(read)).as("stored in the order sent")
        .containsExactlyElementsOf(expectedPayloads(msgs("m", 0, BATCHES * BATCH)));
    assertThat(read.stream().map(m -> m.offset().sequence()).toList())
        .as("the i-th result of each batch is the offset of its i-th message").containsExactlyElementsOf(sequences);
  }

  @Test
  @DisplayName("a batch written again asynchronously is all Duplicate, and the buffer holds each message once")
  void deduplicated() {
    String b = createBuffer();
    BufferWriter w = writer(b);
    List<Message> batch = msgs(10);
    CompletionStage<List<WriteResult>> first = w.writeAsync(batch);
    assertThat(await(first)).allSatisfy(r -> assertThat(r).isInstanceOf(Written.class));
    List<WriteResult> again = await(w.writeAsync(batch));
    assertThat(again).hasSize(10).allSatisfy(r -> assertThat(r).isInstanceOf(Duplicate.class));
    assertThat(payloads(readUntilQuiet(reader(b)))).containsExactlyElementsOf(expectedPayloads(batch));
  }

  @Test
  @DisplayName("an empty batch completes at once with no results")
  void emptyBatch() {
    BufferWriter w = writer(createBuffer());
    CompletionStage<List<WriteResult>> stage = w.writeAsync(List.of());
    assertThat(stage.toCompletableFuture()).isCompleted();
    assertThat(await(stage)).isEmpty();
  }

  @Test
  @DisplayName("under DISCARD_LATEST a full buffer's messages complete Dropped(BUFFER_FULL)")
  void fullBufferDrops() {
    String b = createBuffer();
    BufferWriter w = filledSmallWriter(b, OnFull.DISCARD_LATEST, PATIENCE);
    assertThat(await(w.writeAsync(msgs("x", 0, 3))))
        .containsOnly(new Dropped(WriteResult.DropReason.BUFFER_FULL)).hasSize(3);
    assertHoldsOnlyTheFill(b);
  }

  @Test
  @DisplayName("under RETRY_UNTIL_SUCCESS the call waits for room (back-pressure), then fails retryably with BufferFullException")
  void fullBufferWaitsThenFails() {
    String b = createBuffer();
    CompletionStage<List<WriteResult>> stage = writeWaitingForRoom(b, Duration.ofMillis(600),
        "time writeAsync itself waited for room", w -> w.writeAsync(msgs("x", 0, 2)));
    assertFailedAsFull(await(stage), 2);
    assertHoldsOnlyTheFill(b);
  }

  /**
   * The writer's usage check lets the messages through (its maxLength is far above the stream's), the
   * stream itself refuses them: the wait for room then happens after the call returned, off the
   * client's I/O thread, and ends when acks make room.
   */
  @Test
  @DisplayName("messages a WorkQueue stream refuses at maxMsgs wait for room after writeAsync returned, then are written once")
  void refusedByTheStreamThenWritten() {
    String b = createBufferUnder(Retention.WORK_QUEUE, s -> s.maxMsgs(3));
    BufferWriter w = writer(b);
    writeAll(w, msgs("f", 0, 3));
    CompletableFuture<List<WriteResult>> stage = w.writeAsync(msgs("x", 0, 2)).toCompletableFuture();
    BufferReader r = reader(b);
    List<ReadMessage> fill = readExactly(r, 3);
    assertThat(stage).as("waiting for room while the stream holds maxMsgs").isNotDone();
    r.ack(offsets(fill));
    assertThat(await(stage)).hasSize(2).allSatisfy(result -> assertThat(result).isInstanceOf(Written.class));
    assertThat(payloads(readExactly(r, 2))).containsExactly("x0", "x1");
    assertNothingToRead(r, QUIET);
  }

  @Test
  @DisplayName("a deleted buffer completes every message Failed(BufferNotFoundException), not exceptionally")
  void deletedBuffer() {
    String b = createBuffer();
    BufferWriter w = writer(b);
    writeOne(w, msg("before"));
    client.admin().deleteBuffers(List.of(b));
    Await.until(PATIENCE, "writes to the deleted buffer fail as not found", () -> {
      List<WriteResult> results = await(w.writeAsync(msgs("after", 0, 3)));
      assertThat(results).hasSize(3);
      return results.stream().allMatch(r -> r instanceof Failed f && !f.retryable()
          && f.cause() instanceof BufferNotFoundException);
    });
  }

  @Test
  @DisplayName("close waits for the batches in flight: each stage is complete, and every message stored, when close returns")
  void closeWaitsForBatchesInFlight() {
    String b = createBuffer();
    BufferWriter w = writer(b);
    List<CompletionStage<List<WriteResult>>> stages = writeBatchesAsync(w);
    w.close();
    assertThat(stages).allSatisfy(stage -> assertThat(stage.toCompletableFuture()).isDone());
    for (CompletionStage<List<WriteResult>> stage : stages) {
      assertThat(await(stage)).allSatisfy(r -> assertThat(r).isInstanceOf(Written.class));
    }
    assertThat(readExactly(reader(b), BATCHES * BATCH)).hasSize(BATCHES * BATCH);
  }

  @Test
  @DisplayName("writeAsync on a closed writer throws IllegalStateException")
  void closedWriter() {
    BufferWriter w = newClosedWriter();
    assertClosed(() -> w.writeAsync(List.of(msg("late"))), "writeAsync");
  }

  /** Sends {@value #BATCHES} batches of {@value #BATCH} messages, m0 onwards, without waiting for any. */
  private static List<CompletionStage<List<WriteResult>>> writeBatchesAsync(BufferWriter w) {
    List<CompletionStage<List<WriteResult>>> stages = new ArrayList<>();
    for (int i = 0; i < BATCHES; i++) {
      stages.add(w.writeAsync(msgs("m", i * BATCH, (i + 1) * BATCH)));
    }
    return stages;
  }

  /** The stage's results, within {@link #PATIENCE}; a stage that completes exceptionally fails the test. */
  static List<WriteResult> await(CompletionStage<List<WriteResult>> stage) {
    return completed(stage, "the stage did not complete normally");
  }
}
