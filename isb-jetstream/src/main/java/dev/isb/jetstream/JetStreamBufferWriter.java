package dev.isb.jetstream;

import dev.isb.BufferNotFoundException;
import dev.isb.IsbBackendException;
import dev.isb.IsbException;
import dev.isb.Kind;
import dev.isb.Message;
import dev.isb.Retention;
import dev.isb.WriteResult;
import dev.isb.WriterOptions;
import dev.isb.spi.AbstractBufferWriter;
import dev.isb.spi.BufferFullGate;
import dev.isb.wire.BufferNames;
import dev.isb.wire.MessageCodec;
import io.nats.client.JetStream;
import io.nats.client.JetStreamManagement;
import io.nats.client.PublishOptions;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.PublishAck;
import io.nats.client.api.StreamInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Writes to one JetStream stream as Numaflow's writers do: every DATA message with its
 * {@code Nats-Msg-Id}, the buffer-full rule measured from stream and consumer info.
 *
 * <p>Design: a batch is published asynchronously, at most {@code maxOutstanding} un-acknowledged
 * publishes per writer (a semaphore: one window across every batch in flight), and the acks are then
 * collected in batch order, by the caller ({@code write}) or as they complete ({@code writeAsync}). A message the
 * stream refuses for lack of room (DiscardNew's "maximum messages exceeded") marks the buffer full and
 * goes back through the {@link BufferFullGate}, then is published again with the same id, which can
 * never store it twice.
 */
final class JetStreamBufferWriter extends AbstractBufferWriter {

  private static final Duration CLOSE_DRAIN_TIMEOUT = Duration.ofSeconds(10);

  private final JetStream js;
  private final JetStreamManagement jsm;
  private final Retention retention;
  private final Duration publishTimeout;
  private final Semaphore outstanding;
  private final PublishOptions wmbOptions;

  JetStreamBufferWriter(JetStreamIsbClient client, String buffer, WriterOptions options, Runnable onClose) {
    super(buffer, BufferNames.partitionOf(buffer), options, CLOSE_DRAIN_TIMEOUT, onClose);
    this.js = client.jetStream();
    this.jsm = client.management();
    this.publishTimeout = client.settings().publishTimeout();
    this.outstanding = new Semaphore(client.settings().maxOutstandingPublishes());
    this.wmbOptions = PublishOptions.builder().expectedStream(buffer).build();
    StreamInfo stream = JetStreamErrors.call(buffer, "opening a writer", () -> jsm.getStreamInfo(buffer));
    JetStreamErrors.call(buffer, "opening a writer", () -> jsm.getConsumerInfo(buffer, buffer));
    this.retention = JetStreamBufferAdmin.retention(stream.getConfiguration().getRetentionPolicy());
    // The stream was made by whoever created the buffers: say so when it cannot hold what this writer allows.
    BufferFullGate.roomProblem(retention, stream.getConfiguration().getMaxMsgs(), options.maxLength(),
            options.usageLimit())
        .ifPresent(why -> System.getLogger(JetStreamBufferWriter.class.getName())
            .log(System.Logger.Level.WARNING, "buffer '" + buffer + "': " + why));
    startMeasuring(client.scheduler());
  }

  @Override
  protected void measure() {
    try {
      ConsumerInfo consumer = jsm.getConsumerInfo(buffer, buffer);
      long stored = retention == Retention.LIMITS ? 0 : jsm.getStreamInfo(buffer).getStreamState().getMsgCount();
      gate.measured(consumer.getNumPending(), consumer.getNumAckPending(), stored, retention);
    } catch (Exception e) {
      IsbException error = JetStreamErrors.translate(buffer, "consumer info", e);
      if (error instanceof BufferNotFoundException notFound) {
        gate.markGone(notFound);
      } else {
        gate.markFull("usage refresh failed: " + error.getMessage());
      }
    }
  }

  @Override
  protected List<WriteResult> writeBatch(List<Message> messages, long deadline) {
    var results = new WriteResult[messages.size()];
    return finishAll(startAll(messages, deadline, results), results, deadline);
  }

  /**
   * Publishes the batch and returns; the results are made from the acks as they complete, on jnats'
   * thread, except for messages that met a full buffer or no responders, which wait (for room, or for
   * the stream's info) on a thread of their own.
   */
  @Override
  protected CompletableFuture<List<WriteResult>> writeBatchAsync(List<Message> messages, long deadline) {
    var results = new WriteResult[messages.size()];
    List<InFlight> inFlight = startAll(messages, deadline, results);
    if (inFlight.isEmpty()) {
      return CompletableFuture.completedFuture(Arrays.asList(results));
    }
    CompletableFuture<Void> all = CompletableFuture.allOf(inFlight.stream().map(InFlight::ack)
        .toArray(CompletableFuture[]::new));
    return all.completeOnTimeout(null, publishTimeout.toNanos(), TimeUnit.NANOSECONDS)
        .handle((ignored, error) -> inFlight)
        .thenCompose(acked -> collect(acked, results, deadline));
  }

  private List<InFlight> startAll(List<Message> messages, long deadline, WriteResult[] results) {
    var inFlight = new ArrayList<InFlight>(messages.size());
    for (int i = 0; i < results.length; i++) {
      Message m = messages.get(i);
      Object started = start(m, deadline);
      if (started instanceof WriteResult r) {
        results[i] = r;
      } else {
        inFlight.add(new InFlight(i, m, (CompletableFuture<?>) started));
      }
    }
    return inFlight;
  }

  /** The results of acks that completed or are overdue; those that need a wait finish on a thread of their own. */
  private CompletableFuture<List<WriteResult>> collect(List<InFlight> inFlight, WriteResult[] results, long deadline) {
    List<InFlight> waiting = new ArrayList<>();
    for (InFlight f : inFlight) {
      if (!f.ack.isDone()) {
        results[f.index] = failure(f, new TimeoutException("no acknowledgement within " + publishTimeout));
        continue;
      }
      try {
        results[f.index] = written((PublishAck) f.ack.join());
      } catch (CompletionException | CancellationException e) {
        Throwable cause = JetStreamErrors.unwrap(e);
        if (JetStreamErrors.isNoRoom(cause) || JetStreamErrors.isNoResponders(cause)) {
          waiting.add(f);
        } else {
          results[f.index] = failure(f, e);
        }
      }
    }
    if (waiting.isEmpty()) {
      return CompletableFuture.completedFuture(Arrays.asList(results));
    }
    return waitApart(() -> finishAll(waiting, results, deadline));
  }

  /** Finishes each message under one ack deadline: a stalled server costs one publish timeout, not one per message. */
  private List<WriteResult> finishAll(List<InFlight> inFlight, WriteResult[] results, long deadline) {
    long acksDue = System.nanoTime() + publishTimeout.toNanos();
    for (InFlight f : inFlight) {
      results[f.index] = finish(f, deadline, acksDue);
    }
    return Arrays.asList(results);
  }

  private record InFlight(int index, Message message, CompletableFuture<?> ack) {}

  /** Publishes a message, or returns the result that says why it was not published. */
  private Object start(Message m, long deadline) {
    Optional<WriteResult> notWritten = admit(m, deadline);
    return notWritten.isPresent() ? notWritten.get() : publish(m);
  }

  private Object publish(Message m) {
    byte[] body = MessageCodec.encode(stored(m));
    PublishOptions options = m.kind() == Kind.DATA
        ? PublishOptions.builder().expectedStream(buffer).messageId(m.id().dedupKey()).build()
        : wmbOptions;
    try {
      outstanding.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return failed("interrupted before the message was written");
    }
    try {
      CompletableFuture<PublishAck> ack = js.publishAsync(buffer, null, body, options);
      ack.whenComplete((a, e) -> outstanding.release());
      return ack;
    } catch (IllegalArgumentException tooLarge) {
      outstanding.release();
      return new WriteResult.Failed(new IsbBackendException(buffer, "MAX_PAYLOAD", "message " + m.id()
          + " is " + body.length + " bytes encoded, more than the server accepts: " + tooLarge.getMessage(),
          false, tooLarge), false);
    } catch (RuntimeException e) {
      outstanding.release();
      IsbException error = JetStreamErrors.translate(buffer, "publishing", e);
      return new WriteResult.Failed(error, error.retryable());
    }
  }

  private WriteResult finish(InFlight f, long deadline, long acksDue) {
    CompletableFuture<?> ack = f.ack;
    while (true) {
      try {
        return written((PublishAck) ack.get(Math.max(0, acksDue - System.nanoTime()), TimeUnit.NANOSECONDS));
      } catch (Exception e) {
        Throwable cause = JetStreamErrors.unwrap(e);
        if (JetStreamErrors.isNoResponders(cause) && streamGone()) {
          return new WriteResult.Failed(new BufferNotFoundException(buffer, cause), false);
        }
        if (!JetStreamErrors.isNoRoom(cause)) {
          return failure(f, e);
        }
        gate.markFull("the stream refused a message: " + cause.getMessage());
        Optional<WriteResult> notWritten = gate.awaitRoom(deadline);
        if (notWritten.isPresent()) {
          return notWritten.get();
        }
        Object again = publish(f.message);
        if (again instanceof WriteResult r) {
          return r;
        }
        ack = (CompletableFuture<?>) again;
        acksDue = System.nanoTime() + publishTimeout.toNanos();
      }
    }
  }

  private WriteResult written(PublishAck pub) {
    var offset = new JetStreamOffset(buffer, partition(), pub.getSeqno(), null);
    return pub.isDuplicate() ? new WriteResult.Duplicate(offset) : new WriteResult.Written(offset);
  }

  private WriteResult failure(InFlight f, Throwable e) {
    IsbException error = JetStreamErrors.translate(buffer, "publishing message " + f.message.id(), e);
    return new WriteResult.Failed(error, error.retryable());
  }

  /**
   * After a publish found no responders: whether the stream is gone (then the gate fails further
   * messages at once) rather than between leaders, which a retry outlasts.
   */
  private boolean streamGone() {
    if (gate.isGone()) {
      return true;
    }
    try {
      jsm.getStreamInfo(buffer);
      return false;
    } catch (Exception e) {
      if (JetStreamErrors.translate(buffer, "stream info", e) instanceof BufferNotFoundException notFound) {
        gate.markGone(notFound);
        return true;
      }
      return false;
    }
  }

  @Override
  public String toString() {
    return "JetStreamBufferWriter{" + buffer + '}';
  }
}
