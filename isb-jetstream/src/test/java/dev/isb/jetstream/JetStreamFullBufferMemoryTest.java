package dev.isb.jetstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isb.BufferWriter;
import dev.isb.IsbClient;
import dev.isb.IsbOptions;
import dev.isb.Message;
import dev.isb.MessageId;
import dev.isb.OnFull;
import dev.isb.WriteResult;
import dev.isb.WriterOptions;
import dev.isb.testkit.Await;
import dev.isb.testkit.NatsServerExtension;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A buffer that stays full under {@code retryUntilSuccess} must not grow the writer's memory:
 * Numaflow users saw multi-GB writer pods in that state. The figure is printed for
 * docs/reliability.md.
 */
@DisplayName("JetStream writer memory while its buffer stays full")
class JetStreamFullBufferMemoryTest {

  @RegisterExtension
  static final NatsServerExtension NATS = NatsServerExtension.single();

  private static final Duration FULL_FOR = Duration.ofSeconds(10);

  @Test
  @DisplayName("a writer retrying 1 KiB batches against a buffer full for 10 s keeps its heap bounded")
  void heapStaysBoundedWhileFull() {
    try (IsbClient client = IsbClient.open(IsbOptions.builder().backend("jetstream").url(NATS.url()).build())) {
      String buffer = "ns-mem-" + UUID.randomUUID().toString().substring(0, 8) + "-0";
      client.admin().createBuffers(List.of(buffer), StreamConfigs.MEMORY);
      WriterOptions small = WriterOptions.builder().maxLength(10).onFull(OnFull.RETRY_UNTIL_SUCCESS)
          .refreshInterval(Duration.ofMillis(50)).fullWaitTimeout(Duration.ofMillis(50)).build();
      try (BufferWriter writer = client.writer(buffer, small)) {
        // The writer counts the buffer full until its first usage refresh: retry the same ids until stored.
        List<WriteResult> filled;
        int attempts = 0;
        do {
          filled = writer.write(batch("fill", 10, 16));
        } while (!filled.stream().allMatch(WriteResult::isStored) && ++attempts < 100);
        assertThat(filled).allMatch(WriteResult::isStored);
        // The writer only counts the buffer full once a usage refresh has seen the 10 messages.
        Await.until(Duration.ofSeconds(10), "the writer sees the buffer full", writer::isFull);

        long calls = 0;
        long refused = 0;
        long baseline = 0;
        long start = System.nanoTime();
        long warmedUp = start + FULL_FOR.toNanos() / 5;
        long end = start + FULL_FOR.toNanos();
        int round = 0;
        while (System.nanoTime() < end) {
          if (baseline == 0 && System.nanoTime() > warmedUp) {
            baseline = usedHeapAfterGc();
          }
          for (WriteResult r : writer.write(batch("r" + round++, 500, 1024))) {
            refused += r instanceof WriteResult.Failed f && f.retryable() ? 1 : 0;
          }
          calls++;
        }
        long after = usedHeapAfterGc();
        long growth = after - baseline;
        System.out.printf("[reliability] JetStream writer, buffer full for %d s: %d write calls of 500 x 1 KiB "
            + "refused (%d messages), heap after GC %d KiB at 2 s and %d KiB at the end (growth %d KiB)%n",
            FULL_FOR.toSeconds(), calls, refused, baseline / 1024, after / 1024, growth / 1024);
        assertThat(refused).as("every message refused retryably while full").isEqualTo(calls * 500);
        assertThat(calls).isGreaterThan(20);
        assertThat(growth).as("heap growth while full, bytes").isLessThan(16L << 20);
      }
    }
  }

  private static List<Message> batch(String prefix, int n, int payloadBytes) {
    List<Message> batch = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      batch.add(Message.data(new MessageId("mem", prefix + "-" + i, 0), new byte[payloadBytes]));
    }
    return batch;
  }

  private static long usedHeapAfterGc() {
    var memory = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return memory.getHeapMemoryUsage().getUsed();
  }
}
