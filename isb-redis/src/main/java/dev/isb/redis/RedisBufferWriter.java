package dev.isb.redis;

import dev.isb.BufferInfo;
import dev.isb.BufferNotFoundException;
import dev.isb.IsbBackendException;
import dev.isb.IsbException;
import dev.isb.Kind;
import dev.isb.Message;
import dev.isb.Retention;
import dev.isb.WriteResult;
import dev.isb.WriterOptions;
import dev.isb.spi.AbstractBufferWriter;
import dev.isb.wire.BufferNames;
import dev.isb.wire.MessageCodec;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

/**
 * Writes to one Redis buffer with one script call per batch: de-duplication by
 * {@code MessageId.dedupKey()}, {@code XADD} of the encoded header (field) and payload (value), and
 * trimming, all in one atomic step.
 *
 * <p>Design: de-duplication ids live in hashes, one per duplicates window ({@code
 * {<buffer>}:dedup:<window start>}); a write checks the current and the previous one, so an id is
 * remembered for at least one window and at most two. Under Limits retention {@code XADD} trims to
 * maxMsgs and maxAge trims by {@code MINID}; under Interest and WorkQueue a full stream refuses the
 * message instead (entries leave only when acked), which the writer treats as "buffer full".
 */
final class RedisBufferWriter extends AbstractBufferWriter {

  private static final Duration CLOSE_DRAIN_TIMEOUT = Duration.ofSeconds(10);
  private static final byte[] DATA = {'0'};
  private static final byte[] WMB = {'1'};
  private static final byte[] NO_ID = new byte[0];
  private static final byte[] LIMITS_ON = {'1'};
  private static final byte[] LIMITS_OFF = {'0'};

  private final RedisKeys keys;
  private final RedisClusterCommands<byte[], byte[]> redis;
  private final RedisClusterAsyncCommands<byte[], byte[]> redisAsync;
  private final RedisIsbClient client;
  private final RedisBufferSettings settings;
  private final LastIdWatch lastIds;

  RedisBufferWriter(RedisIsbClient client, String buffer, WriterOptions options, Runnable onClose) {
    super(buffer, BufferNames.partitionOf(buffer), options, CLOSE_DRAIN_TIMEOUT, onClose);
    this.keys = RedisKeys.of(buffer);
    this.redis = client.redis();
    this.redisAsync = client.redisAsync();
    this.client = client;
    this.settings = client.settings(buffer);
    this.lastIds = new LastIdWatch(buffer);
    startMeasuring(client.scheduler());
  }

  @Override
  protected void measure() {
    List<Object> counts = RedisBufferAdmin.counts(redis, keys, settings);
    long length = (Long) counts.get(0);
    if (length == -1) {
      gate.measured(0, 0, 0, settings.stream().retention());
    } else if (length == -2) {
      long stored = (Long) counts.get(1);
      gate.measured(stored, 0, stored, settings.stream().retention());
    } else {
      BufferInfo info = RedisBufferAdmin.info(keys, settings, counts);
      gate.measured(info.pendingCount(), info.ackPendingCount(), length, settings.stream().retention());
    }
    if (length >= 0) {
      lastIds.check(redis, keys.stream());
    }
  }

  @Override
  protected List<WriteResult> writeBatch(List<Message> messages, long deadline) {
    var results = new WriteResult[messages.size()];
    store(messages, admitAll(messages, deadline, results), results, deadline);
    return Arrays.asList(results);
  }

  /**
   * Sends the batch's script call and returns; the reply makes the results on lettuce's thread, unless
   * it must wait (replicas to confirm, room for refused messages), which then happens on a thread of
   * its own as {@link #writeBatch} does it.
   */
  @Override
  protected CompletableFuture<List<WriteResult>> writeBatchAsync(List<Message> messages, long deadline) {
    var results = new WriteResult[messages.size()];
    List<Integer> admitted = admitAll(messages, deadline, results);
    if (admitted.isEmpty()) {
      return CompletableFuture.completedFuture(Arrays.asList(results));
    }
    CompletableFuture<List<Object>> reply;
    try {
      reply = RedisScripts.WRITE.runAsync(redisAsync, scriptKeys(), scriptArgs(messages, admitted));
    } catch (RuntimeException e) {
      reply = CompletableFuture.failedFuture(e);
    }
    return reply.handle((lines, error) -> {
      if (error != null) {
        failAll(admitted, results, error);
        return CompletableFuture.completedFuture(Arrays.asList(results));
      }
      if (client.durability().replicas() > 0 || refusesAny(lines)) {
        return waitApart(() -> {
          store(messages, outcome(messages, admitted, lines, results, deadline), results, deadline);
          return Arrays.asList(results);
        });
      }
      outcome(messages, admitted, lines, results, deadline);
      return CompletableFuture.completedFuture(Arrays.asList(results));
    }).thenCompose(written -> written);
  }

  private List<Integer> admitAll(List<Message> messages, long deadline, WriteResult[] results) {
    return admitted(messages, IntStream.range(0, messages.size()).boxed().toList(), deadline, results);
  }

  /** Admits the messages at {@code indexes}: a refused one gets its result; returns the indexes of the others. */
  private List<Integer> admitted(List<Message> messages, List<Integer> indexes, long deadline, WriteResult[] results) {
    var admitted = new ArrayList<Integer>(indexes.size());
    for (int i : indexes) {
      Optional<WriteResult> refused = admit(messages.get(i), deadline);
      if (refused.isPresent()) {
        results[i] = refused.get();
      } else {
        admitted.add(i);
      }
    }
    return admitted;
  }

  private void store(List<Message> messages, List<Integer> admitted, WriteResult[] results, long deadline) {
    List<Integer> todo = admitted;
    while (!todo.isEmpty()) {
      List<Object> reply;
      try {
        reply = RedisScripts.WRITE.run(redis, scriptKeys(), scriptArgs(messages, todo));
      } catch (RuntimeException e) {
        failAll(todo, results, e);
        return;
      }
      todo = outcome(messages, todo, reply, results, deadline);
    }
  }

  private void failAll(List<Integer> todo, WriteResult[] results, Throwable e) {
    IsbException error = RedisErrors.translate(buffer, "writing", e);
    for (int i : todo) {
      results[i] = new WriteResult.Failed(error, error.retryable());
    }
  }

  /** Whether the script refused a message for lack of room (its outcome is neither written, duplicate nor gone). */
  private static boolean refusesAny(List<Object> reply) {
    if (reply.size() == 1) {
      return false;
    }
    for (int k = 0; k < reply.size(); k += 2) {
      String outcome = RedisKeys.string(reply.get(k));
      if (!"W".equals(outcome) && !"D".equals(outcome)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Makes the results of one script call's reply; returns the messages to send again, those refused
   * for lack of room that were admitted again (waiting for room, so on a thread that may wait).
   */
  private List<Integer> outcome(List<Message> messages, List<Integer> todo, List<Object> reply, WriteResult[] results,
      long deadline) {
    if (reply.size() == 1 && "N".equals(RedisKeys.string(reply.get(0)))) {
      var notFound = new BufferNotFoundException(buffer, null);
      gate.markGone(notFound);
      for (int i : todo) {
        results[i] = new WriteResult.Failed(notFound, false);
      }
      return List.of();
    }
    Optional<IsbException> notReplicated = awaitReplicas();
    var noRoom = new ArrayList<Integer>();
    String newestWritten = null;
    for (int k = 0; k < todo.size(); k++) {
      int i = todo.get(k);
      String outcome = RedisKeys.string(reply.get(2 * k));
      var offset = new RedisOffset(buffer, partition(), RedisKeys.string(reply.get(2 * k + 1)));
      // A duplicate is an acknowledgement too: not before the replicas have the first copy.
      if (notReplicated.isPresent() && ("W".equals(outcome) || "D".equals(outcome))) {
        results[i] = new WriteResult.Failed(notReplicated.get(), true);
        continue;
      }
      switch (outcome) {
        case "W" -> {
          results[i] = new WriteResult.Written(offset);
          newestWritten = offset.entryId(); // XADD ids grow within a call: the last one is the newest
        }
        case "D" -> results[i] = new WriteResult.Duplicate(offset);
        default -> noRoom.add(i);
      }
    }
    if (newestWritten != null) {
      lastIds.stored(newestWritten);
    }
    if (!noRoom.isEmpty()) {
      gate.markFull("the stream holds maxMsgs (" + settings.stream().maxMsgs() + ") un-acked entries");
    }
    return admitted(messages, noRoom, deadline, results);
  }

  /** Under a durability setting, the failure to report when too few replicas have the batch. */
  private Optional<IsbException> awaitReplicas() {
    var durability = client.durability();
    if (durability.replicas() == 0) {
      return Optional.empty();
    }
    try {
      long acked = client.awaitReplicas(keys, durability.replicas(), durability.timeout());
      if (acked >= durability.replicas()) {
        return Optional.empty();
      }
      return Optional.of(new IsbBackendException(buffer, "WAIT", "written, but only " + acked + " of "
          + durability.replicas() + " replicas confirmed it within " + durability.timeout()
          + "; a retry is de-duplicated", true, null));
    } catch (RuntimeException e) {
      return Optional.of(RedisErrors.translate(buffer, "waiting for replicas", e));
    }
  }

  private byte[][] scriptKeys() {
    long window = settings.stream().duplicates().toMillis();
    long start = System.currentTimeMillis() / window * window;
    return new byte[][] {keys.stream(), keys.dedupBucket(start), keys.dedupBucket(start - window), keys.dedupIndex(),
        keys.config()};
  }

  private byte[][] scriptArgs(List<Message> messages, List<Integer> indexes) {
    var stream = settings.stream();
    long window = stream.duplicates().toMillis();
    byte[][] args = new byte[5 + 4 * indexes.size()][];
    args[0] = RedisKeys.bytes(Integer.toString(indexes.size()));
    args[1] = RedisKeys.bytes(Long.toString(2 * window + 1000));
    args[2] = stream.retention() == Retention.LIMITS ? LIMITS_ON : LIMITS_OFF;
    args[3] = RedisKeys.bytes(Long.toString(stream.maxMsgs()));
    args[4] = RedisKeys.bytes(settings.maxAgeMinId());
    int a = 5;
    for (int i : indexes) {
      Message m = stored(messages.get(i));
      boolean data = m.kind() == Kind.DATA;
      args[a++] = data ? DATA : WMB;
      args[a++] = data ? RedisKeys.bytes(m.id().dedupKey()) : NO_ID;
      args[a++] = MessageCodec.encodeHeader(m.header());
      args[a++] = m.payload();
    }
    return args;
  }

  @Override
  public String toString() {
    return "RedisBufferWriter{" + buffer + '}';
  }
}
