package dev.isb.jetstream;

import dev.isb.spi.WatchFeed;
import dev.isb.watermark.WatermarkStore.Op;
import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.KeyValueWatcher;
import io.nats.client.impl.NatsKeyValueWatchSubscription;
import java.io.IOException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One watch of a JetStream key/value bucket: jnats' watch of every key with its current values, fed
 * to a {@link WatchFeed}, and started again, replaying the current values, when its store asks (the
 * connection came back).
 *
 * <p>Design: jnats watches through an ordered push consumer, which jnats recreates by itself after a
 * gap or a server that lost it, but only once its heartbeat alarm fires: 15 to 30 s after the last
 * message (three missed 5 s heartbeats, checked every 15 s), measured at about 30 s after a restart
 * of nats-server. Starting the watch again as soon as the connection has resubscribed brings it back
 * within a second or two. Each start is a run of the feed, so what an older subscription still
 * delivers is dropped. Starts are serialized by a lock; one that fails (JetStream still starting up)
 * is tried again, waiting twice as long each time up to {@value #MAX_RETRY_SECONDS} s, until it
 * succeeds or the watch closes.
 */
final class JetStreamWatch implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(JetStreamWatch.class.getName());
  private static final Duration FIRST_RETRY = Duration.ofMillis(250);
  private static final int MAX_RETRY_SECONDS = 5;
  private static final byte[] NO_VALUE = new byte[0];

  private final String bucket;
  private final KeyValue kv;
  private final WatchFeed feed;
  private final ScheduledExecutorService scheduler;
  private final ReentrantLock starting = new ReentrantLock();
  private final AtomicReference<NatsKeyValueWatchSubscription> subscription = new AtomicReference<>();
  private final AtomicBoolean closed = new AtomicBoolean();

  JetStreamWatch(String bucket, KeyValue kv, WatchFeed feed, ScheduledExecutorService scheduler) {
    this.bucket = bucket;
    this.kv = kv;
    this.feed = feed;
    this.scheduler = scheduler;
  }

  /** Starts the first run; its failure is thrown, translated. */
  void start() {
    starting.lock();
    try {
      JetStreamErrors.call(bucket, "watching the bucket", () -> {
        subscribe(feed.run());
        return null;
      });
    } finally {
      starting.unlock();
    }
  }

  /** Starts the watch again in the background (the connection came back): a new run that replays current values. */
  void restartSoon() {
    schedule(FIRST_RETRY, Duration.ZERO);
  }

  private void schedule(Duration nextRetry, Duration delay) {
    if (closed.get()) {
      return;
    }
    try {
      scheduler.schedule(() -> restart(nextRetry), delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException clientClosing) {
      // The client closes, and this watch with it.
    }
  }

  private void restart(Duration retry) {
    starting.lock();
    try {
      if (closed.get()) {
        return;
      }
      unsubscribe(subscription.getAndSet(null));
      subscribe(feed.restart());
    } catch (IOException | JetStreamApiException | RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "starting the watch of bucket '" + bucket + "' again failed, next try in "
          + retry.toMillis() + " ms: " + e);
      Duration next = retry.multipliedBy(2);
      schedule(next.getSeconds() >= MAX_RETRY_SECONDS ? Duration.ofSeconds(MAX_RETRY_SECONDS) : next, retry);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      starting.unlock();
    }
  }

  private void subscribe(int run) throws IOException, JetStreamApiException, InterruptedException {
    subscription.set(kv.watchAll(new Feeder(feed, run)));
    if (closed.get()) {
      unsubscribe(subscription.getAndSet(null));
    }
  }

  private static void unsubscribe(NatsKeyValueWatchSubscription s) {
    if (s != null) {
      try {
        s.unsubscribe();
      } catch (RuntimeException e) {
        // Closed connection: the subscription is gone with it.
        LOG.log(System.Logger.Level.DEBUG, "unsubscribing a bucket watch failed: " + e);
      }
    }
  }

  /** Stops the watch; idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    unsubscribe(subscription.getAndSet(null));
  }

  /** Turns jnats' entries into the feed's, for one run. */
  private record Feeder(WatchFeed feed, int run) implements KeyValueWatcher {
    @Override
    public void watch(KeyValueEntry entry) {
      byte[] value = entry.getValue();
      feed.entry(run, op(entry), entry.getKey(), value == null ? NO_VALUE : value, millis(entry.getCreated()));
    }

    @Override
    public void endOfData() {
      feed.caughtUp(run);
    }

    private static Op op(KeyValueEntry entry) {
      return switch (entry.getOperation()) {
        case PUT -> Op.PUT;
        case DELETE -> Op.DELETE;
        case PURGE -> Op.PURGE;
      };
    }

    private static long millis(ZonedDateTime created) {
      return created == null ? 0 : created.toInstant().toEpochMilli();
    }
  }

  @Override
  public String toString() {
    return "JetStreamWatch{" + bucket + (closed.get() ? ", closed}" : "}");
  }
}
