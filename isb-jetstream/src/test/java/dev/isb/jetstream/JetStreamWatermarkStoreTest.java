package dev.isb.jetstream;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isb.BucketLayout;
import dev.isb.BufferConfig;
import dev.isb.IsbException;
import dev.isb.testkit.Await;
import dev.isb.testkit.NatsServerExtension;
import dev.isb.testkit.WatchRecorder;
import dev.isb.watermark.SourceWatermarks;
import dev.isb.watermark.WatermarkStore;
import dev.isb.watermark.WatermarkStore.Entry;
import dev.isb.watermark.WatermarkStore.Op;
import dev.isb.wire.BufferNames;
import dev.isb.wire.WatermarkCodec;
import dev.isb.wire.Wmb;
import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.MessageInfo;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The JetStream watermark store next to jnats' own {@link KeyValue} on the same bucket, as Numaflow's
 * Rust data plane (async-nats) uses it: the same bytes under the same subjects, whichever side puts
 * them; and its watch over a restart of the server.
 */
@DisplayName("JetStream watermark store")
class JetStreamWatermarkStoreTest extends JetStreamTestBase {

  @RegisterExtension
  static final NatsServerExtension NATS = NatsServerExtension.single();

  /** Numaflow's bucket defaults (history 1, file storage), one replica. */
  private static final BufferConfig CONFIG = BufferConfig.defaults().toBuilder()
      .otBucket(BufferConfig.Bucket.otDefaults().withReplicas(1))
      .build();
  /** How long the client may take to reconnect after the server restarted. */
  private static final Duration RECOVERY = Duration.ofSeconds(60);
  /** How long a watch may take to deliver again once the connection is back. */
  private static final Duration SOON_AFTER_RECONNECT = Duration.ofSeconds(10);

  @Override
  NatsServerExtension nats() {
    return NATS;
  }

  /** A new edge bucket's {@code _OT} key/value bucket. */
  private String createBucket() {
    String edge = "ns-wm-" + UUID.randomUUID().toString().substring(0, 8) + "-a-b";
    client.admin().createBuckets(List.of(edge), CONFIG, BucketLayout.OFFSET_TIMELINE);
    return BufferNames.offsetTimelineBucket(edge);
  }

  /** Bytes that are not text: every byte value, as a WMB's protobuf may hold. */
  private static byte[] binary(int salt) {
    byte[] value = new byte[256];
    for (int i = 0; i < value.length; i++) {
      value[i] = (byte) (i + salt);
    }
    return value;
  }

  @Test
  @DisplayName("values put with jnats' KeyValue.put, before and after the watch started, are watched byte for byte")
  void watchesWhatJnatsPuts() throws Exception {
    String bucket = createBucket();
    KeyValue kv = nc.keyValue(bucket);
    kv.put("in-0", binary(1));
    try (WatermarkStore store = client.watermarkStore(bucket); WatchRecorder watch = WatchRecorder.watch(store)) {
      watch.awaitCaughtUp();
      kv.put("in-1", binary(2));

      Entry later = watch.await("a PUT of in-1", e -> e.key().equals("in-1"));
      Entry initial = watch.last("in-0");
      assertThat(initial.initial()).isTrue();
      assertThat(initial.value()).isEqualTo(binary(1));
      assertThat(later.op()).isEqualTo(Op.PUT);
      assertThat(later.initial()).isFalse();
      assertThat(later.value()).isEqualTo(binary(2));
      assertThat(later.createdMillis()).isEqualTo(kv.get("in-1").getCreated().toInstant().toEpochMilli());
    }
  }

  @Test
  @DisplayName("a value the store puts is read back byte-identical by KeyValue.get, stored as jnats' own put stores it")
  void jnatsReadsWhatTheStorePuts() throws Exception {
    String bucket = createBucket();
    KeyValue kv = nc.keyValue(bucket);
    try (WatermarkStore store = client.watermarkStore(bucket)) {
      store.put("out-0", binary(3)).get(10, SECONDS);
      kv.put("out-1", binary(3));

      KeyValueEntry entry = kv.get("out-0");
      assertThat(entry.getValue()).isEqualTo(binary(3));
      assertThat(entry.getOperation()).isEqualTo(io.nats.client.api.KeyValueOperation.PUT);
      MessageInfo ours = jsm.getLastMessage("KV_" + bucket, "$KV." + bucket + ".out-0");
      MessageInfo theirs = jsm.getLastMessage("KV_" + bucket, "$KV." + bucket + ".out-1");
      assertThat(ours.getData()).isEqualTo(theirs.getData());
      assertThat(ours.getHeaders()).as("headers of the store's put, as of jnats' put").isEqualTo(theirs.getHeaders());
    }
  }

  @Test
  @DisplayName("a key the store deletes is gone for jnats, and a jnats delete is watched as a DELETE")
  void deletesBothWays() throws Exception {
    String bucket = createBucket();
    KeyValue kv = nc.keyValue(bucket);
    kv.put("a", "1".getBytes(UTF_8));
    kv.put("b", "2".getBytes(UTF_8));
    try (WatermarkStore store = client.watermarkStore(bucket); WatchRecorder watch = WatchRecorder.watch(store)) {
      watch.awaitCaughtUp();
      store.delete("a");
      kv.delete("b");

      assertThat(kv.get("a")).as("jnats' get of the deleted key").isNull();
      watch.await("a DELETE of b", e -> e.key().equals("b") && e.op() == Op.DELETE);
      assertThat(watch.entries()).extracting(WatchRecorder::describe).containsExactly("DELETE a=", "DELETE b=");
    }
  }

  @Test
  @DisplayName("a put to a bucket deleted under the store completes exceptionally, and does not throw")
  void putToDeletedBucket() {
    String bucket = createBucket();
    try (WatermarkStore store = client.watermarkStore(bucket)) {
      client.admin().deleteBuckets(List.of(bucket.substring(0, bucket.length() - "_OT".length())));

      var put = store.put("in-0", binary(4));
      assertThatThrownBy(() -> put.get(30, SECONDS)).isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(IsbException.class).hasMessageContaining(bucket);
    }
  }

  @Test
  @DisplayName("a watch keeps delivering after the nats-server process is killed and restarted: it is started "
      + "again as soon as the connection is back, and replays the current values")
  void watchSurvivesServerRestart() throws Exception {
    String bucket = createBucket();
    try (WatermarkStore store = client.watermarkStore(bucket); WatchRecorder watch = WatchRecorder.watch(store)) {
      watch.awaitCaughtUp();
      store.put("in-0", "before".getBytes(UTF_8)).get(10, SECONDS);
      watch.awaitValue("in-0", "before");

      NATS.server().kill();
      NATS.server().restart();
      // Until the client has reconnected, a put fails (in its future); the first that is stored counts.
      Await.until(RECOVERY, "a put is stored after the restart", () -> {
        try {
          store.put("in-0", "after".getBytes(UTF_8)).get(10, SECONDS);
          return true;
        } catch (ExecutionException | TimeoutException notYet) {
          return false;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      });
      long stored = System.nanoTime();

      // Left to jnats, the watch's ordered consumer would come back only with its heartbeat alarm, 15 to 30 s on.
      watch.awaitValue("in-0", "after", SOON_AFTER_RECONNECT);
      Await.until(SOON_AFTER_RECONNECT, "the restarted watch catches up again", () -> watch.caughtUpCount() == 2);
      System.out.println("[watermarks] the watch delivered again " + Duration.ofNanos(System.nanoTime() - stored)
          .toMillis() + " ms after the first put the restarted server stored");
      store.put("in-1", "later".getBytes(UTF_8)).get(10, SECONDS);
      assertThat(watch.awaitValue("in-1", "later").initial()).isFalse();
    }
  }

  @Test
  @DisplayName("a source's watermark goes through its _SOURCE_OT bucket to the edge, as WMBs jnats reads back")
  void sourceWatermarksOnAServer() throws Exception {
    String pipeline = "src" + UUID.randomUUID().toString().substring(0, 8);
    String edge = BufferNames.edgeBucket("ns", pipeline, "in", "map");
    String source = BufferNames.sourceBucket("ns", pipeline, "in");
    client.admin().createBuckets(List.of(source, edge), CONFIG, BucketLayout.OFFSET_TIMELINE);
    long eventTime = 1_700_000_000_000L;
    try (SourceWatermarks watermarks = SourceWatermarks.builder(client, "ns", pipeline, "in").toVertex("map", 2)
        .totalPartitions(1).maxDelay(Duration.ofSeconds(1)).build()) {
      // As in numaflow-core, a publish within 100 ms of the previous put is kept for the next one, which
      // a source makes with its next batch: here the same batch, again.
      Await.until(Duration.ofSeconds(10), "the source reads its own watermark back", () -> {
        watermarks.publish(0, eventTime);
        return watermarks.watermark() == eventTime - 1_000;
      });

      Wmb own = WatermarkCodec.decodeWmb(nc.keyValue(BufferNames.offsetTimelineBucket(source)).get("source-in-0")
          .getValue());
      assertThat(own.watermark()).isEqualTo(eventTime - 1_000);
      assertThat(own.processorCount()).hasValue(1);
      Await.until(Duration.ofSeconds(10), "the edge's WMB is stored", () -> {
        watermarks.written(0, "map", 1, 42);
        return kvValue(BufferNames.offsetTimelineBucket(edge), "in-0") != null;
      });
      assertThat(WatermarkCodec.decodeWmb(kvValue(BufferNames.offsetTimelineBucket(edge), "in-0")))
          .isEqualTo(Wmb.of(false, 42, eventTime - 1_000, 1));
    }
  }

  /** A key's value read with jnats, or null while the key is absent. */
  private byte[] kvValue(String bucket, String key) {
    try {
      KeyValueEntry entry = nc.keyValue(bucket).get(key);
      return entry == null ? null : entry.getValue();
    } catch (IOException | JetStreamApiException e) {
      throw new IllegalStateException(e);
    }
  }
}
