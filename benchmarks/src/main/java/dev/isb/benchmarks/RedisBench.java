package dev.isb.benchmarks;

import dev.isb.servers.RedisServer;
import dev.isb.wire.BufferNames;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The Redis backend against raw lettuce ({@link RawRedis}: pipelined {@code XADD}, and an exactly-once
 * script of its own; in {@code write} also both streaming, against {@code library-async}) on one
 * redis-server, started through the test kit (standalone, no persistence) unless a URL is given.
 */
final class RedisBench extends AbstractBenchBackend {

  private final RedisServer server;
  private final String url;
  private final RedisClient rawClient;
  private final RedisCommands<byte[], byte[]> control;
  private final RawRedis prefill;
  private final RawRedis raw;
  private final RawRedis rawScript;
  private final RawRedis rawStream;
  private final RawRedis rawStreamXadd;

  RedisBench(BenchOptions options) {
    super(BenchOptions.REDIS, options);
    Optional<String> givenUrl = options.redisUrl();
    try {
      this.server = givenUrl.isPresent() ? null : keep(RedisServer.builder().start());
      this.url = server == null ? givenUrl.orElseThrow() : server.uri();
      // One lettuce client (its own event loops) for the raw sides, the pre-filling and the checks;
      // the library opens its own, as an application would.
      this.rawClient = RedisClient.create(url);
      keep(() -> rawClient.shutdown(Duration.ZERO, Duration.ofSeconds(2)));
      StatefulRedisConnection<byte[], byte[]> controlConnection = keep(rawClient.connect(ByteArrayCodec.INSTANCE));
      this.control = controlConnection.sync();
      openLibrary(url);
      long maxMsgs = config.stream().maxMsgs();
      Duration duplicates = config.stream().duplicates();
      this.prefill = new RawRedis(rawClient, RawRedis.Mode.XADD, "prefill", maxMsgs, duplicates);
      this.raw = new RawRedis(rawClient, RawRedis.Mode.XADD, RawRedis.Mode.XADD.side, maxMsgs, duplicates);
      this.rawScript = new RawRedis(rawClient, RawRedis.Mode.SCRIPT, RawRedis.Mode.SCRIPT.side, maxMsgs, duplicates);
      this.rawStream = new RawRedis(rawClient, RawRedis.Mode.STREAM_SCRIPT, RawRedis.Mode.STREAM_SCRIPT.side, maxMsgs,
          duplicates);
      this.rawStreamXadd = new RawRedis(rawClient, RawRedis.Mode.STREAM_XADD, RawRedis.Mode.STREAM_XADD.side, maxMsgs,
          duplicates);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  @Override
  public List<String> describe() {
    var stream = config.stream();
    String info = control.info("server");
    String version = info.lines().filter(l -> l.startsWith("redis_version:")).findFirst()
        .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown");
    return List.of(
        "server: redis-server " + version + " at " + url
            + (server == null ? " (given with --redis-url)" : " (started by the benchmark, standalone, no persistence, dir "
                + server.dir() + ")"),
        "client: lettuce " + lettuceVersion() + " (raw sides: one connection per writer and per reader)",
        "streams: fresh per round, " + stream.retention() + " retention (XADD MAXLEN = " + stream.maxMsgs()
            + "), duplicates " + stream.duplicates().toSeconds() + "s; at most " + messages
            + " messages per buffer and round, batches of "
            + batchSize + "; sides: raw (pipelined XADD, no de-dup), raw-lua (EVALSHA de-dup + XADD, not in read),"
            + " library, and in write at --payload library-async (writeAsync, " + Library.BATCHES_IN_FLIGHT
            + " batches in flight), raw-stream (raw-lua's EVALSHA per batch, not awaited, " + RawRedis.WINDOW
            + " messages outstanding) and raw-stream-xadd (raw's XADDs flushed per batch, not awaited, "
            + RawRedis.WINDOW + " outstanding)");
  }

  static String lettuceVersion() {
    String v = RedisClient.class.getPackage().getImplementationVersion();
    return v == null ? "(version unknown)" : v;
  }

  /**
   * Each pair compared in the summary runs back to back (raw-lua then library, library then
   * library-async, library-async then raw-stream), except the floors raw and raw-stream-xadd, one round
   * away.
   */
  @Override
  public List<Contender> contenders() {
    return List.of(raw, rawScript, library(), libraryAsync(), rawStream, rawStreamXadd);
  }

  /** The raw-lua side reads exactly as the raw one does: in {@code read} it would only repeat it. */
  @Override
  public boolean takesPart(Contender side, Scenario scenario) {
    return !(side == rawScript && scenario == Scenario.READ);
  }

  @Override
  Contender prefiller() {
    return prefill;
  }

  @Override
  public void check(String buffer, Scenario scenario, Contender side, int expected) {
    requireStored(buffer, expected);
    boolean deduplicates = side instanceof Library || (side instanceof RawRedis r && r.deduplicates());
    if (deduplicates && scenario != Scenario.READ) {
      requireRemembered(buffer, expected);
    }
    if (scenario != Scenario.WRITE) {
      requireAllAcked(buffer);
    }
  }

  @Override
  void requireStored(String buffer, int expected) {
    long length = control.xlen(RawRedis.bytes(BufferNames.redisStreamKey(buffer)));
    if (length != expected) {
      throw new BenchFailure("stream " + BufferNames.redisStreamKey(buffer) + " holds " + length
          + " entries, expected exactly " + expected);
    }
  }

  /** Every written message's id is in the de-dup hashes: a later copy would be refused. */
  private void requireRemembered(String buffer, int expected) {
    long remembered = 0;
    for (byte[] bucket : control.smembers(RawRedis.bytes(BufferNames.redisStreamKey(buffer) + ":dedup"))) {
      remembered += control.hlen(bucket);
    }
    if (remembered != expected) {
      throw new BenchFailure("buffer '" + buffer + "' remembers " + remembered + " message ids for de-duplication, expected "
          + expected);
    }
  }

  /** Nothing pending in the group, and its last delivered entry is the stream's last entry. */
  private void requireAllAcked(String buffer) {
    byte[] stream = RawRedis.bytes(BufferNames.redisStreamKey(buffer));
    byte[] group = RawRedis.bytes(BufferNames.redisGroup(buffer));
    long pending = control.xpending(stream, group).getCount();
    List<StreamMessage<byte[], byte[]>> last = control.xrevrange(stream, Range.create("-", "+"), Limit.from(1));
    String lastId = last.isEmpty() ? "0-0" : last.get(0).getId();
    String delivered = lastDeliveredId(control.xinfoGroups(stream), BufferNames.redisGroup(buffer));
    if (pending != 0 || !lastId.equals(delivered)) {
      throw new BenchFailure("group " + BufferNames.redisGroup(buffer) + " still has " + pending
          + " pending entries, and has delivered up to " + delivered + " of a stream ending at " + lastId);
    }
  }

  private static String lastDeliveredId(List<Object> groups, String group) {
    for (Object g : groups) {
      if (g instanceof List<?> fields) {
        String name = null;
        String delivered = null;
        for (int i = 0; i + 1 < fields.size(); i += 2) {
          String field = text(fields.get(i));
          if (field.equals("name")) {
            name = text(fields.get(i + 1));
          } else if (field.equals("last-delivered-id")) {
            delivered = text(fields.get(i + 1));
          }
        }
        if (group.equals(name)) {
          return delivered;
        }
      }
    }
    throw new BenchFailure("group " + group + " is missing");
  }

  private static String text(Object value) {
    return value instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(value);
  }
}
