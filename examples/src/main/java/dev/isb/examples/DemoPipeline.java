package dev.isb.examples;

import dev.isb.BufferConfig;
import dev.isb.BufferNames;
import dev.isb.BufferReader;
import dev.isb.BufferWriter;
import dev.isb.Header;
import dev.isb.IsbClient;
import dev.isb.IsbOptions;
import dev.isb.Message;
import dev.isb.MessageId;
import dev.isb.PartitionRouter;
import dev.isb.ReadMessage;
import dev.isb.ReaderOptions;
import dev.isb.Retention;
import dev.isb.WriteResult;
import dev.isb.WriterOptions;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A three-vertex pipeline, {@code gen -> upper -> sink}, whose vertices talk only through inter-step
 * buffers, each vertex with its own client as separate pods would have:
 *
 * <ul>
 *   <li>{@code gen} writes N keyed words into {@code upper}'s buffer, then writes the same batch again
 *       to show that retries are de-duplicated;
 *   <li>{@code upper} reads, upper-cases, routes each result by key to one of {@code sink}'s two
 *       partitions (Numaflow's rule), writes, and only then acks its input;
 *   <li>{@code sink} reads both partitions, counts words per key and acks.
 * </ul>
 *
 * <p>Run it with {@code ./mvnw -q -pl examples exec:java}; by default it uses the in-memory ISB.
 * {@code -Dexec.args="--messages 5000 --backend memory --url memory://demo"} changes the defaults.
 */
public final class DemoPipeline {

  private static final String NAMESPACE = "demo";
  private static final String PIPELINE = "words";
  private static final String[] WORDS = {"apple", "banana", "cherry", "damson", "elder"};
  private static final int SINK_PARTITIONS = 2;

  private final IsbOptions options;
  private final int messages;
  private final PrintStream out;

  DemoPipeline(IsbOptions options, int messages, PrintStream out) {
    this.options = options;
    this.messages = messages;
    this.out = out;
  }

  /** Runs the demo; see the class comment for the arguments. */
  public static void main(String[] args) throws Exception {
    var options = IsbOptions.builder().backend("memory").url("memory://demo");
    int messages = 10_000;
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : "";
      switch (args[i]) {
        case "--messages" -> messages = Integer.parseInt(value);
        case "--backend" -> options.backend(value);
        case "--url" -> options.url(value);
        default -> throw new IllegalArgumentException(
            "argument was '" + args[i] + "' but only --messages N, --backend NAME and --url URL are known");
      }
      i++;
    }
    Result result = new DemoPipeline(options.build(), messages, System.out).run();
    if (!result.complete()) {
      System.exit(1);
    }
  }

  /** What the sink saw. */
  record Result(int expected, long written, long duplicates, long delivered, Map<String, Long> countsByKey) {
    boolean complete() {
      return delivered == expected && countsByKey.values().stream().mapToLong(Long::longValue).sum() == expected;
    }
  }

  Result run() throws Exception {
    String upperBuffer = BufferNames.buffer(NAMESPACE, PIPELINE, "upper", 0);
    List<String> sinkBuffers = new ArrayList<>();
    for (int p = 0; p < SINK_PARTITIONS; p++) {
      sinkBuffers.add(BufferNames.buffer(NAMESPACE, PIPELINE, "sink", p));
    }
    var config = BufferConfig.defaults().toBuilder()
        .stream(BufferConfig.Stream.defaults().toBuilder().retention(Retention.WORK_QUEUE).replicas(1).build())
        .build();
    try (IsbClient admin = IsbClient.open(options)) {
      List<String> all = new ArrayList<>(sinkBuffers);
      all.add(upperBuffer);
      admin.admin().createBuffers(all, config);
      out.printf(Locale.ROOT, "backend %s: created buffers %s%n", admin.backend(), all);

      ExecutorService vertices = Executors.newFixedThreadPool(3);
      try {
        AtomicLong sinkDelivered = new AtomicLong();
        Map<String, Long> counts = new ConcurrentHashMap<>();
        Future<long[]> gen = vertices.submit(() -> generate(upperBuffer));
        Future<?> upper = vertices.submit(() -> upper(upperBuffer, sinkBuffers));
        Future<?> sink = vertices.submit(() -> sink(sinkBuffers, sinkDelivered, counts));
        long[] written = gen.get();
        upper.get();
        sink.get();
        var result = new Result(messages, written[0], written[1], sinkDelivered.get(), new java.util.TreeMap<>(counts));
        out.printf(Locale.ROOT, "gen wrote %d messages and %d retried duplicates were refused%n",
            result.written(), result.duplicates());
        out.printf(Locale.ROOT, "sink received %d of %d: %s -> %s%n", result.delivered(), messages,
            result.countsByKey(), result.complete() ? "complete" : "INCOMPLETE");
        return result;
      } finally {
        vertices.shutdownNow();
        admin.admin().deleteBuffers(all);
      }
    }
  }

  private long[] generate(String buffer) {
    try (IsbClient client = IsbClient.open(options); BufferWriter writer = client.writer(buffer, fastWriter())) {
      long written = 0;
      long duplicates = 0;
      int batchSize = 500;
      for (int start = 0; start < messages; start += batchSize) {
        var batch = new ArrayList<Message>();
        for (int i = start; i < Math.min(messages, start + batchSize); i++) {
          String word = WORDS[i % WORDS.length];
          Header header = Header.builder(new MessageId("gen", Integer.toString(i), 0))
              .eventTime(Instant.now()).keys(word).build();
          batch.add(new Message(header, word.getBytes(StandardCharsets.UTF_8)));
        }
        written += count(writer.write(batch), WriteResult.Written.class);
        // A retry of a batch whose results were lost: the ISB stores nothing twice.
        duplicates += count(writer.write(batch), WriteResult.Duplicate.class);
      }
      return new long[] {written, duplicates};
    }
  }

  private void upper(String input, List<String> outputs) {
    PartitionRouter router = PartitionRouter.of(outputs.size());
    try (IsbClient client = IsbClient.open(options);
        BufferReader reader = client.reader(input, ReaderOptions.builder().consumerName("upper-0").build())) {
      List<BufferWriter> writers = outputs.stream().map(b -> client.writer(b, fastWriter())).toList();
      int processed = 0;
      while (processed < messages) {
        List<ReadMessage> batch = reader.read(500, Duration.ofSeconds(1));
        List<List<Message>> byPartition = new ArrayList<>();
        outputs.forEach(o -> byPartition.add(new ArrayList<>()));
        for (ReadMessage in : batch) {
          Message m = in.message();
          String upper = m.payloadAsString().toUpperCase(Locale.ROOT);
          Header header = m.header().toBuilder().id(new MessageId("upper", in.offset().toString(), 0)).build();
          Message result = new Message(header, upper.getBytes(StandardCharsets.UTF_8));
          byPartition.get(router.byKeys(result)).add(result);
        }
        for (int p = 0; p < writers.size(); p++) {
          for (WriteResult r : writers.get(p).write(byPartition.get(p))) {
            if (!r.isStored()) {
              throw new IllegalStateException("upper could not forward a message: " + r);
            }
          }
        }
        // Ack the input only once its output is stored: at-least-once, and de-dup makes it exactly-once.
        reader.ack(batch.stream().map(ReadMessage::offset).toList());
        processed += batch.size();
      }
      writers.forEach(BufferWriter::close);
    }
  }

  private void sink(List<String> inputs, AtomicLong delivered, Map<String, Long> counts) {
    try (IsbClient client = IsbClient.open(options)) {
      List<BufferReader> readers = inputs.stream()
          .map(b -> client.reader(b, ReaderOptions.builder().consumerName("sink-0").build())).toList();
      while (delivered.get() < messages) {
        for (BufferReader reader : readers) {
          List<ReadMessage> batch = reader.read(500, Duration.ofMillis(100));
          for (ReadMessage m : batch) {
            counts.merge(m.message().header().keys().get(0), 1L, Long::sum);
          }
          reader.ack(batch.stream().map(ReadMessage::offset).toList());
          delivered.addAndGet(batch.size());
        }
      }
    }
  }

  private static WriterOptions fastWriter() {
    return WriterOptions.builder().refreshInterval(Duration.ofMillis(100)).build();
  }

  private static long count(List<WriteResult> results, Class<? extends WriteResult> type) {
    return results.stream().filter(type::isInstance).count();
  }
}
