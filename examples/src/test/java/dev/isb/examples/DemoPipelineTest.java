package dev.isb.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isb.IsbOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class DemoPipelineTest {

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
}
