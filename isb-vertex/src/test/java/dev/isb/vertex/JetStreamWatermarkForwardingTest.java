package dev.isb.vertex;

import dev.isb.BufferConfig;
import dev.isb.IsbClient;
import dev.isb.IsbOptions;
import dev.isb.Storage;
import dev.isb.testkit.NatsServerExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("Watermarks through a forwarder, on a real JetStream server")
class JetStreamWatermarkForwardingTest extends WatermarkForwardingContract {

  @RegisterExtension
  static final NatsServerExtension NATS = NatsServerExtension.single();

  private static final BufferConfig.Bucket BUCKET = new BufferConfig.Bucket(0, 1, java.time.Duration.ofHours(1), 0,
      Storage.MEMORY, 1);

  @Override
  IsbClient newClient() {
    return IsbClient.open(IsbOptions.builder().backend("jetstream").url(NATS.url()).build());
  }

  @Override
  BufferConfig config() {
    return BufferConfig.defaults().toBuilder()
        .stream(BufferConfig.Stream.defaults().toBuilder().replicas(1).storage(Storage.MEMORY).build())
        .otBucket(BUCKET).procBucket(BUCKET).build();
  }
}
