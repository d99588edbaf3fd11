package dev.isb.vertex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.isb.BucketLayout;
import dev.isb.BufferConfig;
import dev.isb.BufferReader;
import dev.isb.BufferWriter;
import dev.isb.Compression;
import dev.isb.Header;
import dev.isb.IsbConfigException.Problem;
import dev.isb.IsbConfigException;
import dev.isb.Message;
import dev.isb.MessageId;
import dev.isb.NumaflowVersion;
import dev.isb.OnFull;
import dev.isb.ReadMessage;
import dev.isb.ReaderOptions;
import dev.isb.WriterOptions;
import dev.isb.memory.InMemoryIsb;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@DisplayName("VertexSpec (a vertex pod's environment)")
class VertexSpecTest {

  /** A Vertex resource as Numaflow's controller marshals it into NUMAFLOW_VERTEX_OBJECT. */
  private static final String UPPER = """
      {"metadata":{"name":"demo-upper","namespace":"prod","creationTimestamp":null},
       "spec":{"name":"upper",
         "udf":{"container":{"image":"example/upper:1","resources":{}},"builtin":null,"groupBy":null},
         "limits":{"readBatchSize":500,"readTimeout":"1s","bufferMaxLength":30000,"bufferUsageLimit":80},
         "scale":{"min":1},
         "updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"25%"}},
         "partitions":2,
         "pipelineName":"demo","interStepBufferServiceName":"","replicas":0,
         "fromEdges":[{"from":"in","to":"upper","conditions":null,"fromVertexType":"Source",
           "fromVertexPartitionCount":1,"toVertexType":"MapUDF","toVertexPartitionCount":2,
           "toVertexLimits":{"readBatchSize":500,"readTimeout":"1s","bufferMaxLength":30000,"bufferUsageLimit":80}}],
         "toEdges":[
           {"from":"upper","to":"sink","conditions":null,"onFull":"discardLatest",
            "fromVertexType":"MapUDF","fromVertexPartitionCount":2,"toVertexType":"Sink","toVertexPartitionCount":3,
            "toVertexLimits":{"readBatchSize":500,"readTimeout":"1s","bufferMaxLength":5000,"bufferUsageLimit":90}},
           {"from":"upper","to":"alerts","conditions":{"tags":{"operator":"and","values":["error","critical"]}},
            "toVertexType":"Sink","toVertexPartitionCount":1,
            "toVertexLimits":{"bufferMaxLength":30000,"bufferUsageLimit":80}},
           {"from":"upper","to":"audit","conditions":{"tags":{"operator":"not","values":["noise"]}},
            "toVertexType":"Sink"},
           {"from":"upper","to":"archive","conditions":{"tags":{"values":["keep"]}},
            "onFull":"retryUntilSuccess","toVertexType":"Sink"}],
         "watermark":{"maxDelay":"0s"}},
       "status":{"phase":"","replicas":0,"desiredReplicas":0,"lastScaledAt":null}}
      """;

  private static final String MINIMAL = """
      {"metadata":{"namespace":"ns"},"spec":{"name":"v","pipelineName":"p"}}""";

  private static String base64(String json) {
    return Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  /** The variables Numaflow sets on a vertex pod, for this object and replica 2. */
  private static Map<String, String> env(String json) {
    Map<String, String> env = new HashMap<>();
    env.put("NUMAFLOW_VERTEX_OBJECT", base64(json));
    env.put("NUMAFLOW_REPLICA", "2");
    env.put("NUMAFLOW_POD", "demo-upper-2-abcde");
    return env;
  }

  private static Map<String, String> with(Map<String, String> env, String name, String value) {
    Map<String, String> copy = new HashMap<>(env);
    if (value == null) {
      copy.remove(name);
    } else {
      copy.put(name, value);
    }
    return copy;
  }

  /** A vertex object in namespace ns whose spec has these members (JSON, without braces). */
  private static String object(String specMembers) {
    return "{\"metadata\":{\"namespace\":\"ns\"},\"spec\":{" + specMembers + "}}";
  }

  /** The vertex object of MINIMAL's vertex v of pipeline p, with these further spec members. */
  private static String vertexV(String specMembers) {
    return object("\"name\":\"v\",\"pipelineName\":\"p\"," + specMembers);
  }

  /** MINIMAL with one to-edge made of {@code edgeFields} (JSON members, without braces). */
  private static String withEdge(String edgeFields) {
    return vertexV("\"toEdges\":[{\"from\":\"v\"," + edgeFields + "}]");
  }

  private static List<Problem> problems(Map<String, String> env) {
    IsbConfigException e = catchThrowableOfType(IsbConfigException.class, () -> VertexSpec.fromEnvironment(env));
    assertThat(e).as("an IsbConfigException for " + env).isNotNull();
    return e.problems();
  }

  /** Asserts that reading this vertex object reports exactly these problems, in this order. */
  private static void assertProblems(String json, String... expected) {
    assertThat(problems(env(json))).extracting(Problem::toString).containsExactly(expected);
  }

  private static Problem onlyProblem(Map<String, String> env) {
    List<Problem> problems = problems(env);
    assertThat(problems).hasSize(1);
    return problems.get(0);
  }

  @Nested
  @DisplayName("routing, compression and the Numaflow release, as numaflow-core reads them")
  class Parity {

    /** An edge to {@code to} of this type, with {@code toVertexOrdered.enabled} when {@code ordered} is not null. */
    private static String edge(String to, String type, Boolean ordered) {
      return "{\"from\":\"v\",\"to\":\"" + to + "\",\"toVertexType\":\"" + type + "\""
          + (ordered == null ? "" : ",\"toVertexOrdered\":{\"enabled\":" + ordered + "}") + "}";
    }

    private static String vertex(String extraSpec, String... edges) {
      return vertexV(extraSpec + "\"toEdges\":[" + String.join(",", edges) + "]");
    }

    @Test
    @DisplayName("by keys into a reduce vertex and (v1.8, the default) into an ordered one; by offset otherwise")
    void routingByEdgeKind() {
      VertexSpec spec = VertexSpec.fromEnvironment(env(vertex("", edge("r", "ReduceUDF", null), edge("m", "MapUDF", null),
          edge("s", "Sink", false), edge("o", "MapUDF", true), edge("os", "Sink", true))));

      assertThat(spec.numaflowVersion()).isEqualTo(NumaflowVersion.V1_8);
      assertThat(spec.edges()).extracting(Edge::routing).containsExactly(Edge.Routing.BY_KEYS,
          Edge.Routing.BY_OFFSET, Edge.Routing.BY_OFFSET, Edge.Routing.BY_KEYS, Edge.Routing.BY_KEYS);
    }

    @Test
    @DisplayName("under v1.7 (ISB_NUMAFLOW_VERSION) an ordered edge still routes by offset: v1.7 had no ordered edges")
    void routingUnderV17() {
      VertexSpec spec = VertexSpec.fromEnvironment(with(env(vertex("", edge("r", "ReduceUDF", null),
          edge("o", "MapUDF", true))), "ISB_NUMAFLOW_VERSION", "v1.7.5"));

      assertThat(spec.numaflowVersion()).isEqualTo(NumaflowVersion.V1_7);
      assertThat(spec.edges()).extracting(Edge::routing).containsExactly(Edge.Routing.BY_KEYS, Edge.Routing.BY_OFFSET);
    }

    @Test
    @DisplayName("spec.interStepBuffer.compression.type reaches every edge's writer options and the forwarder's readers")
    void compression() {
      VertexSpec spec = VertexSpec.fromEnvironment(env(vertex(
          "\"interStepBuffer\":{\"compression\":{\"type\":\"lz4\"}},", edge("m", "MapUDF", null),
          edge("s", "Sink", null))));

      assertThat(spec.compression()).isEqualTo(Compression.LZ4);
      assertThat(spec.edges()).extracting(e -> e.writerOptions().compression()).containsOnly(Compression.LZ4);
      assertThat(VertexSpec.fromEnvironment(env(MINIMAL)).compression()).isEqualTo(Compression.NONE);
      assertThat(VertexSpec.fromEnvironment(env(vertex("\"interStepBuffer\":{\"compression\":{}},")))
          .compression()).as("a compression block without a type").isEqualTo(Compression.NONE);
    }

    @Test
    @DisplayName("NUMAFLOW_READ_AHEAD turns reading ahead off; unset or true leaves it on; anything else is refused")
    void readAhead() {
      assertThat(VertexSpec.fromEnvironment(env(MINIMAL)).readAhead()).isTrue();
      assertThat(VertexSpec.fromEnvironment(with(env(MINIMAL), "NUMAFLOW_READ_AHEAD", "true")).readAhead()).isTrue();
      assertThat(VertexSpec.fromEnvironment(with(env(MINIMAL), "NUMAFLOW_READ_AHEAD", "false")).readAhead()).isFalse();
      assertThat(onlyProblem(with(env(MINIMAL), "NUMAFLOW_READ_AHEAD", "no")).toString())
          .isEqualTo("env: NUMAFLOW_READ_AHEAD was 'no' but it must be true or false");
    }

    @Test
    @DisplayName("values numaflow-core refuses are refused, each named")
    void refusals() {
      List<Problem> problems = problems(with(env(vertex("\"interStepBuffer\":{\"compression\":{\"type\":\"Zstd\"}},",
          edge("x", "Reducer", null), "{\"from\":\"v\",\"to\":\"y\",\"toVertexOrdered\":{\"enabled\":\"yes\"}}")),
          "ISB_NUMAFLOW_VERSION", "two"));
      assertThat(problems).extracting(Problem::toString).containsExactlyInAnyOrder(
          "env: ISB_NUMAFLOW_VERSION was 'two' but it must be a Numaflow release such as 1.7, v1.7.5 or 1.8.3",
          "env NUMAFLOW_VERTEX_OBJECT: spec.interStepBuffer.compression.type was 'Zstd' but it must be gzip, zstd, lz4 "
              + "or none (lower case, as numaflow-core reads it)",
          "env NUMAFLOW_VERTEX_OBJECT: spec.toEdges[0].toVertexType was 'Reducer' but it must be MapUDF, ReduceUDF or Sink",
          "env NUMAFLOW_VERTEX_OBJECT: spec.toEdges[1].toVertexOrdered.enabled was 'yes' but it must be true or false");
    }
  }

  @Nested
  @DisplayName("reads what Numaflow's controller writes")
  class Realistic {

    private final VertexSpec spec = VertexSpec.fromEnvironment(env(UPPER));

    @Test
    @DisplayName("the vertex's identity comes from metadata.namespace, spec.pipelineName, spec.name and NUMAFLOW_REPLICA")
    void identity() {
      assertThat(spec.namespace()).isEqualTo("prod");
      assertThat(spec.pipeline()).isEqualTo("demo");
      assertThat(spec.vertex()).isEqualTo("upper");
      assertThat(spec.replica()).isEqualTo(2);
    }

    @Test
    @DisplayName("it reads one buffer per spec.partitions, named <namespace>-<pipeline>-<vertex>-<partition>")
    void inputBuffers() {
      assertThat(spec.partitions()).isEqualTo(2);
      assertThat(spec.inputBuffers()).containsExactly("prod-demo-upper-0", "prod-demo-upper-1");
    }

    @Test
    @DisplayName("each to-edge becomes an Edge, in order, with a buffer per toVertexPartitionCount")
    void edges() {
      assertThat(spec.edges()).extracting(Edge::toVertex).containsExactly("sink", "alerts", "audit", "archive");
      assertThat(spec.edges().get(0).buffers()).containsExactly("prod-demo-sink-0", "prod-demo-sink-1",
          "prod-demo-sink-2");
      assertThat(spec.edges().get(1).buffers()).containsExactly("prod-demo-alerts-0");
      assertThat(spec.edges().get(2).buffers()).containsExactly("prod-demo-audit-0");
    }

    @Test
    @DisplayName("toVertexLimits and onFull become the edge's WriterOptions (the usage limit is a percentage)")
    void writerOptions() {
      WriterOptions sink = spec.edges().get(0).writerOptions();
      assertThat(sink.maxLength()).isEqualTo(5000);
      assertThat(sink.usageLimit()).isEqualTo(0.9);
      assertThat(sink.onFull()).isEqualTo(OnFull.DISCARD_LATEST);
      assertThat(sink.refreshInterval()).isEqualTo(WriterOptions.defaults().refreshInterval());

      WriterOptions alerts = spec.edges().get(1).writerOptions();
      assertThat(alerts.maxLength()).isEqualTo(30000);
      assertThat(alerts.usageLimit()).isEqualTo(0.8);
      assertThat(alerts.onFull()).isEqualTo(OnFull.RETRY_UNTIL_SUCCESS);

      assertThat(spec.edges().get(2).writerOptions()).isEqualTo(WriterOptions.defaults());
      assertThat(spec.edges().get(3).writerOptions().onFull()).isEqualTo(OnFull.RETRY_UNTIL_SUCCESS);
    }

    @Test
    @DisplayName("tag operators map to TagMatch: or (and no operator) to ANY, and to ALL, not to NONE")
    void tags() {
      Edge sink = spec.edges().get(0);
      assertThat(sink.tags()).isEmpty();
      assertThat(sink.accepts(Set.of("anything"))).isTrue();

      Edge alerts = spec.edges().get(1);
      assertThat(alerts.tags()).containsExactlyInAnyOrder("error", "critical");
      assertThat(alerts.match()).isEqualTo(Edge.TagMatch.ALL);

      Edge audit = spec.edges().get(2);
      assertThat(audit.tags()).containsExactly("noise");
      assertThat(audit.match()).isEqualTo(Edge.TagMatch.NONE);

      Edge archive = spec.edges().get(3);
      assertThat(archive.tags()).containsExactly("keep");
      assertThat(archive.match()).isEqualTo(Edge.TagMatch.ANY);
    }

    @Test
    @DisplayName("the explicit operator 'or' is ANY too, in any case")
    void orOperator() {
      VertexSpec or = VertexSpec.fromEnvironment(env(withEdge(
          "\"to\":\"w\",\"conditions\":{\"tags\":{\"operator\":\"OR\",\"values\":[\"a\",\"b\"]}}")));
      assertThat(or.edges().get(0).match()).isEqualTo(Edge.TagMatch.ANY);
      assertThat(or.edges().get(0).tags()).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    @DisplayName("toString names the vertex, replica, partitions and edges")
    void describes() {
      assertThat(spec).hasToString("VertexSpec{prod/demo/upper, replica=2, partitions=2, "
          + "edges=[sink, alerts, audit, archive]}");
    }

    @Test
    @DisplayName("forwarder() wires the inputs, edges and watermark buckets: a tagged output goes where its tags say")
    void forwarder() throws Exception {
      try (InMemoryIsb isb = InMemoryIsb.create()) {
        List<String> buffers = new ArrayList<>(spec.inputBuffers());
        spec.edges().forEach(e -> buffers.addAll(e.buffers()));
        isb.admin().createBuffers(buffers, BufferConfig.defaults());
        List<String> buckets = new ArrayList<>(List.of("prod-demo-in-upper"));
        spec.edges().forEach(e -> buckets.add("prod-demo-upper-" + e.toVertex()));
        isb.admin().createBuckets(buckets, BufferConfig.defaults(), BucketLayout.OFFSET_TIMELINE);
        try (Forwarder forwarder = spec.forwarder(isb)
            .map(in -> List.of(Output.of(in.value()).withKeys(in.keys()).withTags("error", "critical")))
            .meterRegistry(new SimpleMeterRegistry())
            .readerOptions(ReaderOptions.builder().readTimeout(Duration.ofMillis(20)).build())
            .build()) {
          assertThat(forwarder.vertex()).isEqualTo("upper");
          assertThat(forwarder.tracksWatermarks()).as("spec.fromEdges names 'in'").isTrue();
          forwarder.start();
          try (BufferWriter writer = isb.writer("prod-demo-upper-1", WriterOptions.defaults())) {
            writer.write(new Message(Header.builder(new MessageId("in", "7", 0)).keys("k").build(),
                "boom".getBytes(StandardCharsets.UTF_8)));
          }
          assertThat(readOne(isb, "prod-demo-alerts-0").payloadAsString()).isEqualTo("boom");
          assertThat(readOne(isb, "prod-demo-audit-0").payloadAsString()).isEqualTo("boom");
        }
        try (BufferReader archive = isb.reader("prod-demo-archive-0", ReaderOptions.defaults())) {
          assertThat(archive.read(10, Duration.ofMillis(50))).as("archive takes only 'keep'").isEmpty();
        }
      }
    }

    private Message readOne(InMemoryIsb isb, String buffer) {
      try (BufferReader reader = isb.reader(buffer, ReaderOptions.defaults())) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
          List<ReadMessage> batch = reader.read(10, Duration.ofMillis(50));
          if (!batch.isEmpty()) {
            reader.ack(batch.stream().map(ReadMessage::offset).toList());
            return batch.get(0).message();
          }
        }
      }
      throw new AssertionError("nothing arrived in " + buffer);
    }
  }

  @Nested
  @DisplayName("defaults are Numaflow's")
  class Defaults {

    @Test
    @DisplayName("without partitions and edges: one input partition, no edges")
    void minimal() {
      VertexSpec spec = VertexSpec.fromEnvironment(env(MINIMAL));
      assertThat(spec.partitions()).isEqualTo(1);
      assertThat(spec.inputBuffers()).containsExactly("ns-p-v-0");
      assertThat(spec.edges()).isEmpty();
    }

    @Test
    @DisplayName("partitions and toVertexPartitionCount below 1, or null, mean 1")
    void partitionsBelowOne() {
      String json = vertexV("\"partitions\":0,\"toEdges\":[{\"to\":\"w\",\"toVertexPartitionCount\":-3},"
          + "{\"to\":\"x\",\"toVertexPartitionCount\":null}]");
      VertexSpec spec = VertexSpec.fromEnvironment(env(json));
      assertThat(spec.inputBuffers()).containsExactly("ns-p-v-0");
      assertThat(spec.edges().get(0).buffers()).containsExactly("ns-p-w-0");
      assertThat(spec.edges().get(1).buffers()).containsExactly("ns-p-x-0");
    }

    @Test
    @DisplayName("an edge with no conditions, no tags or no tag values takes every output, with default limits")
    void edgeWithoutConditions() {
      for (String fields : List.of("\"to\":\"w\"", "\"to\":\"w\",\"conditions\":null",
          "\"to\":\"w\",\"conditions\":{\"tags\":null}",
          "\"to\":\"w\",\"conditions\":{\"tags\":{\"operator\":\"and\",\"values\":[]}}")) {
        Edge edge = VertexSpec.fromEnvironment(env(withEdge(fields))).edges().get(0);
        assertThat(edge.tags()).as(fields).isEmpty();
        assertThat(edge.accepts(Set.of())).as(fields).isTrue();
        assertThat(edge.writerOptions()).as(fields).isEqualTo(WriterOptions.defaults());
      }
    }

    @Test
    @DisplayName("names missing from the object come from NUMAFLOW_NAMESPACE, _PIPELINE_NAME and _VERTEX_NAME")
    void namesFromVariables() {
      Map<String, String> env = env("{\"spec\":{\"pipelineName\":\"\"}}");
      env.put("NUMAFLOW_NAMESPACE", "ns");
      env.put("NUMAFLOW_PIPELINE_NAME", "p");
      env.put("NUMAFLOW_VERTEX_NAME", "v");
      VertexSpec spec = VertexSpec.fromEnvironment(env);
      assertThat(spec.inputBuffers()).containsExactly("ns-p-v-0");
    }

    @Test
    @DisplayName("variables that agree with the object are fine")
    void agreeingVariables() {
      Map<String, String> env = env(UPPER);
      env.put("NUMAFLOW_NAMESPACE", "prod");
      env.put("NUMAFLOW_PIPELINE_NAME", "demo");
      env.put("NUMAFLOW_VERTEX_NAME", "upper");
      assertThat(VertexSpec.fromEnvironment(env).vertex()).isEqualTo("upper");
    }

    @Test
    @DisplayName("numbers given as strings, base64 with line breaks and pretty-printed JSON are read")
    void lenientFormats() {
      String json = """
          {
            "metadata": {"namespace": "ns"},
            "spec": {
              "name": "v", "pipelineName": "p", "partitions": "2",
              "toEdges": [{"to": "w", "toVertexPartitionCount": "2",
                           "toVertexLimits": {"bufferMaxLength": "100", "bufferUsageLimit": "50"}}]
            }
          }
          """;
      String wrapped = base64(json).replaceAll("(.{76})", "$1\n");
      Map<String, String> env = with(env(MINIMAL), "NUMAFLOW_VERTEX_OBJECT", wrapped);
      VertexSpec spec = VertexSpec.fromEnvironment(env);
      assertThat(spec.inputBuffers()).containsExactly("ns-p-v-0", "ns-p-v-1");
      assertThat(spec.edges().get(0).buffers()).containsExactly("ns-p-w-0", "ns-p-w-1");
      assertThat(spec.edges().get(0).writerOptions().maxLength()).isEqualTo(100);
      assertThat(spec.edges().get(0).writerOptions().usageLimit()).isEqualTo(0.5);
    }

    @Test
    @DisplayName("a source vertex owns no buffer: one partition, no inputs, and no forwarder")
    void source() {
      String json = object("\"name\":\"in\",\"pipelineName\":\"p\",\"source\":{\"generator\":{\"rpu\":5}},"
          + "\"partitions\":3,\"toEdges\":[{\"to\":\"v\"}]");
      VertexSpec spec = VertexSpec.fromEnvironment(env(json));
      assertThat(spec.partitions()).isEqualTo(1);
      assertThat(spec.inputBuffers()).isEmpty();
      assertThat(spec.edges()).extracting(Edge::toVertex).containsExactly("v");
      try (InMemoryIsb isb = InMemoryIsb.create()) {
        assertThatThrownBy(() -> spec.forwarder(isb)).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("'in' is a source");
      }
    }

    @Test
    @DisplayName("a sink's forwarder has no edges")
    void sink() {
      VertexSpec spec = VertexSpec.fromEnvironment(env(MINIMAL));
      try (InMemoryIsb isb = InMemoryIsb.create()) {
        isb.admin().createBuffers(spec.inputBuffers(), BufferConfig.defaults());
        try (Forwarder sink = spec.forwarder(isb).sink(in -> { }).meterRegistry(new SimpleMeterRegistry()).build()) {
          assertThat(sink.vertex()).isEqualTo("v");
        }
      }
    }

    @Test
    @DisplayName("fromEnvironment() reads the real environment, which here has no vertex object")
    void realEnvironment() {
      assumeTrue(System.getenv("NUMAFLOW_VERTEX_OBJECT") == null);
      assertThatThrownBy(VertexSpec::fromEnvironment).isInstanceOf(IsbConfigException.class)
          .hasMessageContaining("NUMAFLOW_VERTEX_OBJECT was not set");
    }
  }

  @Nested
  @DisplayName("errors name the variable, the field and the value")
  class Errors {

    @Test
    @DisplayName("a missing or empty NUMAFLOW_VERTEX_OBJECT")
    void missingObject() {
      for (String value : Stream.of(null, "", "  ").toList()) {
        Problem p = onlyProblem(with(env(MINIMAL), "NUMAFLOW_VERTEX_OBJECT", value));
        assertThat(p.source()).isEqualTo("env");
        assertThat(p.path()).isEqualTo("NUMAFLOW_VERTEX_OBJECT");
        assertThat(p.value()).isNull();
        assertThat(p.rule()).startsWith("be set to the base64");
      }
    }

    static Stream<Arguments> oneBadVariable() {
      return Stream.of(
          Arguments.of("a NUMAFLOW_VERTEX_OBJECT that is not base64", "NUMAFLOW_VERTEX_OBJECT", "not base64!",
              "env: NUMAFLOW_VERTEX_OBJECT was 'not base64!' but it must be base64 (standard alphabet, padded) of "
                  + "JSON"),
          Arguments.of("a variable that disagrees with the object", "NUMAFLOW_VERTEX_NAME", "other",
              "env: NUMAFLOW_VERTEX_NAME was 'other' but it must agree with NUMAFLOW_VERTEX_OBJECT spec.name ('v')"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    @DisplayName("one bad variable in an otherwise good pod is exactly one problem")
    void oneBadVariable(String name, String variable, String value, String problem) {
      assertThat(onlyProblem(with(env(MINIMAL), variable, value))).hasToString(problem);
    }

    @Test
    @DisplayName("a NUMAFLOW_VERTEX_OBJECT that is not UTF-8")
    void notUtf8() {
      String value = Base64.getEncoder().encodeToString(new byte[] {'{', (byte) 0xC3, '}'});
      Problem p = onlyProblem(with(env(MINIMAL), "NUMAFLOW_VERTEX_OBJECT", value));
      assertThat(p.rule()).isEqualTo("be base64 of UTF-8 JSON");
    }

    @Test
    @DisplayName("a NUMAFLOW_VERTEX_OBJECT that is not JSON, or not an object, or repeats a key")
    void notJson() {
      Problem broken = onlyProblem(env("{\"spec\": {\"name\": "));
      assertThat(broken.source()).isEqualTo("env NUMAFLOW_VERTEX_OBJECT");
      assertThat(broken.path()).isEqualTo("(document)");
      assertThat(broken.value()).isEqualTo("{\"spec\": {\"name\": ");
      assertThat(broken.rule()).startsWith("be JSON (");

      assertThat(onlyProblem(env("[1, 2]")).rule()).isEqualTo("be a JSON object: the Vertex resource");
      assertThat(onlyProblem(env("{\"spec\":{},\"spec\":{}}")).rule()).startsWith("be JSON (");
    }

    @Test
    @DisplayName("a missing, negative or non-numeric NUMAFLOW_REPLICA")
    void replica() {
      Problem missing = onlyProblem(with(env(MINIMAL), "NUMAFLOW_REPLICA", null));
      assertThat(missing).hasToString("env: NUMAFLOW_REPLICA was not set but it must be set to this pod's replica "
          + "index (Numaflow sets it from the pod annotation numaflow.numaproj.io/replica)");
      for (String bad : List.of("x", "-1", "1.5", "99999999999")) {
        Problem p = onlyProblem(with(env(MINIMAL), "NUMAFLOW_REPLICA", bad));
        assertThat(p).hasToString("env: NUMAFLOW_REPLICA was '" + bad + "' but it must be a replica index: "
            + "a whole number from 0");
      }
    }

    @Test
    @DisplayName("a missing spec, or a name neither the object nor the variables give")
    void missingNames() {
      assertProblems("{\"metadata\":{}}",
          "env NUMAFLOW_VERTEX_OBJECT: spec was not set but it must be set: the Vertex resource's spec",
          "env NUMAFLOW_VERTEX_OBJECT: metadata.namespace was not set but it must be set (or the variable "
              + "NUMAFLOW_NAMESPACE)",
          "env NUMAFLOW_VERTEX_OBJECT: spec.pipelineName was not set but it must be set (or the variable "
              + "NUMAFLOW_PIPELINE_NAME)",
          "env NUMAFLOW_VERTEX_OBJECT: spec.name was not set but it must be set (or the variable "
              + "NUMAFLOW_VERTEX_NAME)");
    }

    @Test
    @DisplayName("a name that cannot be part of a buffer name")
    void badName() {
      Problem p = onlyProblem(env(object("\"name\":\"my.vertex\",\"pipelineName\":\"p\"")));
      assertThat(p.path()).isEqualTo("spec.name");
      assertThat(p.value()).isEqualTo("my.vertex");
      assertThat(p.rule()).startsWith("be usable in a buffer name");
    }

    @Test
    @DisplayName("fields of the wrong type")
    void wrongTypes() {
      assertProblems(object("\"name\":7,\"pipelineName\":\"p\",\"partitions\":\"many\",\"toEdges\":{\"to\":\"w\"}"),
          "env NUMAFLOW_VERTEX_OBJECT: spec.name was '7' but it must be a string",
          "env NUMAFLOW_VERTEX_OBJECT: spec.partitions was 'many' but it must be a whole number",
          "env NUMAFLOW_VERTEX_OBJECT: spec.toEdges was '{to=w}' but it must be a list");
    }

    @Test
    @DisplayName("an edge without 'to', with a repeated 'to', or 'from' another vertex")
    void edgeEnds() {
      assertProblems(vertexV("\"toEdges\":[{\"from\":\"v\"},{\"to\":\"w\"},{\"to\":\"w\"},{\"from\":\"u\",\"to\":\"x\"},null]"),
          "env NUMAFLOW_VERTEX_OBJECT: spec.toEdges[0].to was not set but it must be set: the vertex this edge "
              + "goes to",
          "env NUMAFLOW_VERTEX_OBJECT: spec.toEdges[2].to was 'w' but it must differ from every earlier edge's: "
              + "one edge per downstream vertex",
          "env NUMAFLOW_VERTEX_OBJECT: spec.toEdges[3].from was 'u' but it must be this vertex, 'v'",
          "env NUMAFLOW_VERTEX_OBJECT: spec.toEdges[4] was not set but it must be an edge object");
    }

    @Test
    @DisplayName("an unknown tag operator or onFull, and a tag that is not a string")
    void unknownWords() {
      assertProblems(withEdge("\"to\":\"w\",\"onFull\":\"drop\","
          + "\"conditions\":{\"tags\":{\"operator\":\"xor\",\"values\":[\"a\",3]}}"),
          "env NUMAFLOW_VERTEX_OBJECT: spec.toEdges[0].onFull was 'drop' but it must be retryUntilSuccess or "
              + "discardLatest",
          "env NUMAFLOW_VERTEX_OBJECT: spec.toEdges[0].conditions.tags.values[1] was '3' but it must be a string",
          "env NUMAFLOW_VERTEX_OBJECT: spec.toEdges[0].conditions.tags.operator was 'xor' but it must be or, and "
              + "or not");
    }

    @Test
    @DisplayName("limits out of range")
    void limits() {
      for (String usage : List.of("0", "101")) {
        Problem p = onlyProblem(env(withEdge("\"to\":\"w\",\"toVertexLimits\":{\"bufferUsageLimit\":" + usage + "}")));
        assertThat(p).hasToString("env NUMAFLOW_VERTEX_OBJECT: spec.toEdges[0].toVertexLimits.bufferUsageLimit "
            + "was '" + usage + "' but it must be a percentage from 1 to 100");
      }
      Problem zero = onlyProblem(env(withEdge("\"to\":\"w\",\"toVertexLimits\":{\"bufferMaxLength\":0}")));
      assertThat(zero).hasToString("env NUMAFLOW_VERTEX_OBJECT: spec.toEdges[0].toVertexLimits.bufferMaxLength "
          + "was '0' but it must be positive");
      Problem fraction = onlyProblem(env(withEdge("\"to\":\"w\",\"toVertexLimits\":{\"bufferUsageLimit\":0.8}")));
      assertThat(fraction.rule()).isEqualTo("be a whole number");
      Problem huge = onlyProblem(env(withEdge("\"to\":\"w\",\"toVertexPartitionCount\":20000")));
      assertThat(huge).hasToString("env NUMAFLOW_VERTEX_OBJECT: spec.toEdges[0].toVertexPartitionCount was "
          + "'20000' but it must be at most 10000");
    }

    @Test
    @DisplayName("every problem is reported at once, values shortened to one line")
    void allAtOnce() {
      String longName = "x".repeat(300);
      Map<String, String> env = env(vertexV("\"toEdges\":[{\"to\":\"" + longName + "\",\"onFull\":\"x\"}]"));
      env.put("NUMAFLOW_REPLICA", "first\nsecond");
      IsbConfigException e = catchThrowableOfType(IsbConfigException.class, () -> VertexSpec.fromEnvironment(env));
      assertThat(e.problems()).extracting(Problem::path).containsExactly("NUMAFLOW_REPLICA",
          "spec.toEdges[0].to", "spec.toEdges[0].onFull");
      assertThat(e.problems().get(0).value()).isEqualTo("first\\nsecond");
      assertThat(e.problems().get(1).value()).hasSize(80).endsWith("...");
      assertThat(e.problems().get(1).rule()).isEqualTo("be at most 255 characters long, not 300");
      assertThat(e.getMessage()).startsWith("3 problems");
    }

    @Test
    @DisplayName("a buffer name longer than any backend takes")
    void tooLong() {
      String name = "v".repeat(250);
      Problem p = onlyProblem(env(object("\"name\":\"" + name + "\",\"pipelineName\":\"p\"")));
      assertThat(p.path()).isEqualTo("spec.name");
      assertThat(p.value()).hasSize(80);
      assertThat(p.rule()).isEqualTo("leave the buffer name <namespace>-<pipeline>-<vertex>-<partition> at most 255 "
          + "characters long, not 257");
    }

    @Test
    @DisplayName("a null environment")
    void nullEnvironment() {
      assertThatThrownBy(() -> VertexSpec.fromEnvironment(null)).isInstanceOf(NullPointerException.class)
          .hasMessage("env");
    }
  }
}
