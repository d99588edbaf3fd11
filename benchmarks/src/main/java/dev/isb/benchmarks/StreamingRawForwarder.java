package dev.isb.benchmarks;

import dev.isb.BufferConfig;
import dev.isb.Message;
import dev.isb.ReaderOptions;
import dev.isb.wire.BufferNames;
import dev.isb.wire.MessageCodec;
import dev.isb.wire.PartitionRouter;
import io.lettuce.core.Consumer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamSubscription;
import io.nats.client.PublishOptions;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.PublishAck;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The {@code raw streaming} contender of {@link ForwarderBench}: the fastest honest forwarder a careful
 * engineer would write by hand on the raw clients, with none of the library but its wire format
 * ({@link MessageCodec}, {@link BufferNames}, {@link PartitionRouter}) and the output the {@code loop}
 * contender builds ({@link ForwarderBench#output}: Numaflow's id {@code fwd-<offset>-0}, the offset as
 * the library prints it, {@code <stream sequence or entry id>-<partition>}). It streams: nothing waits
 * for a batch to be settled; at most {@value #WINDOW} messages are between read and acked. On the
 * wire, per round:
 *
 * <p><b>JetStream</b> (jnats, one connection of its own with the library's options, {@link
 * RawJetStream#options}):
 *
 * <ul>
 *   <li>read: a pull subscription bound to the input's durable consumer (stream = subject = durable =
 *       the buffer's name, as {@code BufferAdmin.createBuffers} makes it). Two pull requests of 500
 *       messages (the library reader's batch size) without expiry are kept outstanding: another is
 *       sent whenever 500 messages have arrived, before they are processed, so reading never waits
 *       for the writes;
 *   <li>write: per message {@link MessageCodec#decode}, the output, {@link MessageCodec#encode}, and
 *       one {@code publishAsync} to the partition's stream with {@code Nats-Msg-Id} = the id's de-dup
 *       key and {@code Nats-Expected-Stream}, as the library's writer publishes; at most {@value
 *       #WINDOW} PubAcks outstanding (a {@link Semaphore});
 *   <li>ack: when an output's PubAck arrives (and is not a duplicate), its input's {@code +ACK} is
 *       sent ({@code Message.ack()}, no reply), except that every 500th, and the one sent when no
 *       publish is outstanding, goes as a request: its reply confirms it and every ack sent before it
 *       on this connection (the server processes a consumer's acks in the order they arrive), which is
 *       how the library's reader confirms a batch of acks with one reply. So every ack is confirmed,
 *       the library's promise; fire-and-forget acks would promise less, and numaflow-core's
 *       {@code double_ack} (a reply per ack) the same for more replies. A reconnect would break the
 *       chain, so one fails the round.
 * </ul>
 *
 * <p><b>Redis</b> (lettuce, a client of its own, two connections per round):
 *
 * <ul>
 *   <li>read: {@code XREADGROUP GROUP <input>-group fwd-0 COUNT 500 BLOCK 100 STREAMS {<input>} >} in a
 *       loop on one thread and connection; the next read goes as soon as the window has room for 500
 *       more, while the writes of the reads before are in flight;
 *   <li>write: per read and output partition, one {@code EVALSHA} of {@link RawRedis#DEDUP_XADD}
 *       (the {@code raw-lua} contender's script: per message {@code HGET} of the id in the current and
 *       the previous de-dup window's hash, {@code XADD MAXLEN =}, {@code HSET}), sent at once without
 *       waiting on the other connection: the library writer's promise, exactly once per id within the
 *       de-dup window. One script call per message would only cost the server a call each;
 *   <li>ack: when a script's reply says each message was written once, one {@code XACK} of those
 *       messages' inputs, pipelined on the same connection; its reply releases them from the window.
 * </ul>
 *
 * <p>The clock ({@link AckWatch}) stops at the reply that confirms the last ack: the raw side reports
 * each confirmed ack with {@link AckWatch#acked}, as the library's readers report theirs, without
 * polling. What it leaves out, and the library does: buffer-full checks, keep-alive of slow messages,
 * redelivery, meters, retries and error translation.
 *
 * <p>Not thread-safe: opened once per run, one round bound at a time, from one thread.
 */
abstract class StreamingRawForwarder implements AutoCloseable {

  /** The most messages read and not yet acked, as the library's writer bounds outstanding publishes. */
  static final int WINDOW = 1024;
  /** Messages per pull request or read, and acks per confirmation: the library reader's batch size. */
  static final int BATCH = ReaderOptions.defaults().batchSize();
  /** How long a read waits for messages before the reader looks whether the round has ended. */
  private static final Duration POLL = Duration.ofMillis(100);
  private static final String SIDE = "raw streaming";

  /** Connects to the server of {@code backend} ({@code jetstream} or {@code redis}) at {@code url}. */
  static StreamingRawForwarder open(String backend, String url, BufferConfig config) {
    return switch (backend) {
      case BenchOptions.JETSTREAM -> new JetStream(url);
      case BenchOptions.REDIS -> new Redis(url, config);
      default -> throw new IllegalArgumentException("no raw streaming forwarder on backend " + backend);
    };
  }

  /**
   * Binds a pipeline to a round's buffers (subscription, connections), outside the clock.
   *
   * @param outputs the output buffer set, one buffer per partition
   * @param watch told of each confirmed ack
   */
  abstract Round bind(String input, List<String> outputs, AckWatch watch);

  /** What it sends, in one line for the run's header. */
  abstract String description();

  @Override
  public abstract void close();

  /**
   * One round's pipeline. Design: one thread reads and writes ({@link #step}); the client's callback
   * thread (jnats' inbox dispatcher, lettuce's event loop) acks as the writes complete; the first error
   * of either stops the round and is reported by {@link #failure} and {@link #close}.
   */
  abstract static class Round implements AutoCloseable {
    final Semaphore window = new Semaphore(WINDOW);
    final AckWatch watch;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread thread;

    Round(String input, AckWatch watch) {
      this.watch = watch;
      this.thread = new Thread(this::run, "raw-streaming-" + input);
      thread.setUncaughtExceptionHandler((t, e) -> fail(e));
    }

    /** Starts the pipeline's thread. */
    final void start() {
      thread.start();
    }

    /** The pipeline's first error, or {@code null} while there is none (as {@link AckWatch} asks). */
    final Throwable failure() {
      return failure.get();
    }

    final void fail(Throwable error) {
      failure.compareAndSet(null, error);
    }

    private void run() {
      try {
        begin();
        while (running.get() && failure.get() == null) {
          step();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    /**
     * Takes room in the window for {@code messages}, waiting while it is full.
     *
     * @return false once the round stopped while waiting
     */
    final boolean admit(int messages) throws InterruptedException {
      while (!window.tryAcquire(messages, POLL.toMillis(), TimeUnit.MILLISECONDS)) {
        if (!running.get() || failure.get() != null) {
          return false;
        }
      }
      return true;
    }

    /** What the pipeline's thread does first. */
    abstract void begin();

    /** One read and what it sets going; returns within about {@link #POLL} when nothing arrives. */
    abstract void step() throws InterruptedException;

    /** Releases what {@link StreamingRawForwarder#bind} opened, once the thread has stopped. */
    abstract void release();

    /**
     * Stops the thread and releases the round's subscription or connections.
     *
     * @throws BenchFailure if the pipeline failed
     */
    @Override
    public final void close() {
      if (!closed.compareAndSet(false, true)) {
        return;
      }
      running.set(false);
      try {
        ForwarderBench.join(thread);
      } finally {
        release();
      }
      Throwable error = failure.get();
      if (error != null) {
        throw new BenchFailure(SIDE + " failed: " + error, error);
      }
    }
  }

  /** jnats: a pull subscription, {@code publishAsync}, acks confirmed by every 500th reply. */
  private static final class JetStream extends StreamingRawForwarder {
    private final Connection connection;
    private final io.nats.client.JetStream js;

    JetStream(String url) {
      this.connection = RawJetStream.open(url, "isb-bench-raw-streaming");
      this.js = RawJetStream.jetStream(connection, url);
    }

    @Override
    String description() {
      return "jnats, own connection; 2 pull requests of " + BATCH + " outstanding, publishAsync per message (at most "
          + WINDOW + " outstanding), +ACK on its PubAck, every " + BATCH + "th (and the last) as a request confirming"
          + " those before it";
    }

    @Override
    Round bind(String input, List<String> outputs, AckWatch watch) {
      try {
        return new JetStreamRound(connection, js, js.subscribe(input, PullSubscribeOptions.bind(input, input)), input,
            outputs, watch);
      } catch (IOException | JetStreamApiException e) {
        throw new BenchFailure(SIDE + ": cannot bind to consumer '" + input + "': " + e, e);
      }
    }

    @Override
    public void close() {
      RawJetStream.close(connection);
    }
  }

  private static final class JetStreamRound extends Round {
    private static final byte[] ACK = "+ACK".getBytes(StandardCharsets.US_ASCII);

    private final Connection connection;
    private final io.nats.client.JetStream js;
    private final JetStreamSubscription subscription;
    private final List<String> outputs;
    private final String partition;
    private final PartitionRouter router;
    private final long reconnects;
    /** Orders the acks on the connection, so that a request's reply confirms those sent before it. */
    private final ReentrantLock ackLock = new ReentrantLock();
    /** Acks sent since the last request; guarded by {@link #ackLock}. */
    private int unconfirmed;
    /** Messages received; the pipeline's thread only. */
    private long received;

    JetStreamRound(Connection connection, io.nats.client.JetStream js, JetStreamSubscription subscription,
        String input, List<String> outputs, AckWatch watch) {
      super(input, watch);
      this.connection = connection;
      this.js = js;
      this.subscription = subscription;
      this.outputs = List.copyOf(outputs);
      this.partition = "-" + BufferNames.partitionOf(input);
      this.router = PartitionRouter.of(outputs.size());
      this.reconnects = connection.getStatistics().getReconnects();
    }

    @Override
    void begin() {
      subscription.pull(BATCH);
      subscription.pull(BATCH);
    }

    @Override
    void step() throws InterruptedException {
      io.nats.client.Message in = subscription.nextMessage(POLL);
      if (in == null) {
        return;
      }
      if (++received % BATCH == 0) {
        subscription.pull(BATCH);
      }
      String offset = in.metaData().streamSequence() + partition;
      Message out = ForwarderBench.output(MessageCodec.decode(in.getData()), offset);
      String stream = outputs.get(router.route(out));
      byte[] body = MessageCodec.encode(out);
      PublishOptions options = PublishOptions.builder().expectedStream(stream).messageId(out.id().dedupKey()).build();
      if (!admit(1)) {
        return;
      }
      try {
        js.publishAsync(stream, null, body, options).whenComplete((ack, error) -> published(in, out, ack, error));
      } catch (RuntimeException e) {
        window.release();
        throw e;
      }
    }

    private void published(io.nats.client.Message in, Message out, PublishAck ack, Throwable error) {
      window.release();
      if (error != null) {
        fail(new BenchFailure(SIDE + ": no PubAck for " + out.id() + ": " + error, error));
      } else if (ack.isDuplicate()) {
        fail(new BenchFailure(SIDE + ": the server took " + out.id() + " as a duplicate (seq " + ack.getSeqno()
            + "): it was written twice"));
      } else {
        ack(in);
      }
    }

    /** Acks {@code in}; every {@value #BATCH}th ack, or the one when nothing more is in flight, as a request. */
    private void ack(io.nats.client.Message in) {
      ackLock.lock();
      try {
        unconfirmed++;
        if (unconfirmed < BATCH && window.availablePermits() < WINDOW) {
          in.ack();
          return;
        }
        int confirmed = unconfirmed;
        unconfirmed = 0;
        connection.request(in.getReplyTo(), ACK).whenComplete((reply, error) -> {
          if (error != null) {
            fail(new BenchFailure(SIDE + ": " + confirmed + " acks were not confirmed: " + error, error));
          } else {
            watch.acked(confirmed);
          }
        });
      } finally {
        ackLock.unlock();
      }
    }

    @Override
    void release() {
      if (connection.getStatistics().getReconnects() != reconnects) {
        fail(new BenchFailure(SIDE + ": the connection reconnected during the round, so acks confirmed by a later"
            + " reply may have been lost"));
      }
      try {
        subscription.unsubscribe();
      } catch (IllegalStateException alreadyClosed) {
        // The connection closed first.
      }
    }
  }

  /** lettuce: {@code XREADGROUP}, one de-dup script call per read and partition, {@code XACK} on its reply. */
  private static final class Redis extends StreamingRawForwarder {
    private final RedisClient client;
    private final long maxMsgs;
    private final Duration duplicates;
    private final String scriptSha;

    Redis(String url, BufferConfig config) {
      this.client = RedisClient.create(url);
      this.maxMsgs = config.stream().maxMsgs();
      this.duplicates = config.stream().duplicates();
      try (StatefulRedisConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE)) {
        this.scriptSha = RawRedis.loadDedupXadd(c.sync());
      } catch (RuntimeException e) {
        close();
        throw e;
      }
    }

    @Override
    String description() {
      return "lettuce, own client; XREADGROUP COUNT " + BATCH + " on one connection, per read and partition one"
          + " EVALSHA of raw-lua's de-dup script and on its reply one XACK, pipelined on another (at most " + WINDOW
          + " messages between read and XACK reply)";
    }

    @Override
    Round bind(String input, List<String> outputs, AckWatch watch) {
      StatefulRedisConnection<byte[], byte[]> reads = client.connect(ByteArrayCodec.INSTANCE);
      try {
        var scripts = outputs.stream().map(o -> new RawRedis.DedupXadd(o, maxMsgs, duplicates)).toList();
        return new RedisRound(reads, client.connect(ByteArrayCodec.INSTANCE), scriptSha, input, scripts, watch);
      } catch (RuntimeException e) {
        reads.close();
        throw e;
      }
    }

    @Override
    public void close() {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  private static final class RedisRound extends Round {
    private final StatefulRedisConnection<byte[], byte[]> readConnection;
    private final StatefulRedisConnection<byte[], byte[]> writeConnection;
    private final RedisCommands<byte[], byte[]> reads;
    private final RedisAsyncCommands<byte[], byte[]> writes;
    private final String scriptSha;
    private final byte[] stream;
    private final byte[] group;
    private final Consumer<byte[]> consumer;
    private final String partition;
    private final List<RawRedis.DedupXadd> scripts;
    private final PartitionRouter router;

    RedisRound(StatefulRedisConnection<byte[], byte[]> readConnection,
        StatefulRedisConnection<byte[], byte[]> writeConnection, String scriptSha, String input,
        List<RawRedis.DedupXadd> scripts, AckWatch watch) {
      super(input, watch);
      this.readConnection = readConnection;
      this.writeConnection = writeConnection;
      this.reads = readConnection.sync();
      this.writes = writeConnection.async();
      this.scriptSha = scriptSha;
      this.stream = RawRedis.bytes(BufferNames.redisStreamKey(input));
      this.group = RawRedis.bytes(BufferNames.redisGroup(input));
      this.consumer = Consumer.from(group, RawRedis.bytes(ForwarderBench.VERTEX + "-0"));
      this.partition = "-" + BufferNames.partitionOf(input);
      this.scripts = scripts;
      this.router = PartitionRouter.of(scripts.size());
    }

    @Override
    void begin() {}

    @Override
    @SuppressWarnings("unchecked") // lettuce takes the stream offsets as generic varargs
    void step() throws InterruptedException {
      if (!admit(BATCH)) {
        return;
      }
      List<StreamMessage<byte[], byte[]>> entries = reads.xreadgroup(consumer,
          XReadArgs.Builder.count(BATCH).block(POLL.toMillis()), XReadArgs.StreamOffset.lastConsumed(stream));
      window.release(BATCH - entries.size());
      if (entries.isEmpty()) {
        return;
      }
      var outs = new ArrayList<List<Message>>(scripts.size());
      var ids = new ArrayList<List<String>>(scripts.size());
      for (int p = 0; p < scripts.size(); p++) {
        outs.add(new ArrayList<>(entries.size()));
        ids.add(new ArrayList<>(entries.size()));
      }
      for (StreamMessage<byte[], byte[]> e : entries) {
        Map<byte[], byte[]> body = e.getBody();
        if (body.size() != 1) {
          throw new BenchFailure(SIDE + ": entry " + e.getId() + " has " + body.size() + " fields, expected 1");
        }
        Map.Entry<byte[], byte[]> field = body.entrySet().iterator().next();
        Message out = ForwarderBench.output(new Message(MessageCodec.decodeHeader(field.getKey()), field.getValue()),
            e.getId() + partition);
        int p = router.route(out);
        outs.get(p).add(out);
        ids.get(p).add(e.getId());
      }
      for (int p = 0; p < scripts.size(); p++) {
        if (!outs.get(p).isEmpty()) {
          write(scripts.get(p), outs.get(p), ids.get(p).toArray(String[]::new));
        }
      }
    }

    private void write(RawRedis.DedupXadd script, List<Message> batch, String[] inputs) {
      writes.<List<Object>>evalsha(scriptSha, ScriptOutputType.MULTI, script.keys(), script.args(batch))
          .whenComplete((reply, error) -> {
            if (error != null) {
              window.release(inputs.length);
              fail(new BenchFailure(SIDE + ": no reply to a write of " + batch.size() + " messages: " + error, error));
              return;
            }
            try {
              script.requireWrittenOnce(SIDE, batch, reply);
            } catch (BenchFailure e) {
              window.release(inputs.length);
              fail(e);
              return;
            }
            writes.xack(stream, group, inputs).whenComplete((acked, ackError) -> acked(inputs.length, acked, ackError));
          });
    }

    private void acked(int sent, Long acked, Throwable error) {
      window.release(sent);
      if (error != null) {
        fail(new BenchFailure(SIDE + ": no reply to an XACK of " + sent + " entries: " + error, error));
      } else if (acked != sent) {
        fail(new BenchFailure(SIDE + ": XACK acked " + acked + " of " + sent + " entries"));
      } else {
        watch.acked(sent);
      }
    }

    @Override
    void release() {
      readConnection.close();
      writeConnection.close();
    }
  }
}
