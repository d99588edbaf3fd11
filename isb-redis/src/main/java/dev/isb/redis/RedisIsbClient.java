package dev.isb.redis;

import dev.isb.BufferAdmin;
import dev.isb.BufferNotFoundException;
import dev.isb.BufferReader;
import dev.isb.BufferWriter;
import dev.isb.IsbClient;
import dev.isb.IsbOptions;
import dev.isb.ReaderOptions;
import dev.isb.WriterOptions;
import dev.isb.spi.OpenHandles;
import dev.isb.wire.BufferNames;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A client on one lettuce client: writers, acks and admin share one connection (lettuce pipelines
 * the commands of all threads on it); each reader adds one for its blocking reads.
 */
final class RedisIsbClient implements IsbClient {

  private final RedisConnector connector;
  private final StatefulConnection<byte[], byte[]> shared;
  private final RedisClusterCommands<byte[], byte[]> redis;
  private final ScheduledExecutorService scheduler;
  private final RedisBufferAdmin admin;
  private final OpenHandles handles = new OpenHandles("Redis ISB client");

  /** Durability: after each write, wait until this many replicas have it (0: do not wait). */
  record Durability(int replicas, Duration timeout) {
    static Durability of(IsbOptions options) {
      String replicas = options.property("wait.replicas", "0");
      String timeout = options.property("wait.timeoutMillis", "1000");
      try {
        int n = Integer.parseInt(replicas);
        long ms = Long.parseLong(timeout);
        if (n < 0 || ms <= 0) {
          throw new NumberFormatException();
        }
        return new Durability(n, Duration.ofMillis(ms));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("wait.replicas was '" + replicas + "' and wait.timeoutMillis was '"
            + timeout + "' but they must be a whole number >= 0 and a positive number of milliseconds");
      }
    }
  }

  private final Durability durability;

  RedisIsbClient(RedisConnector connector, Durability durability) {
    this.connector = connector;
    this.durability = durability;
    this.shared = connector.connect();
    this.redis = RedisConnector.commands(shared);
    this.admin = new RedisBufferAdmin(redis, handles::requireOpen);
    this.scheduler = OpenHandles.timer("isb-redis-timer");
  }

  RedisClusterCommands<byte[], byte[]> redis() {
    return redis;
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
  public String backend() {
    return RedisBackend.NAME;
  }

  @Override
  public BufferAdmin admin() {
    handles.requireOpen();
    return admin;
  }

  @Override
  public BufferWriter writer(String buffer, WriterOptions options) {
    Objects.requireNonNull(options, "options");
    handles.requireOpen();
    BufferNames.requireValid(buffer);
    return handles.open(onClose -> new RedisBufferWriter(this, buffer, options, onClose));
  }

  @Override
  public BufferReader reader(String buffer, ReaderOptions options) {
    Objects.requireNonNull(options, "options");
    handles.requireOpen();
    BufferNames.requireValid(buffer);
    return handles.open(onClose -> new RedisBufferReader(this, buffer, options, onClose));
  }

  /** Closes writers and readers, then the connections, the lettuce client and the timer thread. */
  @Override
  public void close() {
    if (!handles.close()) {
      return;
    }
    scheduler.shutdownNow();
    shared.close();
    connector.close();
  }


  @Override
  public String toString() {
    return "RedisIsbClient{" + connector + '}';
  }
}
