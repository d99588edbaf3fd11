package dev.isb.benchmarks;

import dev.isb.Message;
import dev.isb.wire.MessageCodec;
import io.nats.client.Connection;
import io.nats.client.ErrorListener;
import io.nats.client.JetStream;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.PublishOptions;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.PublishAck;
import io.nats.client.support.Status;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The raw jnats client doing what the library promises, and nothing else: the same encoded bytes
 * ({@link MessageCodec#encode}), the same {@code Nats-Msg-Id} and expected stream on every publish, the
 * same window of outstanding publishes, the same pull requests, and acks the server confirms, sent all
 * at once and then awaited. Its connection has the library's options (reconnect for ever, ping every
 * 3 s, pull-status noise silenced).
 *
 * <p>With {@link Acks#FIRE_AND_FORGET} ({@code raw-ff}) it reads the same way but acks each message
 * with {@code Message.ack()}, which the server never confirms: the cheapest read a jnats application
 * can do, and less than the library promises.
 *
 * <p>Its {@linkplain #streaming streaming} view ({@code raw-stream}) publishes each message exactly as
 * the writer does, under the same window, but with no barrier between batches: a batch's {@code
 * PubAck}s are not awaited before the next is published; every one is checked once the last has come.
 */
final class RawJetStream implements Contender {

  /** How the reader acks. */
  enum Acks {
    /** {@code +ACK} as a request, every reply awaited, as the library does ({@code raw}). */
    CONFIRMED("raw"),
    /** {@code Message.ack()}: {@code +ACK} published, no reply ({@code raw-ff}). */
    FIRE_AND_FORGET("raw-ff");

    final String side;

    Acks(String side) {
      this.side = side;
    }
  }

  /** The library's defaults: JetStreamIsbClient.Settings. */
  static final int WINDOW = 1024;
  static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(5);
  static final Duration ACK_TIMEOUT = Duration.ofSeconds(5);
  /** The library reader's wait for the end-of-request status after the pull's expiry. */
  private static final Duration STATUS_GRACE = Duration.ofSeconds(2);
  private static final byte[] ACK = "+ACK".getBytes(StandardCharsets.US_ASCII);

  /** The streaming view's name. */
  static final String STREAM_SIDE = "raw-stream";

  private final Connection connection;
  private final JetStream js;
  private final Acks acks;
  private final Contender streaming = new Streaming();

  private RawJetStream(Connection connection, String url, Acks acks) {
    this.connection = connection;
    this.js = jetStream(connection, url);
    this.acks = acks;
  }

  /** Opens its own connection, configured as the library configures its own. */
  static RawJetStream connect(String url, String connectionName, Acks acks) {
    return new RawJetStream(open(url, connectionName), url, acks);
  }

  /** A connection to {@code url} with the library's {@link #options}. */
  static Connection open(String url, String connectionName) {
    try {
      return Nats.connect(options(url, connectionName));
    } catch (IOException e) {
      throw new IllegalStateException("cannot connect to " + url + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while connecting to " + url, e);
    }
  }

  /** The JetStream context of {@code connection}; closes it when JetStream is not available. */
  static JetStream jetStream(Connection connection, String url) {
    try {
      return connection.jetStream();
    } catch (IOException | RuntimeException e) {
      close(connection);
      throw new IllegalStateException("JetStream is not available at " + url + ": " + e.getMessage(), e);
    }
  }

  /** Closes {@code connection}; an interrupt while it drains is kept for the caller. */
  static void close(Connection connection) {
    try {
      connection.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The library's connection options: reconnect for ever, ping every 3 s, pull-status noise silenced. */
  static Options options(String url, String connectionName) {
    return new Options.Builder()
        .server(url)
        .connectionName(connectionName)
        .maxReconnects(-1)
        .pingInterval(Duration.ofSeconds(3))
        .maxPingsOut(2)
        .connectionTimeout(Duration.ofSeconds(5))
        .errorListener(new QuietPullStatuses())
        .build();
  }

  /** Stream and consumer info, for the checks after each round. */
  JetStreamManagement management() {
    try {
      return connection.jetStreamManagement();
    } catch (IOException e) {
      throw new IllegalStateException("JetStream is not available: " + e.getMessage(), e);
    }
  }

  /** The server's version, from its INFO line. */
  String serverVersion() {
    return connection.getServerInfo().getVersion();
  }

  @Override
  public String name() {
    return acks.side;
  }

  /** Whether its acks land some time after {@link BatchReader#readAndAck} returns. */
  boolean acksLater() {
    return acks == Acks.FIRE_AND_FORGET;
  }

  @Override
  public BatchWriter writer(String buffer) {
    return new Writer(acks.side, buffer, false);
  }

  /**
   * {@code raw-stream}: this connection writing without a barrier between batches; it reads as this
   * side does. Closing it closes nothing.
   */
  Contender streaming() {
    return streaming;
  }

  @Override
  public BatchReader reader(String buffer) {
    try {
      return new Reader(js.subscribe(buffer, PullSubscribeOptions.bind(buffer, buffer)));
    } catch (Exception e) {
      throw new IllegalStateException("cannot bind to consumer '" + buffer + "': " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    close(connection);
  }

  /**
   * What the library's writer sends for a data message: its encoding, published asynchronously with
   * {@code Nats-Msg-Id} and the expected stream, once {@code window} has room; the permit comes back
   * with the PubAck or the error.
   */
  private CompletableFuture<PublishAck> publish(String stream, Message m, Semaphore window) {
    byte[] body = MessageCodec.encode(m);
    PublishOptions options = PublishOptions.builder().expectedStream(stream).messageId(m.id().dedupKey()).build();
    window.acquireUninterruptibly();
    CompletableFuture<PublishAck> ack = js.publishAsync(stream, null, body, options);
    ack.whenComplete((a, e) -> window.release());
    return ack;
  }

  /**
   * Per message {@link MessageCodec#encode}, {@code expectedStream} and {@code Nats-Msg-Id} = the dedup
   * key, {@code publishAsync} once one of the {@value #WINDOW} permits is free (released when its {@code
   * PubAck}, or error, arrives); then every {@code PubAck}, in order, checked (no error, not a
   * duplicate). The streaming writer returns from {@link #write} as soon as the batch is published and
   * checks the round's {@code PubAck}s in {@link #finish}.
   */
  private final class Writer implements BatchWriter {
    private final String side;
    private final String stream;
    private final boolean streams;
    private final Semaphore window = new Semaphore(WINDOW);
    /** Every message published and not yet checked, and its ack, index for index. */
    private final List<Message> published = new ArrayList<>();
    private final List<CompletableFuture<PublishAck>> acks = new ArrayList<>();

    Writer(String side, String stream, boolean streams) {
      this.side = side;
      this.stream = stream;
      this.streams = streams;
    }

    @Override
    public int write(List<Message> batch) {
      for (Message m : batch) {
        acks.add(publish(stream, m, window));
      }
      published.addAll(batch);
      return streams ? 0 : finish();
    }

    @Override
    public int finish() {
      int stored = 0;
      for (int i = 0; i < acks.size(); i++) {
        PublishAck ack = await(acks.get(i), PUBLISH_TIMEOUT, "publish ack of " + published.get(i).id());
        if (ack.isDuplicate()) {
          throw new BenchFailure(side + ": the server took " + published.get(i).id() + " as a duplicate (seq "
              + ack.getSeqno() + "): it was written twice");
        }
        stored++;
      }
      acks.clear();
      published.clear();
      return stored;
    }

    @Override
    public void close() {}
  }

  private final class Streaming implements Contender {
    @Override
    public String name() {
      return STREAM_SIDE;
    }

    @Override
    public boolean streams() {
      return true;
    }

    @Override
    public BatchWriter writer(String buffer) {
      return new Writer(STREAM_SIDE, buffer, true);
    }

    @Override
    public BatchReader reader(String buffer) {
      return RawJetStream.this.reader(buffer);
    }

    @Override
    public void close() {}

    @Override
    public String toString() {
      return STREAM_SIDE;
    }
  }

  private final class Reader implements BatchReader {
    private final JetStreamSubscription subscription;

    Reader(JetStreamSubscription subscription) {
      this.subscription = subscription;
    }

    @Override
    public int readAndAck(int max, Duration maxWait, Tally tally) {
      subscription.pullNoWait(max, maxWait);
      long deadline = System.nanoTime() + maxWait.plus(STATUS_GRACE).toNanos();
      var got = new ArrayList<io.nats.client.Message>(Math.min(max, 512));
      try {
        while (got.size() < max) {
          long remaining = deadline - System.nanoTime();
          if (remaining <= 0) {
            break;
          }
          io.nats.client.Message msg = subscription.nextMessage(Duration.ofNanos(remaining));
          if (msg == null) {
            break;
          }
          tally.seen(MessageCodec.decode(msg.getData()));
          got.add(msg);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new BenchFailure(acks.side + ": interrupted while reading", e);
      }
      if (acks == Acks.FIRE_AND_FORGET) {
        got.forEach(io.nats.client.Message::ack);
        return got.size();
      }
      var replies = new ArrayList<CompletableFuture<io.nats.client.Message>>(got.size());
      for (io.nats.client.Message msg : got) {
        replies.add(connection.request(msg.getReplyTo(), ACK));
      }
      for (CompletableFuture<io.nats.client.Message> reply : replies) {
        await(reply, ACK_TIMEOUT, "ack confirmation");
      }
      return got.size();
    }

    @Override
    public void close() {
      try {
        subscription.unsubscribe();
      } catch (IllegalStateException alreadyClosed) {
        // The connection closed first.
      }
    }
  }

  private static <T> T await(CompletableFuture<T> future, Duration timeout, String what) {
    try {
      return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchFailure("raw: interrupted waiting for the " + what, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new BenchFailure("raw: no " + what + ": " + e, e);
    }
  }

  /** As the library's listener: pull requests that end with 404 or 408 are how reads end. */
  private static final class QuietPullStatuses implements ErrorListener {
    @Override
    public void pullStatusWarning(Connection conn, JetStreamSubscription sub, Status status) {
      if (status.getCode() != 404 && status.getCode() != 408) {
        System.err.println("raw: pull status " + status);
      }
    }

    @Override
    public void errorOccurred(Connection conn, String error) {
      System.err.println("raw: NATS error: " + error);
    }

    @Override
    public void exceptionOccurred(Connection conn, Exception exp) {
      // The library logs these at DEBUG, i.e. not at all by default.
    }
  }
}
