package dev.isb.jetstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isb.BufferConfig;
import dev.isb.IsbClient;
import dev.isb.IsbOptions;
import dev.isb.Storage;
import dev.isb.testkit.History;
import dev.isb.testkit.NatsServerExtension;
import dev.isb.testkit.Workload;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Faults on a single JetStream server (file storage) under a running writer and reader, checked
 * against the recorded history. The figures are printed for docs/reliability.md.
 */
@DisplayName("JetStream single server under faults")
class JetStreamServerFaultsTest {

  @RegisterExtension
  static final NatsServerExtension NATS = NatsServerExtension.single();

  private static final Duration PROGRESS = Duration.ofSeconds(60);
  private static final BufferConfig FILE = StreamConfigs.withStream(1, Storage.FILE).toBuilder()
      .consumer(new BufferConfig.Consumer(Duration.ofSeconds(3), 25_000))
      .build();

  @AfterEach
  void resume() {
    if (NATS.server().isPaused()) {
      NATS.server().resume();
    }
  }

  private static String newBuffer(IsbClient client) {
    String buffer = "ns-faults-s" + UUID.randomUUID().toString().substring(0, 8) + "-0";
    client.admin().createBuffers(List.of(buffer), FILE);
    return buffer;
  }

  private static IsbClient client() {
    return IsbClient.open(IsbOptions.builder().backend("jetstream").url(NATS.url()).build());
  }

  @Test
  @DisplayName("kill -9 and restart mid-stream, twice: nothing acknowledged is lost, nothing stored twice")
  void killAndRestart() {
    try (IsbClient client = client()) {
      String buffer = newBuffer(client);
      History.Report report;
      try (Workload load = Workload.start(client, buffer, Workload.Options.defaults())) {
        for (int kill = 1; kill <= 2; kill++) {
          load.awaitAcknowledged(load.history().acknowledgedCount() + 500, PROGRESS);
          NATS.server().kill();
          NATS.server().restart();
          load.awaitReads(300, PROGRESS);
        }
        report = load.drain(Duration.ofMinutes(1));
      }
      System.out.println("[reliability] JetStream single server (file), killed and restarted twice: " + report);
      assertThat(report.holds()).as(report.toString()).isTrue();
      assertThat(report.acknowledged()).isGreaterThan(1_000);
    }
  }

  @Test
  @DisplayName("a server paused (SIGSTOP): writes fail retryably instead of hanging, work resumes after SIGCONT, "
      + "nothing acknowledged is lost, nothing stored twice")
  void pauseAndResume() {
    try (IsbClient client = client()) {
      String buffer = newBuffer(client);
      History.Report report;
      try (Workload load = Workload.start(client, buffer, Workload.Options.defaults())) {
        load.awaitAcknowledged(500, PROGRESS);
        NATS.server().pause();
        long paused = System.nanoTime();
        // Calls must come back as retryable failures while the server is frozen, not hang.
        load.awaitWriteFailures(1, Duration.ofSeconds(30));
        Duration toFirstFailure = Duration.ofNanos(System.nanoTime() - paused);
        NATS.server().resume();
        load.awaitAcknowledged(load.history().acknowledgedCount() + 500, PROGRESS);
        load.awaitReads(300, PROGRESS);
        report = load.drain(Duration.ofMinutes(1));
        System.out.println("[reliability] JetStream single server, paused until a write failed ("
            + toFirstFailure.toMillis() + " ms): " + report);
      }
      assertThat(report.holds()).as(report.toString()).isTrue();
    }
  }
}
