package dev.isb.vertex;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isb.BufferConfig;
import dev.isb.IsbClient;
import dev.isb.IsbOptions;
import dev.isb.Storage;
import dev.isb.testkit.Await;
import dev.isb.testkit.NatsServerExtension;
import dev.isb.watermark.ProcessorState;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("Watermarks when a replica stops, on a real JetStream server")
class JetStreamWatermarkFaultsTest {

  @RegisterExtension
  static final NatsServerExtension NATS = NatsServerExtension.single();

  private static final BufferConfig.Bucket BUCKET = new BufferConfig.Bucket(0, 1, Duration.ofHours(1), 0,
      Storage.MEMORY, 1);
  private static final BufferConfig CONFIG = BufferConfig.defaults().toBuilder()
      .stream(BufferConfig.Stream.defaults().toBuilder().replicas(1).storage(Storage.MEMORY).build())
      .consumer(new BufferConfig.Consumer(Duration.ofSeconds(2), 25_000))
      .otBucket(BUCKET).procBucket(BUCKET).build();

  @Test
  @DisplayName("three replicas, one stopped: its last watermark holds the downstream one back until Numaflow's "
      + "50 s deletion threshold, then it resumes; nothing is read twice")
  void stoppedReplicaIsDroppedAfterTheThreshold() throws Exception {
    try (WatermarkPipeline p = new WatermarkPipeline(
        () -> IsbClient.open(IsbOptions.builder().backend("jetstream").url(NATS.url()).build()), CONFIG)) {
      p.openDownstream();
      p.startUpstream();
      Forwarder last = null;
      for (int replica = 0; replica < 3; replica++) {
        last = p.startMap(replica);
      }
      Await.until(Duration.ofSeconds(30), () -> "downstream watermark advancing, is " + p.downstreamWatermark(),
          () -> p.readDownstream() > 0 && p.downstreamProcessors().size() == 3);

      last.close();
      // Numaflow counts from when a processor was last seen (its newest entry's creation), which can be
      // a little before the close: a replica publishes only when it writes.
      long lastSeen = p.downstreamProcessors().stream().filter(s -> s.name().equals("map-2")).findFirst()
          .orElseThrow().lastSeenMillis();
      // What the stopped replica last published is at most what the upstream had published by now, and
      // its newest entry stays in every lookup until it is deleted: the watermark cannot pass it.
      long ceiling = p.upstreamWatermark();
      while (System.currentTimeMillis() < lastSeen + 45_000) {
        assertThat(p.readDownstream()).as("downstream watermark while the stopped replica is not yet deleted")
            .isLessThanOrEqualTo(ceiling);
      }
      long target = p.upstreamWatermark();
      Await.until(Duration.ofSeconds(40), () -> "downstream watermark past " + target + " once the stopped "
          + "replica is deleted, is " + p.downstreamWatermark(), () -> p.readDownstream() > target);
      assertThat(System.currentTimeMillis() - lastSeen).as("ms from the stopped replica's last put until the "
          + "watermark moved on").isGreaterThan(50_000);
      assertThat(p.downstreamProcessors()).extracting(ProcessorState::name).as("the stopped replica is forgotten")
          .containsExactlyInAnyOrder("map-0", "map-1");

      p.stopUpstreamAndDrain(Duration.ofSeconds(30), true);
    }
  }
}
