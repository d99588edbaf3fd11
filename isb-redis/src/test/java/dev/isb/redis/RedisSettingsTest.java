package dev.isb.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isb.config.IsbConfig;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The settings RedisBackend declares are the rules IsbConfig checks, redacts and describes them by. */
class RedisSettingsTest {

  @Test
  @DisplayName("values that break the backend's rules are refused, secrets not printed")
  void rules() {
    assertThatThrownBy(() -> IsbConfig.builder().clusterMaxRedirects(-1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cluster.maxRedirects was '-1' but it must be 0 or more");
    assertThatThrownBy(() -> IsbConfig.builder().sentinelPassword("LEAK\nmore"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sentinel.password was '<redacted>' but it must be a single line");
    assertThatThrownBy(() -> IsbConfig.builder().setting("wait.replicas", "-1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("wait.replicas was '-1' but it must be a whole number >= 0");
    assertThatThrownBy(() -> IsbConfig.builder().setting("wait.timeoutMillis", "0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("wait.timeoutMillis was '0' but it must be a positive number of milliseconds");
  }

  @Test
  @DisplayName("the durability settings reach the backend through IsbConfig; cluster.maxRedirects keeps its default")
  void durabilityThroughConfig() {
    IsbConfig config = IsbConfig.builder().url("redis://r:6379").setting("wait.replicas", "1")
        .setting("wait.timeoutMillis", "250").sentinelPassword("s3cr3t").sentinel("s:26379", "mymaster").build();

    assertThat(config.toIsbOptions().properties()).containsEntry("cluster.maxRedirects", "3")
        .containsEntry("wait.replicas", "1").containsEntry("wait.timeoutMillis", "250")
        .containsEntry("sentinel.url", "s:26379").containsEntry("sentinel.master", "mymaster");
    assertThat(RedisIsbClient.Durability.of(config.toIsbOptions()))
        .isEqualTo(new RedisIsbClient.Durability(1, Duration.ofMillis(250)));
    assertThat(config.describe()).contains("sentinel.password ", "= <redacted>  (builder)",
        "cluster.maxRedirects ", "= 3  (default)").doesNotContain("s3cr3t");
  }
}
