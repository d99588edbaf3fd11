package dev.isb.benchmarks.jmh;

import dev.isb.BufferConfig;
import dev.isb.BufferWriter;
import dev.isb.Message;
import dev.isb.Retention;
import dev.isb.Storage;
import dev.isb.WriteResult;
import dev.isb.WriterOptions;
import dev.isb.memory.InMemoryIsb;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The write path without a network: {@code BufferWriter.write} of a batch of 500 typical messages on
 * an {@link InMemoryIsb} buffer, the full call (argument checks, the buffer-full gate, de-duplication
 * by id, storing, one {@code WriteResult} per message). Scores are per message
 * ({@link OperationsPerInvocation}).
 *
 * <p>The messages are built before the measurement, so that their allocation is not counted: every
 * op writes the next batch of a ring of 262,000 messages with distinct ids. For the ids to be
 * new again when the ring comes round, the buffer's de-duplication window is 10 ms (the ring takes
 * far longer than that to go round); each append still looks its id up, remembers it and expires an
 * old one, as it does in a steady state under the default 60 s. Every result must be
 * {@code Written}, so a duplicate or a full buffer fails the run instead of measuring something else.
 */
public class InMemoryWriteBenchmark extends MicroBenchmark {

  static final int BATCH = 500;
  private static final int RING = 524 * BATCH;
  private static final String BUFFER = "bench-pipeline-out-0";

  /** Payload size in bytes. */
  @Param({"256", "1024"})
  public int payloadSize;

  private InMemoryIsb isb;
  private BufferWriter writer;
  private List<List<Message>> batches;
  private int next;

  /** Creates the buffer and the writer, and waits for the writer's first usage measurement. */
  @Setup(Level.Trial)
  public void setUp() {
    Message[] ring = TypicalMessages.create(RING, payloadSize, 1_000_000, true);
    Message[][] split = new Message[RING / BATCH][];
    for (int b = 0; b < split.length; b++) {
      split[b] = Arrays.copyOfRange(ring, b * BATCH, (b + 1) * BATCH);
    }
    batches = Arrays.stream(split).map(List::of).toList();

    isb = InMemoryIsb.create();
    BufferConfig config = BufferConfig.defaults().toBuilder()
        .stream(BufferConfig.Stream.defaults().toBuilder()
            .retention(Retention.LIMITS).maxMsgs(100_000).replicas(1)
            .duplicates(Duration.ofMillis(10)).storage(Storage.MEMORY).build())
        .build();
    isb.admin().createBuffers(List.of(BUFFER), config);
    // maxLength well above maxMsgs: the buffer-full rule measures usage but never closes the gate.
    writer = isb.writer(BUFFER, WriterOptions.builder().maxLength(10_000_000).build());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (writer.isFull()) {
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("the writer measured no usage within 10 s");
      }
      Thread.onSpinWait();
    }
  }

  /** Closes the writer and the in-memory ISB. */
  @TearDown(Level.Trial)
  public void tearDown() {
    writer.close();
    isb.close();
  }

  /** One {@code write} call of 500 messages; the score is per message. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void write(Blackhole bh) {
    List<Message> batch = batches.get(next);
    next = next + 1 == batches.size() ? 0 : next + 1;
    List<WriteResult> results = writer.write(batch);
    for (int i = 0; i < results.size(); i++) {
      if (!(results.get(i) instanceof WriteResult.Written)) {
        throw new IllegalStateException("message " + batch.get(i).id() + " was not written: " + results.get(i));
      }
    }
    bh.consume(results);
  }
}
