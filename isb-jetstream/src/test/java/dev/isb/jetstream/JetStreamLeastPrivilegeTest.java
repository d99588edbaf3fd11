package dev.isb.jetstream;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isb.BucketLayout;
import dev.isb.BufferConfig;
import dev.isb.BufferReader;
import dev.isb.BufferWriter;
import dev.isb.IsbClient;
import dev.isb.IsbException;
import dev.isb.IsbOptions;
import dev.isb.Message;
import dev.isb.MessageId;
import dev.isb.ReadMessage;
import dev.isb.ReaderOptions;
import dev.isb.Retention;
import dev.isb.WriteResult;
import dev.isb.WriterOptions;
import dev.isb.testkit.Await;
import dev.isb.testkit.NatsServerExtension;
import dev.isb.testkit.WatchRecorder;
import dev.isb.watermark.WatermarkStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The NATS permissions of {@code docs/security.md}, buffer by buffer: a vertex user allowed only its
 * buffers' subjects and the {@code $JS.API} / {@code $JS.ACK} subjects a writer and a reader need, and
 * the subjects of its watermark bucket; and an admin user allowed only the create, info and delete
 * subjects of its buffers and buckets.
 * Each subject of both lists was found necessary by removing it and seeing a call fail (see the
 * document); here the lists are shown to be enough, and to keep the users to their buffers.
 */
@DisplayName("JetStream as users with only the documented permissions, named buffer by buffer")
class JetStreamLeastPrivilegeTest {

  private static final String VERTEX = "vertex";
  private static final String VERTEX_PASSWORD = "vertex-" + Long.toHexString(System.nanoTime());
  private static final String ADMIN = "isb-admin";
  private static final String ADMIN_PASSWORD = "admin-" + Long.toHexString(System.nanoTime());

  /** A Limits buffer and a WorkQueue buffer of the vertex, and one of another pipeline. */
  private static final String BUFFER = "ns-pl-out-0";
  private static final String QUEUE = "ns-pl-wq-0";
  private static final String FOREIGN = "ns-other-out-0";
  /** The edge bucket: key/value buckets {@code ns-pl-in-out_OT} and {@code ns-pl-in-out_PROCESSORS}. */
  private static final String BUCKET = "ns-pl-in-out";
  private static final String FOREIGN_BUCKET = "ns-other-in-out";

  /** What a writer and a reader of {@code buffer} publish to. */
  static List<String> vertexPublish(String buffer) {
    return List.of(
        buffer,
        "$JS.API.STREAM.INFO." + buffer,
        "$JS.API.CONSUMER.INFO." + buffer + "." + buffer,
        "$JS.API.CONSUMER.MSG.NEXT." + buffer + "." + buffer,
        "$JS.ACK." + buffer + "." + buffer + ".>");
  }

  /**
   * What a vertex's watermark store on the key/value bucket {@code kv} publishes to: the bucket's info
   * (opening the store), its keys (put, delete), and for a watch the ordered consumer's create and info
   * and the replies to the server's flow control.
   */
  static List<String> watermarkPublish(String kv) {
    return List.of(
        "$JS.API.STREAM.INFO.KV_" + kv,
        "$KV." + kv + ".>",
        "$JS.API.CONSUMER.CREATE.KV_" + kv + ".*.$KV." + kv + ".>",
        "$JS.API.CONSUMER.INFO.KV_" + kv + ".*",
        "$JS.FC.KV_" + kv + ".>");
  }

  /** What creating, validating and deleting {@code buffer} adds to {@link #vertexPublish}. */
  static List<String> bufferAdminPublish(String buffer) {
    return List.of(
        "$JS.API.STREAM.CREATE." + buffer,
        "$JS.API.CONSUMER.CREATE." + buffer + "." + buffer + "." + buffer,
        "$JS.API.STREAM.DELETE." + buffer);
  }

  /** What creating, validating and deleting the key/value buckets of an edge bucket publishes to. */
  static List<String> bucketAdminPublish(String bucket) {
    return Stream.of(bucket + "_OT", bucket + "_PROCESSORS")
        .flatMap(kv -> Stream.of("$JS.API.STREAM.CREATE.KV_" + kv, "$JS.API.STREAM.INFO.KV_" + kv,
            "$JS.API.STREAM.DELETE.KV_" + kv))
        .toList();
  }

  private static final List<String> SUBSCRIBE = List.of("_INBOX.>");

  /** The vertex user next to an unrestricted user who prepares the buffers. */
  @RegisterExtension
  static final NatsServerExtension VERTEX_NATS = NatsServerExtension.single()
      .withUser(ADMIN, ADMIN_PASSWORD)
      .withUserPermissions(VERTEX, VERTEX_PASSWORD,
          Stream.of(vertexPublish(BUFFER), vertexPublish(QUEUE), watermarkPublish(BUCKET + "_OT"))
              .flatMap(List::stream).toList(),
          SUBSCRIBE);

  /** The admin user alone, with the admin subjects as well as the vertex ones. */
  @RegisterExtension
  static final NatsServerExtension ADMIN_NATS = NatsServerExtension.single()
      .withUserPermissions(ADMIN, ADMIN_PASSWORD,
          Stream.of(vertexPublish(BUFFER), bufferAdminPublish(BUFFER), bucketAdminPublish(BUCKET))
              .flatMap(List::stream).toList(),
          SUBSCRIBE);

  private static final BufferConfig LIMITS = StreamConfigs.MEMORY.toBuilder()
      .consumer(BufferConfig.Consumer.defaults().withAckWait(Duration.ofSeconds(2)))
      .otBucket(BufferConfig.Bucket.otDefaults().withReplicas(1))
      .procBucket(BufferConfig.Bucket.procDefaults().withReplicas(1))
      .build();
  private static final BufferConfig WORK_QUEUE = LIMITS.toBuilder()
      .stream(LIMITS.stream().toBuilder().retention(Retention.WORK_QUEUE).build())
      .build();

  private static IsbClient client(NatsServerExtension nats, String user, String password) {
    return IsbClient.open(IsbOptions.builder().backend("jetstream").url(nats.url())
        .property("user", user).property("password", password).build());
  }

  @BeforeAll
  static void createBuffers() {
    try (IsbClient admin = client(VERTEX_NATS, ADMIN, ADMIN_PASSWORD)) {
      admin.admin().createBuffers(List.of(BUFFER, FOREIGN), LIMITS);
      admin.admin().createBuffers(List.of(QUEUE), WORK_QUEUE);
      admin.admin().createBuckets(List.of(BUCKET, FOREIGN_BUCKET), LIMITS, BucketLayout.OFFSET_TIMELINE);
    }
  }

  @AfterAll
  static void deleteBuffers() {
    try (IsbClient admin = client(VERTEX_NATS, ADMIN, ADMIN_PASSWORD)) {
      admin.admin().deleteBuffers(List.of(BUFFER, QUEUE, FOREIGN));
      admin.admin().deleteBuckets(List.of(BUCKET, FOREIGN_BUCKET));
    }
  }

  @Test
  @DisplayName("a vertex user with only its buffers' subjects writes, de-duplicates, reads, naks, keeps alive,"
      + " acks and counts pending under Limits and WorkQueue (a missing permission would fail a call)")
  void vertexPermissionsAreEnough() {
    try (IsbClient client = client(VERTEX_NATS, VERTEX, VERTEX_PASSWORD)) {
      for (String buffer : List.of(BUFFER, QUEUE)) {
        assertThat(client.admin().bufferInfo(buffer).pendingCount()).as("pending of %s", buffer).isZero();
        exercise(client, buffer);
      }
    }
  }

  @Test
  @DisplayName("the vertex user cannot open a writer or reader on another pipeline's buffer, nor create or delete"
      + " buffers: each call fails with the library's error")
  void vertexIsKeptToItsBuffers() {
    try (IsbClient client = client(VERTEX_NATS, VERTEX, VERTEX_PASSWORD)) {
      assertThatThrownBy(() -> client.writer(FOREIGN).close()).isInstanceOf(IsbException.class)
          .hasMessageContaining(FOREIGN);
      assertThatThrownBy(() -> client.reader(FOREIGN, ReaderOptions.defaults()).close())
          .isInstanceOf(IsbException.class).hasMessageContaining(FOREIGN);
      assertThatThrownBy(() -> client.admin().deleteBuffers(List.of(BUFFER))).isInstanceOf(IsbException.class);
      assertThatThrownBy(() -> client.admin().createBuffers(List.of("ns-pl-new-0"), LIMITS))
          .isInstanceOf(IsbException.class);
    }
    try (IsbClient admin = client(VERTEX_NATS, ADMIN, ADMIN_PASSWORD)) {
      assertThat(admin.admin().validate(List.of(BUFFER, FOREIGN), List.of(), BucketLayout.OFFSET_TIMELINE)
          .isValid()).as("the buffers the vertex user tried to touch are intact").isTrue();
    }
  }

  @Test
  @DisplayName("a vertex user with only its bucket's watermark subjects opens a store, puts, watches (through a burst"
      + " that needs flow control) and deletes, and cannot open another pipeline's bucket")
  void watermarkPermissionsAreEnough() throws Exception {
    try (IsbClient client = client(VERTEX_NATS, VERTEX, VERTEX_PASSWORD)) {
      exerciseWatermarks(client, BUCKET + "_OT");
      assertThatThrownBy(() -> client.watermarkStore(FOREIGN_BUCKET + "_OT").close())
          .isInstanceOf(IsbException.class).hasMessageContaining(FOREIGN_BUCKET + "_OT");
    }
  }

  /**
   * Opens a store on {@code kv}, watches it through a burst of 200 values of 64 KiB (12.5 MiB, more
   * than the server sends a push consumer before it asks for flow control), deletes a key.
   */
  static void exerciseWatermarks(IsbClient client, String kv) throws Exception {
    try (WatermarkStore store = client.watermarkStore(kv); WatchRecorder watch = WatchRecorder.watch(store)) {
      watch.awaitCaughtUp();
      byte[] large = new byte[64 * 1024];
      List<CompletableFuture<Void>> puts = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        puts.add(store.put("p-" + i, large));
      }
      for (CompletableFuture<Void> put : puts) {
        put.get(10, TimeUnit.SECONDS);
      }
      store.put("last", "done".getBytes(UTF_8)).get(10, TimeUnit.SECONDS);
      watch.awaitValue("last", "done");
      store.delete("last");
      watch.await("the DELETE of last", e -> e.key().equals("last") && e.op() == WatermarkStore.Op.DELETE);
    }
  }

  @Test
  @DisplayName("an admin user with only the create, info and delete subjects of its buffer and buckets creates,"
      + " validates, inspects and deletes them (a missing permission would fail a call)")
  void adminPermissionsAreEnough() {
    try (IsbClient client = client(ADMIN_NATS, ADMIN, ADMIN_PASSWORD)) {
      var admin = client.admin();
      admin.createBuffers(List.of(BUFFER), LIMITS);
      admin.createBuffers(List.of(BUFFER), LIMITS);
      admin.createBuckets(List.of(BUCKET), LIMITS, BucketLayout.OFFSET_TIMELINE_AND_PROCESSORS);
      assertThat(admin.validate(List.of(BUFFER), List.of(BUCKET), BucketLayout.OFFSET_TIMELINE_AND_PROCESSORS,
          LIMITS).problems()).isEmpty();
      exercise(client, BUFFER);
      admin.deleteBuffers(List.of(BUFFER));
      admin.deleteBuckets(List.of(BUCKET));
      assertThat(admin.validate(List.of(BUFFER), List.of(BUCKET), BucketLayout.OFFSET_TIMELINE_AND_PROCESSORS)
          .problems()).as("problems after delete").hasSize(3);
    }
  }

  /** Every call of a writer and a reader on {@code buffer}, which must start and end empty. */
  private static void exercise(IsbClient client, String buffer) {
    try (BufferWriter writer = client.writer(buffer,
            WriterOptions.builder().refreshInterval(Duration.ofMillis(50)).fullWaitTimeout(Duration.ofSeconds(10))
                .build());
        BufferReader reader = client.reader(buffer,
            ReaderOptions.builder().consumerName("v-0").readTimeout(Duration.ofMillis(200)).build())) {
      Await.until(Duration.ofSeconds(10), "the writer of " + buffer + " sees room", () -> !writer.isFull());
      List<Message> batch = IntStream.range(0, 3)
          .mapToObj(i -> Message.data(new MessageId("lp", buffer + i, 0), ("m" + i).getBytes(UTF_8)))
          .toList();
      assertThat(writer.write(batch)).allSatisfy(r -> assertThat(r).isInstanceOf(WriteResult.Written.class));
      assertThat(writer.write(batch.get(0))).isInstanceOf(WriteResult.Duplicate.class);

      List<ReadMessage> got = readAtLeast(reader, 3);
      reader.keepAlive(List.of(got.get(0).offset()));
      reader.nak(List.of(got.get(0).offset()));
      reader.nak(List.of(got.get(1).offset()), Duration.ofMillis(100));
      reader.ack(got.get(2).offset());
      List<ReadMessage> again = readAtLeast(reader, 2);
      assertThat(again).allSatisfy(m -> assertThat(m.deliveryCount()).isEqualTo(2));
      reader.ack(again.stream().map(ReadMessage::offset).toList());
      Await.until(Duration.ofSeconds(10), "nothing pending in " + buffer, () -> reader.pending().orElse(-1) == 0);
    }
  }

  private static List<ReadMessage> readAtLeast(BufferReader reader, int n) {
    List<ReadMessage> got = new ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (got.size() < n && System.nanoTime() - deadline < 0) {
      got.addAll(reader.read(n - got.size(), Duration.ofMillis(200)));
    }
    assertThat(got).as("messages read from %s", reader.buffer()).hasSize(n);
    return got;
  }
}
