package dev.isb.vertex;

import dev.isb.BufferConfig;
import dev.isb.IsbClient;
import dev.isb.IsbOptions;
import dev.isb.Storage;
import dev.isb.servers.NatsServer;
import dev.isb.testkit.Await;
import dev.isb.testkit.NatsServerExtension;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("Watermarks on a 3-node JetStream cluster")
class JetStreamClusterWatermarkTest {

  @RegisterExtension
  static final NatsServerExtension NATS = NatsServerExtension.cluster(3);

  private static final BufferConfig.Bucket BUCKET = new BufferConfig.Bucket(0, 1, Duration.ofHours(1), 0,
      Storage.FILE, 3);
  private static final BufferConfig CONFIG = BufferConfig.defaults().toBuilder()
      .stream(BufferConfig.Stream.defaults().toBuilder().replicas(3).build())
      .consumer(new BufferConfig.Consumer(Duration.ofSeconds(5), 25_000))
      .otBucket(BUCKET).procBucket(BUCKET).build();

  @Test
  @DisplayName("with the meta leader killed, the downstream watermark keeps advancing and every message arrives")
  void nodeKilled() throws Exception {
    try (WatermarkPipeline p = new WatermarkPipeline(
        () -> IsbClient.open(IsbOptions.builder().backend("jetstream").url(NATS.url()).build()), CONFIG)) {
      p.openDownstream();
      p.startUpstream();
      p.startMap(0);
      Await.until(Duration.ofSeconds(30), () -> "downstream watermark known, is " + p.downstreamWatermark(),
          () -> p.readDownstream() > 0);

      NatsServer victim = NATS.cluster().awaitMetaLeader(Duration.ofSeconds(10));
      victim.kill();
      long afterKill = p.upstreamWatermark() + 5_000;
      Await.until(Duration.ofSeconds(60), () -> "downstream watermark past " + afterKill + " with "
          + victim.serverName() + " down, is " + p.downstreamWatermark(), () -> p.readDownstream() > afterKill);

      p.stopUpstreamAndDrain(Duration.ofSeconds(60), false);
    }
  }
}
