package dev.isb.cli;

import dev.isb.wire.BufferNames;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The buffers a sub-command works on: named, derived from a vertex with Numaflow's naming rule
 * {@code <namespace>-<pipeline>-<vertex>-<partition>}, or read from a Pipeline resource (which also
 * gives its watermark buckets, {@link #pipelineBuckets()}); any of these together.
 */
final class BufferSelection {

  @Parameters(paramLabel = "BUFFER", arity = "0..*", description = "buffer names, such as demo-orders-enrich-0")
  private List<String> names;

  @Option(names = "--namespace", paramLabel = "NS", description = "with --pipeline and --vertex: derive buffer names")
  private String namespace;

  @Option(names = "--pipeline", paramLabel = "NAME", description = "the pipeline of the derived buffers")
  private String pipeline;

  @Option(names = "--vertex", paramLabel = "NAME", split = ",",
      description = "a vertex whose buffers to derive (repeatable, or comma-separated)")
  private List<String> vertices;

  @Option(names = "--pipeline-file", paramLabel = "FILE",
      description = "a Numaflow Pipeline resource (YAML or JSON): every buffer of its vertices and every watermark"
          + " bucket of its edges, sources and sinks; namespace from its metadata, else --namespace")
  private Path pipelineFile;

  @Option(names = "--partitions", paramLabel = "N", defaultValue = "1",
      description = "partitions per derived vertex, 0 to N-1 (default: ${DEFAULT-VALUE})")
  private int partitions;

  /**
   * Every buffer, named ones first, without repeats.
   *
   * @throws CliException with {@link ExitCodes#USAGE} naming the bad name or option
   */
  List<String> buffers() {
    Set<String> buffers = validNames(names, "BUFFER", "buffer");
    if (pipelineFile != null) {
      buffers.addAll(PipelineFile.read(pipelineFile, namespace).buffers());
    }
    boolean derive = pipeline != null || (vertices != null && !vertices.isEmpty())
        || (namespace != null && pipelineFile == null);
    if (derive) {
      if (namespace == null || pipeline == null || vertices == null || vertices.isEmpty()) {
        throw CliException.usage("--namespace, --pipeline and --vertex go together to derive buffer names, but "
            + missing() + " was not given");
      }
      if (partitions < 1) {
        throw CliException.usage("--partitions must be at least 1, was " + partitions);
      }
      for (String vertex : vertices) {
        for (int p = 0; p < partitions; p++) {
          try {
            buffers.add(BufferNames.buffer(namespace, pipeline, vertex, p));
          } catch (IllegalArgumentException e) {
            throw CliException.usage("--namespace '" + namespace + "', --pipeline '" + pipeline + "', --vertex '"
                + vertex + "': " + e.getMessage());
          }
        }
      }
    }
    return List.copyOf(buffers);
  }

  /** The watermark buckets of {@code --pipeline-file}; empty without one. */
  List<String> pipelineBuckets() {
    return pipelineFile == null ? List.of() : PipelineFile.read(pipelineFile, namespace).buckets();
  }

  /**
   * {@code names} (none when null) in order, without repeats, each a valid buffer or bucket name.
   *
   * @param given the option or parameter that gave them, for the message about a bad one
   * @param kind {@code buffer} or {@code bucket}: what the message calls a name
   * @throws CliException with {@link ExitCodes#USAGE} naming the bad name
   */
  static Set<String> validNames(List<String> names, String given, String kind) {
    Set<String> valid = new LinkedHashSet<>();
    for (String name : names == null ? List.<String>of() : names) {
      try {
        valid.add(BufferNames.requireValid(name));
      } catch (IllegalArgumentException e) {
        throw CliException.usage(given + ": " + e.getMessage().replace("buffer name", kind + " name"));
      }
    }
    return valid;
  }

  private String missing() {
    return namespace == null ? "--namespace" : pipeline == null ? "--pipeline" : "--vertex";
  }
}
