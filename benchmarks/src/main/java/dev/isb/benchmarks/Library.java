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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * The library through its public API only: {@code BufferWriter.write(batch)}, {@code
 * BufferReader.read(max, wait)} and {@code ack(offsets)} (confirmed acks, its default), on one
 * {@link IsbClient} of the backend under measurement, whose writers and readers share its connection
 * (the Redis backend adds one per reader for its blocking reads).
 *
 * <p>Its {@linkplain #streaming streaming} view, {@code library-async}, writes on the same client with
 * {@code BufferWriter.writeAsync(batch)}: each batch handed over without waiting, at most {@value
 * #BATCHES_IN_FLIGHT} of them not yet complete, as a vertex streaming batches would; and reads with
 * read-ahead on ({@code ReaderOptions.readAhead}: the next read in flight while a batch is counted) and
 * {@code BufferReader.ackAsync(offsets)}: the next read goes while a batch's acks are confirmed, at most
 * {@value #BATCHES_IN_FLIGHT} batches' acks unconfirmed.
 */
final class Library implements Contender {

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(10);
  /** library-async: batches whose results may be outstanding at once (the forwarder's default). */
  static final int BATCHES_IN_FLIGHT = 4;
  /** How long library-async waits for a batch's results, or its acks' confirmation, before the round fails. */
  private static final Duration RESULTS_TIMEOUT = Duration.ofSeconds(60);

  private final IsbClient client;
  private final WriterOptions writerOptions;
  /** Whether this is library-async, a view that writes with writeAsync and does not own the client. */
  private final boolean async;

  /**
   * @param backend {@code jetstream} or {@code redis}
   * @param url the server
   * @param maxLength the writers' {@code maxLength}: above a round's message count, so that the
   *     buffer-full rule (which the raw client does not have) measures usage every second but never
   *     stops a round
   */
  Library(String backend, String url, long maxLength) {
    this(IsbClient.open(IsbOptions.builder().backend(backend).url(url).build()),
        WriterOptions.builder().maxLength(maxLength).build(), false);
  }

  private Library(IsbClient client, WriterOptions writerOptions, boolean async) {
    this.client = client;
    this.writerOptions = writerOptions;
    this.async = async;
  }

  /** {@code library-async}: this client's writers, driven with {@code writeAsync}; closing it closes nothing. */
  Library streaming() {
    return new Library(client, writerOptions, true);
  }

  @Override
  public String name() {
    return async ? Summary.LIBRARY_ASYNC : Summary.LIBRARY;
  }

  @Override
  public boolean streams() {
    return async;
  }

  @Override
  public boolean streamsIn(Scenario scenario) {
    return scenario == Scenario.WRITE || scenario == Scenario.READ;
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

  private BatchWriter ready(String buffer, BufferWriter writer) {
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
    return async ? new AsyncWriter(writer) : new Writer(writer);
  }

  @Override
  public BatchReader reader(String buffer) {
    ReaderOptions options = ReaderOptions.builder().consumerName("bench-0").readAhead(async).build();
    return async ? new AsyncReader(client.reader(buffer, options)) : new Reader(client.reader(buffer, options));
  }

  @Override
  public void close() {
    if (!async) {
      client.close();
    }
  }

  /** Each result must be {@code Written}; returns how many there are. */
  private static int requireWritten(String side, List<Message> batch, List<WriteResult> results) {
    if (results.size() != batch.size()) {
      throw new BenchFailure(side + ": " + results.size() + " results for a batch of " + batch.size());
    }
    for (int i = 0; i < results.size(); i++) {
      if (!(results.get(i) instanceof WriteResult.Written)) {
        throw new BenchFailure(side + ": " + batch.get(i).id() + " was not written once: " + results.get(i));
      }
    }
    return results.size();
  }

  private record Writer(BufferWriter writer) implements BatchWriter {
    @Override
    public int write(List<Message> batch) {
      return requireWritten(Summary.LIBRARY, batch, writer.write(batch));
    }

    @Override
    public void close() {
      writer.close();
    }
  }

  /**
   * Hands each batch to {@code writeAsync} and returns; when {@value #BATCHES_IN_FLIGHT} are outstanding
   * it first waits for the oldest. Batches that are already complete are checked as it goes, the rest in
   * {@link #finish}.
   */
  private static final class AsyncWriter implements BatchWriter {
    private final BufferWriter writer;
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>(BATCHES_IN_FLIGHT);

    private record InFlight(List<Message> batch, CompletableFuture<List<WriteResult>> results) {}

    AsyncWriter(BufferWriter writer) {
      this.writer = writer;
    }

    @Override
    public int write(List<Message> batch) {
      int stored = 0;
      while (!inFlight.isEmpty() && (inFlight.size() >= BATCHES_IN_FLIGHT || inFlight.peekFirst().results().isDone())) {
        stored += settle(inFlight.removeFirst());
      }
      inFlight.addLast(new InFlight(batch, writer.writeAsync(batch).toCompletableFuture()));
      return stored;
    }

    @Override
    public int finish() {
      int stored = 0;
      while (!inFlight.isEmpty()) {
        stored += settle(inFlight.removeFirst());
      }
      return stored;
    }

    private static int settle(InFlight batch) {
      List<WriteResult> results;
      try {
        results = batch.results().get(RESULTS_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new BenchFailure(Summary.LIBRARY_ASYNC + ": interrupted waiting for a batch's results", e);
      } catch (ExecutionException | TimeoutException e) {
        throw new BenchFailure(Summary.LIBRARY_ASYNC + ": no results for the batch from " + batch.batch().get(0).id()
            + ": " + e, e);
      }
      return requireWritten(Summary.LIBRARY_ASYNC, batch.batch(), results);
    }

    @Override
    public void close() {
      writer.close();
    }
  }

  /** Counts each message of a batch in {@code tally}; returns their offsets. */
  private static List<Offset> seen(List<ReadMessage> batch, Tally tally) {
    var offsets = new ArrayList<Offset>(batch.size());
    for (ReadMessage m : batch) {
      tally.seen(m.message());
      offsets.add(m.offset());
    }
    return offsets;
  }

  private record Reader(BufferReader reader) implements BatchReader {
    @Override
    public int readAndAck(int max, Duration maxWait, Tally tally) {
      List<ReadMessage> batch = reader.read(max, maxWait);
      if (!batch.isEmpty()) {
        reader.ack(seen(batch, tally));
      }
      return batch.size();
    }

    @Override
    public void close() {
      reader.close();
    }
  }

  /**
   * Reads a batch, hands its acks to {@code ackAsync} and returns, so the next read goes while the
   * server confirms them; when {@value #BATCHES_IN_FLIGHT} batches' acks are unconfirmed it first waits
   * for the oldest, and {@link #finish} waits for the rest. Every ack must be confirmed.
   */
  private static final class AsyncReader implements BatchReader {
    private final BufferReader reader;
    private final ArrayDeque<CompletableFuture<Void>> unconfirmed = new ArrayDeque<>(BATCHES_IN_FLIGHT);

    AsyncReader(BufferReader reader) {
      this.reader = reader;
    }

    @Override
    public int readAndAck(int max, Duration maxWait, Tally tally) {
      List<ReadMessage> batch = reader.read(max, maxWait);
      if (batch.isEmpty()) {
        return 0;
      }
      while (!unconfirmed.isEmpty() && (unconfirmed.size() >= BATCHES_IN_FLIGHT || unconfirmed.peekFirst().isDone())) {
        confirmed(unconfirmed.removeFirst());
      }
      unconfirmed.addLast(reader.ackAsync(seen(batch, tally)).toCompletableFuture());
      return batch.size();
    }

    @Override
    public void finish() {
      while (!unconfirmed.isEmpty()) {
        confirmed(unconfirmed.removeFirst());
      }
    }

    private static void confirmed(CompletableFuture<Void> acks) {
      try {
        acks.get(RESULTS_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new BenchFailure(Summary.LIBRARY_ASYNC + ": interrupted waiting for acks to be confirmed", e);
      } catch (ExecutionException | TimeoutException e) {
        throw new BenchFailure(Summary.LIBRARY_ASYNC + ": a batch's acks were not confirmed: " + e, e);
      }
    }

    @Override
    public void close() {
      reader.close();
    }
  }
}
