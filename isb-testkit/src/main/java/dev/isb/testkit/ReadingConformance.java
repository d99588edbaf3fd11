package dev.isb.testkit;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isb.BufferReader;
import dev.isb.BufferWriter;
import dev.isb.Offset;
import dev.isb.ReadMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Conformance tests of reading (DESIGN.md, semantics 3): up to N messages, waiting at most T.
 *
 * <p>{@link IsbConformanceKit} runs these tests against each backend as one of its {@code @Nested}
 * groups; the helpers and the per-test client come from {@link ConformanceGroup}.
 */
abstract class ReadingConformance extends ConformanceGroup {

  @Test
  @DisplayName("a read on an empty buffer returns an empty list after about the timeout, not an exception")
  void emptyBufferTimesOut() {
    BufferReader r = reader(createBuffer());
    Duration wait = Duration.ofMillis(300);
    long start = System.nanoTime();
    List<ReadMessage> read = r.read(10, wait);
    Duration took = since(start);
    assertThat(read).isEmpty();
    assertThat(took).as("time the empty read waited")
        .isGreaterThanOrEqualTo(wait.multipliedBy(8).dividedBy(10))
        .isLessThan(wait.plus(PATIENCE));
  }

  @Test
  @DisplayName("a read of N = 1 returns exactly one message, in write order")
  void readOne() {
    BufferReader r = reader(createBufferHolding(msgs(3)));
    for (int i = 0; i < 3; i++) {
      List<ReadMessage> one = r.read(1, PATIENCE);
      assertThat(payloads(one)).containsExactly("m" + i);
    }
    assertNothingToRead(r, QUIET);
  }

  @Test
  @DisplayName("a read returns what is available at once instead of waiting for a full batch")
  void partialBatch() {
    BufferReader r = reader(createBufferHolding(msgs(3)));
    long start = System.nanoTime();
    List<ReadMessage> read = r.read(100, PATIENCE.multipliedBy(2));
    Duration took = since(start);
    assertThat(read).isNotEmpty().hasSizeLessThanOrEqualTo(3);
    assertThat(took).as("time a read waited with messages available").isLessThan(PATIENCE);
  }

  @Test
  @DisplayName("read messages carry delivery count 1 and the offsets their writes reported")
  void firstDelivery() {
    String b = createBuffer();
    List<Offset> written = writeAll(writer(b), msgs(3));
    List<ReadMessage> read = readExactly(reader(b), 3);
    assertThat(read).allSatisfy(m -> {
      assertThat(m.deliveryCount()).isEqualTo(1);
      assertThat(m.offset().buffer()).isEqualTo(b);
    });
    assertThat(read.stream().map(m -> m.offset().toString()).toList())
        .containsExactlyElementsOf(written.stream().map(Offset::toString).toList());
  }

  @Test
  @DisplayName("read() uses the batch size and read timeout of the reader options")
  void readWithOptions() {
    String b = createBufferHolding(msgs(5));
    Duration readTimeout = Duration.ofMillis(300);
    BufferReader r = client.reader(b, readerOptions("kit-0").batchSize(2).readTimeout(readTimeout).build());
    List<ReadMessage> all = new ArrayList<>();
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (all.size() < 5 && System.nanoTime() - deadline < 0) {
      List<ReadMessage> batch = r.read();
      assertThat(batch).as("a read() batch").hasSizeLessThanOrEqualTo(2);
      all.addAll(batch);
    }
    assertThat(payloads(all)).containsExactly("m0", "m1", "m2", "m3", "m4");
    r.ack(offsets(all));

    long start = System.nanoTime();
    assertThat(r.read()).isEmpty();
    assertThat(since(start)).as("time an empty read() waited")
        .isGreaterThanOrEqualTo(readTimeout.multipliedBy(8).dividedBy(10));
  }

  @Test
  @DisplayName("a read waiting on an empty buffer returns a message written while it waits")
  void waitingReadIsWoken() throws Exception {
    String b = createBuffer();
    BufferWriter w = writer(b);
    awaitRoom(w);
    BufferReader r = reader(b);
    Future<List<ReadMessage>> waiting = executor.submit(() -> r.read(10, PATIENCE.multipliedBy(3)));
    assertThatThrownBy(() -> waiting.get(QUIET.toMillis(), MILLISECONDS))
        .as("the read waits while the buffer is empty")
        .isInstanceOf(TimeoutException.class);

    writeOne(w, msg("late"));

    assertThat(payloads(waiting.get(PATIENCE.toMillis(), MILLISECONDS))).containsExactly("late");
  }
}
