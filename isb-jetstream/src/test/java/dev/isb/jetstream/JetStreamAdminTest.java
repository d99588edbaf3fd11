package dev.isb.jetstream;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isb.BucketLayout;
import dev.isb.BufferConfig;
import dev.isb.BufferInfo;
import dev.isb.BufferNotFoundException;
import dev.isb.BufferReader;
import dev.isb.BufferWriter;
import dev.isb.Message;
import dev.isb.MessageId;
import dev.isb.ReadMessage;
import dev.isb.ReaderOptions;
import dev.isb.Retention;
import dev.isb.Storage;
import dev.isb.ValidationReport;
import dev.isb.WriteResult;
import dev.isb.testkit.NatsServerExtension;
import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValueManagement;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.KeyValueStatus;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The JetStream admin creates what Numaflow creates, read back with raw jnats. */
@DisplayName("JetStream admin")
class JetStreamAdminTest extends JetStreamTestBase {

  @RegisterExtension
  static final NatsServerExtension NATS = NatsServerExtension.single();

  private static final BufferConfig.Stream WORK_QUEUE_STREAM = BufferConfig.Stream.defaults().toBuilder()
      .retention(Retention.WORK_QUEUE)
      .maxMsgs(1234)
      .maxAge(Duration.ofHours(2))
      .maxBytes(10L * 1024 * 1024)
      .replicas(1)
      .duplicates(Duration.ofSeconds(90))
      .storage(Storage.MEMORY)
      .build();

  private static final BufferConfig CONFIG = BufferConfig.defaults().toBuilder()
      .stream(WORK_QUEUE_STREAM)
      .consumer(new BufferConfig.Consumer(Duration.ofSeconds(17), 321))
      .otBucket(new BufferConfig.Bucket(4096, 3, Duration.ofMinutes(45), 5L * 1024 * 1024, Storage.MEMORY, 1))
      .procBucket(new BufferConfig.Bucket(2048, 5, Duration.ofHours(5), 7L * 1024 * 1024, Storage.FILE, 1))
      .build();

  private static final BufferConfig LIMITS = StreamConfigs.MEMORY;

  private KeyValueManagement kvm;

  @Override
  NatsServerExtension nats() {
    return NATS;
  }

  @BeforeEach
  void keyValueManagement() throws Exception {
    kvm = nc.keyValueManagement();
  }

  private static String unique(String vertex) {
    return "ns-pl-" + vertex + UUID.randomUUID().toString().substring(0, 8) + "-0";
  }

  /** A new buffer for {@code vertex}, created with {@code config}. */
  private String createdBuffer(String vertex, BufferConfig config) {
    String buffer = unique(vertex);
    client.admin().createBuffers(List.of(buffer), config);
    return buffer;
  }

  /** Checks that the _OT bucket of {@code bucket} has every otBucket value of {@link #CONFIG}. */
  private void assertOtBucketHasEveryValue(String bucket) throws Exception {
    assertKeyValueBucket(bucket + "_OT", 4096, 3, Duration.ofMinutes(45), 5L * 1024 * 1024, StorageType.Memory);
  }

  /** Checks the values of the key-value bucket {@code name}, which has one replica. */
  private void assertKeyValueBucket(String name, int maxValueSize, long history, Duration ttl, long maxBytes,
      StorageType storage) throws Exception {
    KeyValueStatus status = kvm.getStatus(name);
    assertThat(status.getBucketName()).isEqualTo(name);
    assertThat(status.getMaximumValueSize()).isEqualTo(maxValueSize);
    assertThat(status.getMaxHistoryPerKey()).isEqualTo(history);
    assertThat(status.getTtl()).isEqualTo(ttl);
    assertThat(status.getMaxBucketSize()).isEqualTo(maxBytes);
    assertThat(status.getStorageType()).isEqualTo(storage);
    assertThat(status.getReplicas()).isEqualTo(1);
  }

  private static String uniqueBucket() {
    return "ns-pl-a" + UUID.randomUUID().toString().substring(0, 8) + "-b";
  }

  /** A new bucket, created with {@link #CONFIG} in {@code layout}. */
  private String createdBucket(BucketLayout layout) {
    String bucket = uniqueBucket();
    client.admin().createBuckets(List.of(bucket), CONFIG, layout);
    return bucket;
  }

  @Test
  @DisplayName("a created stream has every configured value, with subject and name equal to the buffer and discard New under WorkQueue")
  void streamHasEveryConfiguredValue() throws Exception {
    String buffer = createdBuffer("s", CONFIG);

    StreamConfiguration sc = jsm.getStreamInfo(buffer).getConfiguration();
    assertThat(sc.getName()).isEqualTo(buffer);
    assertThat(sc.getSubjects()).containsExactly(buffer);
    assertThat(sc.getRetentionPolicy()).isEqualTo(RetentionPolicy.WorkQueue);
    assertThat(sc.getDiscardPolicy()).isEqualTo(DiscardPolicy.New);
    assertThat(sc.getMaxMsgs()).isEqualTo(1234);
    assertThat(sc.getMaxAge()).isEqualTo(Duration.ofHours(2));
    assertThat(sc.getMaxBytes()).isEqualTo(10L * 1024 * 1024);
    assertThat(sc.getReplicas()).isEqualTo(1);
    assertThat(sc.getDuplicateWindow()).isEqualTo(Duration.ofSeconds(90));
    assertThat(sc.getStorageType()).isEqualTo(StorageType.Memory);
  }

  @Test
  @DisplayName("a created consumer is durable, named and filtered by the buffer, explicit-ack, deliver-all, with the configured ackWait and maxAckPending")
  void consumerHasEveryConfiguredValue() throws Exception {
    String buffer = createdBuffer("c", CONFIG);

    ConsumerConfiguration cc = jsm.getConsumerInfo(buffer, buffer).getConsumerConfiguration();
    assertThat(cc.getDurable()).isEqualTo(buffer);
    assertThat(cc.getFilterSubject()).isEqualTo(buffer);
    assertThat(cc.getAckPolicy()).isEqualTo(AckPolicy.Explicit);
    assertThat(cc.getDeliverPolicy()).isEqualTo(DeliverPolicy.All);
    assertThat(cc.getAckWait()).isEqualTo(Duration.ofSeconds(17));
    assertThat(cc.getMaxAckPending()).isEqualTo(321);
    assertThat(cc.getDeliverSubject()).as("a pull consumer has no deliver subject").isNull();
    assertThat(jsm.getConsumerNames(buffer)).containsExactly(buffer);
  }

  @Test
  @DisplayName("a buffer with Limits retention discards Old")
  void limitsDiscardsOld() throws Exception {
    String buffer = createdBuffer("l", LIMITS);

    StreamConfiguration sc = jsm.getStreamInfo(buffer).getConfiguration();
    assertThat(sc.getRetentionPolicy()).isEqualTo(RetentionPolicy.Limits);
    assertThat(sc.getDiscardPolicy()).isEqualTo(DiscardPolicy.Old);
    assertThat(sc.getMaxMsgs()).isEqualTo(100_000);
    assertThat(sc.getMaxAge()).isEqualTo(Duration.ofHours(72));
    assertThat(sc.getMaxBytes()).isEqualTo(-1);
    assertThat(sc.getDuplicateWindow()).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  @DisplayName("a buffer with Interest retention discards New")
  void interestDiscardsNew() throws Exception {
    String buffer = unique("i");
    BufferConfig interest = LIMITS.toBuilder()
        .stream(LIMITS.stream().toBuilder().retention(Retention.INTEREST).build()).build();
    client.admin().createBuffers(List.of(buffer), interest);

    StreamConfiguration sc = jsm.getStreamInfo(buffer).getConfiguration();
    assertThat(sc.getRetentionPolicy()).isEqualTo(RetentionPolicy.Interest);
    assertThat(sc.getDiscardPolicy()).isEqualTo(DiscardPolicy.New);
  }

  @Test
  @DisplayName("the offset-timeline layout creates only the _OT bucket, with every otBucket value")
  void offsetTimelineLayoutCreatesOnlyOt() throws Exception {
    String bucket = createdBucket(BucketLayout.OFFSET_TIMELINE);

    assertOtBucketHasEveryValue(bucket);
    assertThat(kvm.getBucketNames()).contains(bucket + "_OT").doesNotContain(bucket + "_PROCESSORS");
  }

  @Test
  @DisplayName("the older layout creates _OT and _PROCESSORS, each with its own bucket values")
  void olderLayoutCreatesOtAndProcessors() throws Exception {
    String bucket = createdBucket(BucketLayout.OFFSET_TIMELINE_AND_PROCESSORS);

    assertOtBucketHasEveryValue(bucket);

    assertKeyValueBucket(bucket + "_PROCESSORS", 2048, 5, Duration.ofHours(5), 7L * 1024 * 1024, StorageType.File);
  }

  @Test
  @DisplayName("creating again is idempotent and never alters an existing stream or consumer")
  void createIsIdempotentAndNeverAlters() throws Exception {
    String buffer = createdBuffer("d", CONFIG);
    BufferConfig other = CONFIG.toBuilder()
        .stream(WORK_QUEUE_STREAM.toBuilder().maxMsgs(999).build())
        .consumer(new BufferConfig.Consumer(Duration.ofSeconds(5), 10))
        .build();

    assertThatCode(() -> client.admin().createBuffers(List.of(buffer), other)).doesNotThrowAnyException();
    assertThatCode(() -> client.admin().createBuffers(List.of(buffer), CONFIG)).doesNotThrowAnyException();

    assertThat(jsm.getStreamInfo(buffer).getConfiguration().getMaxMsgs()).isEqualTo(1234);
    ConsumerConfiguration cc = jsm.getConsumerInfo(buffer, buffer).getConsumerConfiguration();
    assertThat(cc.getAckWait()).isEqualTo(Duration.ofSeconds(17));
    assertThat(cc.getMaxAckPending()).isEqualTo(321);
  }

  @Test
  @DisplayName("creating buckets again is idempotent and keeps the first bucket's values")
  void createBucketsIsIdempotent() throws Exception {
    String bucket = createdBucket(BucketLayout.OFFSET_TIMELINE);
    BufferConfig other = CONFIG.toBuilder()
        .otBucket(new BufferConfig.Bucket(0, 1, Duration.ofHours(1), 0, Storage.MEMORY, 1)).build();

    assertThatCode(() -> client.admin().createBuckets(List.of(bucket), other, BucketLayout.OFFSET_TIMELINE))
        .doesNotThrowAnyException();

    KeyValueStatus ot = kvm.getStatus(bucket + "_OT");
    assertThat(ot.getMaxHistoryPerKey()).isEqualTo(3);
    assertThat(ot.getTtl()).isEqualTo(Duration.ofMinutes(45));
  }

  @Test
  @DisplayName("validate finds nothing wrong with what create made")
  void validateAcceptsWhatCreateMade() {
    String buffer = createdBuffer("v", CONFIG);
    String bucket = createdBucket(BucketLayout.OFFSET_TIMELINE_AND_PROCESSORS);

    ValidationReport report = client.admin().validate(List.of(buffer), List.of(bucket),
        BucketLayout.OFFSET_TIMELINE_AND_PROCESSORS);

    assertThat(report.problems()).isEmpty();
    assertThat(report.isValid()).isTrue();
  }

  @Test
  @DisplayName("validate reports a missing durable consumer, naming the buffer")
  void validateReportsMissingConsumer() throws Exception {
    String buffer = createdBuffer("m", CONFIG);
    assertThat(jsm.deleteConsumer(buffer, buffer)).isTrue();

    ValidationReport report = client.admin().validate(List.of(buffer), List.of(), BucketLayout.OFFSET_TIMELINE);

    assertThat(report.isValid()).isFalse();
    assertThat(report.problems()).singleElement().satisfies(p -> {
      assertThat(p.resource()).isEqualTo(buffer);
      assertThat(p.description()).containsIgnoringCase("consumer").contains("missing");
    });
  }

  @Test
  @DisplayName("validate reports a missing stream and every missing bucket of the layout, each by name")
  void validateReportsMissingStreamAndBuckets() throws Exception {
    String buffer = unique("n");
    String bucket = createdBucket(BucketLayout.OFFSET_TIMELINE_AND_PROCESSORS);
    kvm.delete(bucket + "_PROCESSORS");

    ValidationReport older = client.admin().validate(List.of(buffer), List.of(bucket),
        BucketLayout.OFFSET_TIMELINE_AND_PROCESSORS);
    assertThat(older.problems()).extracting(ValidationReport.Problem::resource)
        .containsExactlyInAnyOrder(buffer, bucket + "_PROCESSORS");
    assertThat(older.problems()).allSatisfy(p -> assertThat(p.description()).contains("missing"));

    assertThat(client.admin().validate(List.of(), List.of(bucket), BucketLayout.OFFSET_TIMELINE).isValid())
        .as("the offset-timeline layout needs no _PROCESSORS bucket").isTrue();

    kvm.delete(bucket + "_OT");
    ValidationReport none = client.admin().validate(List.of(), List.of(bucket), BucketLayout.OFFSET_TIMELINE);
    assertThat(none.problems()).extracting(ValidationReport.Problem::resource).containsExactly(bucket + "_OT");
  }

  @Test
  @DisplayName("validate against the creating config finds no difference; against another it names each differing setting, without making the report invalid")
  void validateAgainstExpectedConfig() {
    String buffer = createdBuffer("e", CONFIG);
    String bucket = createdBucket(BucketLayout.OFFSET_TIMELINE_AND_PROCESSORS);
    var layout = BucketLayout.OFFSET_TIMELINE_AND_PROCESSORS;

    ValidationReport same = client.admin().validate(List.of(buffer), List.of(bucket), layout, CONFIG);
    assertThat(same.problems()).isEmpty();
    assertThat(same.differences()).isEmpty();

    BufferConfig other = CONFIG.toBuilder()
        .stream(WORK_QUEUE_STREAM.toBuilder().maxMsgs(999).build())
        .consumer(CONFIG.consumer().withMaxAckPending(111))
        .otBucket(CONFIG.otBucket().withTtl(Duration.ofHours(1)))
        .build();
    ValidationReport changed = client.admin().validate(List.of(buffer), List.of(bucket), layout, other);

    assertThat(changed.isValid()).isTrue();
    assertThat(changed.differences()).extracting(ValidationReport.Problem::toString).containsExactlyInAnyOrder(
        buffer + ": stream.maxMsgs is 1234, expected 999",
        buffer + ": consumer.maxAckPending is 321, expected 111",
        bucket + "_OT: bucket.ttl is PT45M, expected PT1H");
  }

  @Test
  @DisplayName("delete removes streams and buckets of both layouts and ignores what is missing")
  void deleteRemovesAndIgnoresMissing() throws Exception {
    String buffer = createdBuffer("x", CONFIG);
    String bucket = createdBucket(BucketLayout.OFFSET_TIMELINE_AND_PROCESSORS);

    client.admin().deleteBuffers(List.of(buffer));
    client.admin().deleteBuckets(List.of(bucket));

    assertThat(jsm.getStreamNames()).doesNotContain(buffer);
    assertThat(kvm.getBucketNames()).doesNotContain(bucket + "_OT", bucket + "_PROCESSORS");
    assertThatCode(() -> {
      client.admin().deleteBuffers(List.of(buffer, unique("never")));
      client.admin().deleteBuckets(List.of(bucket, uniqueBucket()));
    }).doesNotThrowAnyException();
  }

  @Test
  @DisplayName("bufferInfo under Limits: pending, ack pending, and total = pending + ack pending (not the stored messages)")
  void bufferInfoUnderLimits() throws Exception {
    String buffer = createdBuffer("bl", LIMITS);
    BufferInfo info = infoAfterHoldingTwoOfSix(buffer);
    StreamInfo stream = jsm.getStreamInfo(buffer);

    assertThat(info.buffer()).isEqualTo(buffer);
    assertThat(info.totalMessages()).isEqualTo(5);
    assertThat(stream.getStreamState().getMsgCount()).as("Limits keeps the acked message").isEqualTo(6);
  }

  @Test
  @DisplayName("bufferInfo of a Limits stream that discarded 20 unread messages reports the gap; once the consumer"
      + " acks the rest the server moves its ack floor over the gap; a consumer created after the discard reports"
      + " none")
  void bufferInfoReportsAGap() throws Exception {
    String buffer = createdBuffer("bg", LIMITS.toBuilder().stream(LIMITS.stream().toBuilder().maxMsgs(10).build())
        .build());
    writeAndHold(buffer, 30, 0, 0);

    BufferInfo gap = client.admin().bufferInfo(buffer);
    assertThat(gap.pendingCount()).isEqualTo(10);
    assertThat(gap.lostUnacked()).isEqualTo(20);
    assertThat(gap.warnings()).singleElement().asString().startsWith("20 message(s) removed before the consumer"
        + " acked them: the stream starts at sequence 21, the consumer has acked up to 0;");

    try (BufferReader reader = client.reader(buffer, ReaderOptions.defaults())) {
      var rest = new ArrayList<ReadMessage>();
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (rest.size() < 10 && System.nanoTime() < deadline) {
        rest.addAll(reader.read(10, Duration.ofMillis(500)));
      }
      reader.ack(rest.stream().map(ReadMessage::offset).toList());
      assertThat(rest).extracting(m -> m.message().payloadAsString()).first().isEqualTo("m20");
    }
    assertThat(client.admin().bufferInfo(buffer).lostUnacked()).as("acked past the gap").isZero();

    jsm.deleteConsumer(buffer, buffer);
    client.admin().createBuffers(List.of(buffer), LIMITS);
    BufferInfo recreated = client.admin().bufferInfo(buffer);
    assertThat(recreated.pendingCount()).isEqualTo(10);
    assertThat(recreated.lostUnacked()).as(recreated.warnings().toString()).isZero();
    assertThat(recreated.warnings()).isEmpty();
  }

  @Test
  @DisplayName("bufferInfo under WorkQueue: total is the number of messages stored")
  void bufferInfoUnderWorkQueue() throws Exception {
    String buffer = createdBuffer("bw", CONFIG);
    BufferInfo info = infoAfterHoldingTwoOfSix(buffer);

    assertThat(info.totalMessages()).isEqualTo(jsm.getStreamInfo(buffer).getStreamState().getMsgCount())
        .isEqualTo(5);
  }

  @Test
  @DisplayName("bufferInfo of a buffer that does not exist is a BufferNotFoundException naming it")
  void bufferInfoOfMissingBuffer() {
    String buffer = unique("nf");
    assertThatThrownBy(() -> client.admin().bufferInfo(buffer))
        .isInstanceOf(BufferNotFoundException.class)
        .hasMessageContaining(buffer);
  }

  @Test
  @DisplayName("streams created by the admin are found by raw jnats by the buffer name only")
  void streamLookupBySubject() throws Exception {
    String buffer = createdBuffer("f", CONFIG);
    assertThat(jsm.getStreamNames(buffer)).containsExactly(buffer);
    assertThatThrownBy(() -> jsm.getStreamInfo(buffer + "x")).isInstanceOf(JetStreamApiException.class);
  }

  /**
   * Writes six messages, reads three and acks one of those; checks that bufferInfo then counts the three unread
   * as pending and the two held as ack pending, and returns it.
   */
  private BufferInfo infoAfterHoldingTwoOfSix(String buffer) {
    writeAndHold(buffer, 6, 3, 1);
    BufferInfo info = client.admin().bufferInfo(buffer);
    assertThat(info.pendingCount()).isEqualTo(3);
    assertThat(info.ackPendingCount()).isEqualTo(2);
    return info;
  }

  /** Writes {@code total} messages, reads {@code read} of them and acks {@code acked} of those. */
  private void writeAndHold(String buffer, int total, int read, int acked) {
    try (BufferWriter writer = client.writer(buffer)) {
      List<Message> batch = IntStream.range(0, total)
          .mapToObj(i -> Message.data(new MessageId("in", "o" + i, 0), ("m" + i).getBytes(UTF_8)))
          .toList();
      assertThat(writer.write(batch)).allMatch(r -> r instanceof WriteResult.Written);
    }
    BufferReader reader = client.reader(buffer, ReaderOptions.builder().keepAlive(false).build());
    var got = new ArrayList<ReadMessage>();
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (got.size() < read && System.nanoTime() < deadline) {
      got.addAll(reader.read(read - got.size(), Duration.ofMillis(500)));
    }
    assertThat(got).hasSize(read);
    reader.ack(got.subList(0, acked).stream().map(ReadMessage::offset).toList());
    // The reader stays open (closed with the client) so the un-acked ones stay ack-pending.
  }
}
