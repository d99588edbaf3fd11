package dev.isb.jetstream;

import dev.isb.BufferNotFoundException;
import dev.isb.spi.AbstractWatermarkStore;
import dev.isb.spi.WatchFeed;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One JetStream key/value bucket ({@code KV_<bucket>}) as Numaflow's watermark publishers and
 * fetchers use it: a put is a JetStream publish to {@code $KV.<bucket>.<key>}, exactly what a jnats
 * or async-nats {@code put} sends, but asynchronous; a watch is jnats' watch of every key, which
 * starts with the current values ({@link JetStreamWatch}), started again whenever the connection
 * comes back. Thread-safe.
 */
final class JetStreamWatermarkStore extends AbstractWatermarkStore {

  private final Connection connection;
  private final JetStream js;
  private final KeyValue kv;
  private final String subjectPrefix;
  private final Duration publishTimeout;
  private final ScheduledExecutorService scheduler;
  private final Set<JetStreamWatch> watches = ConcurrentHashMap.newKeySet();
  private final ConnectionListener reconnects = this::onConnectionEvent;

  JetStreamWatermarkStore(JetStreamIsbClient client, String bucket, Runnable onClose) {
    super(bucket, onClose);
    this.connection = client.connection();
    this.js = client.jetStream();
    this.scheduler = client.scheduler();
    this.publishTimeout = client.settings().publishTimeout();
    this.subjectPrefix = "$KV." + bucket + '.';
    this.kv = JetStreamErrors.call(bucket, "opening the watermark bucket", () -> open(client, bucket));
    connection.addConnectionListener(reconnects);
  }

  /** The bucket's KeyValue; jnats reads the stream's info to make one, and wraps its errors in IOException. */
  private static KeyValue open(JetStreamIsbClient client, String bucket) throws IOException, JetStreamApiException {
    try {
      return client.connection().keyValue(bucket);
    } catch (IOException e) {
      if (e.getCause() instanceof JetStreamApiException api) {
        if (JetStreamErrors.isNotFound(api)) {
          throw BufferNotFoundException.bucket(bucket, api);
        }
        throw api;
      }
      throw e;
    }
  }

  @Override
  protected CompletableFuture<Void> putValue(String key, byte[] value) {
    String what = "putting watermark key '" + key + "'";
    var stored = new CompletableFuture<Void>();
    try {
      js.publishAsync(subjectPrefix + key, value)
          .orTimeout(publishTimeout.toNanos(), TimeUnit.NANOSECONDS)
          .whenComplete((ack, error) -> {
            if (error == null) {
              stored.complete(null);
            } else {
              stored.completeExceptionally(JetStreamErrors.translate(bucket, what, error));
            }
          });
    } catch (RuntimeException e) {
      // Closed connection, or a value larger than the server's max_payload.
      stored.completeExceptionally(JetStreamErrors.translate(bucket, what, e));
    }
    return stored;
  }

  @Override
  protected void deleteKey(String key) {
    JetStreamErrors.call(bucket, "deleting watermark key '" + key + "'", () -> {
      kv.delete(key);
      return null;
    });
  }

  @Override
  protected AutoCloseable startWatch(WatchFeed feed) {
    var watch = new JetStreamWatch(bucket, kv, feed, scheduler);
    watches.add(watch);
    try {
      watch.start();
    } catch (RuntimeException e) {
      watches.remove(watch);
      throw e;
    }
    return () -> {
      watches.remove(watch);
      watch.close();
    };
  }

  /** Starts every watch again once the connection has come back and resubscribed. */
  private void onConnectionEvent(Connection connection, ConnectionListener.Events event) {
    if (event == ConnectionListener.Events.RESUBSCRIBED) {
      watches.forEach(JetStreamWatch::restartSoon);
    }
  }

  @Override
  protected void release() {
    connection.removeConnectionListener(reconnects);
  }

  @Override
  public String toString() {
    return "JetStreamWatermarkStore{" + bucket + '}';
  }
}
