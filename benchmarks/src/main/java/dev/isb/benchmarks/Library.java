package dev.isb.benchmarks;

import dev.isb.BufferReader;
import dev.isb.BufferWriter;
import dev.isb.IsbClient;
import dev.isb.IsbOptions;
import dev.isb.Message;
import dev.isb.Offset;
import dev.isb.ReadMessage;
import dev.isb.ReaderOptions;
import dev.isb.WriteResult;
import dev.isb.WriterOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The library through its public API only: {@code BufferWriter.write(batch)}, {@code
 * BufferReader.read(max, wait)} and {@code ack(offsets)} (confirmed acks, its default), on one
 * {@link IsbClient} of the backend under measurement, whose writers and readers share its connection
 * (the Redis backend adds one per reader for its blocking reads).
 */
final class Library implements Contender {

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(10);

  private final IsbClient client;
  private final WriterOptions writerOptions;

  /**
   * @param backend {@code jetstream} or {@code redis}
   * @param url the server
   * @param maxLength the writers' {@code maxLength}: above a round's message count, so that the
   *     buffer-full rule (which the raw client does not have) measures usage every second but never
   *     stops a round
   */
  Library(String backend, String url, long maxLength) {
    this.client = IsbClient.open(IsbOptions.builder().backend(backend).url(url).build());
    this.writerOptions = WriterOptions.builder().maxLength(maxLength).build();
  }

  @Override
  public String name() {
    return "library";
  }

  @Override
  public BatchWriter writer(String buffer) {
    return ready(buffer, client.writer(buffer, writerOptions));
  }

  /** Numaflow's defaults: full at 0.8 × 30,000 pending, and a write waits until there is room. */
  @Override
  public BatchWriter writerWithBackPressure(String buffer) {
    return ready(buffer, client.writer(buffer, WriterOptions.defaults()));
  }

  private static BatchWriter ready(String buffer, BufferWriter writer) {
    // A writer starts "full" until its first usage measurement, taken at once; that is setup, not work.
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (writer.isFull()) {
      if (System.nanoTime() > deadline) {
        writer.close();
        throw new BenchFailure("library: the writer of '" + buffer + "' still counts the empty buffer as full after "
            + READY_TIMEOUT);
      }
      LockSupport.parkNanos(1_000_000);
    }
    return new Writer(writer);
  }

  @Override
  public BatchReader reader(String buffer) {
    return new Reader(client.reader(buffer, ReaderOptions.builder().consumerName("bench-0").build()));
  }

  @Override
  public void close() {
    client.close();
  }

  private record Writer(BufferWriter writer) implements BatchWriter {
    @Override
    public int write(List<Message> batch) {
      List<WriteResult> results = writer.write(batch);
      int stored = 0;
      for (int i = 0; i < results.size(); i++) {
        if (!(results.get(i) instanceof WriteResult.Written)) {
          throw new BenchFailure("library: " + batch.get(i).id() + " was not written once: " + results.get(i));
        }
        stored++;
      }
      return stored;
    }

    @Override
    public void close() {
      writer.close();
    }
  }

  private record Reader(BufferReader reader) implements BatchReader {
    @Override
    public int readAndAck(int max, Duration maxWait, Tally tally) {
      List<ReadMessage> batch = reader.read(max, maxWait);
      if (batch.isEmpty()) {
        return 0;
      }
      var offsets = new ArrayList<Offset>(batch.size());
      for (ReadMessage m : batch) {
        tally.seen(m.message());
        offsets.add(m.offset());
      }
      reader.ack(offsets);
      return batch.size();
    }

    @Override
    public void close() {
      reader.close();
    }
  }
}
