package dev.isb.vertex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isb.BufferConfig;
import dev.isb.BufferNotFoundException;
import dev.isb.BufferReader;
import dev.isb.BufferWriter;
import dev.isb.Header;
import dev.isb.Message;
import dev.isb.MessageId;
import dev.isb.ReadMessage;
import dev.isb.ReaderOptions;
import dev.isb.WriteResult;
import dev.isb.WriterOptions;
import dev.isb.memory.InMemoryIsb;
import dev.isb.testkit.Await;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Poison messages end in the dead letters once they have been delivered often enough, and nothing is lost. */
@DisplayName("Forwarder dead letters (on the in-memory ISB)")
class DeadLetterTest {

  private static final Duration PATIENCE = Duration.ofSeconds(10);
  private static final String IN = "ns-pl-map-0";
  private static final String OUT = "ns-pl-out-0";
  private static final String DLQ = "ns-pl-map-dlq-0";
  private static final Duration ACK_WAIT = Duration.ofMillis(300);

  private InMemoryIsb isb;
  private SimpleMeterRegistry registry;
  private final List<Forwarder> forwarders = new ArrayList<>();

  @BeforeEach
  void setUp() {
    isb = InMemoryIsb.create();
    registry = new SimpleMeterRegistry();
    isb.admin().createBuffers(List.of(IN, OUT, DLQ), BufferConfig.defaults().toBuilder()
        .consumer(new BufferConfig.Consumer(ACK_WAIT, 25_000)).build());
  }

  @AfterEach
  void tearDown() {
    forwarders.forEach(Forwarder::close);
    isb.close();
  }

  /** A map vertex reading IN and writing OUT, two attempts per delivery; its function is the test's. */
  private Forwarder.Builder vertex() {
    return Forwarder.builder(isb, "map").pipeline("pl").from(IN).meterRegistry(registry)
        .readerOptions(ReaderOptions.builder().batchSize(50).readTimeout(Duration.ofMillis(20)).build())
        .retryPolicy(RetryPolicy.defaults().withMaxAttempts(2).withBackoff(Duration.ZERO, Duration.ZERO)
            .withNakDelay(Duration.ZERO))
        .to(Edge.to("out", OUT).withWriterOptions(WriterOptions.builder().refreshInterval(Duration.ofMillis(20)).build()));
  }

  /** An identity function that fails every time on the payloads in {@code poison}. */
  private static MapFunction failingOn(String... poison) {
    return in -> {
      if (List.of(poison).contains(in.valueAsString())) {
        throw new IllegalStateException("cannot digest " + in.valueAsString());
      }
      return List.of(Output.of(in.value()));
    };
  }

  private void started(Forwarder.Builder builder) {
    Forwarder forwarder = builder.build();
    forwarders.add(forwarder);
    forwarder.start();
  }

  private void input(int count) {
    List<Message> batch = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Header header = Header.builder(new MessageId("source", Integer.toString(i), 0)).keys("k" + i)
          .headers(Map.of("trace", "t" + i)).build();
      batch.add(new Message(header, ("m" + i).getBytes(StandardCharsets.UTF_8)));
    }
    try (BufferWriter writer = isb.writer(IN, WriterOptions.builder().refreshInterval(Duration.ofMillis(10)).build())) {
      assertThat(writer.write(batch)).allMatch(WriteResult::isStored);
    }
  }

  /** Reads and acks what arrives in {@code buffer} until {@code expected} came, then for 300 ms more. */
  private List<ReadMessage> drain(String buffer, int expected) {
    List<ReadMessage> all = new ArrayList<>();
    try (BufferReader reader = isb.reader(buffer, ReaderOptions.builder().consumerName("test-0").build())) {
      long deadline = System.nanoTime() + PATIENCE.toNanos();
      while (all.size() < expected && System.nanoTime() < deadline) {
        List<ReadMessage> batch = reader.read(500, Duration.ofMillis(20));
        reader.ack(batch.stream().map(ReadMessage::offset).toList());
        all.addAll(batch);
      }
      all.addAll(reader.read(500, Duration.ofMillis(300)));
    }
    return all;
  }

  private double count(String name) {
    return Search.in(registry).name(name).counters().stream().mapToDouble(c -> c.count()).sum();
  }

  private long unsettled() {
    var info = isb.admin().bufferInfo(IN);
    return info.pendingCount() + info.ackPendingCount();
  }

  @Test
  @DisplayName("a poison input is written to the dead-letter buffer at its third delivery, once, keeping its id,"
      + " keys and headers and adding the error, the delivery count, the buffer and the vertex; then acked, while"
      + " the others are forwarded")
  void poisonGoesToTheBuffer() {
    input(5);
    started(vertex().map(failingOn("m2")).deadLetters(DeadLetterPolicy.toBuffer(DLQ, 3)));

    assertThat(drain(OUT, 4)).extracting(m -> m.message().payloadAsString())
        .containsExactlyInAnyOrder("m0", "m1", "m3", "m4");
    List<ReadMessage> letters = drain(DLQ, 1);
    assertThat(letters).singleElement().satisfies(letter -> {
      Message m = letter.message();
      assertThat(m.id()).isEqualTo(new MessageId("source", "2", 0));
      assertThat(m.payloadAsString()).isEqualTo("m2");
      assertThat(m.header().keys()).containsExactly("k2");
      assertThat(m.header().headers()).containsEntry("trace", "t2")
          .containsEntry(DeadLetterPolicy.ERROR_HEADER, "java.lang.IllegalStateException: cannot digest m2")
          .containsEntry(DeadLetterPolicy.DELIVERIES_HEADER, "3")
          .containsEntry(DeadLetterPolicy.BUFFER_HEADER, IN)
          .containsEntry(DeadLetterPolicy.VERTEX_HEADER, "map");
    });
    Await.until(PATIENCE, "every input acked", () -> unsettled() == 0);
    assertThat(count(ForwarderMetrics.DEAD_LETTER)).isEqualTo(1);
    assertThat(count(ForwarderMetrics.NAK)).as("the first two deliveries").isEqualTo(2);
  }

  @Test
  @DisplayName("a handler takes the letter of an asynchronous function's failure (the error as the stage failed),"
      + " with the input as read; the input is acked")
  void handlerTakesTheLetter() {
    input(1);
    List<DeadLetterPolicy.DeadLetter> taken = Collections.synchronizedList(new ArrayList<>());
    started(vertex().asyncMap(in ->
            CompletableFuture.failedFuture(new IllegalArgumentException("bad " + in.valueAsString())))
        .deadLetters(DeadLetterPolicy.toHandler(taken::add, 1)));

    Await.until(PATIENCE, "the letter taken and the input acked", () -> taken.size() == 1 && unsettled() == 0);
    DeadLetterPolicy.DeadLetter letter = taken.get(0);
    assertThat(letter.vertex()).isEqualTo("map");
    assertThat(letter.buffer()).isEqualTo(IN);
    assertThat(letter.input().deliveryCount()).isEqualTo(1);
    assertThat(letter.input().message().payloadAsString()).isEqualTo("m0");
    assertThat(letter.error()).isInstanceOf(IllegalArgumentException.class).hasMessage("bad m0");
    assertThat(count(ForwarderMetrics.NAK)).isZero();
  }

  @Test
  @DisplayName("a dead-letter buffer that refuses the letter (a failed write): the input is nakked, not acked,"
      + " and dead-lettered on its next delivery; nothing is lost")
  void refusedLetterIsNakked() {
    input(1);
    isb.faults().failNextWrites(DLQ, 1);
    started(vertex().map(failingOn("m0")).deadLetters(DeadLetterPolicy.toBuffer(DLQ, 1)));

    assertThat(drain(DLQ, 1)).singleElement().satisfies(letter ->
        assertThat(letter.message().header().headers()).containsEntry(DeadLetterPolicy.DELIVERIES_HEADER, "2"));
    Await.until(PATIENCE, "the input acked", () -> unsettled() == 0);
    assertThat(count(ForwarderMetrics.NAK)).isEqualTo(1);
    assertThat(count(ForwarderMetrics.DEAD_LETTER)).isEqualTo(1);
  }

  @Test
  @DisplayName("written exactly once: when the ack after the letter fails, the input comes back and its letter is a"
      + " duplicate the dead-letter buffer does not store again")
  void letterWrittenOnce() {
    input(1);
    isb.faults().failNextAcks(IN, 1);
    started(vertex().map(failingOn("m0")).deadLetters(DeadLetterPolicy.toBuffer(DLQ, 1)));

    Await.until(PATIENCE, "the input handed over twice and acked",
        () -> count(ForwarderMetrics.DEAD_LETTER) == 2 && unsettled() == 0);
    assertThat(drain(DLQ, 1)).as("one letter, though it was sent twice").hasSize(1);
  }

  @Test
  @DisplayName("a handler that throws: the input is nakked and handed over again on its next delivery")
  void throwingHandlerNaks() {
    input(1);
    AtomicInteger calls = new AtomicInteger();
    started(vertex().map(failingOn("m0")).deadLetters(DeadLetterPolicy.toHandler(letter -> {
      if (calls.incrementAndGet() == 1) {
        throw new IllegalStateException("the handler's store is down");
      }
    }, 1)));

    Await.until(PATIENCE, "taken on the second try and acked", () -> calls.get() == 2 && unsettled() == 0);
    assertThat(count(ForwarderMetrics.NAK)).isEqualTo(1);
    assertThat(count(ForwarderMetrics.DEAD_LETTER)).isEqualTo(1);
  }

  @Test
  @DisplayName("an output buffer that is gone fails every input alike, not one message: nothing is dead-lettered,"
      + " the inputs are nakked and stay in their buffer")
  void missingOutputBufferIsNotPoison() {
    started(vertex().map(failingOn()).deadLetters(DeadLetterPolicy.toBuffer(DLQ, 1)));
    isb.admin().deleteBuffers(List.of(OUT));
    input(2);

    Await.until(PATIENCE, "both inputs nakked", () -> count(ForwarderMetrics.NAK) >= 2);
    assertThat(count(ForwarderMetrics.DEAD_LETTER)).isZero();
    assertThat(drain(DLQ, 0)).isEmpty();
    assertThat(unsettled()).isEqualTo(2);
  }

  @Test
  @DisplayName("bad policies are refused: no delivery limit, both or neither of buffer and handler, a missing buffer")
  void badPolicies() {
    assertThatThrownBy(() -> DeadLetterPolicy.toBuffer(DLQ, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxDeliveries must be at least 1, was 0");
    assertThatThrownBy(() -> new DeadLetterPolicy(3, DLQ, letter -> { }))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a buffer or a handler, not both");
    assertThatThrownBy(() -> DeadLetterPolicy.toBuffer(" ", 3)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> vertex().map(failingOn()).deadLetters(DeadLetterPolicy.toBuffer("ns-pl-nowhere-0", 3))
        .build())
        .isInstanceOf(BufferNotFoundException.class).hasMessageContaining("ns-pl-nowhere-0");
  }
}
