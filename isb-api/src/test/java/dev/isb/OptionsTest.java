package dev.isb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class OptionsTest {

  @Test
  @DisplayName("buffer defaults are the Numaflow controller's")
  void bufferDefaults() {
    BufferConfig c = BufferConfig.defaults();
    assertThat(c.stream()).isEqualTo(new BufferConfig.Stream(Retention.LIMITS, 100_000, Duration.ofHours(72), -1, 3,
        Duration.ofSeconds(60), Storage.FILE));
    assertThat(c.consumer()).isEqualTo(new BufferConfig.Consumer(Duration.ofSeconds(60), 25_000));
    assertThat(c.otBucket()).isEqualTo(new BufferConfig.Bucket(0, 1, Duration.ofHours(3), 0, Storage.FILE, 3));
    assertThat(c.procBucket()).isEqualTo(new BufferConfig.Bucket(0, 1, Duration.ofHours(72), 0, Storage.FILE, 3));
    assertThat(Retention.WORK_QUEUE.configValue()).isEqualTo(2);
    assertThat(Storage.MEMORY.configValue()).isEqualTo(1);
  }

  @Test
  @DisplayName("writer and reader defaults are Numaflow's")
  void writerReaderDefaults() {
    assertThat(WriterOptions.defaults()).isEqualTo(new WriterOptions(30_000, 0.8, OnFull.RETRY_UNTIL_SUCCESS,
        Duration.ofSeconds(1), WriterOptions.WAIT_FOREVER, Compression.NONE));
    ReaderOptions r = ReaderOptions.defaults();
    assertThat(r.batchSize()).isEqualTo(500);
    assertThat(r.readTimeout()).isEqualTo(Duration.ofSeconds(1));
    assertThat(r.keepAlive()).isTrue();
    assertThat(r.onUndecodable()).isEqualTo(OnUndecodable.TERMINATE);
    assertThat(r.undecodableListener()).isSameAs(ReaderOptions.LOG_UNDECODABLE);
    assertThat(r.keepAliveIntervalFor(Duration.ofSeconds(60))).isEqualTo(Duration.ofSeconds(20));
    assertThat(r.toBuilder().keepAliveInterval(Duration.ofSeconds(5)).build().keepAliveIntervalFor(Duration.ofSeconds(60)))
        .isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  @DisplayName("builders copy and change one field at a time")
  void builders() {
    var stream = BufferConfig.Stream.defaults().toBuilder().retention(Retention.INTEREST).maxMsgs(-1)
        .maxAge(Duration.ZERO).maxBytes(1024).replicas(1).duplicates(Duration.ofSeconds(30)).storage(Storage.MEMORY).build();
    var config = BufferConfig.defaults().toBuilder().stream(stream)
        .consumer(BufferConfig.Consumer.defaults().withAckWait(Duration.ofSeconds(5)).withMaxAckPending(10))
        .otBucket(BufferConfig.Bucket.otDefaults().withReplicas(1))
        .procBucket(BufferConfig.Bucket.procDefaults().withTtl(Duration.ofHours(1))).build();
    assertThat(config.stream().retention()).isEqualTo(Retention.INTEREST);
    assertThat(config.stream().maxBytes()).isEqualTo(1024);
    assertThat(config.consumer()).isEqualTo(new BufferConfig.Consumer(Duration.ofSeconds(5), 10));
    assertThat(config.otBucket().replicas()).isEqualTo(1);
    assertThat(config.procBucket().ttl()).isEqualTo(Duration.ofHours(1));
    assertThat(BufferConfig.defaults().stream().retention()).as("defaults unchanged").isEqualTo(Retention.LIMITS);
  }

  @Test
  @DisplayName("bad values are refused at the door, naming the field and the value")
  void validation() {
    var stream = BufferConfig.Stream.defaults().toBuilder();
    assertThatThrownBy(() -> stream.maxMsgs(0)).hasMessage("stream.maxMsgs must be positive or -1 (unlimited), was 0");
    assertThatThrownBy(() -> stream.replicas(7)).hasMessage("stream.replicas must be between 1 and 5, was 7");
    assertThatThrownBy(() -> stream.maxAge(Duration.ofSeconds(-1))).hasMessage("stream.maxAge must not be negative, was PT-1S");
    assertThatThrownBy(() -> stream.duplicates(Duration.ZERO)).hasMessage("stream.duplicates must be positive, was PT0S");
    assertThatThrownBy(() -> stream.maxAge(Duration.ofSeconds(10)).build())
        .hasMessage("stream.duplicates must not exceed stream.maxAge, was PT1M with maxAge PT10S");
    assertThatThrownBy(() -> new BufferConfig.Consumer(Duration.ZERO, 1)).hasMessage("consumer.ackWait must be positive, was PT0S");
    assertThatThrownBy(() -> new BufferConfig.Consumer(Duration.ofSeconds(1), 0))
        .hasMessage("consumer.maxAckPending must be positive, was 0");
    assertThatThrownBy(() -> new BufferConfig.Bucket(0, 65, Duration.ZERO, 0, Storage.FILE, 1))
        .hasMessage("bucket.history must be between 1 and 64, was 65");
    var writer = WriterOptions.builder();
    assertThatThrownBy(() -> writer.maxLength(-1)).hasMessage("maxLength must be positive, was -1");
    assertThatThrownBy(() -> writer.usageLimit(1.5)).hasMessage("usageLimit must be in (0, 1], was 1.5");
    assertThatThrownBy(() -> writer.usageLimit(Double.NaN)).hasMessage("usageLimit must be in (0, 1], was NaN");
    assertThatThrownBy(() -> writer.refreshInterval(Duration.ZERO)).hasMessage("refreshInterval must be positive, was PT0S");
    var reader = ReaderOptions.builder();
    assertThatThrownBy(() -> reader.batchSize(0)).hasMessage("batchSize must be positive, was 0");
    assertThatThrownBy(() -> reader.consumerName(" ")).hasMessage("consumerName must not be blank, was ' '");
    assertThatThrownBy(() -> reader.keepAliveInterval(Duration.ZERO)).hasMessage("keepAliveInterval must be positive, was PT0S");
  }

  @Test
  @DisplayName("configurations name each setting that differs, with both values")
  void differences() {
    var stream = BufferConfig.Stream.defaults();
    var other = stream.toBuilder().retention(Retention.WORK_QUEUE).maxAge(Duration.ofHours(1)).build();
    assertThat(other.differencesFrom(stream)).containsExactly(
        "stream.retention is WORK_QUEUE, expected LIMITS", "stream.maxAge is PT1H, expected PT72H");
    assertThat(stream.differencesFrom(stream)).isEmpty();
    assertThat(BufferConfig.Consumer.defaults().withMaxAckPending(5).differencesFrom(BufferConfig.Consumer.defaults()))
        .containsExactly("consumer.maxAckPending is 5, expected 25000");
    assertThat(BufferConfig.Bucket.otDefaults().differencesFrom(BufferConfig.Bucket.procDefaults()))
        .containsExactly("bucket.ttl is PT3H, expected PT72H");
    var report = new ValidationReport(List.of(), List.of(new ValidationReport.Problem("b", "stream.maxMsgs is 1, expected 2")));
    assertThat(report.isValid()).as("differences alone keep a report valid").isTrue();
  }

  @Test
  @DisplayName("IsbOptions never prints a secret: secret-named properties and URL credentials are redacted")
  void isbOptionsRedactsSecrets() {
    IsbOptions options = IsbOptions.builder().backend("jetstream").url("nats://admin:hunter2@nats:4222")
        .property("password", "hunter2").property("auth.token", "t0ken").property("nkeySeed", "SUAB")
        .property("user", "admin").build();
    assertThat(options.toString()).doesNotContain("hunter2", "t0ken", "SUAB")
        .contains("nats://admin:<redacted>@nats:4222", "user=admin", "password=<redacted>");
    assertThat(options.property("user", "x")).isEqualTo("admin");
    assertThat(options.property("missing", "x")).isEqualTo("x");
    assertThatThrownBy(() -> IsbOptions.builder().backend("")).hasMessage("backend must not be blank, was ''");
  }
}
