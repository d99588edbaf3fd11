package dev.isb.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.isb.BucketLayout;
import dev.isb.BufferNotFoundException;
import dev.isb.BufferReader;
import dev.isb.BufferWriter;
import dev.isb.Message;
import dev.isb.MessageId;
import dev.isb.Offset;
import dev.isb.ReadMessage;
import dev.isb.ReaderOptions;
import dev.isb.WriteResult.Failed;
import dev.isb.WriteResult.Written;
import dev.isb.WriteResult;
import dev.isb.wire.BufferNames;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Conformance tests of bad input, which gets a clear, typed error (DESIGN.md, semantics 9).
 *
 * <p>{@link IsbConformanceKit} runs these tests against each backend as one of its {@code @Nested}
 * groups; the helpers and the per-test client come from {@link ConformanceGroup}.
 */
abstract class BadInputConformance extends ConformanceGroup {

  @Test
  @DisplayName("a writer on an unknown buffer fails with BufferNotFoundException naming the buffer")
  void writerOnUnknownBuffer() {
    String b = bufferName();
    assertBufferNotFound(() -> client.writer(b), b);
  }

  @Test
  @DisplayName("a reader on an unknown buffer fails with BufferNotFoundException naming the buffer")
  void readerOnUnknownBuffer() {
    String b = bufferName();
    assertBufferNotFound(() -> client.reader(b, ReaderOptions.defaults()), b);
  }

  @Test
  @DisplayName("bufferInfo of an unknown buffer fails with BufferNotFoundException naming the buffer")
  void bufferInfoOfUnknownBuffer() {
    String b = bufferName();
    assertThatThrownBy(() -> client.admin().bufferInfo(b))
        .isInstanceOf(BufferNotFoundException.class)
        .hasMessageContaining(b);
  }

  @Test
  @DisplayName("a buffer deleted under a running writer and reader: their next calls fail promptly with "
      + "BufferNotFoundException naming it, and nothing recreates it")
  void deletedUnderRunningWriterAndReader() {
    String b = createBuffer();
    try (BufferWriter w = writer(b); BufferReader r = reader(b)) {
      writeOne(w, msg("before"));
      r.ack(readExactly(r, 1).stream().map(ReadMessage::offset).toList());
      client.admin().deleteBuffers(List.of(b));

      long start = System.nanoTime();
      assertThat(w.write(msg("after"))).isInstanceOfSatisfying(Failed.class, f ->
          assertThat(f.cause()).isInstanceOf(BufferNotFoundException.class).hasMessageContaining(b));
      assertThatThrownBy(() -> r.read(10, QUIET)).isInstanceOf(BufferNotFoundException.class)
          .hasMessageContaining(b);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).as("time to report the deleted buffer")
          .isLessThan(PATIENCE.dividedBy(2));
      assertThat(client.admin().validate(List.of(b), List.of(), BucketLayout.OFFSET_TIMELINE).isValid())
          .as("the deleted buffer stays deleted").isFalse();
    }
  }

  @Test
  @DisplayName("a buffer deleted while a read waits on it: that read, or the next, fails with BufferNotFoundException "
      + "naming it")
  void deletedWhileAReadWaits() {
    String b = createBuffer();
    BufferReader r = reader(b);
    CompletableFuture<List<ReadMessage>> waiting = CompletableFuture.supplyAsync(() -> r.read(10, PATIENCE.dividedBy(2)));
    Await.holdsFor(QUIET, "the read waits on the empty buffer", () -> !waiting.isDone());
    client.admin().deleteBuffers(List.of(b));

    // The waiting read either fails itself or, woken empty, leaves the failure to the next read.
    assertBufferNotFound(() -> {
      try {
        waiting.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        throw e.getCause();
      }
      r.read(10, QUIET);
    }, b);
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @MethodSource("dev.isb.testkit.BadInputConformance#invalidBufferNames")
  @DisplayName("an invalid buffer name is refused with IllegalArgumentException naming it")
  void invalidBufferName(String name) {
    assertThatThrownBy(() -> client.writer(name))
        .as("writer").isInstanceOf(IllegalArgumentException.class).hasMessageContaining(name);
    assertThatThrownBy(() -> client.reader(name, ReaderOptions.defaults()))
        .as("reader").isInstanceOf(IllegalArgumentException.class).hasMessageContaining(name);
    assertThatThrownBy(() -> client.admin().createBuffers(List.of(name), config()))
        .as("createBuffers").isInstanceOf(IllegalArgumentException.class).hasMessageContaining(name);
  }

  @Test
  @DisplayName("ack, nak or keepAlive of an offset from another buffer fail with IllegalArgumentException, and affect nothing")
  void offsetFromAnotherBuffer() {
    String b1 = createBuffer();
    String b2 = createBuffer();
    writeOne(writer(b1), msg("one"));
    writeOne(writer(b2), msg("two"));
    BufferReader r1 = reader(b1);
    BufferReader r2 = reader(b2);
    Offset own = readOne(r1).offset();
    Offset foreign = readOne(r2).offset();

    assertThatThrownBy(() -> r1.ack(foreign)).as("ack").isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> r1.nak(List.of(foreign))).as("nak").isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> r1.keepAlive(List.of(foreign))).as("keepAlive").isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> r1.ack(List.of(own, foreign)))
        .as("ack of a mixed batch").isInstanceOf(IllegalArgumentException.class);

    assertThat(client.admin().bufferInfo(b1).ackPendingCount()).as("ack-pending in %s", b1).isEqualTo(1);
    assertThat(client.admin().bufferInfo(b2).ackPendingCount()).as("ack-pending in %s", b2).isEqualTo(1);
    r1.ack(own);
    r2.ack(foreign);
    Await.until(PATIENCE, "both buffers are done", () -> client.admin().bufferInfo(b1).ackPendingCount() == 0
        && client.admin().bufferInfo(b2).ackPendingCount() == 0);
  }

  @Test
  @DisplayName("a read of fewer than 1 message fails with IllegalArgumentException")
  void readOfNothing() {
    BufferReader r = reader(createBuffer());
    assertThatThrownBy(() -> r.read(0, QUIET)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> r.read(-1, QUIET)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("a payload over the backend's limit fails that message only, not retryably")
  void oversizePayload() {
    assumeTrue(features().rejectsOversizePayloads(), "the backend has no payload limit");
    String b = createBuffer();
    Message big = Message.data(new MessageId("kit", "big", 0), new byte[features().maxPayloadBytes() * 2]);
    List<WriteResult> results = writer(b).write(List.of(msg("before"), big, msg("after")));

    assertThat(results).hasExactlyElementsOfTypes(Written.class, Failed.class, Written.class);
    Failed failed = (Failed) results.get(1);
    assertThat(failed.retryable()).isFalse();
    assertThat(failed.cause().buffer()).contains(b);
    assertReadsExactly(b, "before", "after");
  }

  @Test
  @DisplayName("null arguments fail with NullPointerException")
  void nulls() {
    String b = createBuffer();
    BufferWriter w = writer(b);
    BufferReader r = reader(b);
    assertNullRefused(() -> client.writer(null), "writer(null)");
    assertNullRefused(() -> client.reader(b, null), "reader(b, null)");
    assertNullRefused(() -> w.write((List<Message>) null), "write(null)");
    assertNullRefused(() -> r.ack((Collection<Offset>) null), "ack(null)");
    assertNullRefused(() -> client.admin().createBuffers(null, config()), "createBuffers(null, config)");
  }

  /** Names that every backend must refuse, each for a different reason. */
  static Stream<String> invalidBufferNames() {
    return Stream.of("", "has space", "dot.ted", "star*", "gt>", "sla/sh", "back\\slash", "{brace}", "ünïcode",
        "tab\tname", "x".repeat(BufferNames.MAX_LENGTH + 1));
  }
}
