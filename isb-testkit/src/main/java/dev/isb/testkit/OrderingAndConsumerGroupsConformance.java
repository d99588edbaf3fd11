package dev.isb.testkit;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.isb.BufferReader;
import dev.isb.BufferWriter;
import dev.isb.ReadMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Conformance tests of ordering and consumer groups (DESIGN.md, semantics 5).
 *
 * <p>{@link IsbConformanceKit} runs these tests against each backend as one of its {@code @Nested}
 * groups; the helpers and the per-test client come from {@link ConformanceGroup}.
 */
abstract class OrderingAndConsumerGroupsConformance extends ConformanceGroup {

  @Test
  @DisplayName("a single reader gets the messages of a partition in write order")
  void writeOrder() {
    String b = createBuffer();
    BufferWriter w = writer(b);
    for (int from = 0; from < 100; from += 10) {
      writeAll(w, msgs("m", from, from + 10));
    }
    BufferReader r = reader(b);
    List<ReadMessage> read = new ArrayList<>();
    while (read.size() < 100) {
      List<ReadMessage> batch = readExactly(r, Math.min(7, 100 - read.size()));
      read.addAll(batch);
    }
    assertThat(payloads(read)).containsExactlyElementsOf(expectedPayloads(msgs(100)));
  }

  @Test
  @DisplayName("two readers of one group share the messages: each message goes to exactly one of them")
  void readersShareTheWork() throws Exception {
    String b = createBuffer();
    writeAll(writer(b), msgs(200));
    AtomicInteger total = new AtomicInteger();
    Future<List<ReadMessage>> first = executor.submit(() -> drain(reader(b, "kit-0", true), total, 200));
    Future<List<ReadMessage>> second = executor.submit(() -> drain(reader(b, "kit-1", true), total, 200));
    List<ReadMessage> a = first.get(PATIENCE.toMillis() * 2, MILLISECONDS);
    List<ReadMessage> c = second.get(PATIENCE.toMillis() * 2, MILLISECONDS);

    List<String> all = new ArrayList<>(payloads(a));
    all.addAll(payloads(c));
    assertThat(all).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expectedPayloads(msgs(200)));
    assertThat(indices(a)).as("the first reader's share, in write order").isSorted();
    assertThat(indices(c)).as("the second reader's share, in write order").isSorted();
  }

  @Test
  @DisplayName("16 partitions created and used at once keep their messages apart and in order")
  void manyPartitions() {
    String base = "kit-" + hex();
    List<String> names = IntStream.range(0, 16).mapToObj(i -> base + "-" + i).toList();
    buffers.addAll(names);
    client.admin().createBuffers(names, config());
    List<BufferWriter> writers = names.stream().map(name -> writer(name)).toList();
    List<BufferReader> readers = names.stream().map(name -> reader(name)).toList();

    for (int p = 0; p < 16; p++) {
      writeAll(writers.get(p), msgs("p" + p + "-m", 0, 20));
    }
    for (int p = 0; p < 16; p++) {
      String name = names.get(p);
      awaitUnfinished(name, 20, PATIENCE, name + " holds its 20 messages");
      assertThat(readers.get(p).partition()).isEqualTo(p);
      assertThat(payloads(readExactly(readers.get(p), 20))).containsExactlyElementsOf(expectedPayloads(msgs("p" + p + "-m", 0, 20)));
    }
  }

  @Test
  @DisplayName("4 writer threads x 500 messages and 2 reading threads: every message is read exactly once")
  void concurrentWritersAndReaders() throws Exception {
    String b = createBuffer();
    int threads = 4;
    int perThread = 500;
    int expected = threads * perThread;
    List<BufferWriter> writers = List.of(writer(b), writer(b)); // two threads share each writer
    List<Future<?>> writing = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      BufferWriter w = writers.get(t % 2);
      String prefix = "w" + t + "-";
      writing.add(executor.submit(() -> {
        for (int from = 0; from < perThread; from += 50) {
          writeAll(w, msgs(prefix, from, from + 50));
        }
        return null;
      }));
    }
    AtomicInteger total = new AtomicInteger();
    Future<List<ReadMessage>> r1 = executor.submit(() -> drain(reader(b, "kit-0", true), total, expected));
    Future<List<ReadMessage>> r2 = executor.submit(() -> drain(reader(b, "kit-1", true), total, expected));
    for (Future<?> f : writing) {
      f.get(PATIENCE.toMillis() * 3, MILLISECONDS);
    }
    List<ReadMessage> a = r1.get(PATIENCE.toMillis() * 3, MILLISECONDS);
    List<ReadMessage> c = r2.get(PATIENCE.toMillis() * 3, MILLISECONDS);

    List<ReadMessage> all = new ArrayList<>(a);
    all.addAll(c);
    assertThat(payloads(all)).doesNotHaveDuplicates().hasSize(expected);
    assertThat(all).allSatisfy(m -> assertThat(m.deliveryCount()).isEqualTo(1));
    for (int t = 0; t < threads; t++) {
      String prefix = "w" + t + "-";
      assertThat(payloads(all)).containsAll(expectedPayloads(msgs(prefix, 0, perThread)));
      for (List<ReadMessage> share : List.of(a, c)) {
        List<ReadMessage> ofThread = share.stream().filter(m -> m.message().payloadAsString().startsWith(prefix)).toList();
        assertThat(indices(ofThread)).as("messages of writer thread %d, in that thread's order", t).isSorted();
      }
    }
    assertNothingToRead(reader(b), QUIET);
  }
}
