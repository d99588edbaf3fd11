package dev.isb.spi;

import java.time.Duration;
import java.util.Objects;

/**
 * What a writer and a reader share: the buffer they are for, their calls in progress, and the close
 * protocol (refuse new calls at once, stop the background work, wait bounded for the calls in
 * progress, release, then tell the client). Extended through {@link AbstractBufferWriter} and
 * {@link AbstractBufferReader}.
 */
abstract class BufferHandle implements AutoCloseable {

  /** The buffer this handle is for. */
  protected final String buffer;
  /** The open/closed state and the calls in progress. */
  protected final CallTracker calls;
  private final int partition;
  private final Duration closeDrain;
  private final Runnable onClose;

  BufferHandle(String kind, String buffer, int partition, Duration closeDrain, Runnable onClose) {
    this.buffer = Objects.requireNonNull(buffer, "buffer");
    this.partition = partition;
    this.closeDrain = Objects.requireNonNull(closeDrain, "closeDrain");
    this.onClose = Objects.requireNonNull(onClose, "onClose");
    this.calls = new CallTracker(kind + " for buffer '" + buffer + "'");
  }

  /** Stops the handle's background work and wakes calls that wait, once, before the drain. */
  abstract void stopBackgroundWork();

  /** How long {@link #close()} waits for the calls in progress. */
  final Duration closeDrain() {
    return closeDrain;
  }

  /** Releases what the backend holds for this handle, after the calls in progress finished; once. */
  protected void release() {}

  /** The buffer's name. */
  public final String buffer() {
    return buffer;
  }

  /** The buffer's partition index. */
  public final int partition() {
    return partition;
  }

  @Override
  public final void close() {
    if (!calls.markClosed()) {
      return;
    }
    stopBackgroundWork();
    calls.awaitIdle(closeDrain);
    release();
    onClose.run();
  }
}
