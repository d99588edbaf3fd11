package dev.isb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class NumaflowVersionTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({"1.7, V1_7", "v1.7.5, V1_7", "1.6.0, V1_7", "1.8, V1_8", "v1.8.3, V1_8", "1.8.0-rc1, V1_8",
      "1.10.2, V1_8", "2.0.0, V1_8", "V1_7, V1_7", "v1_8, V1_8", " 1.7.0 , V1_7"})
  @DisplayName("releases before 1.8 follow the v1.7 rules, 1.8 and later the v1.8 rules")
  void parse(String release, NumaflowVersion expected) {
    assertThat(NumaflowVersion.parse(release)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "latest", "1", "0.9.1", "1.x", "v1.8.3.4"})
  @DisplayName("anything else is refused, naming the value and the accepted shapes")
  void refused(String release) {
    assertThatThrownBy(() -> NumaflowVersion.parse(release)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + release + "'").hasMessageContaining("1.7.5");
  }

  @ParameterizedTest
  @CsvSource({"V1_7, OFFSET_TIMELINE_AND_PROCESSORS", "V1_8, OFFSET_TIMELINE"})
  @DisplayName("v1.7 has a heartbeat bucket, v1.8 only the offset timeline; the default is the newest")
  void layout(NumaflowVersion version, BucketLayout layout) {
    assertThat(version.bucketLayout()).isEqualTo(layout);
    assertThat(NumaflowVersion.latest()).isEqualTo(NumaflowVersion.V1_8);
  }
}
