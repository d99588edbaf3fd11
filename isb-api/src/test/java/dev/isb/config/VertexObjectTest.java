package dev.isb.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isb.IsbConfigException;
import dev.isb.IsbConfigException.Problem;
import dev.isb.OnFull;
import dev.isb.WriterOptions;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** NUMAFLOW_VERTEX_OBJECT, decoded once for IsbConfig and VertexSpec alike. */
class VertexObjectTest {

  private static final String JSON = "{\"metadata\":{\"namespace\":\"demo\"},\"spec\":{\"name\":\"cat\","
      + "\"pipelineName\":\"demo-pipeline-with-a-long-name\",\"toEdges\":[{\"from\":\"cat\",\"to\":\"out\","
      + "\"onFull\":\"discardLatest\",\"toVertexLimits\":{\"bufferMaxLength\":10000,\"bufferUsageLimit\":90}}]}}";

  /** As {@code base64} prints it without {@code -w0}: lines of 76 characters. */
  private static String wrapped(String json, String lineBreak) {
    return Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8))
        .replaceAll("(.{76})", "$1" + lineBreak) + lineBreak;
  }

  private static Problem onlyProblem(String value) {
    try {
      VertexObject.parse(value);
    } catch (IsbConfigException e) {
      assertThat(e.problems()).hasSize(1);
      return e.problems().get(0);
    }
    throw new AssertionError("no problem with " + value);
  }

  @ParameterizedTest(name = "line break {0}")
  @ValueSource(strings = {"\n", "\r\n", " "})
  @DisplayName("base64 wrapped into lines, as base64 tools print it, is read")
  void lineBreaksAreIgnored(String lineBreak) {
    String value = wrapped(JSON, lineBreak);
    assertThat(value).contains(lineBreak);
    Map<String, Object> json = VertexObject.parse(value).json();
    assertThat(json).containsKeys("metadata", "spec");
    assertThat(((Map<?, ?>) json.get("spec")).get("name")).isEqualTo("cat");
  }

  @Test
  @DisplayName("the parsed JSON cannot be changed, at any level")
  void unmodifiable() {
    Map<String, Object> json = VertexObject.parse(wrapped(JSON, "\n")).json();
    var spec = (Map<?, ?>) json.get("spec");
    var edges = (List<?>) spec.get("toEdges");
    assertThatThrownBy(() -> json.put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> edges.remove(0)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  @DisplayName("IsbConfig reads the to-edges' limits from wrapped base64 too")
  void isbConfigReadsWrappedBase64() {
    IsbConfig config = IsbConfig.builder().environment(Map.of("NUMAFLOW_ISBSVC_JETSTREAM_URL", "nats://h:4222",
        "NUMAFLOW_VERTEX_OBJECT", wrapped(JSON, "\n"))).build();
    assertThat(config.writerOptions("out")).isEqualTo(WriterOptions.builder().maxLength(10_000).usageLimit(0.9)
        .onFull(OnFull.DISCARD_LATEST).build());
  }

  @Test
  @DisplayName("an unset variable, bad base64, bad UTF-8, bad JSON and a non-object are each one problem")
  void problems() {
    assertThat(onlyProblem(" ")).hasToString("env: NUMAFLOW_VERTEX_OBJECT was not set but it must be set to the "
        + "base64 of the Vertex resource's JSON (Numaflow sets it on every vertex pod)");
    assertThat(onlyProblem(null).path()).isEqualTo("NUMAFLOW_VERTEX_OBJECT");
    assertThat(onlyProblem("not base64!")).hasToString("env: NUMAFLOW_VERTEX_OBJECT was 'not base64!' but it must "
        + "be base64 (standard alphabet, padded) of JSON");
    assertThat(onlyProblem(Base64.getEncoder().encodeToString(new byte[] {'{', (byte) 0xC3, '}'})).rule())
        .isEqualTo("be base64 of UTF-8 JSON");
    Problem broken = onlyProblem(Base64.getEncoder().encodeToString("{\"spec\": ".getBytes(StandardCharsets.UTF_8)));
    assertThat(broken.source()).isEqualTo("env NUMAFLOW_VERTEX_OBJECT");
    assertThat(broken.path()).isEqualTo("(document)");
    assertThat(broken.rule()).startsWith("be JSON (");
    assertThat(onlyProblem(Base64.getEncoder().encodeToString("{\"a\":1,\"a\":2}".getBytes(StandardCharsets.UTF_8))).rule())
        .startsWith("be JSON (");
    assertThat(onlyProblem(Base64.getEncoder().encodeToString("[1]".getBytes(StandardCharsets.UTF_8))).rule())
        .isEqualTo("be a JSON object: the Vertex resource");
  }
}
