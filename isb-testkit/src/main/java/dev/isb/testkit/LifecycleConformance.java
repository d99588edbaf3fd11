package dev.isb.testkit;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.isb.BucketLayout;
import dev.isb.BufferReader;
import dev.isb.BufferWriter;
import dev.isb.Message;
import dev.isb.Offset;
import dev.isb.ReaderOptions;
import dev.isb.WriteResult.Written;
import dev.isb.WriteResult;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Conformance tests of closing (DESIGN.md, semantics 8): closing is idempotent and final.
 *
 * <p>{@link IsbConformanceKit} runs these tests against each backend as one of its {@code @Nested}
 * groups; the helpers and the per-test client come from {@link ConformanceGroup}.
 */
abstract class LifecycleConformance extends ConformanceGroup {

  @Test
  @DisplayName("closing a writer twice is harmless")
  void writerDoubleClose() {
    assertSecondCloseHarmless(writer(createBuffer())::close);
  }

  @Test
  @DisplayName("closing a reader twice is harmless")
  void readerDoubleClose() {
    assertSecondCloseHarmless(reader(createBuffer())::close);
  }

  @Test
  @DisplayName("closing a client twice is harmless")
  void clientDoubleClose() {
    assertSecondCloseHarmless(client::close);
  }

  @Test
  @DisplayName("every writer call after close fails with IllegalStateException")
  void writerAfterClose() {
    BufferWriter w = newClosedWriter();
    assertClosed(() -> w.write(List.of(msg("a"))), "write(batch)");
    assertClosed(() -> w.write(msg("a")), "write(message)");
    assertClosed(() -> w.write(List.of()), "write(empty batch)");
    assertClosed(w::isFull, "isFull()");
  }

  @Test
  @DisplayName("every reader call after close fails with IllegalStateException")
  void readerAfterClose() {
    BufferReader r = reader(createBufferHolding(List.of(msg("a"))));
    Offset offset = readOne(r).offset();
    r.close();
    assertClosed(() -> r.read(1, QUIET), "read(n, wait)");
    assertClosed(r::read, "read()");
    assertClosed(() -> r.ack(offset), "ack");
    assertClosed(() -> r.nak(List.of(offset)), "nak");
    assertClosed(() -> r.keepAlive(List.of(offset)), "keepAlive");
    assertClosed(r::pending, "pending()");
  }

  @Test
  @DisplayName("a read waiting when its reader closes returns empty, without an error")
  void closeWhileAReadWaits() {
    assertReadEndsEmptyOnClose(reader(createBuffer()));
  }

  @Test
  @DisplayName("every client call after close fails with IllegalStateException")
  void clientAfterClose() {
    String b = createBuffer();
    client.close();
    assertClosed(() -> client.writer(b), "writer");
    assertClosed(() -> client.reader(b, ReaderOptions.defaults()), "reader");
    assertClosed(() -> client.admin().createBuffers(List.of(b), config()), "createBuffers");
    assertClosed(() -> client.admin().bufferInfo(b), "bufferInfo");
    assertClosed(() -> client.admin().validate(List.of(b), List.of(), BucketLayout.OFFSET_TIMELINE), "validate");
    assertClosed(() -> client.admin().deleteBuffers(List.of(b)), "deleteBuffers");
  }

  @Test
  @DisplayName("closing the client closes its writers and readers")
  void clientClosesChildren() {
    String b = createBuffer();
    BufferWriter w = writer(b);
    BufferReader r = reader(b);
    client.close();
    assertClosed(() -> w.write(msg("a")), "write after the client closed");
    assertClosed(() -> r.read(1, QUIET), "read after the client closed");
    assertThatCode(() -> {
      w.close();
      r.close();
    }).doesNotThrowAnyException();
  }

  @Test
  @DisplayName("closing a writer while another thread writes loses nothing that was reported written")
  void closeWhileWriting() throws Exception {
    String b = createBuffer();
    BufferWriter w = writer(b);
    Set<String> written = ConcurrentHashMap.newKeySet();
    AtomicInteger batches = new AtomicInteger();
    Future<Throwable> writing = executor.submit(() -> {
      long deadline = System.nanoTime() + PATIENCE.toNanos();
      for (int from = 0; System.nanoTime() - deadline < 0; from += 10) {
        // After 200 batches only empty ones, so the close test does not turn into a buffer-full test.
        List<Message> batch = batches.get() < 200 ? msgs("c", from, from + 10) : List.of();
        if (batch.isEmpty()) {
          LockSupport.parkNanos(MILLISECONDS.toNanos(1));
        }
        List<WriteResult> results;
        try {
          results = w.write(batch);
        } catch (IllegalStateException closed) {
          return closed;
        }
        for (int i = 0; i < results.size(); i++) {
          if (results.get(i) instanceof Written) {
            written.add(batch.get(i).payloadAsString());
          }
        }
        batches.incrementAndGet();
      }
      return null;
    });
    Await.until(PATIENCE, "a few batches are written", () -> batches.get() >= 5);

    w.close();

    assertThat(writing.get(PATIENCE.toMillis() * 2, MILLISECONDS))
        .as("what the writing thread got once the writer closed")
        .isInstanceOf(IllegalStateException.class);
    List<String> read = payloads(readUntilQuiet(reader(b)));
    assertThat(read).doesNotHaveDuplicates().containsAll(written);
  }
}
