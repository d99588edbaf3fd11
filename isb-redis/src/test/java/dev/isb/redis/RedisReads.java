package dev.isb.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isb.BufferReader;
import dev.isb.ReadMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Reading in the Redis tests: a read returns what is there, so a test that wants n messages reads until they came. */
final class RedisReads {

  private static final Duration PATIENCE = Duration.ofSeconds(10);

  private RedisReads() {}

  /** Reads until {@code n} messages came, failing if they do not within 10 seconds. */
  static List<ReadMessage> readExactly(BufferReader reader, int n) {
    var got = new ArrayList<ReadMessage>();
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (got.size() < n && System.nanoTime() - deadline < 0) {
      got.addAll(reader.read(n - got.size(), Duration.ofMillis(200)));
    }
    assertThat(got).as("messages read from %s", reader.buffer()).hasSize(n);
    return got;
  }
}
