package dev.isb.spi;

import dev.isb.BufferWriter;
import dev.isb.Message;
import dev.isb.WriteResult;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * A {@link BufferWriter} that passes every call to another one, its delegate: a decorator extends it
 * and overrides only the calls it changes. {@code write(Message)} goes through {@link #write(List)},
 * so a decorator that overrides that sees every write; {@link #writeAsync} goes to the delegate's.
 * Thread-safe if the delegate and the overrides are.
 */
public abstract class ForwardingBufferWriter implements BufferWriter {

  /** The writer every call not overridden goes to. */
  protected final BufferWriter delegate;

  protected ForwardingBufferWriter(BufferWriter delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
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
    return delegate.write(messages);
  }

  @Override
  public CompletionStage<List<WriteResult>> writeAsync(List<Message> messages) {
    return delegate.writeAsync(messages);
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
