package dev.isb.examples.pod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isb.BucketLayout;
import dev.isb.BufferConfig;
import dev.isb.BufferWriter;
import dev.isb.Header;
import dev.isb.IsbClient;
import dev.isb.IsbConfigException;
import dev.isb.Message;
import dev.isb.MessageId;
import dev.isb.WriteResult;
import dev.isb.WriterOptions;
import dev.isb.memory.InMemoryIsb;
import dev.isb.vertex.Forwarder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The pod vertices (UppercaseVertex -> LogSinkVertex) on the in-memory ISB")
class PodVerticesTest {

  private static final int MESSAGES = 200;

  /** The environment Numaflow gives a pod of vertex {@code upper}: a map with two partitions. */
  private static final Map<String, String> UPPER_ENV = podEnv("""
      {"metadata":{"name":"words-upper","namespace":"demo"},
       "spec":{"name":"upper","pipelineName":"words","partitions":2,
         "udf":{"container":{"image":"example/isb-uppercase:0.1.0"}},
         "fromEdges":[{"from":"in","to":"upper","toVertexPartitionCount":2}],
         "toEdges":[{"from":"upper","to":"log","toVertexType":"Sink","toVertexPartitionCount":2,
           "toVertexLimits":{"bufferMaxLength":30000,"bufferUsageLimit":80},"onFull":"retryUntilSuccess"}]}}
      """, "upper");

  /** The environment of a pod of vertex {@code log}: a sink with two partitions. */
  private static final Map<String, String> LOG_ENV = podEnv("""
      {"metadata":{"name":"words-log","namespace":"demo"},
       "spec":{"name":"log","pipelineName":"words","partitions":2,
         "sink":{"udsink":{"container":{"image":"example/isb-log-sink:0.1.0"}}},
         "fromEdges":[{"from":"upper","to":"log","toVertexPartitionCount":2}]}}
      """, "log");

  private static Map<String, String> podEnv(String vertexJson, String vertex) {
    return Map.of(
        "NUMAFLOW_VERTEX_OBJECT", Base64.getEncoder().encodeToString(vertexJson.getBytes(StandardCharsets.UTF_8)),
        "NUMAFLOW_REPLICA", "0",
        "NUMAFLOW_NAMESPACE", "demo",
        "NUMAFLOW_PIPELINE_NAME", "words",
        "NUMAFLOW_VERTEX_NAME", vertex);
  }

  @Test
  @DisplayName("messages written to upper's input arrive upper-cased, keys kept, at the log sink, which counts them")
  void upperCasedAndCounted() throws Exception {
    Map<String, String> received = new ConcurrentHashMap<>();
    CountDownLatch all = new CountDownLatch(MESSAGES);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (InMemoryIsb isb = InMemoryIsb.create()) {
      isb.admin().createBuffers(List.of("demo-words-upper-0", "demo-words-upper-1", "demo-words-log-0",
          "demo-words-log-1"), BufferConfig.defaults());
      // The watermark buckets of the two edges, as Numaflow's ISB service creates them: the vertices'
      // objects name their from-edges, so both take part in watermarks.
      isb.admin().createBuckets(List.of("demo-words-in-upper", "demo-words-upper-log"), BufferConfig.defaults(),
          BucketLayout.OFFSET_TIMELINE);
      // One client per vertex, as two pods would have.
      try (IsbClient upperPod = isb.connect();
          IsbClient logPod = isb.connect();
          Forwarder upper = UppercaseVertex.forwarder(upperPod, UPPER_ENV, registry);
          Forwarder log = LogSinkVertex.forwarder(logPod, LOG_ENV, registry, in -> {
            received.put(String.join(",", in.keys()), in.valueAsString());
            all.countDown();
          })) {
        upper.start();
        log.start();
        write(isb, "demo-words-upper-0", 0, MESSAGES / 2);
        write(isb, "demo-words-upper-1", MESSAGES / 2, MESSAGES);

        assertThat(all.await(20, TimeUnit.SECONDS)).as("all messages reached the sink").isTrue();
        for (int i = 0; i < MESSAGES; i++) {
          assertThat(received).containsEntry("key-" + i, "WORD NUMBER " + i);
        }
        assertThat(received).hasSize(MESSAGES);
        assertThat(registry.get(LogSinkVertex.RECEIVED).tag("vertex", "log").counter().count())
            .isEqualTo(MESSAGES);
        assertThat(upper.tracksWatermarks()).isTrue();
        assertThat(log.tracksWatermarks()).isTrue();
      }
    }
  }

  @Test
  @DisplayName("a pod without Numaflow's environment fails at start, naming what is missing")
  void withoutEnvironment() {
    try (InMemoryIsb isb = InMemoryIsb.create()) {
      assertThatThrownBy(() -> UppercaseVertex.forwarder(isb, Map.of(), new SimpleMeterRegistry()))
          .isInstanceOf(IsbConfigException.class)
          .hasMessageContaining("NUMAFLOW_REPLICA was not set")
          .hasMessageContaining("NUMAFLOW_VERTEX_OBJECT was not set");
      assertThatThrownBy(() -> LogSinkVertex.forwarder(isb, Map.of("NUMAFLOW_REPLICA", "0"),
          new SimpleMeterRegistry())).isInstanceOf(IsbConfigException.class)
          .hasMessageContaining("NUMAFLOW_VERTEX_OBJECT was not set");
    }
  }

  private static void write(InMemoryIsb isb, String buffer, int from, int to) {
    List<Message> batch = new ArrayList<>();
    for (int i = from; i < to; i++) {
      Header header = Header.builder(new MessageId("in", Integer.toString(i), 0)).keys("key-" + i).build();
      batch.add(new Message(header, ("word number " + i).getBytes(StandardCharsets.UTF_8)));
    }
    try (BufferWriter writer = isb.writer(buffer, WriterOptions.defaults())) {
      assertThat(writer.write(batch)).allMatch(WriteResult::isStored);
    }
  }
}
