package dev.isb.cli;

import static dev.isb.cli.CliRun.args;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.isb.BucketLayout;
import dev.isb.BufferConfig;
import dev.isb.BufferWriter;
import dev.isb.IsbClient;
import dev.isb.IsbOptions;
import dev.isb.Message;
import dev.isb.MessageId;
import dev.isb.WriteResult;
import dev.isb.cli.CliRun.Output;
import dev.isb.cli.CliRun.Result;
import dev.isb.testkit.NatsServerExtension;
import dev.isb.watermark.WatermarkStore;
import dev.isb.wire.BufferNames;
import dev.isb.wire.WatermarkCodec;
import dev.isb.wire.Wmb;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The tool against a real nats-server, its results read back with the library. */
@DisplayName("isb on JetStream")
class CliJetStreamTest {

  @RegisterExtension
  static final NatsServerExtension NATS = NatsServerExtension.single();

  private static final Map<String, String> NO_ENV = Map.of();
  /** One server node: every stream and bucket gets one replica. */
  private static final BufferConfig SINGLE_NODE = BufferConfig.defaults().toBuilder()
      .stream(BufferConfig.Stream.defaults().toBuilder().replicas(1).build())
      .otBucket(BufferConfig.Bucket.otDefaults().withReplicas(1))
      .procBucket(BufferConfig.Bucket.procDefaults().withReplicas(1))
      .build();

  private static IsbClient client;

  private List<String> connection;
  private String ns;

  @BeforeAll
  static void openClient() {
    client = IsbClient.open(IsbOptions.builder().backend("jetstream").url(NATS.url()).build());
  }

  @AfterAll
  static void closeClient() {
    client.close();
  }

  @BeforeEach
  void names() {
    connection = List.of("--url", NATS.url(), "--set", "stream.replicas=1", "--set", "otBucket.replicas=1",
        "--set", "procBucket.replicas=1");
    ns = "t" + UUID.randomUUID().toString().substring(0, 8);
  }

  private Result isb(String command, String... more) {
    return CliRun.run(NO_ENV, args(List.of(command), connection, List.of(more)));
  }

  @Test
  @DisplayName("create, then validate exits 0; a second create finds them")
  void createThenValidate() {
    String a = ns + "-pl-v-0";
    String b = ns + "-pl-v-1";
    Result created = isb("create", a, b, "--bucket", ns + "-pl-in-v");
    assertThat(created.exitCode()).as(created.toString()).isZero();
    assertThat(created.out()).contains("created  buffer " + a, "created  buffer " + b, "created  bucket " + ns
        + "-pl-in-v", "ready: 2 buffers and 1 bucket on jetstream");

    Result valid = isb("validate", a, b, "--bucket", ns + "-pl-in-v");
    assertThat(valid.exitCode()).as(valid.toString()).isZero();
    assertThat(valid.out()).contains("ok       buffer " + a, "valid: 2 buffers and 1 bucket exist")
        .doesNotContain("warning");
    assertThat(client.admin().validate(List.of(a, b), List.of(ns + "-pl-in-v"),
        dev.isb.BucketLayout.OFFSET_TIMELINE).isValid()).isTrue();

    Result again = isb("create", a, b);
    assertThat(again.exitCode()).isZero();
    assertThat(again.out()).contains("exists   buffer " + a, "exists   buffer " + b);
  }

  @Test
  @DisplayName("a buffer whose stream discarded unacked messages: info shows the gap in LOST and a warning with the"
      + " sequences, validate warns, and validate --strict fails")
  void gapIsShown() {
    String buffer = ns + "-pl-g-0";
    client.admin().createBuffers(List.of(buffer), SINGLE_NODE.toBuilder()
        .stream(SINGLE_NODE.stream().toBuilder().maxMsgs(10).build()).build());
    try (var writer = client.writer(buffer)) {
      for (int i = 0; i < 30; i++) {
        assertThat(writer.write(dev.isb.Message.data(new dev.isb.MessageId("gen", Integer.toString(i), 0),
            new byte[] {1})).isStored()).isTrue();
      }
    }
    String gap = "20 message(s) removed before the consumer acked them: the stream starts at sequence 21, the"
        + " consumer has acked up to 0";

    Result info = isb("info", buffer, "--set", "writer.maxLength=10");
    assertThat(info.exitCode()).as(info.toString()).isZero();
    assertThat(info.out()).containsPattern(buffer + " +10 +0 +10 +20 ").contains("warning: buffer " + buffer + ": "
        + gap);
    Result json = isb("info", buffer, "--set", "writer.maxLength=10", "--output", "json");
    assertThat(json.out()).contains("\"lostUnacked\" : 20", gap);
    Result lenient = isb("validate", buffer, "--set", "stream.maxMsgs=10", "--set", "writer.maxLength=10");
    assertThat(lenient.exitCode()).as(lenient.toString()).isZero();
    assertThat(lenient.out()).contains("warning: buffer " + buffer + ": " + gap);
    Result strict = isb("validate", "--strict", buffer, "--set", "stream.maxMsgs=10", "--set", "writer.maxLength=10");
    assertThat(strict.exitCode()).isEqualTo(ExitCodes.MISSING);
    assertThat(strict.err()).contains("buffers lost or hold stuck messages (--strict)");
  }

  @Test
  @DisplayName("validate on missing buffers exits 1 and names each missing one")
  void validateMissing() {
    String present = ns + "-pl-v-0";
    client.admin().createBuffers(List.of(present), SINGLE_NODE);
    Result r = isb("validate", present, ns + "-pl-v-1", ns + "-pl-w-0", "--bucket", ns + "-pl-in-v");
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.MISSING);
    assertThat(r.out()).contains("ok       buffer " + present, "missing  buffer " + ns + "-pl-v-1: stream is missing",
        "missing  buffer " + ns + "-pl-w-0: stream is missing",
        "missing  bucket " + ns + "-pl-in-v: " + ns + "-pl-in-v_OT: key/value bucket is missing");
    assertThat(r.err()).contains("isb validate: 3 of 4 missing");
  }

  @Test
  @DisplayName("buffer names are derived from --namespace, --pipeline, --vertex and --partitions")
  void derivedNames() {
    Result r = isb("create", "--namespace", ns, "--pipeline", "orders", "--vertex", "enrich,sink", "--partitions", "2");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).contains("buffer " + ns + "-orders-enrich-0", "buffer " + ns + "-orders-enrich-1",
        "buffer " + ns + "-orders-sink-0", "buffer " + ns + "-orders-sink-1");
    assertThat(isb("validate", ns + "-orders-enrich-0", ns + "-orders-enrich-1", ns + "-orders-sink-0",
        ns + "-orders-sink-1").exitCode()).isZero();
  }

  @Test
  @DisplayName("the older bucket layout is checked with --processors")
  void processorsLayout() {
    String bucket = ns + "-pl-in-v";
    assertThat(isb("create", "--bucket", bucket).exitCode()).isZero();
    Result older = isb("validate", "--bucket", bucket, "--processors");
    assertThat(older.exitCode()).isEqualTo(ExitCodes.MISSING);
    assertThat(older.out()).contains(bucket + "_PROCESSORS: key/value bucket is missing");
    assertThat(isb("create", "--bucket", bucket, "--processors").exitCode()).isZero();
    assertThat(isb("validate", "--bucket", bucket, "--processors").exitCode()).isZero();
  }

  @Test
  @DisplayName("validate accepts the layout of either release and says which; --numaflow-version checks one")
  void layoutOfEitherRelease() {
    String newer = ns + "-pl-in-v";
    String older = ns + "-pl-in-w";
    assertThat(isb("create", "--bucket", newer, "--numaflow-version", "1.8.3").exitCode()).isZero();
    assertThat(isb("create", "--bucket", older, "--numaflow-version", "v1.7.5").exitCode()).isZero();

    Result either = isb("validate", "--bucket", newer, "--bucket", older);
    assertThat(either.exitCode()).isZero();
    assertThat(either.out()).contains("note:    " + older + " has " + older + "_PROCESSORS: the layout of Numaflow up to "
        + "v1.7 (check it with --numaflow-version 1.7)").doesNotContain("note:    " + newer);

    Result v18 = isb("validate", "--bucket", older, "--numaflow-version", "1.8");
    assertThat(v18.exitCode()).isZero();
    assertThat(v18.out()).contains("note:    " + older + " also has " + older + "_PROCESSORS, the layout of Numaflow up "
        + "to v1.7; v1.8 and later do not read it");

    Result v17 = isb("validate", "--bucket", newer, "--numaflow-version", "1.7");
    assertThat(v17.exitCode()).isEqualTo(ExitCodes.MISSING);
    assertThat(v17.out()).contains(newer + "_PROCESSORS: key/value bucket is missing");

    Result bad = isb("validate", "--bucket", newer, "--numaflow-version", "seven");
    assertThat(bad.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(bad.err()).contains("--numaflow-version: Numaflow version 'seven' is not a release");
  }

  @Test
  @DisplayName("settings that differ are warnings, and failures with --strict")
  void differences() {
    String buffer = ns + "-pl-v-0";
    assertThat(isb("create", buffer, "--set", "stream.maxMsgs=50000").exitCode()).isZero();
    Result lenient = isb("validate", buffer);
    assertThat(lenient.exitCode()).as(lenient.toString()).isZero();
    assertThat(lenient.out()).contains("warning: buffer " + buffer + ": ", "50000", "100000");
    Result strict = isb("validate", "--strict", buffer);
    assertThat(strict.exitCode()).isEqualTo(ExitCodes.MISSING);
    assertThat(strict.out()).contains("differs  buffer " + buffer, "error:   buffer " + buffer);
    assertThat(strict.err()).contains("--strict");
  }

  @Test
  @DisplayName("validate with retries succeeds once the buffers are created while it waits")
  void retriesUntilCreated() throws Exception {
    List<String> buffers = List.of(ns + "-pl-v-0", ns + "-pl-v-1");
    var out = new Output();
    var err = new Output();
    CompletableFuture<Integer> validate = CompletableFuture.supplyAsync(() -> IsbCli.run(
        args(List.of("validate", "--retries", "1000", "--backoff", "20ms", "--max-backoff", "100ms"), connection,
            buffers).toArray(String[]::new), out.stream(), err.stream(), NO_ENV));

    err.awaitContains("attempt 1: missing: " + ns + "-pl-v-0, " + ns + "-pl-v-1", Duration.ofSeconds(30));
    assertThat(validate).isNotDone();
    client.admin().createBuffers(buffers, SINGLE_NODE);

    assertThat(validate.get(30, TimeUnit.SECONDS)).as(out.text() + err.text()).isZero();
    assertThat(out.text()).contains("valid: 2 buffers exist");
  }

  @Test
  @DisplayName("validate with --timeout gives up with 1 once the time is over")
  void timeout() {
    Result r = isb("validate", "--timeout", "300ms", "--backoff", "50ms", ns + "-pl-v-0");
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.MISSING);
    assertThat(r.err()).contains("attempt 1: missing: " + ns + "-pl-v-0", "attempt 2:").containsPattern(
        "1 of 1 missing after \\d+ attempts");
  }

  @Test
  @DisplayName("create, validate and info --pipeline-file cover every buffer and bucket of a Pipeline resource")
  void pipelineFile(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("pipeline.yaml"), """
        metadata: {name: pl, namespace: %s}
        spec:
          vertices:
            - {name: in, source: {generator: {}}}
            - {name: map, partitions: 2, udf: {}}
            - {name: out, sink: {log: {}}}
          edges:
            - {from: in, to: map}
            - {from: map, to: out}
        """.formatted(ns));

    Result created = isb("create", "--pipeline-file", file.toString());
    assertThat(created.exitCode()).as(created.toString()).isZero();
    assertThat(created.out()).contains("3 buffers and 4 buckets");
    Result valid = isb("validate", "--pipeline-file", file.toString());
    assertThat(valid.exitCode()).as(valid.toString()).isZero();
    for (String kv : List.of("-pl-in_SOURCE_OT", "-pl-out_SINK_OT", "-pl-in-map_OT", "-pl-map-out_OT")) {
      assertThatCode(() -> client.watermarkStore(ns + kv).close()).as(kv).doesNotThrowAnyException();
    }
    Result info = isb("info", "--pipeline-file", file.toString());
    assertThat(info.exitCode()).as(info.toString()).isZero();
    assertThat(info.out()).contains(ns + "-pl-map-1").contains(ns + "-pl-in-map").contains("no processor");
  }

  @Test
  @DisplayName("info --bucket shows each processor's newest WMB, when it was seen and its status, as a table and JSON")
  void infoBucket() throws Exception {
    String edge = ns + "-pl-in-map";
    String missing = ns + "-pl-x-map";
    client.admin().createBuckets(List.of(edge), SINGLE_NODE, BucketLayout.OFFSET_TIMELINE);
    try (WatermarkStore ot = client.watermarkStore(BufferNames.offsetTimelineBucket(edge))) {
      ot.put("in-0", WatermarkCodec.encode(Wmb.of(false, 42, 1_700_000_000_123L, 1))).join();
      ot.put("in-1", WatermarkCodec.encode(Wmb.of(true, 7, -1, 0))).join();
    }

    Result table = isb("info", "--bucket", edge + "," + missing);
    assertThat(table.exitCode()).as(table.toString()).isEqualTo(ExitCodes.MISSING);
    List<String> lines = table.out().lines().toList();
    assertThat(lines.get(0)).matches("BUCKET +PROCESSOR +PARTITION +OFFSET +WATERMARK +IDLE +SEEN +STATUS");
    assertThat(lines.get(1)).matches(edge + " +in-0 +1 +42 +2023-11-14T22:13:20\\.123Z +no +\\S+ +active");
    assertThat(lines.get(2)).matches(edge + " +in-1 +0 +7 +-1 +yes +\\S+ +active");
    assertThat(lines.get(3)).matches(missing + " +(- +){6}missing");

    Result json = isb("info", "--output", "json", "--bucket", edge);
    assertThat(json.exitCode()).as(json.toString()).isZero();
    JsonNode bucket = new ObjectMapper().readTree(json.out()).get("buckets").get(0);
    assertThat(bucket.get("bucket").asText()).isEqualTo(edge);
    JsonNode first = bucket.get("processors").get(0);
    assertThat(first.get("processor").asText()).isEqualTo("in-0");
    assertThat(first.get("offset").asLong()).isEqualTo(42);
    assertThat(first.get("watermark").asLong()).isEqualTo(1_700_000_000_123L);
    assertThat(first.get("status").asText()).isEqualTo("active");
    assertThat(first.get("seenMillis").asLong()).isCloseTo(System.currentTimeMillis(), within(60_000L));
  }

  @Test
  @DisplayName("info --bucket --processors takes liveness from the heartbeats: none means deleted, an old one inactive")
  void infoBucketWithHeartbeats() throws Exception {
    String edge = ns + "-pl-in-map";
    client.admin().createBuckets(List.of(edge), SINGLE_NODE, BucketLayout.OFFSET_TIMELINE_AND_PROCESSORS);
    try (WatermarkStore ot = client.watermarkStore(BufferNames.offsetTimelineBucket(edge));
        WatermarkStore hb = client.watermarkStore(BufferNames.processorsBucket(edge))) {
      ot.put("in-0", WatermarkCodec.encode(Wmb.of(false, 1, 1_000, 0))).join();
      ot.put("in-1", WatermarkCodec.encode(Wmb.of(false, 2, 2_000, 0))).join();
      hb.put("in-0", WatermarkCodec.encodeHeartbeat(System.currentTimeMillis() / 1000 - 20)).join();
    }

    Result table = isb("info", "--processors", "--bucket", edge);
    assertThat(table.exitCode()).as(table.toString()).isZero();
    assertThat(table.out().lines()).anyMatch(l -> l.matches(edge + " +in-0 .* +inactive"))
        .anyMatch(l -> l.matches(edge + " +in-1 .* +never +deleted"));
  }

  @Test
  @DisplayName("info shows pending counts and usage as a table and as JSON")
  void info() throws Exception {
    String written = ns + "-pl-v-0";
    String empty = ns + "-pl-v-1";
    client.admin().createBuffers(List.of(written, empty), SINGLE_NODE);
    try (BufferWriter writer = client.writer(written)) {
      List<WriteResult> results = writer.write(IntStream.range(0, 3)
          .mapToObj(i -> Message.data(new MessageId("in", Integer.toString(i), 0), ("m" + i).getBytes(UTF_8)))
          .toList());
      assertThat(results).allMatch(r -> r instanceof WriteResult.Written);
    }

    Result table = isb("info", written, empty, ns + "-pl-v-9");
    assertThat(table.exitCode()).as(table.toString()).isEqualTo(ExitCodes.MISSING);
    List<String> lines = table.out().lines().toList();
    assertThat(lines.get(0)).matches("BUFFER +PENDING +ACK PENDING +TOTAL +LOST +USAGE +STATE");
    assertThat(lines.get(1)).matches(written + " +3 +0 +3 +0 +0\\.01% +ok");
    assertThat(lines.get(2)).matches(empty + " +0 +0 +0 +0 +0\\.00% +ok");
    assertThat(lines.get(3)).matches(ns + "-pl-v-9 +- +- +- +- +- +missing");
    assertThat(lines.get(4)).isEqualTo("usage = (pending + ack pending) / maxLength 30000; full at 80%; lost ="
        + " messages removed before they were acked");
    // The columns line up.
    assertThat(lines.get(1).indexOf(" ok")).isEqualTo(lines.get(2).indexOf(" ok"));

    Result json = isb("info", "--output", "json", "--set", "writer.maxLength=100", written, empty);
    assertThat(json.exitCode()).as(json.toString()).isZero();
    JsonNode root = new ObjectMapper().readTree(json.out());
    assertThat(root.get("backend").asText()).isEqualTo("jetstream");
    assertThat(root.get("maxLength").asLong()).isEqualTo(100);
    assertThat(root.get("usageLimit").asDouble()).isEqualTo(0.8);
    JsonNode first = root.get("buffers").get(0);
    assertThat(first.get("buffer").asText()).isEqualTo(written);
    assertThat(first.get("exists").asBoolean()).isTrue();
    assertThat(first.get("pending").asLong()).isEqualTo(3);
    assertThat(first.get("ackPending").asLong()).isZero();
    assertThat(first.get("totalMessages").asLong()).isEqualTo(3);
    assertThat(first.get("usage").asDouble()).isCloseTo(0.03, within(1e-9));
    assertThat(first.get("full").asBoolean()).isFalse();
    assertThat(root.get("buffers").get(1).get("pending").asLong()).isZero();
  }

  @Test
  @DisplayName("delete --yes removes buffers and buckets; validate then finds them missing")
  void delete() {
    String buffer = ns + "-pl-v-0";
    String bucket = ns + "-pl-in-v";
    assertThat(isb("create", buffer, "--bucket", bucket, "--processors").exitCode()).isZero();

    Result r = isb("delete", "--yes", buffer, ns + "-pl-v-7", "--bucket", bucket);
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).contains("deleted  buffer " + buffer, "missing  buffer " + ns + "-pl-v-7",
        "deleted  bucket " + bucket);
    assertThat(client.admin().validate(List.of(buffer), List.of(bucket),
        dev.isb.BucketLayout.OFFSET_TIMELINE_AND_PROCESSORS).problems()).hasSize(3);
    assertThat(isb("validate", buffer).exitCode()).isEqualTo(ExitCodes.MISSING);
  }
}
