package dev.isb.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.isb.BucketLayout;
import dev.isb.BufferConfig;
import dev.isb.BufferInfo;
import dev.isb.BufferNotFoundException;
import dev.isb.BufferReader;
import dev.isb.BufferWriter;
import dev.isb.ReadMessage;
import dev.isb.Retention;
import dev.isb.ValidationReport;
import dev.isb.WriteResult.Written;
import dev.isb.wire.BufferNames;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Conformance tests of the admin API: create, validate, inspect, delete.
 *
 * <p>{@link IsbConformanceKit} runs these tests against each backend as one of its {@code @Nested}
 * groups; the helpers and the per-test client come from {@link ConformanceGroup}.
 */
abstract class AdminConformance extends ConformanceGroup {

  @Test
  @DisplayName("the client names its backend")
  void backendName() {
    assertThat(client.backend()).isNotBlank();
  }

  @Test
  @DisplayName("validate reports every missing buffer and bucket, and nothing once they are created")
  void validate() {
    String b1 = bufferName();
    String b2 = bufferName();
    String bucket = bucketName();
    ValidationReport before =
        client.admin().validate(List.of(b1, b2), List.of(bucket), BucketLayout.OFFSET_TIMELINE_AND_PROCESSORS);
    assertThat(before.isValid()).isFalse();
    for (String missing : List.of(b1, b2, BufferNames.offsetTimelineBucket(bucket),
        BufferNames.processorsBucket(bucket))) {
      assertThat(before.problems()).as("problems naming %s", missing)
          .anySatisfy(p -> assertThat(p.resource() + " " + p.description()).contains(missing));
    }

    client.admin().createBuffers(List.of(b1, b2), config());
    client.admin().createBuckets(List.of(bucket), config(), BucketLayout.OFFSET_TIMELINE_AND_PROCESSORS);

    assertThat(client.admin()
        .validate(List.of(b1, b2), List.of(bucket), BucketLayout.OFFSET_TIMELINE_AND_PROCESSORS).problems())
        .isEmpty();
  }

  @Test
  @DisplayName("validate against an expected configuration names each differing setting, and differences do not make it invalid")
  void validateAgainstConfig() {
    String b = bufferName();
    String bucket = bucketName();
    BufferConfig created = config(s -> s.maxMsgs(1234), Duration.ofSeconds(17), 321);
    client.admin().createBuffers(List.of(b), created);
    client.admin().createBuckets(List.of(bucket), created, BucketLayout.OFFSET_TIMELINE);

    ValidationReport same = client.admin().validate(List.of(b), List.of(bucket), BucketLayout.OFFSET_TIMELINE, created);
    assertThat(same.problems()).isEmpty();
    assertThat(same.differences()).isEmpty();

    BufferConfig expected = created.toBuilder()
        .stream(created.stream().toBuilder().maxMsgs(5000).build())
        .consumer(created.consumer().withAckWait(Duration.ofSeconds(18)))
        .otBucket(created.otBucket().withTtl(Duration.ofHours(1)))
        .build();
    ValidationReport differing =
        client.admin().validate(List.of(b), List.of(bucket), BucketLayout.OFFSET_TIMELINE, expected);
    assertThat(differing.isValid()).isTrue();
    assertThat(differing.differences()).extracting(ValidationReport.Problem::toString).containsExactlyInAnyOrder(
        b + ": stream.maxMsgs is 1234, expected 5000",
        b + ": consumer.ackWait is PT17S, expected PT18S",
        BufferNames.offsetTimelineBucket(bucket) + ": bucket.ttl is PT3H, expected PT1H");
  }

  @Test
  @DisplayName("createBuffers is idempotent and leaves an existing buffer, its messages and settings as they are")
  void createIsIdempotent() {
    String b = createBuffer();
    writeAll(writer(b), msgs("m", 0, 3));
    BufferConfig oneMessage = config(s -> s.retention(Retention.LIMITS).maxMsgs(1));

    assertThatCode(() -> client.admin().createBuffers(List.of(b), oneMessage)).doesNotThrowAnyException();

    writeAll(writer(b), msgs("m", 3, 6));
    assertThat(payloads(readUntilQuiet(reader(b)))).containsExactly("m0", "m1", "m2", "m3", "m4", "m5");
  }

  @Test
  @DisplayName("deleteBuffers deletes existing buffers and ignores missing ones")
  void delete() {
    String b = createBuffer();
    String missing = bufferName();
    assertThatCode(() -> client.admin().deleteBuffers(List.of(b, missing))).doesNotThrowAnyException();
    assertThatThrownBy(() -> client.writer(b)).isInstanceOf(BufferNotFoundException.class);
    assertThat(client.admin().validate(List.of(b), List.of(), BucketLayout.OFFSET_TIMELINE).isValid()).isFalse();
    assertThatCode(() -> client.admin().deleteBuffers(List.of(b))).as("delete again").doesNotThrowAnyException();
  }

  @Test
  @DisplayName("createBuckets is idempotent and deleteBuckets removes buckets, ignoring missing ones")
  void buckets() {
    String bucket = bucketName();
    BucketLayout layout = BucketLayout.OFFSET_TIMELINE;
    client.admin().createBuckets(List.of(bucket), config(), layout);
    assertThatCode(() -> client.admin().createBuckets(List.of(bucket), config(), layout)).doesNotThrowAnyException();
    assertThat(client.admin().validate(List.of(), List.of(bucket), layout).problems()).isEmpty();

    assertThatCode(() -> client.admin().deleteBuckets(List.of(bucket, bucketName()))).doesNotThrowAnyException();

    assertThat(client.admin().validate(List.of(), List.of(bucket), layout).problems())
        .anySatisfy(p -> assertThat(p.resource() + " " + p.description())
            .contains(BufferNames.offsetTimelineBucket(bucket)));
  }

  @Test
  @DisplayName("bufferInfo counts pending and ack-pending messages")
  void bufferInfo() {
    String b = createBuffer();
    writeAll(writer(b), msgs(5));
    Await.until(PATIENCE, "bufferInfo shows 5 pending, 0 ack-pending", () -> {
      BufferInfo info = client.admin().bufferInfo(b);
      return info.pendingCount() == 5 && info.ackPendingCount() == 0;
    });
    BufferInfo info = client.admin().bufferInfo(b);
    assertThat(info.buffer()).isEqualTo(b);
    assertThat(info.totalMessages()).as("totalMessages under Limits").isEqualTo(5);

    BufferReader r = reader(b);
    List<ReadMessage> held = readExactly(r, 2);
    Await.until(PATIENCE, "bufferInfo shows the 2 read messages as ack-pending", () -> {
      BufferInfo i = client.admin().bufferInfo(b);
      return i.pendingCount() + i.ackPendingCount() == 5 && i.ackPendingCount() >= 2;
    });

    r.ack(offsets(held));
    Await.until(PATIENCE, "bufferInfo counts 3 messages left after 2 acks", () -> {
      BufferInfo i = client.admin().bufferInfo(b);
      return i.pendingCount() + i.ackPendingCount() == 3 && i.totalMessages() == 3;
    });
  }

  @Test
  @DisplayName("pending() counts messages not yet delivered plus delivered and not acked")
  void pending() {
    assumeTrue(features().pendingExact(), "the backend's pending() is not exact");
    String b = createBuffer();
    writeAll(writer(b), msgs(5));
    BufferReader r = reader(b);
    Await.until(PATIENCE, "pending() is 5", () -> r.pending().orElse(-1) == 5);
    List<ReadMessage> held = readExactly(r, 2);
    assertThat(r.pending()).as("pending() with 2 read, not acked").hasValue(5);
    r.ack(offsets(held));
    Await.until(PATIENCE, "pending() is 3 after 2 acks", () -> r.pending().orElse(-1) == 3);
  }

  @Test
  @DisplayName("a buffer deleted and created again is empty and has forgotten its message ids")
  void recreate() {
    String b = createBuffer();
    try (BufferWriter w = writer(b)) {
      writeOne(w, msg("again"));
    }
    client.admin().deleteBuffers(List.of(b));
    client.admin().createBuffers(List.of(b), config());

    BufferReader r = reader(b);
    assertNothingToRead(r, QUIET);
    assertThat(writer(b).write(msg("again"))).as("the same id after re-creation").isInstanceOf(Written.class);
    assertThat(payloads(readExactly(r, 1))).containsExactly("again");
  }
}
