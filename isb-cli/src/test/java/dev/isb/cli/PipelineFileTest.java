package dev.isb.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineFileTest {

  /** Numaflow's simple pipeline with a second partition on the map vertex and a branch. */
  private static final String PIPELINE = """
      apiVersion: numaflow.numaproj.io/v1alpha1
      kind: Pipeline
      metadata:
        name: simple
      spec:
        vertices:
          - name: in
            source:
              generator: {rpu: 5, duration: 1s}
          - name: cat
            partitions: 2
            udf:
              builtin: {name: cat}
          - name: out
            sink:
              log: {}
          - name: audit
            sink:
              log: {}
        edges:
          - from: in
            to: cat
          - from: cat
            to: out
          - from: cat
            to: audit
            conditions: {tags: {values: [audit]}}
      """;

  @TempDir
  Path dir;

  private Path write(String text) throws IOException {
    return Files.writeString(dir.resolve("pipeline.yaml"), text);
  }

  @Test
  @DisplayName("buffers of every vertex but the source; buckets of every edge, the source and each sink")
  void derivesBuffersAndBuckets() throws IOException {
    PipelineFile p = PipelineFile.read(write(PIPELINE), "prod");

    assertThat(p.buffers()).containsExactly("prod-simple-cat-0", "prod-simple-cat-1", "prod-simple-out-0",
        "prod-simple-audit-0");
    assertThat(p.buckets()).containsExactly("prod-simple-in_SOURCE", "prod-simple-out_SINK", "prod-simple-audit_SINK",
        "prod-simple-in-cat", "prod-simple-cat-out", "prod-simple-cat-audit");
  }

  @Test
  @DisplayName("the file's metadata.namespace wins over --namespace; JSON reads too")
  void namespaceAndJson() throws IOException {
    String json = """
        {"kind":"Pipeline","metadata":{"name":"pl","namespace":"team"},
         "spec":{"vertices":[{"name":"a","source":{}},{"name":"b","sink":{}}],"edges":[{"from":"a","to":"b"}]}}""";
    PipelineFile p = PipelineFile.read(write(json), "ignored");

    assertThat(p.buffers()).containsExactly("team-pl-b-0");
    assertThat(p.buckets()).containsExactly("team-pl-a_SOURCE", "team-pl-b_SINK", "team-pl-a-b");
  }

  @Test
  @DisplayName("a bad file is a usage error naming the file and the field")
  void badInput() throws IOException {
    Path noNamespace = write(PIPELINE);
    assertThatThrownBy(() -> PipelineFile.read(noNamespace, null)).isInstanceOf(CliException.class)
        .hasMessageContaining("pipeline.yaml").hasMessageContaining("metadata.namespace is not set: give --namespace");

    Path badEdge = write(PIPELINE.replace("to: audit", "to: nowhere"));
    assertThatThrownBy(() -> PipelineFile.read(badEdge, "ns")).hasMessageContaining("spec.edges[2]")
        .hasMessageContaining("'nowhere', which is not in spec.vertices");

    Path badPartitions = write(PIPELINE.replace("partitions: 2", "partitions: two"));
    assertThatThrownBy(() -> PipelineFile.read(badPartitions, "ns")).hasMessageContaining("spec.vertices[1].partitions")
        .hasMessageContaining("two");

    Path notAPipeline = write("kind: Vertex\nmetadata: {name: x}\nspec: {}\n");
    assertThatThrownBy(() -> PipelineFile.read(notAPipeline, "ns")).hasMessageContaining("kind is 'Vertex'");

    Path notYaml = write("spec: [unclosed");
    assertThatThrownBy(() -> PipelineFile.read(notYaml, "ns")).hasMessageContaining("not YAML or JSON");

    assertThatThrownBy(() -> PipelineFile.read(dir.resolve("missing.yaml"), "ns")).isInstanceOf(CliException.class)
        .hasMessageContaining("cannot be read");
  }
}
