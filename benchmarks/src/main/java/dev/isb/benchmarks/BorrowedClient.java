package dev.isb.benchmarks;

import dev.isb.BufferAdmin;
import dev.isb.BufferReader;
import dev.isb.BufferWriter;
import dev.isb.IsbClient;
import dev.isb.ReaderOptions;
import dev.isb.WriterOptions;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * A client the benchmark lends to the code it measures: everything is the delegate's, except that the
 * writers and readers it opens pass through a wrapper (to count or time them), and closing it closes
 * nothing, since the benchmark owns the delegate and closes it itself.
 */
final class BorrowedClient implements IsbClient {

  private final IsbClient delegate;
  private final UnaryOperator<BufferWriter> writers;
  private final UnaryOperator<BufferReader> readers;

  BorrowedClient(IsbClient delegate, UnaryOperator<BufferWriter> writers, UnaryOperator<BufferReader> readers) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.writers = Objects.requireNonNull(writers, "writers");
    this.readers = Objects.requireNonNull(readers, "readers");
  }

  @Override
  public String backend() {
    return delegate.backend();
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
}
