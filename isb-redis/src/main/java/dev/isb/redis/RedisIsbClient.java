package dev.isb.redis;

import dev.isb.BufferAdmin;
import dev.isb.BufferNotFoundException;
import dev.isb.BufferReader;
import dev.isb.BufferWriter;
import dev.isb.IsbOptions;
import dev.isb.ReaderOptions;
import dev.isb.WriterOptions;
import dev.isb.spi.AbstractIsbClient;
import dev.isb.spi.OpenHandles;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A client on one lettuce client: writers, acks and admin share one connection (lettuce pipelines
 * the commands of all threads on it); each reader adds one for its blocking reads.
 */
final class RedisIsbClient extends AbstractIsbClient {

  private final RedisConnector connector;
  private final StatefulConnection<byte[], byte[]> shared;
  private final RedisClusterCommands<byte[], byte[]> redis;
  private final RedisClusterAsyncCommands<byte[], byte[]> redisAsync;
  private final ScheduledExecutorService scheduler;
  private final RedisBufferAdmin admin;

  /** Durability: after each write, wait until this many replicas have it (0: do not wait). */
  record Durability(int replicas, Duration timeout) {
    static Durability of(IsbOptions options) {
      String replicas = options.property(RedisBackend.WAIT_REPLICAS.key(), "0");
      String timeout = options.property(RedisBackend.WAIT_TIMEOUT_MILLIS.key(), "1000");
      if (RedisBackend.WAIT_REPLICAS.problem(replicas).isPresent()
          || RedisBackend.WAIT_TIMEOUT_MILLIS.problem(timeout).isPresent()) {
        throw new IllegalArgumentException("wait.replicas was '" + replicas + "' and wait.timeoutMillis was '"
            + timeout + "' but they must be a whole number >= 0 and a positive number of milliseconds");
      }
      return new Durability(Integer.parseInt(replicas), Duration.ofMillis(Long.parseLong(timeout)));
    }
  }

  private final Durability durability;

  RedisIsbClient(RedisConnector connector, Durability durability) {
    super(RedisBackend.NAME, "Redis ISB client");
    this.connector = connector;
    this.durability = durability;
    this.shared = connector.connect();
    this.redis = RedisConnector.commands(shared);
    this.redisAsync = RedisConnector.asyncCommands(shared);
    this.admin = new RedisBufferAdmin(redis, this::requireOpen);
    this.scheduler = OpenHandles.timer("isb-redis-timer");
  }

  RedisClusterCommands<byte[], byte[]> redis() {
    return redis;
  }

  /** The shared connection's commands, without waiting for replies. */
  RedisClusterAsyncCommands<byte[], byte[]> redisAsync() {
    return redisAsync;
  }

  RedisConnector connector() {
    return connector;
  }

  Durability durability() {
    return durability;
  }

  /**
   * {@code WAIT}s on the node that holds the buffer until {@code replicas} replicas have every write
   * made so far on this connection; returns how many did within the timeout.
   */
  long awaitReplicas(RedisKeys keys, int replicas, Duration timeout) {
    if (shared instanceof StatefulRedisClusterConnection<byte[], byte[]> cluster) {
      RedisClusterNode node = cluster.getPartitions().getPartitionBySlot(SlotHash.getSlot(keys.stream()));
      return cluster.getConnection(node.getUri().getHost(), node.getUri().getPort()).sync()
          .waitForReplication(replicas, timeout.toMillis());
    }
    return redis.waitForReplication(replicas, timeout.toMillis());
  }

  ScheduledExecutorService scheduler() {
    return scheduler;
  }

  /** The stored settings of an existing buffer. */
  RedisBufferSettings settings(String buffer) {
    RedisKeys keys = RedisKeys.of(buffer);
    Map<byte[], byte[]> hash = RedisErrors.call(buffer, "reading the buffer's settings", () -> redis.hgetall(keys.config()));
    if (hash.isEmpty()) {
      throw new BufferNotFoundException(buffer, null);
    }
    return RedisBufferSettings.fromHash(buffer, hash);
  }

  @Override
  protected BufferWriter newWriter(String buffer, WriterOptions options, Runnable onClose) {
    return new RedisBufferWriter(this, buffer, options, onClose);
  }

  @Override
  protected BufferReader newReader(String buffer, ReaderOptions options, Runnable onClose) {
    return new RedisBufferReader(this, buffer, options, onClose);
  }

  @Override
  protected BufferAdmin buffers() {
    return admin;
  }

  /** After the writers and readers closed: the connections, the lettuce client and the timer thread. */
  @Override
  protected void release() {
    scheduler.shutdownNow();
    shared.close();
    connector.close();
  }

  @Override
  public String toString() {
    return "RedisIsbClient{" + connector + '}';
  }
}
