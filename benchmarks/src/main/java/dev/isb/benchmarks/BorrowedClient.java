package dev.isb.benchmarks;

import dev.isb.BufferReader;
import dev.isb.BufferWriter;
import dev.isb.IsbClient;
import dev.isb.Message;
import dev.isb.Offset;
import dev.isb.ReaderOptions;
import dev.isb.WriteResult;
import dev.isb.WriterOptions;
import dev.isb.spi.ForwardingBufferReader;
import dev.isb.spi.ForwardingBufferWriter;
import dev.isb.spi.ForwardingIsbClient;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
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
final class BorrowedClient extends ForwardingIsbClient {

  private final UnaryOperator<BufferWriter> writers;
  private final UnaryOperator<BufferReader> readers;

  private BorrowedClient(IsbClient delegate, UnaryOperator<BufferWriter> writers,
      UnaryOperator<BufferReader> readers) {
    super(delegate);
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
  public BufferWriter writer(String buffer, WriterOptions options) {
    return writers.apply(delegate.writer(buffer, options));
  }

  @Override
  public BufferReader reader(String buffer, ReaderOptions options) {
    return readers.apply(delegate.reader(buffer, options));
  }

  /** Closes nothing: the benchmark owns the delegate. */
  @Override
  public void close() {}

  private static final class TappedWriter extends ForwardingBufferWriter {
    private final Consumer<List<WriteResult>> tap;

    TappedWriter(BufferWriter delegate, Consumer<List<WriteResult>> tap) {
      super(delegate);
      this.tap = tap;
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
  }

  private static final class TappedReader extends ForwardingBufferReader {
    private final IntConsumer tap;

    TappedReader(BufferReader delegate, IntConsumer tap) {
      super(delegate);
      this.tap = tap;
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
  }
}
