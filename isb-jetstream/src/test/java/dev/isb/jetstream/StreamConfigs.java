package dev.isb.jetstream;

import dev.isb.BufferConfig;
import dev.isb.Storage;

/** The buffer configurations the JetStream tests start from: the defaults but for the stream's replicas and storage. */
final class StreamConfigs {

  /** One replica in memory: what a test on a single server needs unless it restarts the server. */
  static final BufferConfig MEMORY = withStream(1, Storage.MEMORY);

  private StreamConfigs() {}

  /** The default configuration with a stream of {@code replicas} replicas kept in {@code storage}. */
  static BufferConfig withStream(int replicas, Storage storage) {
    return BufferConfig.defaults().toBuilder()
        .stream(BufferConfig.Stream.defaults().toBuilder().replicas(replicas).storage(storage).build())
        .build();
  }
}
