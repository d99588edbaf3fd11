package dev.isb.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isb.BufferConfig;
import dev.isb.BufferWriter;
import dev.isb.IsbBackendException;
import dev.isb.IsbClient;
import dev.isb.IsbOptions;
import dev.isb.Message;
import dev.isb.MessageId;
import dev.isb.OnFull;
import dev.isb.ReadMessage;
import dev.isb.ReaderOptions;
import dev.isb.WriteResult;
import dev.isb.WriterOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What the in-memory ISB offers beyond the conformance kit: fault injection, named ISBs, clients. */
class InMemoryIsbTest {

  private static final WriterOptions FAST_REFRESH =
      WriterOptions.builder().refreshInterval(Duration.ofMillis(20)).build();
  private static final Duration WAIT = Duration.ofSeconds(5);

  private final InMemoryIsb isb = InMemoryIsb.create();
  private final String buffer = "test-" + UUID.randomUUID().toString().substring(0, 8) + "-0";

  InMemoryIsbTest() {
    isb.admin().createBuffers(List.of(buffer), BufferConfig.defaults());
  }

  @AfterEach
  void close() {
    isb.close();
  }

  private static Message message(int i) {
    return Message.data(new MessageId("src", Integer.toString(i), 0), ("m" + i).getBytes(StandardCharsets.UTF_8));
  }

  /** A writer of the test buffer that has seen its first usage refresh, so that isFull() already tells. */
  private BufferWriter refreshedWriter(IsbClient client, WriterOptions options) {
    BufferWriter writer = client.writer(buffer, options);
    awaitTrue(() -> !writer.isFull(), "the first usage refresh");
    return writer;
  }

  private static void awaitTrue(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() - deadline).as("timed out waiting until " + what).isNegative();
      LockSupport.parkNanos(1_000_000);
    }
  }

  @Test
  @DisplayName("failNextWrites fails exactly that many messages, retryably, and the retry is stored once")
  void failNextWrites() {
    BufferWriter writer = refreshedWriter(isb, FAST_REFRESH);
    isb.faults().failNextWrites(buffer, 2);

    List<WriteResult> results = writer.write(List.of(message(1), message(2), message(3)));

    assertThat(results.get(0)).isInstanceOfSatisfying(WriteResult.Failed.class, f -> {
      assertThat(f.retryable()).isTrue();
      assertThat(f.cause()).isInstanceOf(IsbBackendException.class)
          .hasMessageContaining(buffer).hasMessageContaining(InMemoryFaults.INJECTED);
    });
    assertThat(results.get(1)).isInstanceOf(WriteResult.Failed.class);
    assertThat(results.get(2)).isInstanceOf(WriteResult.Written.class);
    assertThat(writer.write(List.of(message(1), message(3))))
        .hasExactlyElementsOfTypes(WriteResult.Written.class, WriteResult.Duplicate.class);
    assertThat(isb.admin().bufferInfo(buffer).pendingCount()).isEqualTo(2);
  }

  @Test
  @DisplayName("failNextReads and failNextAcks throw retryable errors and lose nothing")
  void failNextReadsAndAcks() {
    BufferWriter writer = refreshedWriter(isb, FAST_REFRESH);
    writer.write(List.of(message(1)));
    var reader = isb.reader(buffer, ReaderOptions.defaults());
    isb.faults().failNextReads(buffer, 1).failNextAcks(buffer, 1);

    assertThatThrownBy(() -> reader.read(10, Duration.ZERO))
        .isInstanceOfSatisfying(IsbBackendException.class, e -> assertThat(e.retryable()).isTrue());
    List<ReadMessage> batch = reader.read(10, WAIT);
    assertThat(batch).hasSize(1);
    assertThatThrownBy(() -> reader.ack(batch.get(0).offset())).isInstanceOf(IsbBackendException.class);
    assertThat(isb.admin().bufferInfo(buffer).ackPendingCount()).isEqualTo(1);
    reader.ack(batch.get(0).offset());
    assertThat(isb.admin().bufferInfo(buffer).ackPendingCount()).isZero();
  }

  @Test
  @DisplayName("forceFull makes writers see a full buffer; DISCARD_LATEST then drops, and clearing it restores writes")
  void forceFull() {
    BufferWriter writer = refreshedWriter(isb, FAST_REFRESH.toBuilder().onFull(OnFull.DISCARD_LATEST).build());

    isb.faults().forceFull(buffer, true);
    awaitTrue(writer::isFull, "the forced full state is seen");
    assertThat(writer.write(message(1))).isEqualTo(new WriteResult.Dropped(WriteResult.DropReason.BUFFER_FULL));

    isb.faults().forceFull(buffer, false);
    awaitTrue(() -> !writer.isFull(), "the buffer has room again");
    assertThat(writer.write(message(1))).isInstanceOf(WriteResult.Written.class);
  }

  @Test
  @DisplayName("a failed usage refresh counts as full")
  void failedRefreshCountsAsFull() {
    BufferWriter writer = refreshedWriter(isb, FAST_REFRESH);

    isb.faults().failNextUsageRefreshes(buffer, 1_000_000);
    awaitTrue(writer::isFull, "a failed refresh marks the buffer full");

    isb.faults().clear();
    awaitTrue(() -> !writer.isFull(), "refreshes succeed again");
  }

  @Test
  @DisplayName("injected latency slows calls down without failing them")
  void latency() {
    BufferWriter writer = refreshedWriter(isb, FAST_REFRESH);
    isb.faults().latency(Duration.ofMillis(30));

    long start = System.nanoTime();
    assertThat(writer.write(message(1))).isInstanceOf(WriteResult.Written.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(30));
  }

  @Test
  @DisplayName("fault arguments are checked and name the bad value")
  void faultArguments() {
    assertThatThrownBy(() -> isb.faults().failNextWrites(buffer, -1)).hasMessage("n must not be negative, was -1");
    assertThatThrownBy(() -> isb.faults().latency(Duration.ofMillis(-5)))
        .hasMessage("latency must not be negative, was PT-0.005S");
    assertThatThrownBy(() -> isb.faults().forceFull("bad name", true)).hasMessageContaining("'bad name'");
  }

  @Test
  @DisplayName("connect() gives another client on the same buffers; closing it leaves the others working")
  void connectSharesBuffers() {
    IsbClient other = isb.connect();
    BufferWriter writer = refreshedWriter(other, FAST_REFRESH);
    writer.write(message(7));
    other.close();

    assertThatThrownBy(() -> writer.write(message(8))).isInstanceOf(IllegalStateException.class);
    List<ReadMessage> read = isb.reader(buffer, ReaderOptions.defaults()).read(10, WAIT);
    assertThat(read).extracting(m -> m.message().payloadAsString()).containsExactly("m7");
  }

  @Test
  @DisplayName("the memory backend is found by name; memory://<name> clients share one ISB until it is closed")
  void serviceLoaderAndNamedIsb() {
    String name = "named-" + UUID.randomUUID();
    try (IsbClient a = IsbClient.open(IsbOptions.builder().backend("MEMORY").url("memory://" + name).build());
        IsbClient b = IsbClient.open(IsbOptions.builder().backend("memory").url("memory://" + name).build())) {
      assertThat(a.backend()).isEqualTo("memory");
      a.admin().createBuffers(List.of(buffer), BufferConfig.defaults());
      assertThat(b.admin().bufferInfo(buffer).totalMessages()).isZero();
    }
    InMemoryIsb.named(name).close();
    try (IsbClient fresh = IsbClient.open(IsbOptions.builder().url("memory://" + name).build())) {
      assertThat(fresh.admin().validate(List.of(buffer), List.of(), dev.isb.BucketLayout.OFFSET_TIMELINE).isValid())
          .as("a closed named ISB is forgotten").isFalse();
    }
    InMemoryIsb.named(name).close();
  }

  @Test
  @DisplayName("an unknown backend or a bad memory URL is refused with the value and what is accepted")
  void badBackendOptions() {
    assertThatThrownBy(() -> IsbClient.open(IsbOptions.builder().backend("kafka").build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'kafka'").hasMessageContaining("memory");
    assertThatThrownBy(() -> IsbClient.open(IsbOptions.builder().url("redis://x").build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'redis://x'").hasMessageContaining("memory://<name>");
  }
}
