package dev.isb.vertex;

import dev.isb.Message;
import dev.isb.WriterOptions;
import dev.isb.spi.Checks;
import dev.isb.wire.PartitionRouter;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Where a vertex's outputs go: the buffers (one per partition, in partition order) of one downstream
 * vertex, which outputs that edge takes (Numaflow's conditional forwarding by tags), how an output
 * picks its partition, and how full that vertex's buffers may get. Immutable.
 *
 * <p>An edge without tags takes every output. An edge with tags takes an output whose tags match them:
 * {@link TagMatch#ANY} (Numaflow's default {@code or}) when they share one, {@link TagMatch#ALL}
 * ({@code and}) when the output has every one, {@link TagMatch#NONE} ({@code not}) when it has none.
 *
 * <pre>{@code
 * Edge.to("alerts", "ns-pl-alerts-0").whenTagged("error", "critical")
 * Edge.to("counts", "ns-pl-counts-0", "ns-pl-counts-1").routedBy(Edge.Routing.BY_KEYS)   // into a reduce vertex
 * }</pre>
 *
 * @param toVertex the downstream vertex, for metrics and errors
 * @param buffers its buffers, partition 0 first
 * @param tags the tags it takes; empty takes everything
 * @param match how {@code tags} are matched
 * @param writerOptions the downstream vertex's buffer limits and its {@code onFull}
 * @param routing how an output picks its partition
 */
public record Edge(String toVertex, List<String> buffers, Set<String> tags, TagMatch match,
    WriterOptions writerOptions, Routing routing) {

  /** How an edge's tags are compared with an output's. */
  public enum TagMatch {
    /** The output has at least one of the edge's tags. */
    ANY,
    /** The output has every one of the edge's tags. */
    ALL,
    /** The output has none of the edge's tags. */
    NONE
  }

  /**
   * How an output picks its partition of the edge's buffers, by numaflow-core's hash
   * ({@link dev.isb.wire.PartitionRouter}); one partition is always partition 0.
   */
  public enum Routing {
    /**
     * By the offset of the input it came from ({@code <sequence>-<partition>}), so that all outputs of
     * one input share a partition and keys do not make hot partitions: numaflow-core's routing into a
     * map or sink vertex. The default.
     */
    BY_OFFSET,
    /**
     * By the output's keys joined with {@code ":"}: numaflow-core's routing into a reduce vertex, and
     * (Numaflow v1.8+) along an edge into a vertex with {@code ordered.enabled}. Outputs without keys
     * all go to one partition.
     */
    BY_KEYS,
    /**
     * By the keys when the output has some, else by the offset: how this library routed every edge
     * before it followed numaflow-core, kept for pipelines that depend on it.
     */
    KEYS_ELSE_OFFSET
  }

  /** Copies the collections and checks every field. */
  public Edge {
    Checks.notBlank("toVertex", toVertex);
    buffers = List.copyOf(buffers);
    if (buffers.isEmpty()) {
      throw new IllegalArgumentException("edge to '" + toVertex + "' must name at least one buffer");
    }
    if (Set.copyOf(buffers).size() != buffers.size()) {
      throw new IllegalArgumentException("edge to '" + toVertex + "' names a buffer twice: " + buffers);
    }
    tags = Set.copyOf(tags);
    Objects.requireNonNull(match, "match");
    Objects.requireNonNull(writerOptions, "writerOptions");
    Objects.requireNonNull(routing, "routing");
  }

  /** An edge to these buffers that takes every output, with Numaflow's default limits. */
  public static Edge to(String toVertex, String... buffers) {
    return to(toVertex, List.of(buffers));
  }

  /** An edge to these buffers that takes every output, with Numaflow's default limits, routed by offset. */
  public static Edge to(String toVertex, List<String> buffers) {
    return new Edge(toVertex, buffers, Set.of(), TagMatch.ANY, WriterOptions.defaults(), Routing.BY_OFFSET);
  }

  /** This edge, taking only outputs with at least one of these tags. */
  public Edge whenTagged(String... tags) {
    return new Edge(toVertex, buffers, Set.of(tags), TagMatch.ANY, writerOptions, routing);
  }

  /** This edge, taking only outputs whose tags match these as {@code match} says. */
  public Edge whenTagged(TagMatch match, String... tags) {
    return new Edge(toVertex, buffers, Set.of(tags), match, writerOptions, routing);
  }

  /** This edge with these limits (from {@code IsbConfig.writerOptions(toVertex)}, say). */
  public Edge withWriterOptions(WriterOptions writerOptions) {
    return new Edge(toVertex, buffers, tags, match, writerOptions, routing);
  }

  /** This edge, routing outputs to partitions as {@code routing} says. */
  public Edge routedBy(Routing routing) {
    return new Edge(toVertex, buffers, tags, match, writerOptions, routing);
  }

  /** The partition, from 0, that {@code output} goes to along this edge, by {@code router}. */
  int partitionOf(Message output, PartitionRouter router) {
    return switch (routing) {
      case BY_OFFSET -> router.byOffset(output);
      case BY_KEYS -> router.byKeys(output);
      case KEYS_ELSE_OFFSET -> router.route(output);
    };
  }

  /** Whether an output with these tags goes along this edge. */
  public boolean accepts(Set<String> outputTags) {
    if (tags.isEmpty()) {
      return true;
    }
    return switch (match) {
      case ANY -> !Collections.disjoint(tags, outputTags);
      case ALL -> outputTags.containsAll(tags);
      case NONE -> Collections.disjoint(tags, outputTags);
    };
  }
}
