package dev.isb.spi;

import dev.isb.BufferReader;
import dev.isb.Compression;
import dev.isb.IsbBackendException;
import dev.isb.IsbException;
import dev.isb.Kind;
import dev.isb.Message;
import dev.isb.MessageDecodeException;
import dev.isb.Offset;
import dev.isb.OnUndecodable;
import dev.isb.ReadMessage;
import dev.isb.ReaderOptions;
import dev.isb.UndecodableMessage;
import dev.isb.wire.PayloadCompression;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The part of a {@link BufferReader} every backend shares: argument checks, the close protocol
 * (refuse new calls at once, stop reads that wait, wait bounded for running ones, then release), call
 * tracking, the keep-alive schedule, and the check that an offset belongs to this reader's buffer. A
 * backend writes only its wire work: {@link #readBatch}, {@link #ackOwned}, {@link #nakOwned},
 * {@link #keepAlive} and {@link #pendingCount}; {@link #ack} is a wait for {@link #ackAsync}.
 *
 * <p>Thread-safe if the subclass's wire work is.
 *
 * @param <O> the backend's offset type
 */
public abstract class AbstractBufferReader<O extends Offset> extends BufferHandle implements BufferReader {

  private static final System.Logger LOG = System.getLogger(AbstractBufferReader.class.getName());
  /** Least wait of a read ahead, so that an empty buffer is not polled in a loop. */
  private static final Duration LEAST_READ_AHEAD_WAIT = Duration.ofMillis(100);

  /** The reader's options. */
  protected final ReaderOptions options;
  private final Class<O> offsetType;
  private volatile ScheduledFuture<?> keepAliveTask;
  /** Null unless the options ask for read-ahead. */
  private final ReadAhead readAhead;

  /**
   * @param offsetType the class of the offsets this backend hands out
   * @param closeDrain how long {@link #close()} waits for running calls
   * @param onClose runs once, last, when the reader closes
   */
  protected AbstractBufferReader(String buffer, int partition, ReaderOptions options, Class<O> offsetType,
      Duration closeDrain, Runnable onClose) {
    super("reader", buffer, partition, closeDrain, onClose);
    this.options = Objects.requireNonNull(options, "options");
    this.offsetType = Objects.requireNonNull(offsetType, "offsetType");
    this.readAhead = options.readAhead()
        ? new ReadAhead(buffer, this::readAheadBatch, calls::isClosed, this::giveBack) : null;
  }

  /**
   * When the options ask for it, keeps the messages this reader holds alive: {@code task} runs every
   * keep-alive interval for {@code ackWait} until the reader closes. Once, from the constructor.
   */
  protected final void startKeepAlive(ScheduledExecutorService scheduler, Duration ackWait, Runnable task) {
    if (options.keepAlive()) {
      long period = options.keepAliveIntervalFor(ackWait).toNanos();
      keepAliveTask = scheduler.scheduleAtFixedRate(task, period, period, TimeUnit.NANOSECONDS);
    }
  }

  /**
   * Reads up to {@code maxMessages}, waiting up to {@code maxWait} for the first, while the reader is
   * open; the arguments are checked. Returns early, possibly empty, once the reader closes.
   */
  protected abstract List<ReadMessage> readBatch(int maxMessages, Duration maxWait);

  /**
   * Naks at least one offset of this reader's buffer that it can act on ({@link #ownAcknowledgeable}
   * checked them), redelivered after {@code delay}.
   */
  protected abstract void nakOwned(List<O> offsets, Duration delay);

  /** The messages not yet delivered plus those delivered and not acked, while the reader is open. */
  protected abstract long pendingCount();

  /** Wakes reads that wait, before {@link #close()} waits for them; runs once. */
  protected void stopReads() {}

  /**
   * The message as the writer gave it: a data message's payload decompressed as the options say.
   *
   * @throws MessageDecodeException when the payload does not decompress (the caller reports it as
   *     undecodable, with its offset)
   */
  protected final Message decompressed(Message stored) {
    if (options.compression() == Compression.NONE || stored.kind() != Kind.DATA) {
      return stored;
    }
    return new Message(stored.header(), PayloadCompression.decompress(options.compression(), stored.payload()));
  }

  /**
   * Reports bytes that do not decode to the options' listener (a listener that throws is logged, never
   * passed on, so one bad message cannot stop a read) and says what to do with the message.
   *
   * @return true when the options say {@link OnUndecodable#TERMINATE}: the backend then makes sure the
   *     message is never delivered again; false: it is left for redelivery
   */
  protected final boolean reportUndecodable(O offset, long deliveries, byte[] bytes, MessageDecodeException cause) {
    var error = new MessageDecodeException(buffer, offset.toString(), cause.getMessage(), cause);
    try {
      options.undecodableListener().accept(new UndecodableMessage(offset, deliveries, bytes, error));
    } catch (RuntimeException listenerFailed) {
      LOG.log(System.Logger.Level.WARNING,
          "buffer ''{0}'': the undecodable-message listener failed on offset {1}: {2}", buffer, offset,
          listenerFailed.toString());
    }
    return options.onUndecodable() == OnUndecodable.TERMINATE;
  }

  /** Whether an offset of the right type came from this reader's buffer; by default, by name. */
  protected boolean belongsHere(O offset) {
    return offset.buffer().equals(buffer);
  }

  @Override
  public final List<ReadMessage> read(int maxMessages, Duration maxWait) {
    Checks.atLeastOne("maxMessages", maxMessages);
    Checks.notNegative("maxWait", maxWait);
    calls.enter();
    try {
      return readAhead != null ? readAhead.take(maxMessages, maxWait) : readBatch(maxMessages, maxWait);
    } finally {
      calls.exit();
    }
  }

  /** One read of the read-ahead thread, tracked as a call. */
  private List<ReadMessage> readAheadBatch() {
    calls.enter();
    try {
      Duration wait = options.readTimeout().compareTo(LEAST_READ_AHEAD_WAIT) < 0 ? LEAST_READ_AHEAD_WAIT
          : options.readTimeout();
      return readBatch(options.batchSize(), wait);
    } finally {
      calls.exit();
    }
  }

  /** Naks what was read ahead and never taken, as the reader closes, so that it comes again at once. */
  private void giveBack(List<ReadMessage> unread) {
    try {
      nakOwned(unread.stream().map(m -> offsetType.cast(m.offset())).toList(), Duration.ZERO);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "buffer ''{0}'': {1} message(s) read ahead and never taken could not be"
          + " given back; they come again after ackWait: {2}", buffer, unread.size(), e.toString());
    }
  }

  @Override
  public final List<ReadMessage> read() {
    return read(options.batchSize(), options.readTimeout());
  }

  @Override
  public final void nak(Collection<? extends Offset> offsets, Duration delay) {
    Checks.notNegative("delay", delay);
    List<O> own = ownAcknowledgeable(offsets);
    if (!own.isEmpty()) {
      nakOwned(own, delay);
    }
  }

  /**
   * The offsets as this backend's type, after checking the reader is open and that each is not null
   * and belongs to this reader's buffer.
   *
   * @throws IllegalArgumentException naming the offset and both buffers, for an offset of another buffer
   */
  protected final List<O> own(Collection<? extends Offset> offsets) {
    return own(offsets, Function.identity());
  }

  /**
   * As {@link #own(Collection)}, each offset turned into what the backend acks it by, in the same
   * pass: the ack path of a batch makes one list, not two. An offset {@code handle} turns into null
   * has nothing to act on here (e.g. a writer's offset, never delivered to this reader) and is left out.
   */
  protected final <T> List<T> own(Collection<? extends Offset> offsets, Function<? super O, ? extends T> handle) {
    Objects.requireNonNull(offsets, "offsets");
    calls.requireOpen();
    var out = new ArrayList<T>(offsets.size());
    for (Offset offset : offsets) {
      Objects.requireNonNull(offset, "offset");
      if (!offsetType.isInstance(offset) || !belongsHere(offsetType.cast(offset))) {
        throw new IllegalArgumentException("offset " + offset + " of buffer '" + offset.buffer()
            + "' does not belong to this reader's buffer '" + buffer + "'");
      }
      T handled = handle.apply(offsetType.cast(offset));
      if (handled != null) {
        out.add(handled);
      }
    }
    return out;
  }

  /**
   * Sends the acks of the offsets this reader can act on ({@link #acknowledgeable}) with
   * {@link #ackOwned}; the offsets are checked at the call. A failure {@code ackOwned} throws is the
   * stage's failure.
   */
  @Override
  public final CompletionStage<Void> ackAsync(Collection<? extends Offset> offsets) {
    List<O> own = ownAcknowledgeable(offsets);
    if (own.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    try {
      return ackOwned(own);
    } catch (IsbException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Sends the acks of at least one offset of this reader, and completes when they are confirmed, in
   * bounded time; keep-alive of these messages stops at once.
   */
  protected abstract CompletionStage<Void> ackOwned(List<O> offsets);

  /** As {@link #own(Collection)}, leaving out the offsets this reader cannot act on ({@link #acknowledgeable}). */
  protected final List<O> ownAcknowledgeable(Collection<? extends Offset> offsets) {
    return own(offsets, o -> acknowledgeable(o) ? o : null);
  }

  /**
   * Whether this reader can ack, nak or keep alive the offset; false for an offset it never delivered.
   * All by default.
   */
  protected boolean acknowledgeable(O offset) {
    return true;
  }

  /**
   * Waits for {@link #ackAsync}.
   *
   * @throws IsbException as the stage failed, or retryable when the wait was interrupted (the flag is kept)
   */
  @Override
  public final void ack(Collection<? extends Offset> offsets) {
    try {
      ackAsync(offsets).toCompletableFuture().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IsbBackendException(buffer, null, "interrupted while acks were confirmed; the messages not "
          + "confirmed will be delivered again", true, e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IsbException failed) {
        throw failed;
      }
      throw new IsbBackendException(buffer, null, "acking failed: " + e.getCause(), true, e.getCause());
    }
  }

  @Override
  public final OptionalLong pending() {
    calls.requireOpen();
    return OptionalLong.of(pendingCount());
  }

  @Override
  final void stopBackgroundWork() {
    ScheduledFuture<?> task = keepAliveTask;
    if (task != null) {
      task.cancel(false);
    }
    if (readAhead != null) {
      readAhead.stop();
    }
    stopReads();
    if (readAhead != null) {
      // Woken by stopReads, the read-ahead thread gives back what it holds while the client is still open.
      readAhead.awaitEnd(closeDrain());
    }
  }
}
