package dev.isb.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isb.testkit.NatsServerExtension;
import dev.isb.testkit.RedisServerExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("Demo pipeline")
class DemoPipelineTest {

  @RegisterExtension
  static final NatsServerExtension NATS = NatsServerExtension.single();

  @RegisterExtension
  static final RedisServerExtension REDIS = RedisServerExtension.standalone();

  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();

  private DemoPipeline.Verdict run(String... args) throws Exception {
    return DemoPipeline.run(DemoPipeline.Settings.parse(args), new PrintStream(printed, true, StandardCharsets.UTF_8));
  }

  private String printed() {
    return printed.toString(StandardCharsets.UTF_8);
  }

  private static void assertComplete(DemoPipeline.Verdict verdict, int orders) {
    long items = 0;
    long large = 0;
    for (long order = 0; order < orders; order++) {
      List<Orders.Parsed> expected = Orders.expected(order);
      items += expected.size();
      large += expected.stream().filter(p -> p.category().equals(Orders.LARGE)).count();
    }
    assertThat(verdict.ok()).isTrue();
    assertThat(verdict.ordersWritten()).isEqualTo(orders);
    assertThat(verdict.expectedItems()).isEqualTo(items).isGreaterThan(orders);
    assertThat(verdict.distinct()).isEqualTo(items);
    assertThat(verdict.lost()).isZero();
    assertThat(verdict.corrupt()).isZero();
    assertThat(verdict.expectedLarge()).isEqualTo(large).isPositive();
    assertThat(verdict.audited()).isEqualTo(large);
    assertThat(verdict.latencyMillis()[1]).isPositive();
  }

  @Test
  @DisplayName("on the embedded ISB it delivers every item once, refuses retried writes, and says lost = 0")
  void embedded() throws Exception {
    DemoPipeline.Verdict verdict = run("--orders", "3000", "--quiet");

    assertComplete(verdict, 3_000);
    assertThat(verdict.duplicates()).isZero();
    // Every tenth batch of 500 is written twice: batch 9 covers orders 4500.. so none at 3000 orders;
    // the retry count is checked on the larger run below.
    assertThat(printed()).contains("in-memory ISB (embedded)").contains("verdict: OK, lost = 0");
  }

  @Test
  @DisplayName("a source's retried batches are refused as duplicates, and the progress line is printed")
  void retriesAndProgress() throws Exception {
    DemoPipeline.Verdict verdict = run("--orders", "6000", "--partitions", "3");

    assertComplete(verdict, 6_000);
    assertThat(verdict.retriesRefused()).isEqualTo(500);
    assertThat(printed()).contains("500 retried writes refused as duplicates");
  }

  @Test
  @DisplayName("the same pipeline runs unchanged on a real JetStream server")
  void jetStream() throws Exception {
    DemoPipeline.Verdict verdict = run("--isb", "jetstream", "--url", NATS.url(), "--orders", "2000", "--quiet");

    assertComplete(verdict, 2_000);
    assertThat(printed()).contains("jetstream at " + NATS.url()).contains("verdict: OK");
  }

  @Test
  @DisplayName("the same pipeline runs unchanged on a real Redis server")
  void redis() throws Exception {
    DemoPipeline.Verdict verdict = run("--isb", "redis", "--url", REDIS.uri(), "--orders", "2000", "--quiet");

    assertComplete(verdict, 2_000);
    assertThat(printed()).contains("redis at " + REDIS.uri());
  }

  @Test
  @DisplayName("--isb jetstream without --url starts its own local server")
  void startsItsOwnServer() throws Exception {
    DemoPipeline.Verdict verdict = run("--isb", "jetstream", "--orders", "500", "--quiet");

    assertComplete(verdict, 500);
    assertThat(printed()).contains("local nats-server at nats://127.0.0.1:");
  }

  @Test
  @DisplayName("bad arguments are refused with the option and the value")
  void badArguments() {
    assertThatThrownBy(() -> DemoPipeline.Settings.parse(new String[] {"--isb", "kafka"}))
        .isInstanceOf(DemoPipeline.UsageException.class)
        .hasMessage("--isb was 'kafka' but it must be memory, jetstream or redis");
    assertThatThrownBy(() -> DemoPipeline.Settings.parse(new String[] {"--orders", "-3"}))
        .hasMessage("--orders was '-3' but it must be a positive whole number");
    assertThatThrownBy(() -> DemoPipeline.Settings.parse(new String[] {"--partitions", "0"}))
        .hasMessage("--partitions was '0' but it must be a positive whole number");
    assertThatThrownBy(() -> DemoPipeline.Settings.parse(new String[] {"--rate", "fast"}))
        .isInstanceOf(DemoPipeline.UsageException.class).hasMessageContaining("--rate").hasMessageContaining("'fast'");
    assertThatThrownBy(() -> DemoPipeline.Settings.parse(new String[] {"--orders"}))
        .isInstanceOf(DemoPipeline.UsageException.class).hasMessageContaining("--orders")
        .hasMessageContaining("Missing required parameter");
    assertThatThrownBy(() -> DemoPipeline.Settings.parse(new String[] {"--url", "nats://x:4222"}))
        .hasMessageContaining("--url needs --isb jetstream");
    assertThatThrownBy(() -> DemoPipeline.Settings.parse(new String[] {"--config", "/no/such/dir"}))
        .hasMessage("--config was '/no/such/dir' but it must be a directory");
    assertThatThrownBy(() -> DemoPipeline.Settings.parse(new String[] {"--verbose"}))
        .isInstanceOf(DemoPipeline.UsageException.class).hasMessageContaining("'--verbose'");
    assertThatThrownBy(() -> DemoPipeline.Settings.parse(new String[] {"--partition", "3"}))
        .hasMessageContaining("'--partition'").hasMessageContaining("--partitions");
  }

  @Test
  @DisplayName("without arguments it runs 20000 orders on the in-memory ISB; each option sets its value")
  void settings() {
    assertThat(DemoPipeline.Settings.parse(new String[0]))
        .isEqualTo(new DemoPipeline.Settings("memory", Optional.empty(), Optional.empty(), 20_000, 0, 2,
            Duration.ofSeconds(30), true));
    assertThat(DemoPipeline.Settings.parse(new String[] {"--isb", "Redis", "--url", "redis://h:6379", "--orders",
        "10", "--rate", "5", "--partitions", "3", "--stall-timeout", "7", "--quiet"}))
        .isEqualTo(new DemoPipeline.Settings("redis", Optional.of("redis://h:6379"), Optional.empty(), 10, 5, 3,
            Duration.ofSeconds(7), false));
  }

  @Test
  @DisplayName("--help asks for the usage, which lists every option and the exit status")
  void help() {
    assertThatThrownBy(() -> DemoPipeline.Settings.parse(new String[] {"--help"}))
        .isInstanceOf(DemoPipeline.UsageException.class).hasMessage(null);
    assertThatThrownBy(() -> DemoPipeline.Settings.parse(new String[] {"-h"}))
        .isInstanceOf(DemoPipeline.UsageException.class).hasMessage(null);
    assertThat(DemoArgs.usage()).startsWith("Usage: DemoPipeline")
        .contains("--isb=memory|jetstream|redis", "--url=URL", "--config=DIR", "--orders=N", "(default 20000)",
            "--rate=N", "--partitions=N", "--stall-timeout=SECONDS", "--quiet", "Exit status:", "2   bad arguments");
  }
}
