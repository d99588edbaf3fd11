package dev.isb.vertex;

import dev.isb.BufferConfig;
import dev.isb.IsbClient;
import dev.isb.memory.InMemoryIsb;
import org.junit.jupiter.api.DisplayName;

@DisplayName("Watermarks through a forwarder, on the in-memory ISB")
class InMemoryWatermarkForwardingTest extends WatermarkForwardingContract {

  @Override
  IsbClient newClient() {
    return InMemoryIsb.create();
  }

  @Override
  BufferConfig config() {
    return BufferConfig.defaults();
  }
}
