package dev.isb.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isb.Redaction;
import dev.isb.Retention;
import dev.isb.Storage;
import dev.isb.config.ConfigValues.BadValue;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The value formats (Go durations are {@link GoDurationsTest}'s): how durations print, quantities, booleans, retention and storage names, addresses. */
class ConfigValuesTest {

  @ParameterizedTest(name = "{0} prints as {1}")
  @CsvSource({"PT72H, 72h", "PT1H30M, 1h30m", "PT0.5S, 500ms", "PT60S, 1m", "PT0S, 0s", "PT1M0.25S, 1m0.25s",
      "PT-1H, -1h", "PT0.000001S, 1us"})
  @DisplayName("durations print the way Go users write them")
  void formatDurations(String iso, String go) {
    assertThat(ConfigValues.formatDuration(Duration.parse(iso))).isEqualTo(go);
  }

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource({"20Gi, 21474836480", "10Gi, 10737418240", "512Mi, 536870912", "1Ki, 1024", "1TB, 1099511627776",
      "1tb, 1099511627776", "1GB, 1073741824", "64MB, 67108864", "1KB, 1024", "1M, 1000000", "1k, 1000", "1K, 1000",
      "2G, 2000000000", "1T, 1000000000000", "1048576, 1048576", "-1, -1", "0, 0", "1.5Gi, 1610612736",
      "0.5Ki, 512", "1Ei, 1152921504606846976"})
  @DisplayName("sizes: plain numbers, Kubernetes quantities and NATS sizes")
  void quantities(String text, long bytes) throws BadValue {
    assertThat(ConfigValues.quantity(text)).isEqualTo(bytes);
  }

  @ParameterizedTest(name = "''{0}''")
  @ValueSource(strings = {"", "Gi", "1 Gi", "1XB", "1.5", "0.1Ki", "10Ei", "1e6", "ten"})
  @DisplayName("anything else is refused")
  void badQuantities(String text) {
    assertThatThrownBy(() -> ConfigValues.quantity(text)).isInstanceOf(BadValue.class)
        .hasMessageStartingWith("be a ");
  }

  @Test
  @DisplayName("a lower-case m is refused: milli for Kubernetes, mega for NATS")
  void lowerCaseM() {
    assertThatThrownBy(() -> ConfigValues.quantity("512m")).isInstanceOf(BadValue.class)
        .hasMessageEndingWith("(a lower-case m is milli in Kubernetes but mega in NATS: write M or Mi)");
  }

  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource({"0, LIMITS", "1, INTEREST", "2, WORK_QUEUE", "Limits, LIMITS", "interest, INTEREST",
      "WorkQueue, WORK_QUEUE", "workqueue, WORK_QUEUE", "WORKQUEUE, WORK_QUEUE", "work_queue, WORK_QUEUE",
      "WorkQueuePolicy, WORK_QUEUE", "' limits ', LIMITS"})
  @DisplayName("retention: 0/1/2 or its name, any case")
  void retention(String text, Retention expected) throws BadValue {
    assertThat(ConfigValues.retention(text)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource({"0, FILE", "1, MEMORY", "File, FILE", "memory, MEMORY", "MEMORY, MEMORY"})
  @DisplayName("storage: 0/1 or its name, any case")
  void storage(String text, Storage expected) throws BadValue {
    assertThat(ConfigValues.storage(text)).isEqualTo(expected);
  }

  @Test
  @DisplayName("retention and storage refuse other values, naming the allowed ones")
  void badEnums() {
    assertThatThrownBy(() -> ConfigValues.retention("3")).hasMessage("be 0 (Limits), 1 (Interest) or 2 (WorkQueue)");
    assertThatThrownBy(() -> ConfigValues.storage("disk")).hasMessage("be 0 (File) or 1 (Memory)");
  }

  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource({"true, true", "TRUE, true", "1, true", "t, true", "yes, true", "on, true", "false, false",
      "False, false", "0, false", "f, false", "no, false", "off, false"})
  @DisplayName("booleans: Go's strconv.ParseBool and YAML's yes/no/on/off")
  void booleans(String text, boolean expected) throws BadValue {
    assertThat(ConfigValues.bool(text)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"nats://h:4222", "tls://h:4222", "h:4222", "h", "nats://10.0.0.1:4222", "nats://[::1]:4222",
      "ws://h:8080", "nats://user:pw@h:4222", "isbsvc-default-js-svc.ns.svc:4222"})
  @DisplayName("NATS addresses that jnats takes")
  void natsAddresses(String address) {
    assertThatCode(() -> ConfigValues.natsAddress(address)).doesNotThrowAnyException();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"nats//h:4222", "http://h:4222", "nats://", "nats://h:0", "nats://h:65536", "nats://h/x",
      "nats://h:4222?x=1", "h:port", "redis://h:6379", "u@h:4222"})
  @DisplayName("malformed NATS addresses are refused")
  void badNatsAddresses(String address) {
    assertThatThrownBy(() -> ConfigValues.natsAddress(address)).isInstanceOf(BadValue.class)
        .hasMessage("be a comma-separated list of NATS addresses such as nats://host:4222 or tls://host:4222");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"h:6379", "redis://h:6379", "rediss://h:6380", "redis://u:p@h:6379/0", "h"})
  @DisplayName("Redis addresses: host:port or a redis:// or rediss:// URL")
  void redisAddresses(String address) {
    assertThatCode(() -> ConfigValues.redisAddress(address)).doesNotThrowAnyException();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"redis//h:6379", "nats://h:4222", "redis://h:6379/x", "<external redis>", "h:-1"})
  @DisplayName("malformed Redis addresses are refused")
  void badRedisAddresses(String address) {
    assertThatThrownBy(() -> ConfigValues.redisAddress(address)).isInstanceOf(BadValue.class)
        .hasMessageStartingWith("be a comma-separated list of Redis addresses");
  }

  @Test
  @DisplayName("addresses print with their password redacted, and name TLS by scheme")
  void addressHelpers() {
    assertThat(Redaction.address("nats://u:pw@h:4222")).isEqualTo("nats://u:<redacted>@h:4222");
    assertThat(Redaction.address("redis://token@h")).isEqualTo("redis://<redacted>@h");
    assertThat(Redaction.address("u:pw@h:4222")).as("no scheme").isEqualTo("u:<redacted>@h:4222");
    assertThat(Redaction.address("h:4222")).isEqualTo("h:4222");
    assertThat(Redaction.addresses("nats://u:pw@a:4222, nats://t@b:4222,c:4222"))
        .isEqualTo("nats://u:<redacted>@a:4222, nats://<redacted>@b:4222,c:4222");
    assertThat(ConfigValues.impliesTls("TLS://h")).isTrue();
    assertThat(ConfigValues.impliesTls("rediss://h")).isTrue();
    assertThat(ConfigValues.impliesTls("nats://h")).isFalse();
    assertThat(ConfigValues.splitList(" a:1, ,b:2 ,")).containsExactly("a:1", "b:2");
  }

  @Test
  @DisplayName("did-you-mean suggests near misses only")
  void closest() {
    var known = java.util.List.of("maxMsgs", "maxAge", "maxBytes", "retention");
    assertThat(ConfigValues.closest("maxMsg", known)).isEqualTo("maxMsgs");
    assertThat(ConfigValues.closest("MAXAGE", known)).isEqualTo("maxAge");
    assertThat(ConfigValues.closest("retension", known)).isEqualTo("retention");
    assertThat(ConfigValues.closest("colour", known)).isNull();
  }
}
