package dev.isb.jetstream;

import dev.isb.BufferAdmin;
import dev.isb.BufferReader;
import dev.isb.BufferWriter;
import dev.isb.ReaderOptions;
import dev.isb.Redaction;
import dev.isb.WriterOptions;
import dev.isb.spi.AbstractIsbClient;
import dev.isb.spi.OpenHandles;
import dev.isb.watermark.WatermarkStore;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamManagement;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A client on one NATS connection: its writers, readers and watermark stores share the connection and
 * one timer thread.
 */
final class JetStreamIsbClient extends AbstractIsbClient {

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

  JetStreamIsbClient(Connection connection, Settings settings) throws IOException {
    super(JetStreamBackend.NAME, "JetStream ISB client");
    this.connection = connection;
    this.settings = settings;
    this.jetStream = connection.jetStream();
    this.management = connection.jetStreamManagement();
    this.admin = new JetStreamBufferAdmin(management, connection.keyValueManagement(), this::requireOpen);
    this.scheduler = OpenHandles.timer("isb-jetstream-timer");
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
  protected BufferWriter newWriter(String buffer, WriterOptions options, Runnable onClose) {
    return new JetStreamBufferWriter(this, buffer, options, onClose);
  }

  @Override
  protected BufferReader newReader(String buffer, ReaderOptions options, Runnable onClose) {
    return new JetStreamBufferReader(this, buffer, options, onClose);
  }

  @Override
  protected WatermarkStore newWatermarkStore(String bucket, Runnable onClose) {
    return new JetStreamWatermarkStore(this, bucket, onClose);
  }

  @Override
  protected BufferAdmin buffers() {
    return admin;
  }

  /** After the writers (their acks drained), readers and watermark stores closed: the connection, the timer. */
  @Override
  protected void release() {
    scheduler.shutdownNow();
    try {
      connection.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    // jnats' connected URL keeps the user info ("nats://user:password@host") of the URL it was given.
    return "JetStreamIsbClient{" + Redaction.address(String.valueOf(connection.getConnectedUrl())) + '}';
  }
}
