package dev.isb.cli;

import dev.isb.wire.BufferNames;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * What a Numaflow Pipeline resource (YAML or JSON, as {@code kubectl get pipeline -o yaml} prints it or
 * as it is applied) needs in an ISB service: a buffer per partition of every vertex that is not a
 * source ({@code <ns>-<pipeline>-<vertex>-<p>}), a watermark bucket per edge
 * ({@code <ns>-<pipeline>-<from>-<to>}), and one per source ({@code <ns>-<pipeline>-<vertex>_SOURCE})
 * and per sink ({@code ..._SINK}), as Numaflow's {@code GetAllBuffers} and {@code GetAllBuckets} list
 * them.
 *
 * @param buffers the buffers, vertex by vertex
 * @param buckets the bucket base names (the backend adds {@code _OT}, {@code _PROCESSORS})
 */
record PipelineFile(List<String> buffers, List<String> buckets) {

  /**
   * Reads a Pipeline resource.
   *
   * @param namespace used when the file has no {@code metadata.namespace}; may be null
   * @throws CliException with {@link ExitCodes#USAGE} naming the file and the field that is wrong
   */
  static PipelineFile read(Path file, String namespace) {
    Object root;
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      root = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
    } catch (IOException e) {
      throw CliException.usage("--pipeline-file " + file + ": cannot be read: " + e.getMessage());
    } catch (YAMLException e) {
      throw CliException.usage("--pipeline-file " + file + ": not YAML or JSON: " + e.getMessage());
    }
    return new Reading(file, root).read(namespace);
  }

  /** One reading of one file, which knows where it is for its error messages. */
  private record Reading(Path file, Object root) {

    PipelineFile read(String fallbackNamespace) {
      Map<?, ?> top = map(root, "the document");
      Map<?, ?> metadata = map(top.get("metadata"), "metadata");
      if (top.get("kind") != null && !"Pipeline".equals(top.get("kind"))) {
        throw problem("kind", "is '" + top.get("kind") + "', not Pipeline");
      }
      String name = text(metadata.get("name"), "metadata.name");
      String namespace = metadata.get("namespace") != null ? text(metadata.get("namespace"), "metadata.namespace")
          : fallbackNamespace;
      if (namespace == null) {
        throw problem("metadata.namespace", "is not set: give --namespace");
      }
      Map<?, ?> spec = map(top.get("spec"), "spec");
      List<?> vertices = list(spec.get("vertices"), "spec.vertices");
      List<String> buffers = new ArrayList<>();
      Set<String> buckets = new LinkedHashSet<>();
      Set<String> names = new LinkedHashSet<>();
      for (int i = 0; i < vertices.size(); i++) {
        String path = "spec.vertices[" + i + "]";
        Map<?, ?> vertex = map(vertices.get(i), path);
        String v = text(vertex.get("name"), path + ".name");
        if (!names.add(v)) {
          throw problem(path + ".name", "'" + v + "' is the name of an earlier vertex too");
        }
        int partitions = partitions(vertex.get("partitions"), path + ".partitions");
        if (vertex.get("source") != null) {
          buckets.add(named(path, () -> BufferNames.sourceBucket(namespace, name, v)));
          continue;
        }
        for (int p = 0; p < partitions; p++) {
          int partition = p;
          buffers.add(named(path, () -> BufferNames.buffer(namespace, name, v, partition)));
        }
        if (vertex.get("sink") != null) {
          buckets.add(named(path, () -> BufferNames.sinkBucket(namespace, name, v)));
        }
      }
      List<?> edges = list(spec.get("edges"), "spec.edges");
      for (int i = 0; i < edges.size(); i++) {
        String path = "spec.edges[" + i + "]";
        Map<?, ?> edge = map(edges.get(i), path);
        String from = text(edge.get("from"), path + ".from");
        String to = text(edge.get("to"), path + ".to");
        for (String end : List.of(from, to)) {
          if (!names.contains(end)) {
            throw problem(path, "names vertex '" + end + "', which is not in spec.vertices");
          }
        }
        buckets.add(named(path, () -> BufferNames.edgeBucket(namespace, name, from, to)));
      }
      return new PipelineFile(List.copyOf(buffers), List.copyOf(buckets));
    }

    private String named(String path, java.util.function.Supplier<String> name) {
      try {
        return BufferNames.requireValid(name.get());
      } catch (IllegalArgumentException e) {
        throw problem(path, "makes a bad name: " + e.getMessage());
      }
    }

    private int partitions(Object node, String path) {
      if (node == null) {
        return 1;
      }
      if (node instanceof Integer n && n >= 1 && n <= 10_000) {
        return n;
      }
      throw problem(path, "is " + node + ", not a whole number from 1 to 10000");
    }

    private Map<?, ?> map(Object node, String path) {
      if (node instanceof Map<?, ?> m) {
        return m;
      }
      throw problem(path, node == null ? "is missing" : "is not an object");
    }

    private List<?> list(Object node, String path) {
      if (node == null) {
        return List.of();
      }
      if (node instanceof List<?> l) {
        return l;
      }
      throw problem(path, "is not a list");
    }

    private String text(Object node, String path) {
      if (node instanceof String s && !s.isBlank()) {
        return s;
      }
      throw problem(path, node == null ? "is missing" : "is not a name");
    }

    private CliException problem(String path, String what) {
      return CliException.usage("--pipeline-file " + file + ": " + path + " " + what);
    }
  }
}
