package dev.isb.jetstream;

import dev.isb.BufferNotFoundException;
import dev.isb.IsbBackendException;
import dev.isb.Message;
import dev.isb.MessageDecodeException;
import dev.isb.Offset;
import dev.isb.ReadMessage;
import dev.isb.ReaderOptions;
import dev.isb.spi.AbstractBufferReader;
import dev.isb.wire.BufferNames;
import dev.isb.wire.MessageCodec;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamSubscription;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.impl.NatsJetStreamMetaData;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Reads one JetStream buffer through its durable pull consumer, as Numaflow's readers do.
 *
 * <p>Design: a read is one pull request with {@code no_wait} and an expiry: the server sends what is
 * available at once, or waits up to the expiry for the first message, then ends the request with a
 * status that jnats turns into a {@code null} from {@code nextMessage}. Reads are serialized (a
 * subscription has one pull in flight); acks, naks and keep-alives may come from any thread. Acks are
 * confirmed, by one reply per {@link #ackAsync} call. Bytes that do not decode are
 * reported to the options' listener and the rest of the batch is delivered.
 */
final class JetStreamBufferReader extends AbstractBufferReader<JetStreamOffset> {

  private static final System.Logger LOG = System.getLogger(JetStreamBufferReader.class.getName());
  private static final byte[] ACK = "+ACK".getBytes(StandardCharsets.US_ASCII);
  /** Extra time to wait for the server's end-of-request status after the request's own expiry. */
  private static final Duration STATUS_GRACE = Duration.ofSeconds(2);
  private static final Duration EXISTENCE_CHECK_INTERVAL = Duration.ofMillis(500);

  private final Connection connection;
  private final Duration ackTimeout;
  private final JetStreamSubscription subscription;
  private final ReentrantLock readLock = new ReentrantLock();
  /** What the keep-alive task keeps alive; not tracked at all when keep-alive is off. */
  private final Map<Long, io.nats.client.Message> held = new ConcurrentHashMap<>();
  private final JetStreamManagement jsm;
  /** When an empty read may next ask whether the consumer still exists (nanoTime); see {@link #requireExists}. */
  private long nextExistenceCheck;

  JetStreamBufferReader(JetStreamIsbClient client, String buffer, ReaderOptions options, Runnable onClose) {
    super(buffer, BufferNames.partitionOf(buffer), options, JetStreamOffset.class, STATUS_GRACE, onClose);
    this.connection = client.connection();
    this.ackTimeout = client.settings().ackTimeout();
    this.jsm = client.management();
    this.nextExistenceCheck = System.nanoTime();
    ConsumerInfo consumer = JetStreamErrors.call(buffer, "opening a reader",
        () -> client.management().getConsumerInfo(buffer, buffer));
    this.subscription = JetStreamErrors.call(buffer, "subscribing",
        () -> client.jetStream().subscribe(buffer, PullSubscribeOptions.bind(buffer, buffer)));
    startKeepAlive(client.scheduler(), consumer.getConsumerConfiguration().getAckWait(), this::keepHeldAlive);
  }

  @Override
  protected List<ReadMessage> readBatch(int maxMessages, Duration maxWait) {
    readLock.lock();
    try {
      List<ReadMessage> read = pull(maxMessages, maxWait);
      if (read.isEmpty()) {
        requireExists();
      }
      return read;
    } catch (IllegalStateException closedMeanwhile) {
      if (calls.isClosed()) {
        return List.of();
      }
      throw JetStreamErrors.translate(buffer, "reading", closedMeanwhile);
    } finally {
      readLock.unlock();
    }
  }

  /**
   * A pull on a deleted consumer just comes back empty, so an empty read asks (at most twice a second)
   * whether the consumer is still there, and reports a deleted buffer instead of reading nothing
   * forever. Other failures of that question are left to the next read.
   */
  private void requireExists() {
    long now = System.nanoTime();
    if (now - nextExistenceCheck < 0) {
      return;
    }
    nextExistenceCheck = now + EXISTENCE_CHECK_INTERVAL.toNanos();
    try {
      jsm.getConsumerInfo(buffer, buffer);
    } catch (Exception e) {
      if (JetStreamErrors.translate(buffer, "consumer info", e) instanceof BufferNotFoundException notFound) {
        throw notFound;
      }
    }
  }

  private List<ReadMessage> pull(int max, Duration maxWait) {
    Duration expires = maxWait.compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : maxWait;
    subscription.pullNoWait(max, expires);
    long deadline = System.nanoTime() + expires.plus(STATUS_GRACE).toNanos();
    var out = new ArrayList<ReadMessage>(Math.min(max, 512));
    try {
      while (out.size() < max) {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
          break;
        }
        io.nats.client.Message msg = subscription.nextMessage(Duration.ofNanos(remaining));
        if (msg == null) {
          break;
        }
        ReadMessage read = toReadMessage(msg);
        if (read != null) {
          out.add(read);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return out;
  }

  private ReadMessage toReadMessage(io.nats.client.Message msg) {
    NatsJetStreamMetaData meta = msg.metaData();
    long seq = meta.streamSequence();
    var offset = new JetStreamOffset(buffer, partition(), seq, msg);
    try {
      Message message = decompressed(MessageCodec.decode(msg.getData()));
      if (options.keepAlive()) {
        held.put(seq, msg);
      }
      return new ReadMessage(message, offset, meta.deliveredCount());
    } catch (MessageDecodeException e) {
      if (reportUndecodable(offset, meta.deliveredCount(), msg.getData(), e)) {
        msg.term();
      }
      return null;
    }
  }

  /**
   * Publishes every ack but the last, sends the last as a request, and completes when its reply comes.
   * The server queues the acks of a consumer in the order they arrive on a connection, processes them
   * in that order and answers an ack sent as a request only once it is processed; so the reply to the
   * last ack confirms every ack sent before it on this connection (one reply per batch instead of one
   * per message). A reconnect in between breaks that chain, since acks written before it may never
   * have reached the server: then every ack is sent again as a request and each reply awaited (acking
   * twice is harmless). The replies are handled on jnats' thread; the stage is bounded by the ack timeout
   * per round of requests.
   */
  @Override
  protected CompletionStage<Void> ackOwned(List<JetStreamOffset> own) {
    // Keep-alive stops at once: an ack that is not confirmed leaves the message to come again after ackWait.
    for (JetStreamOffset o : own) {
      held.remove(o.streamSequence());
    }
    long reconnects = connection.getStatistics().getReconnects();
    int last = own.size() - 1;
    try {
      for (int i = 0; i < last; i++) {
        connection.publish(own.get(i).delivered().getReplyTo(), ACK);
      }
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(notConfirmed(own.size(), own.size(), e));
    }
    return replies(List.of(own.get(last)), own.size()).thenCompose(lastConfirmed ->
        connection.getStatistics().getReconnects() == reconnects ? CompletableFuture.completedFuture(null)
            : replies(own, own.size()));
  }

  /** Sends each ack as a request; completes when every reply came, or with the count of those that did not. */
  private CompletableFuture<Void> replies(List<JetStreamOffset> acks, int batch) {
    var replies = new CompletableFuture<?>[acks.size()];
    try {
      for (int i = 0; i < replies.length; i++) {
        replies[i] = connection.request(acks.get(i).delivered().getReplyTo(), ACK);
      }
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(notConfirmed(acks.size(), batch, e));
    }
    return CompletableFuture.allOf(replies).orTimeout(ackTimeout.toNanos(), TimeUnit.NANOSECONDS)
        .handle((all, error) -> {
          if (error == null) {
            return null;
          }
          int failed = 0;
          for (CompletableFuture<?> reply : replies) {
            failed += reply.isDone() && !reply.isCompletedExceptionally() ? 0 : 1;
          }
          // Without the last ack's reply, none of the batch's acks is known to have landed.
          throw new CompletionException(notConfirmed(acks.size() == batch ? failed : batch, batch,
              JetStreamErrors.unwrap(error)));
        });
  }

  private IsbBackendException notConfirmed(int failed, int of, Throwable cause) {
    return new IsbBackendException(buffer, null, failed + " of " + of
        + " acks were not confirmed; those messages will be delivered again", true, cause);
  }

  @Override
  protected void nakOwned(List<JetStreamOffset> offsets, Duration delay) {
    for (JetStreamOffset o : offsets) {
      held.remove(o.streamSequence());
      if (delay.isZero()) {
        o.delivered().nak();
      } else {
        o.delivered().nakWithDelay(delay);
      }
    }
  }

  @Override
  public void keepAlive(Collection<? extends Offset> offsets) {
    for (JetStreamOffset o : ownAcknowledgeable(offsets)) {
      o.delivered().inProgress();
    }
  }

  private void keepHeldAlive() {
    for (io.nats.client.Message msg : held.values()) {
      try {
        msg.inProgress();
      } catch (RuntimeException e) {
        // Disconnected: the message is redelivered after ackWait, which is what at-least-once allows.
        LOG.log(Level.DEBUG, "buffer ''{0}'': keep-alive failed: {1}", buffer, e.getMessage());
      }
    }
  }

  /**
   * Only an offset this reader delivered holds the message whose reply subject takes its ack, nak or
   * keep-alive; a writer's offset was never delivered to this group.
   */
  @Override
  protected boolean acknowledgeable(JetStreamOffset offset) {
    return offset.delivered() != null;
  }

  @Override
  protected long pendingCount() {
    ConsumerInfo info = JetStreamErrors.call(buffer, "reading pending", () -> subscription.getConsumerInfo());
    return info.getNumPending() + info.getNumAckPending();
  }

  @Override
  protected void stopReads() {
    held.clear();
    try {
      subscription.unsubscribe();
    } catch (IllegalStateException alreadyClosed) {
      // The connection closed first; nothing to release.
    }
  }

  @Override
  public String toString() {
    return "JetStreamBufferReader{" + buffer + ", consumer=" + options.consumerName() + '}';
  }
}
