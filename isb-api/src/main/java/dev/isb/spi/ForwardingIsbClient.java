package dev.isb.spi;

import dev.isb.BufferAdmin;
import dev.isb.BufferReader;
import dev.isb.BufferWriter;
import dev.isb.IsbClient;
import dev.isb.ReaderOptions;
import dev.isb.WriterOptions;
import dev.isb.watermark.WatermarkStore;
import java.util.Objects;

/**
 * An {@link IsbClient} that passes every call to another one, its delegate: a decorator extends it and
 * overrides only the calls it changes (wrapping the readers or writers it opens, not closing a client
 * it borrows, ...). {@code writer(String)} goes through {@link #writer(String, WriterOptions)}.
 * Thread-safe if the delegate and the overrides are.
 */
public abstract class ForwardingIsbClient implements IsbClient {

  /** The client every call not overridden goes to. */
  protected final IsbClient delegate;

  protected ForwardingIsbClient(IsbClient delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
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
    return delegate.writer(buffer, options);
  }

  @Override
  public BufferReader reader(String buffer, ReaderOptions options) {
    return delegate.reader(buffer, options);
  }

  @Override
  public WatermarkStore watermarkStore(String bucket) {
    return delegate.watermarkStore(bucket);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
