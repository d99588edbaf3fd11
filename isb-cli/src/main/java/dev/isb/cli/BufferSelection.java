package dev.isb.cli;

import dev.isb.wire.BufferNames;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The buffers a sub-command works on: named, or derived from a vertex with Numaflow's naming rule
 * {@code <namespace>-<pipeline>-<vertex>-<partition>}, or both.
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

  @Option(names = "--partitions", paramLabel = "N", defaultValue = "1",
      description = "partitions per derived vertex, 0 to N-1 (default: ${DEFAULT-VALUE})")
  private int partitions;

  /**
   * Every buffer, named ones first, without repeats.
   *
   * @throws CliException with {@link ExitCodes#USAGE} naming the bad name or option
   */
  List<String> buffers() {
    Set<String> buffers = new LinkedHashSet<>();
    for (String name : names == null ? List.<String>of() : names) {
      try {
        buffers.add(BufferNames.requireValid(name));
      } catch (IllegalArgumentException e) {
        throw CliException.usage("BUFFER: " + e.getMessage());
      }
    }
    boolean derive = namespace != null || pipeline != null || (vertices != null && !vertices.isEmpty());
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

  private String missing() {
    return namespace == null ? "--namespace" : pipeline == null ? "--pipeline" : "--vertex";
  }
}
