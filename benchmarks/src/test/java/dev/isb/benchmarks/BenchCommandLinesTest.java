package dev.isb.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isb.benchmarks.ForwarderBench.Side;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The command lines of the benchmark entry points: defaults, values, help, and mistakes refused before a run. */
@DisplayName("benchmark command lines")
class BenchCommandLinesTest {

  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

  private String printed() {
    return printed.toString(StandardCharsets.UTF_8);
  }

  @Nested
  @DisplayName("Bench")
  class BenchLine {

    private BenchOptions parse(String... args) {
      return BenchOptions.parse(args, out).orElseThrow();
    }

    @Test
    @DisplayName("without options it measures every backend and scenario with the documented defaults")
    void defaults() {
      assertThat(parse()).isEqualTo(new BenchOptions(List.of("jetstream", "redis"), Optional.empty(),
          Optional.empty(), EnumSet.allOf(Scenario.class), List.of(256, 1024), Optional.empty(), Optional.empty(),
          Optional.empty(), 500, Optional.empty(), List.of(1, 2, 4), List.of(1, 10, 100, 500), 65_536));
      assertThat(parse().messagesFor("jetstream")).isEqualTo(50_000);
      assertThat(parse().messagesFor("redis")).isEqualTo(100_000);
      assertThat(parse().roundsFor(false)).isEqualTo(5);
      assertThat(printed()).isEmpty();
    }

    @Test
    @DisplayName("each option sets its value; lists are comma-separated, numbers may have underscores")
    void values() {
      BenchOptions o = parse("--backend", "REDIS", "--redis-url", "redis://h:1", "--url", "nats://h:2",
          "--scenario", "write, batch", "--payload", "64,2_048", "--messages", "10_000", "--warmup", "1",
          "--rounds", "3", "--batch", "100", "--rate", "900", "--partitions", "3", "--batches", "5,50",
          "--large-payload", "0");
      assertThat(o).isEqualTo(new BenchOptions(List.of("redis"), Optional.of("nats://h:2"),
          Optional.of("redis://h:1"), EnumSet.of(Scenario.WRITE, Scenario.BATCH), List.of(64, 2048),
          Optional.of(10_000), Optional.of(1), Optional.of(3), 100, Optional.of(900), List.of(3), List.of(5, 50), 0));
      assertThat(parse("--nats-url", "nats://h:3").natsUrl()).contains("nats://h:3");
    }

    @Test
    @DisplayName("a bad value is refused naming the option and the value")
    void badValues() {
      assertThatThrownBy(() -> parse("--rounds", "2")).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("--rounds must be at least 3, was 2");
      assertThatThrownBy(() -> parse("--messages", "many")).hasMessageContaining("--messages")
          .hasMessageContaining("'many' is not a whole number");
      assertThatThrownBy(() -> parse("--payload", "256,-1")).hasMessage("--payload must be at least 0, was -1");
      assertThatThrownBy(() -> parse("--backend", "kafka"))
          .hasMessage("--backend must be jetstream, redis or all; was 'kafka'");
      assertThatThrownBy(() -> parse("--scenario", "write,speed")).hasMessageStartingWith("--scenario must be one of")
          .hasMessageEndingWith("was 'speed'");
      assertThatThrownBy(() -> parse("--batch")).hasMessageContaining("--batch").hasMessageContaining("Usage: Bench");
      assertThatThrownBy(() -> parse("--round", "3")).hasMessageContaining("'--round'")
          .hasMessageContaining("--rounds");
    }

    @Test
    @DisplayName("--help prints every option with its default and runs nothing")
    void help() {
      assertThat(BenchOptions.parse(new String[] {"--help"}, out)).isEmpty();
      assertThat(printed()).startsWith("Usage: Bench").contains("--backend=all|jetstream|redis", "--nats-url",
          "--redis-url", "--scenario", "backpressure", "--payload", "(default 256,1024)", "--messages", "--warmup",
          "--rounds", "--batch", "--rate", "--partitions", "--batches", "--large-payload", "library-async",
          "raw-stream");
    }
  }

  @Nested
  @DisplayName("ForwarderBench")
  class ForwarderLine {

    private ForwarderBenchOptions parse(String... args) {
      return ForwarderBenchOptions.parse(args, out).orElseThrow();
    }

    private final Set<Side> all = EnumSet.allOf(Side.class);

    @Test
    @DisplayName("defaults: in memory, 200000 messages of 256 B, 1 warm-up and 5 rounds, all sides; 100000 on a server")
    void defaults() {
      assertThat(parse()).isEqualTo(new ForwarderBenchOptions("memory", 200_000, 256, 5, 1, all));
      assertThat(parse("--backend", "jetstream"))
          .isEqualTo(new ForwarderBenchOptions("jetstream", 100_000, 256, 5, 1, all));
      assertThat(parse("--backend", "redis", "--messages", "7", "--payload", "0", "--rounds", "1", "--warmup", "0"))
          .isEqualTo(new ForwarderBenchOptions("redis", 7, 0, 1, 0, all));
      assertThat(parse("--warmups", "2").warmups()).isEqualTo(2);
    }

    @Test
    @DisplayName("--sides picks contenders by name; each round runs them in the table's order, those of the backend")
    void sides() {
      ForwarderBenchOptions o = parse("--backend", "redis", "--sides", "meters, RAW-streaming,loop,watermarks");
      assertThat(o.sides()).containsExactlyInAnyOrder(Side.RAW_STREAMING, Side.LOOP, Side.METERS, Side.WATERMARKS);
      assertThat(o.sidesOn("redis")).containsExactly(Side.RAW_STREAMING, Side.LOOP, Side.METERS);
      assertThat(o.sidesOn("jetstream")).containsExactly(Side.RAW_STREAMING, Side.LOOP, Side.METERS, Side.WATERMARKS);
      assertThat(o.sidesOn("memory")).containsExactly(Side.LOOP, Side.METERS, Side.WATERMARKS);
      assertThat(parse("--sides", "all").sidesOn("memory")).doesNotContain(Side.RAW_STREAMING).hasSize(7);
      assertThat(parse("--sides", "no-meters,timers,no-read-ahead").sides())
          .containsExactlyInAnyOrder(Side.NO_METERS, Side.TIMER_METERS, Side.NO_READ_AHEAD);
    }

    @Test
    @DisplayName("a bad value is refused naming the option and the value")
    void badValues() {
      assertThatThrownBy(() -> parse("--backend", "all"))
          .hasMessage("--backend must be memory, jetstream or redis; was 'all'");
      assertThatThrownBy(() -> parse("--rounds", "0")).hasMessage("--rounds must be at least 1, was 0");
      assertThatThrownBy(() -> parse("--payload", "1k")).hasMessageContaining("--payload")
          .hasMessageContaining("'1k' is not a whole number");
      assertThatThrownBy(() -> parse("--sides", "loop,raw")).hasMessage("--sides must be all or some of"
          + " raw-streaming, loop, no-meters, meters, watermarks, timers, no-read-ahead, one-batch; was 'raw'");
      assertThatThrownBy(() -> parse("--sides", "loop,")).hasMessageEndingWith("was ''");
      assertThatThrownBy(() -> parse("--sides", "raw-streaming"))
          .hasMessage("--sides raw-streaming leaves no contender that runs on memory");
      assertThatThrownBy(() -> parse("--backend", "redis", "--sides", "watermarks"))
          .hasMessage("--sides watermarks leaves no contender that runs on redis");
    }

    @Test
    @DisplayName("--help prints the options and runs nothing")
    void help() {
      assertThat(ForwarderBenchOptions.parse(new String[] {"-h"}, out)).isEmpty();
      assertThat(printed()).startsWith("Usage: ForwarderBench")
          .contains("--backend=memory|jetstream|redis", "--messages", "--payload", "(default 256)", "--rounds",
              "--warmup, --warmups", "--sides=all|SIDE,...", "raw-streaming", "loop", "no-meters", "meters",
              "watermarks", "timers", "no-read-ahead", "one-batch");
    }
  }

  @Nested
  @DisplayName("FullBufferBench")
  class FullBufferLine {

    private FullBufferBenchOptions parse(String... args) {
      return FullBufferBenchOptions.parse(args, out).orElseThrow();
    }

    @Test
    @DisplayName("defaults: both backends, full for 60 s, 100000 messages of 256 B, maxLength 1000, 16 MiB slack")
    void defaults() {
      assertThat(parse()).isEqualTo(new FullBufferBenchOptions(List.of("jetstream", "redis"), 60, 100_000, 256, 1000,
          16));
      assertThat(parse("--backend", "redis", "--seconds", "5", "--messages", "500", "--payload", "4",
          "--max-length", "10", "--slack-mib", "0"))
          .isEqualTo(new FullBufferBenchOptions(List.of("redis"), 5, 500, 4, 10, 0));
    }

    @Test
    @DisplayName("a bad value is refused naming the option and the value")
    void badValues() {
      assertThatThrownBy(() -> parse("--payload", "3")).hasMessage("--payload must be at least 4, was 3");
      assertThatThrownBy(() -> parse("--messages", "499")).hasMessage("--messages must be at least 500, was 499");
      assertThatThrownBy(() -> parse("--seconds", "x")).hasMessageContaining("--seconds")
          .hasMessageContaining("'x' is not a whole number");
    }

    @Test
    @DisplayName("--help prints the options and runs nothing")
    void help() {
      assertThat(FullBufferBenchOptions.parse(new String[] {"--help"}, out)).isEmpty();
      assertThat(printed()).startsWith("Usage: FullBufferBench").contains("--seconds=N", "(default 100000)",
          "--max-length", "--slack-mib");
    }
  }
}
