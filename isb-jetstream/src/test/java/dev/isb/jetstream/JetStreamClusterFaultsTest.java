package dev.isb.jetstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isb.BufferConfig;
import dev.isb.IsbClient;
import dev.isb.IsbOptions;
import dev.isb.Storage;
import dev.isb.servers.NatsServer;
import dev.isb.testkit.History;
import dev.isb.testkit.NatsServerExtension;
import dev.isb.testkit.Workload;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Faults on a 3-node JetStream cluster under a running writer and reader, checked against the
 * recorded history (see {@link History}). The figures are printed for docs/reliability.md.
 */
@DisplayName("JetStream 3-node cluster under faults")
class JetStreamClusterFaultsTest {

  @RegisterExtension
  static final NatsServerExtension NATS = NatsServerExtension.cluster(3);

  private static final Duration PROGRESS = Duration.ofSeconds(60);
  private static final BufferConfig REPLICATED = StreamConfigs.withStream(3, Storage.FILE).toBuilder()
      .consumer(new BufferConfig.Consumer(Duration.ofSeconds(3), 25_000))
      .build();

  @Test
  @DisplayName("kill -9 of the stream leader, three times, restarting it each time: nothing acknowledged is "
      + "lost, nothing is stored twice, and the reader resumes after each kill")
  void killStreamLeaderRepeatedly() throws Exception {
    String buffer = "ns-faults-l" + UUID.randomUUID().toString().substring(0, 8) + "-0";
    try (IsbClient client = IsbClient.open(IsbOptions.builder().backend("jetstream").url(NATS.url()).build())) {
      client.admin().createBuffers(List.of(buffer), REPLICATED);
      History.Report report;
      try (Workload load = Workload.start(client, buffer, Workload.Options.defaults())) {
        load.awaitAcknowledged(500, PROGRESS);
        for (int kill = 1; kill <= 3; kill++) {
          NatsServer leader = streamLeader(buffer);
          leader.kill();
          load.awaitAcknowledged(load.history().acknowledgedCount() + 300, PROGRESS);
          load.awaitReads(300, PROGRESS);
          leader.restart();
          load.awaitReads(300, PROGRESS);
        }
        report = load.drain(Duration.ofMinutes(2));
      }
      System.out.println("[reliability] JetStream R3 cluster, stream leader killed 3 times: " + report);
      assertThat(report.lost()).as(report.toString()).isEmpty();
      assertThat(report.duplicated()).as(report.toString()).isEmpty();
      assertThat(report.acknowledged()).isGreaterThan(1_500);
    }
  }

  /** The node that leads the stream now, found by asking any live node. */
  private static NatsServer streamLeader(String stream) throws Exception {
    Options options = new Options.Builder().servers(NATS.url().split(",")).connectionTimeout(Duration.ofSeconds(5))
        .build();
    Connection nc = Nats.connect(options);
    try {
      JetStreamManagement jsm = nc.jetStreamManagement();
      String leader = jsm.getStreamInfo(stream).getClusterInfo().getLeader();
      return NATS.cluster().nodes().stream().filter(n -> n.serverName().equals(leader)).findFirst()
          .orElseThrow(() -> new IllegalStateException("no node named '" + leader + "'"));
    } finally {
      nc.close();
    }
  }
}
