package dev.isb.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isb.IsbOptions;
import dev.isb.testkit.NatsServerExtension;
import dev.isb.testkit.RedisServerExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DemoPipelineTest {

  @RegisterExtension
  static final NatsServerExtension NATS = NatsServerExtension.single();

  @RegisterExtension
  static final RedisServerExtension REDIS = RedisServerExtension.standalone();

  @Test
  @DisplayName("the demo pipeline delivers every generated word exactly once, counted per key")
  void deliversEverythingOnce() throws Exception {
    var printed = new ByteArrayOutputStream();
    var demo = new DemoPipeline(IsbOptions.builder().backend("memory").url("memory://demo-test").build(), 2_000,
        new PrintStream(printed, true, StandardCharsets.UTF_8));

    DemoPipeline.Result result = demo.run();

    assertThat(result.written()).isEqualTo(2_000);
    assertThat(result.duplicates()).as("every retried message is refused as a duplicate").isEqualTo(2_000);
    assertThat(result.delivered()).isEqualTo(2_000);
    assertThat(result.countsByKey()).containsOnlyKeys("apple", "banana", "cherry", "damson", "elder")
        .allSatisfy((word, count) -> assertThat(count).isEqualTo(400));
    assertThat(printed.toString(StandardCharsets.UTF_8)).contains("sink received 2000 of 2000").contains("complete");
  }

  @Test
  @DisplayName("the same demo runs unchanged on a real JetStream server")
  void runsOnJetStream() throws Exception {
    var printed = new ByteArrayOutputStream();
    var demo = new DemoPipeline(IsbOptions.builder().backend("jetstream").url(NATS.url()).build(), 1_000,
        new PrintStream(printed, true, StandardCharsets.UTF_8));

    DemoPipeline.Result result = demo.run();

    assertThat(result.complete()).isTrue();
    assertThat(result.duplicates()).isEqualTo(1_000);
    assertThat(printed.toString(StandardCharsets.UTF_8)).contains("backend jetstream");
  }

  @Test
  @DisplayName("the same demo runs unchanged on a real Redis server")
  void runsOnRedis() throws Exception {
    var printed = new ByteArrayOutputStream();
    var demo = new DemoPipeline(IsbOptions.builder().backend("redis").url(REDIS.uri()).build(), 1_000,
        new PrintStream(printed, true, StandardCharsets.UTF_8));

    DemoPipeline.Result result = demo.run();

    assertThat(result.complete()).isTrue();
    assertThat(result.duplicates()).isEqualTo(1_000);
    assertThat(printed.toString(StandardCharsets.UTF_8)).contains("backend redis");
  }
}
