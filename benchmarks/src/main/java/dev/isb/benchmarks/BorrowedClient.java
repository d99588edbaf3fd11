package dev.isb.benchmarks;

import dev.isb.BufferAdmin;
import dev.isb.BufferReader;
import dev.isb.BufferWriter;
import dev.isb.IsbClient;
import dev.isb.Message;
import dev.isb.Offset;
import dev.isb.ReadMessage;
import dev.isb.ReaderOptions;
import dev.isb.WriteResult;
import dev.isb.WriterOptions;
import dev.isb.watermark.WatermarkStore;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.UnaryOperator;

/**
 * A client the benchmark lends to the code it measures: everything is the delegate's, except that
 * either the writers or the readers it opens report to a tap (what each write call returned, how many
 * offsets each ack call acked), and closing it closes nothing, since the benchmark owns the delegate
 * and closes it itself. The other side is the delegate's own, not wrapped, so that it costs what it
 * costs without the benchmark. Thread-safe when the tap is.
 */
final class BorrowedClient implements IsbClient {

  private final IsbClient delegate;
  private final UnaryOperator<BufferWriter> writers;
  private final UnaryOperator<BufferReader> readers;

  private BorrowedClient(IsbClient delegate, UnaryOperator<BufferWriter> writers,
      UnaryOperator<BufferReader> readers) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.writers = writers;
    this.readers = readers;
  }

  /** A client whose writers hand the results of each successful write call to {@code tap}. */
  static BorrowedClient tappingWrites(IsbClient delegate, Consumer<List<WriteResult>> tap) {
    Objects.requireNonNull(tap, "tap");
    return new BorrowedClient(delegate, w -> new TappedWriter(w, tap), UnaryOperator.identity());
  }

  /** A client whose readers hand the number of offsets of each successful ack call to {@code tap}. */
  static BorrowedClient tappingAcks(IsbClient delegate, IntConsumer tap) {
    Objects.requireNonNull(tap, "tap");
    return new BorrowedClient(delegate, UnaryOperator.identity(), r -> tappingAcks(r, tap));
  }

  /** {@code reader}, handing the number of offsets of each successful ack call to {@code tap}. */
  static BufferReader tappingAcks(BufferReader reader, IntConsumer tap) {
    return new TappedReader(reader, Objects.requireNonNull(tap, "tap"));
  }

  @Override
  public String backend() {
    return delegate.backend();
  }

  @Override
  public WatermarkStore watermarkStore(String bucket) {
    return delegate.watermarkStore(bucket);
  }

  @Override
  public BufferAdmin admin() {
    return delegate.admin();
  }

  @Override
  public BufferWriter writer(String buffer, WriterOptions options) {
    return writers.apply(delegate.writer(buffer, options));
  }

  @Override
  public BufferReader reader(String buffer, ReaderOptions options) {
    return readers.apply(delegate.reader(buffer, options));
  }

  @Override
  public void close() {}

  private static final class TappedWriter implements BufferWriter {
    private final BufferWriter delegate;
    private final Consumer<List<WriteResult>> tap;

    TappedWriter(BufferWriter delegate, Consumer<List<WriteResult>> tap) {
      this.delegate = Objects.requireNonNull(delegate, "delegate");
      this.tap = tap;
    }

    @Override
    public String buffer() {
      return delegate.buffer();
    }

    @Override
    public int partition() {
      return delegate.partition();
    }

    @Override
    public List<WriteResult> write(List<Message> messages) {
      List<WriteResult> results = delegate.write(messages);
      tap.accept(results);
      return results;
    }

    @Override
    public CompletionStage<List<WriteResult>> writeAsync(List<Message> messages) {
      return delegate.writeAsync(messages).thenApply(results -> {
        tap.accept(results);
        return results;
      });
    }

    @Override
    public boolean isFull() {
      return delegate.isFull();
    }

    @Override
    public void close() {
      delegate.close();
    }
  }

  private static final class TappedReader implements BufferReader {
    private final BufferReader delegate;
    private final IntConsumer tap;

    TappedReader(BufferReader delegate, IntConsumer tap) {
      this.delegate = Objects.requireNonNull(delegate, "delegate");
      this.tap = tap;
    }

    @Override
    public String buffer() {
      return delegate.buffer();
    }

    @Override
    public int partition() {
      return delegate.partition();
    }

    @Override
    public List<ReadMessage> read(int maxMessages, Duration maxWait) {
      return delegate.read(maxMessages, maxWait);
    }

    @Override
    public List<ReadMessage> read() {
      return delegate.read();
    }

    @Override
    public void ack(Collection<? extends Offset> offsets) {
      delegate.ack(offsets);
      tap.accept(offsets.size());
    }

    @Override
    public CompletionStage<Void> ackAsync(Collection<? extends Offset> offsets) {
      int count = offsets.size();
      return delegate.ackAsync(offsets).thenRun(() -> tap.accept(count));
    }

    @Override
    public void nak(Collection<? extends Offset> offsets, Duration delay) {
      delegate.nak(offsets, delay);
    }

    @Override
    public void keepAlive(Collection<? extends Offset> offsets) {
      delegate.keepAlive(offsets);
    }

    @Override
    public OptionalLong pending() {
      return delegate.pending();
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
