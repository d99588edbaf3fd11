package dev.isb.redis;

import dev.isb.BufferNotFoundException;
import dev.isb.Header;
import dev.isb.Message;
import dev.isb.MessageDecodeException;
import dev.isb.Offset;
import dev.isb.ReadMessage;
import dev.isb.ReaderOptions;
import dev.isb.Retention;
import dev.isb.spi.AbstractBufferReader;
import dev.isb.wire.BufferNames;
import dev.isb.wire.MessageCodec;
import io.lettuce.core.Consumer;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Reads one Redis buffer as a consumer of its group.
 *
 * <p>Design: a read is one plain {@code XREADGROUP ... >} for new entries (through Lua they would cost
 * the server twice as much) whenever nothing else can be due. A script that never blocks runs before it
 * when something can be: it claims entries idle longer than ackWait from any consumer of the group
 * ({@code XAUTOCLAIM}, one step of a scan of the pending list that resumes at the next scan: redelivery,
 * with delivery counts), replays this consumer's own pending entries once after a restart, and counts
 * the group's pending entries. It runs at the first read, until the replay is done, while a claim scan
 * is under way or found something, at least every {@link #scanPeriodNanos} (so a redelivery comes at
 * most that late after ackWait), after a nak when its delay has passed, and while the group is near
 * maxAckPending. Between scans the reader counts what it takes and acks against the last count, so
 * readers racing may overshoot maxAckPending by what the others take in one scan period. Only when all
 * that finds nothing does the reader block, on a connection of its own, in {@code XREADGROUP ... BLOCK},
 * in short slices so that redeliveries falling due meanwhile are not kept waiting. Keep-alive and nak
 * reset an entry's idle time ({@code XCLAIM ... IDLE}), only for entries this consumer still holds.
 */
final class RedisBufferReader extends AbstractBufferReader<RedisOffset> {

  private static final System.Logger LOG = System.getLogger(RedisBufferReader.class.getName());
  private static final Duration BLOCK_SLICE = Duration.ofMillis(250);
  /** The longest time between two scans for entries due again: bounds how late a redelivery comes. */
  private static final Duration MAX_SCAN_PERIOD = Duration.ofMillis(50);
  /** Scan before every read once the group's room under maxAckPending falls below this many batches. */
  private static final int NEAR_LIMIT_BATCHES = 4;

  private final RedisKeys keys;
  private final RedisClusterCommands<byte[], byte[]> redis;
  private final RedisClusterAsyncCommands<byte[], byte[]> redisAsync;
  private final StatefulConnection<byte[], byte[]> blockingConnection;
  private final RedisClusterCommands<byte[], byte[]> blocking;
  private final RedisBufferSettings settings;
  private final byte[] consumer;
  private final ReentrantLock readLock = new ReentrantLock();
  /**
   * The entries this reader delivered and has not acked, nakked or lost: kept alive, and not delivered
   * twice. Guarded by itself: a whole batch goes in and an ack's ids come out under one lock, which
   * costs the read path far less than a concurrent set's per-entry work (the set was most of the
   * reader's own time in a profile of the read benchmark).
   */
  private final Set<String> held = new HashSet<>();
  /** Where the replay of this consumer's own pending entries stands; empty once done. */
  private String backlog = "0";
  /** Where the claim scan of the group's pending list resumes. */
  private String claimCursor = "0-0";
  /** How many new entries the group could take at the last step, under maxAckPending. */
  private long room;
  private final long scanPeriodNanos;
  /** When ({@link System#nanoTime()}) the next read must scan: now while more can be due; a nak brings it forward. */
  private volatile long nextScanAt;
  /** The group's pending count at the last scan, plus what this reader took since, minus what it acked. */
  private final AtomicLong groupPending = new AtomicLong();
  /** The newest entry id this reader has delivered, where a lost group is recreated. */
  private String lastSeen;
  private final AtomicLong recoveries = new AtomicLong();

  RedisBufferReader(RedisIsbClient client, String buffer, ReaderOptions options, Runnable onClose) {
    super(buffer, BufferNames.partitionOf(buffer), options, RedisOffset.class, BLOCK_SLICE.multipliedBy(4), onClose);
    this.keys = RedisKeys.of(buffer);
    this.redis = client.redis();
    this.redisAsync = client.redisAsync();
    this.settings = client.settings(buffer);
    this.consumer = RedisKeys.bytes(options.consumerName());
    this.blockingConnection = client.connector().connect();
    this.blocking = RedisConnector.commands(blockingConnection);
    this.scanPeriodNanos = Math.min(settings.consumer().ackWait().dividedBy(10).toNanos(), MAX_SCAN_PERIOD.toNanos());
    this.nextScanAt = System.nanoTime(); // the first read scans
    startKeepAlive(client.scheduler(), settings.consumer().ackWait(), this::keepHeldAlive);
  }

  @Override
  protected List<ReadMessage> readBatch(int maxMessages, Duration maxWait) {
    readLock.lock();
    try {
      long deadline = System.nanoTime() + maxWait.toNanos();
      while (true) {
        List<ReadMessage> batch = RedisErrors.call(buffer, "reading", () -> readOrRecover(maxMessages));
        long remaining = deadline - System.nanoTime();
        if (!batch.isEmpty() || remaining <= 0 || calls.isClosed() || Thread.currentThread().isInterrupted()) {
          return batch;
        }
        batch = RedisErrors.call(buffer, "reading", () -> blockForNew(remaining));
        if (!batch.isEmpty()) {
          return batch;
        }
      }
    } finally {
      readLock.unlock();
    }
  }

  /**
   * Reads; when the stream or its group is gone while the buffer's settings remain, which is what a
   * Redis fail-over that lost data leaves behind, recreates the group ({@link #recoveryPoint}), warns
   * with what is known of the gap, and reads on instead of failing for ever (Numaflow's Redis ISB
   * stalled there).
   */
  private List<ReadMessage> readOrRecover(int max) {
    try {
      return readNow(max);
    } catch (RedisCommandExecutionException e) {
      String message = String.valueOf(e.getMessage());
      if (!message.startsWith("NOGROUP") && !message.contains("no such key")) {
        throw e;
      }
      if (redis.exists(keys.config()) == 0) {
        throw new BufferNotFoundException(buffer, e);
      }
      String at = recoveryPoint();
      try {
        redis.xgroupCreate(XReadArgs.StreamOffset.from(keys.stream(), at), keys.groupBytes(),
            XGroupCreateArgs.Builder.mkstream());
      } catch (RedisBusyException createdByAnotherReader) {
        // Another reader of the group recovered first: its position stands.
      }
      recoveries.incrementAndGet();
      LOG.log(Level.WARNING, "buffer ''{0}'': the stream''s consumer group was missing ({1}), as after a fail-over"
          + " that lost data; recreated it after entry {2}. Entries acked but lost with the group may be"
          + " delivered again; entries written but lost with the stream cannot be recovered.", buffer, message,
          "0".equals(at) ? "0 (from the start of the stream)" : at);
      return readNow(max);
    }
  }

  /**
   * Where a lost group is recreated. Under WorkQueue and Interest retention the stream holds only
   * entries not yet acked, so from its start: what the lost group held without acking comes again
   * (its pending list is lost with it). Under Limits, after the last entry this reader delivered, unless
   * the stream never got that far: then it was lost too and made anew by writers, and all of it is new
   * (its ids may even be lower than this reader's, when the new master's clock is behind the old one's;
   * recreating the group at this reader's position would then skip every entry for ever).
   */
  private String recoveryPoint() {
    if (lastSeen == null || settings.stream().retention() != Retention.LIMITS) {
      return "0";
    }
    List<StreamMessage<byte[], byte[]>> newest = redis.xrevrange(keys.stream(), Range.create("-", "+"), Limit.from(1));
    return newest.isEmpty() || RedisOffset.compareIds(lastSeen, newest.get(0).getId()) > 0 ? "0" : lastSeen;
  }

  /** How many times this reader found its group lost and recreated it. */
  @Override
  public long recoveries() {
    return recoveries.get();
  }

  /** The non-blocking step: redeliveries and own backlog when due, then new entries within maxAckPending. */
  private List<ReadMessage> readNow(int max) {
    long maxAckPending = settings.consumer().maxAckPending();
    var out = new ArrayList<ReadMessage>();
    long now = System.nanoTime();
    if (now - nextScanAt >= 0 || maxAckPending - groupPending.get() < (long) NEAR_LIMIT_BATCHES * max) {
      int taken = scan(max, out);
      // The replay, claimed entries, or a scan of the pending list under way: more may be due at once.
      boolean more = !backlog.isEmpty() || taken > 0 || !"0-0".equals(claimCursor);
      nextScanAt = more ? now : now + scanPeriodNanos;
      max -= taken;
    }
    room = Math.max(0, Math.min(max, maxAckPending - groupPending.get()));
    if (room > 0) {
      out.addAll(readNew(redis, room, -1));
    }
    return out;
  }

  /** Runs the claim/replay script; adds what it delivers to {@code out} and returns how many entries it took. */
  private int scan(int max, List<ReadMessage> out) {
    List<Object> reply = RedisScripts.READ.run(redis, new byte[][] {keys.stream()},
        keys.groupBytes(), consumer, RedisKeys.bytes(Integer.toString(max)),
        RedisKeys.bytes(Long.toString(settings.consumer().ackWait().toMillis())),
        RedisKeys.bytes(backlog), RedisKeys.bytes(settings.maxAgeMinId()), RedisKeys.bytes(claimCursor));
    backlog = backlog.isEmpty() ? "" : RedisKeys.string(reply.get(0));
    claimCursor = RedisKeys.string(reply.get(1));
    groupPending.set((Long) reply.get(2));
    int taken = 0;
    int first = out.size();
    for (int i = 3; i + 3 < reply.size(); i += 4) {
      taken++;
      String id = RedisKeys.string(reply.get(i));
      if (lastSeen == null || RedisOffset.compareIds(id, lastSeen) > 0) {
        lastSeen = id;
      }
      if ("b".equals(RedisKeys.string(reply.get(i + 3))) && holds(id)) {
        continue; // replayed, but this reader already holds it (it claimed it earlier): not a second delivery
      }
      long deliveries = (Long) reply.get(i + 1);
      @SuppressWarnings("unchecked")
      List<Object> fields = (List<Object>) reply.get(i + 2);
      ReadMessage m = toReadMessage(id, deliveries, fields.isEmpty() ? null : (byte[]) fields.get(0),
          fields.size() == 2 ? (byte[]) fields.get(1) : null);
      if (m != null) {
        out.add(m);
      }
    }
    hold(out.subList(first, out.size()));
    return taken;
  }

  /** Waits, in one short slice, for entries written after the group's last delivered one. */
  private List<ReadMessage> blockForNew(long remainingNanos) {
    long sliceMillis = Math.max(1, Math.min(BLOCK_SLICE.toMillis(), TimeUnit.NANOSECONDS.toMillis(remainingNanos)));
    if (room <= 0) {
      // The group holds maxAckPending messages: nothing new until some are acked; wait a slice for that.
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(sliceMillis));
      return List.of();
    }
    try {
      return readNew(blocking, room, sliceMillis);
    } catch (RedisCommandExecutionException e) {
      String message = String.valueOf(e.getMessage());
      // UNBLOCKED: the stream was deleted while this read waited on it (Redis 7). Like a missing group,
      // the next non-blocking step finds out why: the buffer deleted, or a fail-over to recover from.
      if (message.startsWith("NOGROUP") || message.startsWith("UNBLOCKED")) {
        return List.of();
      }
      throw e;
    }
  }

  /** {@code XREADGROUP ... >}: new entries, first delivery; blocking for {@code blockMillis} when that is not negative. */
  @SuppressWarnings("unchecked") // lettuce takes the stream offsets as generic varargs
  private List<ReadMessage> readNew(RedisClusterCommands<byte[], byte[]> on, long count, long blockMillis) {
    XReadArgs args = blockMillis < 0 ? XReadArgs.Builder.count(count) : XReadArgs.Builder.count(count).block(blockMillis);
    List<StreamMessage<byte[], byte[]>> entries = on.xreadgroup(Consumer.from(keys.groupBytes(), consumer), args,
        XReadArgs.StreamOffset.lastConsumed(keys.stream()));
    if (entries.isEmpty()) {
      return List.of();
    }
    groupPending.addAndGet(entries.size());
    // '>' hands out entries newer than any delivered before: the last one is the newest.
    lastSeen = entries.get(entries.size() - 1).getId();
    var out = new ArrayList<ReadMessage>(entries.size());
    for (StreamMessage<byte[], byte[]> e : entries) {
      Map<byte[], byte[]> body = e.getBody();
      byte[] field = body.size() == 1 ? body.keySet().iterator().next() : null;
      ReadMessage m = toReadMessage(e.getId(), 1, field, field == null ? null : body.get(field));
      if (m != null) {
        out.add(m);
      }
    }
    hold(out);
    return out;
  }

  /** Decodes one entry (field = encoded header, value = payload); reports it when it does not decode. */
  private ReadMessage toReadMessage(String id, long deliveries, byte[] field, byte[] value) {
    var offset = new RedisOffset(buffer, partition(), id);
    try {
      if (field == null || value == null) {
        throw new MessageDecodeException("the entry is not one field/value pair of header and payload", null);
      }
      Message message = decompressed(new Message(MessageCodec.decodeHeader(field), value));
      return new ReadMessage(message, offset, deliveries);
    } catch (MessageDecodeException e) {
      if (reportUndecodable(offset, deliveries, field == null ? new byte[0] : field, e)) {
        // Acked but kept: Redis has no "terminate"; the entry stays in the stream, never delivered again.
        redis.xack(keys.stream(), keys.groupBytes(), offset.entryId());
      }
      return null;
    }
  }

  /** Sends the acks on the client's shared connection; the reply completes the stage on lettuce's thread. */
  @Override
  protected CompletionStage<Void> ackOwned(List<RedisOffset> offsets) {
    List<String> ids = entryIds(offsets);
    // Keep-alive stops at once: an ack that fails leaves the entries to be claimed again after ackWait.
    release(ids);
    CompletableFuture<Long> reply;
    try {
      reply = acknowledge(ids);
    } catch (RuntimeException e) {
      reply = CompletableFuture.failedFuture(e);
    }
    return reply.orTimeout(RedisConnector.COMMAND_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS).handle((acked, error) -> {
      if (error != null) {
        throw new CompletionException(RedisErrors.translate(buffer, "acking", error));
      }
      groupPending.addAndGet(-ids.size());
      return null;
    });
  }

  private CompletableFuture<Long> acknowledge(List<String> ids) {
    if (settings.stream().retention() == Retention.LIMITS) {
      return redisAsync.xack(keys.stream(), keys.groupBytes(), ids.toArray(String[]::new)).toCompletableFuture();
    }
    // Acked entries also leave the stream; only those this ack took out of the pending list.
    return RedisScripts.ACK.runForLongAsync(redisAsync, new byte[][] {keys.stream()}, argsThenIds(ids,
        keys.groupBytes()));
  }

  @Override
  protected void nakOwned(List<RedisOffset> offsets, Duration delay) {
    List<String> ids = entryIds(offsets);
    long idle = Math.max(0, settings.consumer().ackWait().minus(delay).toMillis());
    touch(ids, idle);
    release(ids);
    long due = System.nanoTime() + delay.toNanos();
    if (due - nextScanAt < 0) {
      nextScanAt = due; // the next read after the delay scans, and takes them again
    }
  }

  @Override
  public void keepAlive(Collection<? extends Offset> offsets) {
    touch(own(offsets, RedisOffset::entryId), 0);
  }

  private void keepHeldAlive() {
    List<String> ids;
    synchronized (held) {
      ids = List.copyOf(held);
    }
    if (ids.isEmpty() || calls.isClosed()) {
      return;
    }
    try {
      release(touch(ids, 0));
    } catch (RuntimeException e) {
      // Disconnected: held entries are claimed by others after ackWait, which at-least-once allows.
      LOG.log(Level.DEBUG, "buffer ''{0}'': keep-alive failed: {1}", buffer, e.getMessage());
    }
  }

  /** Resets the idle time of entries this consumer holds; returns the ids it no longer holds. */
  private List<String> touch(List<String> ids, long idleMillis) {
    if (ids.isEmpty()) {
      return List.of();
    }
    byte[][] args = argsThenIds(ids, keys.groupBytes(), consumer, RedisKeys.bytes(Long.toString(idleMillis)));
    List<Object> lost = RedisErrors.call(buffer, "keeping messages", () -> RedisScripts.TOUCH.run(redis,
        new byte[][] {keys.stream()}, args));
    return lost.stream().map(RedisKeys::string).toList();
  }

  /** A script's arguments: {@code first}, then the entry ids. */
  private static byte[][] argsThenIds(List<String> ids, byte[]... first) {
    byte[][] args = Arrays.copyOf(first, first.length + ids.size());
    for (int i = 0; i < ids.size(); i++) {
      args[first.length + i] = RedisKeys.bytes(ids.get(i));
    }
    return args;
  }

  private static List<String> entryIds(List<RedisOffset> offsets) {
    return offsets.stream().map(RedisOffset::entryId).toList();
  }

  @Override
  protected long pendingCount() {
    var info = RedisBufferAdmin.info(redis, keys, settings);
    return info.pendingCount() + info.ackPendingCount();
  }

  @Override
  protected void stopReads() {
    synchronized (held) {
      held.clear();
    }
  }

  /** Holds the entries of messages just delivered. */
  private void hold(List<ReadMessage> delivered) {
    synchronized (held) {
      for (ReadMessage m : delivered) {
        held.add(((RedisOffset) m.offset()).entryId());
      }
    }
  }

  private boolean holds(String id) {
    synchronized (held) {
      return held.contains(id);
    }
  }

  private void release(List<String> ids) {
    synchronized (held) {
      for (String id : ids) {
        held.remove(id);
      }
    }
  }

  @Override
  protected void release() {
    blockingConnection.close();
  }

  @Override
  public String toString() {
    return "RedisBufferReader{" + buffer + ", consumer=" + options.consumerName() + '}';
  }
}
