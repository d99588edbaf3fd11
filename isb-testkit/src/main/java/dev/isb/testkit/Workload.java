package dev.isb.testkit;

import dev.isb.BufferReader;
import dev.isb.BufferWriter;
import dev.isb.IsbClient;
import dev.isb.IsbException;
import dev.isb.Message;
import dev.isb.MessageId;
import dev.isb.ReadMessage;
import dev.isb.ReaderOptions;
import dev.isb.WriteResult;
import dev.isb.WriterOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A writer and a reader running against one buffer while a test injects faults, recording what they
 * see in a {@link History}. The writer writes paced batches of fresh messages and retries each
 * retryable failure with the same message (so the ISB's de-duplication is exercised); the reader
 * reads, records and acks. Neither stops on errors: they record them and go on, as a vertex would.
 *
 * <pre>{@code
 * try (Workload load = Workload.start(client, buffer, Workload.Options.defaults())) {
 *   load.awaitAcknowledged(500, Duration.ofSeconds(10));
 *   server.kill(); server.restart();
 *   History.Report report = load.drain(Duration.ofSeconds(60));
 *   assertThat(report.holds()).as(report.toString()).isTrue();
 * }
 * }</pre>
 */
public final class Workload implements AutoCloseable {

  private static final Duration ERROR_PAUSE = Duration.ofMillis(100);

  /**
   * How the workload runs.
   *
   * @param batchSize messages per write call
   * @param messagesPerSecond the writer's pace
   * @param writerOptions the writer's options
   * @param readerOptions the reader's options; its batch size and read timeout are used
   */
  public record Options(int batchSize, int messagesPerSecond, WriterOptions writerOptions,
      ReaderOptions readerOptions) {

    /** Checks the numbers. */
    public Options {
      if (batchSize < 1 || messagesPerSecond < 1) {
        throw new IllegalArgumentException("batchSize and messagesPerSecond must be positive, were "
            + batchSize + " and " + messagesPerSecond);
      }
      Objects.requireNonNull(writerOptions, "writerOptions");
      Objects.requireNonNull(readerOptions, "readerOptions");
    }

    /** Batches of 50 at 2000 messages/s; writers refresh usage every 100 ms; reads of 100 waiting 200 ms. */
    public static Options defaults() {
      return new Options(50, 2_000, WriterOptions.builder().refreshInterval(Duration.ofMillis(100)).build(),
          ReaderOptions.builder().consumerName("workload-0").batchSize(100).readTimeout(Duration.ofMillis(200))
              .build());
    }

    /** These options at another pace. */
    public Options withRate(int messagesPerSecond) {
      return new Options(batchSize, messagesPerSecond, writerOptions, readerOptions);
    }

    /** These options with another reader configuration. */
    public Options withReaderOptions(ReaderOptions readerOptions) {
      return new Options(batchSize, messagesPerSecond, writerOptions, readerOptions);
    }
  }

  private final History history = new History();
  private final Options options;
  private final BufferWriter writer;
  private final BufferReader reader;
  private final Thread writerThread;
  private final Thread readerThread;
  private final AtomicReference<Throwable> crash = new AtomicReference<>();
  private volatile boolean writing = true;
  private volatile boolean reading = true;

  private Workload(IsbClient client, String buffer, Options options) {
    this.options = options;
    this.writer = client.writer(buffer, options.writerOptions());
    try {
      this.reader = client.reader(buffer, options.readerOptions());
    } catch (RuntimeException e) {
      writer.close();
      throw e;
    }
    this.writerThread = new Thread(this::write, "workload-writer-" + buffer);
    this.readerThread = new Thread(this::read, "workload-reader-" + buffer);
    for (Thread t : List.of(writerThread, readerThread)) {
      t.setDaemon(true);
      t.setUncaughtExceptionHandler((thread, e) -> crash.compareAndSet(null, e));
    }
  }

  /** Opens a writer and a reader of {@code buffer} and starts them. */
  public static Workload start(IsbClient client, String buffer, Options options) {
    Workload load = new Workload(client, buffer, options);
    load.writerThread.start();
    load.readerThread.start();
    return load;
  }

  /** What has been recorded so far. */
  public History history() {
    return history;
  }

  /** Waits until at least {@code count} messages have been acknowledged to the writer. */
  public void awaitAcknowledged(long count, Duration timeout) {
    awaitUnlessCrashed(() -> history.acknowledgedCount() >= count, timeout,
        () -> "acknowledged writes to reach " + count + " (now " + history.acknowledgedCount() + ")");
  }

  /** Waits until the reader has read {@code more} messages beyond what it had read when called. */
  public void awaitReads(long more, Duration timeout) {
    long target = history.readCount() + more;
    awaitUnlessCrashed(() -> history.readCount() >= target, timeout,
        () -> "reads to reach " + target + " (now " + history.readCount() + ")");
  }

  /** Waits until {@code more} write failures beyond those recorded when called have been recorded. */
  public void awaitWriteFailures(long more, Duration timeout) {
    long target = history.writeFailureCount() + more;
    awaitUnlessCrashed(() -> history.writeFailureCount() >= target, timeout,
        () -> "write failures to reach " + target + " (now " + history.writeFailureCount() + ")");
  }

  /**
   * Stops the writer, waits until every acknowledged message has been read (or {@code timeout}
   * passes), stops the reader and checks the history.
   */
  public History.Report drain(Duration timeout) {
    stopWriting();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (history.acknowledgedRead() < history.acknowledgedCount() && System.nanoTime() < deadline) {
      failIfCrashed();
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
    stopReading();
    failIfCrashed();
    return history.check();
  }

  /** Stops the writer after its current call. */
  public void stopWriting() {
    writing = false;
    join(writerThread);
  }

  @Override
  public void close() {
    writing = false;
    reading = false;
    join(writerThread);
    join(readerThread);
    writer.close();
    reader.close();
  }

  private void stopReading() {
    reading = false;
    join(readerThread);
  }

  private void write() {
    long start = System.nanoTime();
    long sent = 0;
    List<Message> retry = new ArrayList<>();
    while (writing) {
      List<Message> batch = new ArrayList<>(retry);
      retry.clear();
      while (batch.size() < options.batchSize()) {
        MessageId id = new MessageId("workload", Long.toString(sent++), 0);
        batch.add(Message.data(id, ("m" + id.offset()).getBytes(StandardCharsets.UTF_8)));
      }
      LockSupport.parkNanos(start + (long) (sent * 1e9 / options.messagesPerSecond()) - System.nanoTime());
      List<WriteResult> results;
      try {
        results = writer.write(batch);
      } catch (IsbException e) {
        history.writeThrew(batch.stream().map(Message::id).toList());
        retry.addAll(batch);
        pause();
        continue;
      }
      for (int i = 0; i < results.size(); i++) {
        WriteResult result = results.get(i);
        history.written(batch.get(i).id(), result);
        if (result instanceof WriteResult.Failed f && f.retryable()) {
          retry.add(batch.get(i));
        }
      }
      if (!retry.isEmpty()) {
        pause(); // as a vertex backs off, instead of retrying a server that is away in a tight loop
      }
    }
  }

  private void read() {
    while (reading) {
      List<ReadMessage> batch;
      try {
        batch = reader.read();
      } catch (IsbException e) {
        history.readFailed();
        pause();
        continue;
      }
      batch.forEach(history::read);
      if (!batch.isEmpty()) {
        try {
          reader.ack(batch.stream().map(ReadMessage::offset).toList());
        } catch (IsbException e) {
          history.ackFailed();
        }
      }
    }
  }

  private void failIfCrashed() {
    Throwable e = crash.get();
    if (e != null) {
      throw new IllegalStateException("a workload thread died", e);
    }
  }

  private static void pause() {
    LockSupport.parkNanos(ERROR_PAUSE.toNanos());
  }

  private static void join(Thread thread) {
    try {
      thread.join(TimeUnit.MINUTES.toMillis(2));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits for {@code condition}, failing at once with the cause if the writer or the reader crashed. */
  private void awaitUnlessCrashed(BooleanSupplier condition, Duration timeout, Supplier<String> what) {
    Await.until(timeout, what, () -> {
      if (condition.getAsBoolean()) {
        return true;
      }
      failIfCrashed();
      return false;
    });
  }
}
