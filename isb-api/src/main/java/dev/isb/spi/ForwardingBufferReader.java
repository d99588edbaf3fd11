package dev.isb.spi;

import dev.isb.BufferReader;
import dev.isb.Offset;
import dev.isb.ReadMessage;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;

/**
 * A {@link BufferReader} that passes every call to another one, its delegate: a decorator extends it
 * and overrides only the calls it changes (counting acks, tracking watermarks, ...). The convenience
 * overloads {@code ack(Offset)} and {@code nak(Collection)} are not forwarded as such: they go through
 * {@link #ack(Collection)} and {@link #nak(Collection, Duration)}, so a decorator that overrides those
 * sees every ack and nak. Thread-safe if the delegate and the overrides are.
 */
public abstract class ForwardingBufferReader implements BufferReader {

  /** The reader every call not overridden goes to. */
  protected final BufferReader delegate;

  protected ForwardingBufferReader(BufferReader delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  @Override
  public String buffer() {
    return delegate.buffer();
  }

  @Override
  public long watermark() {
    return delegate.watermark();
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
  }

  @Override
  public CompletionStage<Void> ackAsync(Collection<? extends Offset> offsets) {
    return delegate.ackAsync(offsets);
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
  public long recoveries() {
    return delegate.recoveries();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
