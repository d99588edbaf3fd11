package dev.isb.redis;

import dev.isb.BufferAdmin;
import dev.isb.BufferNames;
import dev.isb.BufferNotFoundException;
import dev.isb.BufferReader;
import dev.isb.BufferWriter;
import dev.isb.IsbClient;
import dev.isb.ReaderOptions;
import dev.isb.WriterOptions;
import dev.isb.IsbOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

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
  private final Set<AutoCloseable> open = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();

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
    this.admin = new RedisBufferAdmin(redis, this::requireOpen);
    var executor = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = Executors.defaultThreadFactory().newThread(r);
      t.setName("isb-redis-timer");
      t.setDaemon(true);
      return t;
    });
    executor.setRemoveOnCancelPolicy(true);
    executor.setKeepAliveTime(1, TimeUnit.SECONDS);
    executor.allowCoreThreadTimeOut(true);
    this.scheduler = executor;
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
    requireOpen();
    return admin;
  }

  @Override
  public BufferWriter writer(String buffer, WriterOptions options) {
    Objects.requireNonNull(options, "options");
    requireOpen();
    BufferNames.requireValid(buffer);
    var handle = new AutoCloseable[1];
    var writer = new RedisBufferWriter(this, buffer, options, () -> open.remove(handle[0]));
    handle[0] = writer;
    return register(writer);
  }

  @Override
  public BufferReader reader(String buffer, ReaderOptions options) {
    Objects.requireNonNull(options, "options");
    requireOpen();
    BufferNames.requireValid(buffer);
    var handle = new AutoCloseable[1];
    var reader = new RedisBufferReader(this, buffer, options, () -> open.remove(handle[0]));
    handle[0] = reader;
    return register(reader);
  }

  private <T extends AutoCloseable> T register(T handle) {
    open.add(handle);
    if (closed.get()) {
      closeQuietly(handle);
      throw new IllegalStateException("Redis ISB client is closed");
    }
    return handle;
  }

  private void requireOpen() {
    if (closed.get()) {
      throw new IllegalStateException("Redis ISB client is closed");
    }
  }

  /** Closes writers and readers, then the connections, the lettuce client and the timer thread. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (AutoCloseable handle : List.copyOf(open)) {
      closeQuietly(handle);
    }
    open.clear();
    scheduler.shutdownNow();
    shared.close();
    connector.close();
  }

  private static void closeQuietly(AutoCloseable handle) {
    try {
      handle.close();
    } catch (Exception e) {
      System.getLogger(RedisIsbClient.class.getName())
          .log(System.Logger.Level.WARNING, "closing " + handle + " failed", e);
    }
  }

  @Override
  public String toString() {
    return "RedisIsbClient{" + connector + '}';
  }
}
