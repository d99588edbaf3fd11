package dev.isb.jetstream;

import dev.isb.BufferAdmin;
import dev.isb.BufferNames;
import dev.isb.BufferReader;
import dev.isb.BufferWriter;
import dev.isb.IsbClient;
import dev.isb.ReaderOptions;
import dev.isb.WriterOptions;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamManagement;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** A client on one NATS connection: its writers and readers share the connection and one timer thread. */
final class JetStreamIsbClient implements IsbClient {

  /** Timeouts and limits of a client. */
  record Settings(Duration publishTimeout, Duration ackTimeout, int maxOutstandingPublishes) {
    static final Settings DEFAULTS = new Settings(Duration.ofSeconds(5), Duration.ofSeconds(5), 1024);
  }

  private final Connection connection;
  private final JetStream jetStream;
  private final JetStreamManagement management;
  private final Settings settings;
  private final ScheduledExecutorService scheduler;
  private final JetStreamBufferAdmin admin;
  private final Set<AutoCloseable> open = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();

  JetStreamIsbClient(Connection connection, Settings settings) throws IOException {
    this.connection = connection;
    this.settings = settings;
    this.jetStream = connection.jetStream();
    this.management = connection.jetStreamManagement();
    this.admin = new JetStreamBufferAdmin(management, connection.keyValueManagement(), this::requireOpen);
    var executor = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = Executors.defaultThreadFactory().newThread(r);
      t.setName("isb-jetstream-timer");
      t.setDaemon(true);
      return t;
    });
    executor.setRemoveOnCancelPolicy(true);
    executor.setKeepAliveTime(1, TimeUnit.SECONDS);
    executor.allowCoreThreadTimeOut(true);
    this.scheduler = executor;
  }

  Connection connection() {
    return connection;
  }

  JetStream jetStream() {
    return jetStream;
  }

  JetStreamManagement management() {
    return management;
  }

  Settings settings() {
    return settings;
  }

  ScheduledExecutorService scheduler() {
    return scheduler;
  }

  @Override
  public String backend() {
    return JetStreamBackend.NAME;
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
    var writer = new JetStreamBufferWriter(this, buffer, options, () -> open.remove(handle[0]));
    handle[0] = writer;
    return register(writer);
  }

  @Override
  public BufferReader reader(String buffer, ReaderOptions options) {
    Objects.requireNonNull(options, "options");
    requireOpen();
    BufferNames.requireValid(buffer);
    var handle = new AutoCloseable[1];
    var reader = new JetStreamBufferReader(this, buffer, options, () -> open.remove(handle[0]));
    handle[0] = reader;
    return register(reader);
  }

  private <T extends AutoCloseable> T register(T handle) {
    open.add(handle);
    if (closed.get()) {
      closeQuietly(handle);
      throw new IllegalStateException("JetStream ISB client is closed");
    }
    return handle;
  }

  private void requireOpen() {
    if (closed.get()) {
      throw new IllegalStateException("JetStream ISB client is closed");
    }
  }

  /** Closes writers (draining their acks) and readers, then the connection and the timer thread. */
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
    try {
      connection.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void closeQuietly(AutoCloseable handle) {
    try {
      handle.close();
    } catch (Exception e) {
      System.getLogger(JetStreamIsbClient.class.getName())
          .log(System.Logger.Level.WARNING, "closing " + handle + " failed", e);
    }
  }

  @Override
  public String toString() {
    return "JetStreamIsbClient{" + connection.getConnectedUrl() + '}';
  }
}
