package dev.isb.benchmarks;

import dev.isb.Header;
import dev.isb.Message;
import dev.isb.wire.BufferNames;
import dev.isb.wire.MessageCodec;
import io.lettuce.core.Consumer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Raw lettuce doing the same writes and reads as the Redis backend, on the same keys (Numaflow's
 * layout: stream {@code {<buffer>}}, group {@code <buffer>-group}, one entry per message whose one
 * field is the encoded {@code Header} and whose value is the payload), with nothing of the library.
 * Each writer and each reader has a connection of its own, opened before the clock starts.
 *
 * <p>Two kinds of writer, the two baselines of the {@code write} scenario:
 *
 * <ul>
 *   <li>{@link Mode#XADD} ({@code raw}): one {@code XADD MAXLEN = maxMsgs * <header> <payload>} per
 *       message, the batch pipelined (auto-flush off, one flush, then every reply awaited). This is
 *       the baseline issue 5 names. It does <em>not</em> de-duplicate: it promises less than the
 *       library (at-least-once writes), so it is the floor, not like for like.
 *   <li>{@link Mode#SCRIPT} ({@code raw-lua}): one {@code EVALSHA} per batch of a script of its own
 *       ({@link #DEDUP_XADD}) that does what exactly-once writes need and no more: per message
 *       {@code HGET} of the id in the current and the previous de-dup window's hash, {@code XADD}
 *       as above, {@code HSET} of the id; then the window's TTL. That is what a careful hand-written
 *       client keeping the library's promise would send, so the ratio against it is the cost of the
 *       library alone.
 * </ul>
 *
 * <p>And two streaming writers, without a barrier between batches, for {@code library-async}: at most
 * {@value #WINDOW} messages sent and not yet answered, every reply checked once the last has come.
 *
 * <ul>
 *   <li>{@link Mode#STREAM_SCRIPT} ({@code raw-stream}): {@code raw-lua}'s {@code EVALSHA}, one per
 *       batch, sent at once (auto-flush on) without waiting for the reply: the library's promise.
 *   <li>{@link Mode#STREAM_XADD} ({@code raw-stream-xadd}): {@code raw}'s pipelined {@code XADD}s,
 *       flushed per batch without waiting for the replies: no de-dup, the floor.
 * </ul>
 *
 * <p>The reader is the same for both: {@code XREADGROUP GROUP <group> <consumer> COUNT <max> BLOCK
 * <wait> STREAMS <stream> >}, {@link MessageCodec#decodeHeader} of each entry's field (as the library
 * does), then one {@code XACK} with the ids of the whole batch, awaited.
 */
final class RawRedis implements Contender {

  /** The raw writers. */
  enum Mode {
    XADD("raw", false, false),
    SCRIPT("raw-lua", true, false),
    STREAM_SCRIPT("raw-stream", true, true),
    STREAM_XADD("raw-stream-xadd", false, true);

    final String side;
    /** Whether it remembers message ids (and leaves de-dup hashes behind). */
    final boolean deduplicates;
    /** Whether it keeps batches in flight. */
    final boolean streams;

    Mode(String side, boolean deduplicates, boolean streams) {
      this.side = side;
      this.deduplicates = deduplicates;
      this.streams = streams;
    }
  }

  /**
   * The streaming writers' bound on messages sent and not yet answered: what {@code library-async} may
   * have outstanding with batches of 500 ({@value Library#BATCHES_IN_FLIGHT} of them), since the
   * library's Redis writer has no window of its own; a smaller one would hold the raw side back.
   */
  static final int WINDOW = Library.BATCHES_IN_FLIGHT * 500;

  /**
   * Exactly-once XADD of a batch. KEYS: stream, current de-dup hash, previous de-dup hash, index of
   * the hashes (so that deleting the buffer finds them). ARGV[1] maxMsgs, ARGV[2] hash TTL (ms), then
   * per message: de-dup key, header, payload. Returns per message 'W' and the new id, or 'D' and the
   * first copy's id. The same key names as the library, so that its deleteBuffers removes them.
   */
  static final String DEDUP_XADD = """
      local out = {}
      for i = 3, #ARGV, 3 do
        local seen = redis.call('HGET', KEYS[2], ARGV[i]) or redis.call('HGET', KEYS[3], ARGV[i])
        if seen then
          out[#out + 1] = 'D'
          out[#out + 1] = seen
        else
          local id = redis.call('XADD', KEYS[1], 'MAXLEN', '=', ARGV[1], '*', ARGV[i + 1], ARGV[i + 2])
          redis.call('HSET', KEYS[2], ARGV[i], id)
          out[#out + 1] = 'W'
          out[#out + 1] = id
        end
      end
      redis.call('PEXPIRE', KEYS[2], ARGV[2])
      redis.call('SADD', KEYS[4], KEYS[2])
      redis.call('PEXPIRE', KEYS[4], ARGV[2])
      return out
      """;

  static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final RedisClient client;
  private final Mode mode;
  private final String name;
  private final long maxMsgs;
  private final Duration duplicates;
  private final byte[] consumer;
  private final String scriptSha;

  /**
   * @param client the lettuce client to open connections on (not closed here)
   * @param mode which writer
   * @param name the side's name in the output
   * @param maxMsgs the buffers' maxMsgs, for {@code XADD MAXLEN =} as the library sends under Limits
   * @param duplicates the buffers' de-dup window
   */
  RawRedis(RedisClient client, Mode mode, String name, long maxMsgs, Duration duplicates) {
    this.client = client;
    this.mode = mode;
    this.name = name;
    this.maxMsgs = maxMsgs;
    this.duplicates = duplicates;
    this.consumer = bytes("bench-0");
    try (StatefulRedisConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE)) {
      this.scriptSha = loadDedupXadd(c.sync());
    }
  }

  @Override
  public String name() {
    return name;
  }

  /** Whether this side's writer remembers message ids (and so leaves de-dup hashes behind). */
  boolean deduplicates() {
    return mode.deduplicates;
  }

  @Override
  public boolean streams() {
    return mode.streams;
  }

  @Override
  public BatchWriter writer(String buffer) {
    StatefulRedisConnection<byte[], byte[]> connection = client.connect(ByteArrayCodec.INSTANCE);
    return switch (mode) {
      case XADD -> new PipelinedXadd(connection, buffer);
      case SCRIPT -> new ScriptWriter(connection, buffer);
      case STREAM_SCRIPT -> new StreamingScript(connection, buffer);
      case STREAM_XADD -> new StreamingXadd(connection, buffer);
    };
  }

  @Override
  public BatchReader reader(String buffer) {
    return new Reader(client.connect(ByteArrayCodec.INSTANCE), buffer);
  }

  @Override
  public void close() {}

  @Override
  public String toString() {
    return name;
  }

  /** A writer or reader with a connection of its own, which closing it closes. */
  private abstract static class OnConnection implements AutoCloseable {
    final StatefulRedisConnection<byte[], byte[]> connection;

    OnConnection(StatefulRedisConnection<byte[], byte[]> connection) {
      this.connection = connection;
    }

    @Override
    public void close() {
      connection.close();
    }
  }

  /** One {@code XADD MAXLEN = maxMsgs * <header> <payload>} per message, queued until flushed (auto-flush off). */
  private abstract class XaddWriter extends OnConnection implements BatchWriter {
    private final RedisAsyncCommands<byte[], byte[]> async;
    private final byte[] stream;
    private final XAddArgs args;

    XaddWriter(StatefulRedisConnection<byte[], byte[]> connection, String buffer) {
      super(connection);
      this.async = connection.async();
      this.stream = bytes(BufferNames.redisStreamKey(buffer));
      this.args = new XAddArgs().maxlen(maxMsgs).exactTrimming();
      connection.setAutoFlushCommands(false);
    }

    final RedisFuture<String> xadd(Message m) {
      return async.xadd(stream, args, MessageCodec.encodeHeader(m.header()), m.payload());
    }
  }

  private final class PipelinedXadd extends XaddWriter {
    PipelinedXadd(StatefulRedisConnection<byte[], byte[]> connection, String buffer) {
      super(connection, buffer);
    }

    @Override
    public int write(List<Message> batch) {
      var replies = new ArrayList<RedisFuture<String>>(batch.size());
      for (Message m : batch) {
        replies.add(xadd(m));
      }
      connection.flushCommands();
      return requireEntryIds(replies, batch);
    }
  }

  /** Awaits the {@code XADD} replies of {@code sent}, in order; each must be an entry id. Returns how many. */
  private int requireEntryIds(List<RedisFuture<String>> replies, List<Message> sent) {
    for (int i = 0; i < replies.size(); i++) {
      String id = await(replies.get(i), "XADD of " + sent.get(i).id());
      if (id == null || id.isEmpty()) {
        throw new BenchFailure(name + ": XADD of " + sent.get(i).id() + " returned no entry id");
      }
    }
    return replies.size();
  }

  /** One {@code EVALSHA} of {@link #DEDUP_XADD} per batch, with the keys and arguments of one buffer. */
  private abstract class DedupXaddWriter extends OnConnection implements BatchWriter {
    final DedupXadd script;

    DedupXaddWriter(StatefulRedisConnection<byte[], byte[]> connection, String buffer) {
      super(connection);
      this.script = new DedupXadd(buffer, maxMsgs, duplicates);
    }
  }

  private final class ScriptWriter extends DedupXaddWriter {
    private final RedisCommands<byte[], byte[]> sync;

    ScriptWriter(StatefulRedisConnection<byte[], byte[]> connection, String buffer) {
      super(connection, buffer);
      this.sync = connection.sync();
    }

    @Override
    public int write(List<Message> batch) {
      List<Object> reply = sync.evalsha(scriptSha, ScriptOutputType.MULTI, script.keys(), script.args(batch));
      script.requireWrittenOnce(name, batch, reply);
      return batch.size();
    }
  }

  /**
   * {@code raw-stream}: per batch one {@code EVALSHA} of {@link #DEDUP_XADD} (as {@link ScriptWriter}),
   * sent at once on the async API (auto-flush on) once the window has room for the batch, and not
   * awaited; the window's permits come back when the reply arrives. {@link #finish} awaits every
   * reply of the round, in order, each checked as {@link ScriptWriter} checks it.
   */
  private final class StreamingScript extends DedupXaddWriter {
    private final RedisAsyncCommands<byte[], byte[]> async;
    private final Semaphore window = new Semaphore(WINDOW);
    private final List<List<Message>> sent = new ArrayList<>();
    private final List<RedisFuture<List<Object>>> replies = new ArrayList<>();

    StreamingScript(StatefulRedisConnection<byte[], byte[]> connection, String buffer) {
      super(connection, buffer);
      this.async = connection.async();
    }

    @Override
    public int write(List<Message> batch) {
      int permits = Math.min(batch.size(), WINDOW);
      window.acquireUninterruptibly(permits);
      RedisFuture<List<Object>> reply = async.evalsha(scriptSha, ScriptOutputType.MULTI, script.keys(),
          script.args(batch));
      reply.whenComplete((r, e) -> window.release(permits));
      replies.add(reply);
      sent.add(batch);
      return 0;
    }

    @Override
    public int finish() {
      int stored = 0;
      for (int i = 0; i < replies.size(); i++) {
        List<Message> batch = sent.get(i);
        script.requireWrittenOnce(name, batch, await(replies.get(i), "EVALSHA from " + batch.get(0).id()));
        stored += batch.size();
      }
      replies.clear();
      sent.clear();
      return stored;
    }
  }

  /**
   * {@code raw-stream-xadd}: {@link PipelinedXadd}'s commands (auto-flush off), in chunks of at most
   * {@value #WINDOW} messages: each chunk waits for as many permits, is queued, and flushed; the
   * permits come back when the chunk's last reply arrives (a connection's replies come in order).
   * {@link #finish} awaits every reply of the round, each checked as {@link PipelinedXadd} checks it.
   */
  private final class StreamingXadd extends XaddWriter {
    private final Semaphore window = new Semaphore(WINDOW);
    private final List<Message> sent = new ArrayList<>();
    private final List<RedisFuture<String>> replies = new ArrayList<>();

    StreamingXadd(StatefulRedisConnection<byte[], byte[]> connection, String buffer) {
      super(connection, buffer);
    }

    @Override
    public int write(List<Message> batch) {
      for (int from = 0; from < batch.size(); from += WINDOW) {
        int to = Math.min(batch.size(), from + WINDOW);
        int permits = to - from;
        window.acquireUninterruptibly(permits);
        RedisFuture<String> last = null;
        for (Message m : batch.subList(from, to)) {
          last = xadd(m);
          replies.add(last);
        }
        last.whenComplete((id, e) -> window.release(permits));
        connection.flushCommands();
      }
      sent.addAll(batch);
      return 0;
    }

    @Override
    public int finish() {
      int stored = requireEntryIds(replies, sent);
      replies.clear();
      sent.clear();
      return stored;
    }
  }

  /** Loads {@link #DEDUP_XADD} into the server's script cache and returns its SHA-1 for {@code EVALSHA}. */
  static String loadDedupXadd(RedisCommands<byte[], byte[]> redis) {
    return redis.scriptLoad(bytes(DEDUP_XADD));
  }

  /**
   * The keys and arguments of {@link #DEDUP_XADD} calls that write to one buffer, and the check of
   * their replies. Immutable.
   */
  static final class DedupXadd {
    private final String buffer;
    private final byte[] stream;
    private final byte[] index;
    private final byte[] maxLen;
    private final byte[] ttl;
    private final long window;

    /**
     * @param buffer the buffer written to
     * @param maxMsgs the buffer's maxMsgs, for {@code XADD MAXLEN =}
     * @param duplicates the buffer's de-dup window
     */
    DedupXadd(String buffer, long maxMsgs, Duration duplicates) {
      this.buffer = buffer;
      String key = BufferNames.redisStreamKey(buffer);
      this.stream = bytes(key);
      this.index = bytes(key + ":dedup");
      this.maxLen = bytes(Long.toString(maxMsgs));
      this.ttl = bytes(Long.toString(2 * duplicates.toMillis() + 1000));
      this.window = duplicates.toMillis();
    }

    /** The keys for a call made now: the stream, the current and the previous window's hash, their index. */
    byte[][] keys() {
      long start = System.currentTimeMillis() / window * window;
      return new byte[][] {stream, bucket(start), bucket(start - window), index};
    }

    /** The arguments writing {@code batch}, in order. */
    byte[][] args(List<Message> batch) {
      byte[][] args = new byte[2 + 3 * batch.size()][];
      args[0] = maxLen;
      args[1] = ttl;
      int a = 2;
      for (Message m : batch) {
        args[a++] = bytes(m.id().dedupKey());
        args[a++] = MessageCodec.encodeHeader(m.header());
        args[a++] = m.payload();
      }
      return args;
    }

    /**
     * @throws BenchFailure naming {@code side} unless the reply says each message of {@code batch} was
     *     written now, and none was taken for a duplicate
     */
    void requireWrittenOnce(String side, List<Message> batch, List<Object> reply) {
      for (int i = 0; i < batch.size(); i++) {
        String outcome = new String((byte[]) reply.get(2 * i), StandardCharsets.US_ASCII);
        if (!outcome.equals("W")) {
          throw new BenchFailure(side + ": " + batch.get(i).id() + " was not written once: '" + outcome + "' "
              + new String((byte[]) reply.get(2 * i + 1), StandardCharsets.US_ASCII));
        }
      }
    }

    private byte[] bucket(long startMillis) {
      return bytes(BufferNames.redisStreamKey(buffer) + ":dedup:" + startMillis);
    }
  }

  private final class Reader extends OnConnection implements BatchReader {
    private final RedisCommands<byte[], byte[]> sync;
    private final byte[] stream;
    private final byte[] group;

    Reader(StatefulRedisConnection<byte[], byte[]> connection, String buffer) {
      super(connection);
      this.sync = connection.sync();
      this.stream = bytes(BufferNames.redisStreamKey(buffer));
      this.group = bytes(BufferNames.redisGroup(buffer));
    }

    @Override
    @SuppressWarnings("unchecked") // lettuce takes the stream offsets as generic varargs
    public int readAndAck(int max, Duration maxWait, Tally tally) {
      List<StreamMessage<byte[], byte[]>> entries = sync.xreadgroup(Consumer.from(group, consumer),
          XReadArgs.Builder.count(max).block(Math.max(1, maxWait.toMillis())),
          XReadArgs.StreamOffset.lastConsumed(stream));
      if (entries.isEmpty()) {
        return 0;
      }
      var ids = new String[entries.size()];
      for (int i = 0; i < ids.length; i++) {
        StreamMessage<byte[], byte[]> e = entries.get(i);
        Map<byte[], byte[]> body = e.getBody();
        if (body.size() != 1) {
          throw new BenchFailure(name + ": entry " + e.getId() + " has " + body.size() + " fields, expected 1");
        }
        Map.Entry<byte[], byte[]> pair = body.entrySet().iterator().next();
        Header header = MessageCodec.decodeHeader(pair.getKey());
        tally.seen(new Message(header, pair.getValue()));
        ids[i] = e.getId();
      }
      long acked = sync.xack(stream, group, ids);
      if (acked != ids.length) {
        throw new BenchFailure(name + ": XACK acked " + acked + " of " + ids.length + " entries");
      }
      return ids.length;
    }
  }

  private <T> T await(RedisFuture<T> future, String what) {
    try {
      return future.get(TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchFailure(name + ": interrupted waiting for the " + what, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new BenchFailure(name + ": no reply to the " + what + ": " + e, e);
    }
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
