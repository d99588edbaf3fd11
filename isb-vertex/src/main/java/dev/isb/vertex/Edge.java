package dev.isb.vertex;

import dev.isb.WriterOptions;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Where a vertex's outputs go: the buffers (one per partition, in partition order) of one downstream
 * vertex, which outputs that edge takes (Numaflow's conditional forwarding by tags), and how full that
 * vertex's buffers may get. Immutable.
 *
 * <p>An edge without tags takes every output. An edge with tags takes an output whose tags match them:
 * {@link TagMatch#ANY} (Numaflow's default {@code or}) when they share one, {@link TagMatch#ALL}
 * ({@code and}) when the output has every one, {@link TagMatch#NONE} ({@code not}) when it has none.
 *
 * <pre>{@code
 * Edge.to("alerts", "ns-pl-alerts-0").whenTagged("error", "critical")
 * }</pre>
 *
 * @param toVertex the downstream vertex, for metrics and errors
 * @param buffers its buffers, partition 0 first
 * @param tags the tags it takes; empty takes everything
 * @param match how {@code tags} are matched
 * @param writerOptions the downstream vertex's buffer limits and its {@code onFull}
 */
public record Edge(String toVertex, List<String> buffers, Set<String> tags, TagMatch match,
    WriterOptions writerOptions) {

  /** How an edge's tags are compared with an output's. */
  public enum TagMatch {
    /** The output has at least one of the edge's tags. */
    ANY,
    /** The output has every one of the edge's tags. */
    ALL,
    /** The output has none of the edge's tags. */
    NONE
  }

  /** Copies the collections and checks every field. */
  public Edge {
    Objects.requireNonNull(toVertex, "toVertex");
    if (toVertex.isBlank()) {
      throw new IllegalArgumentException("toVertex must not be blank");
    }
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
  }

  /** An edge to these buffers that takes every output, with Numaflow's default limits. */
  public static Edge to(String toVertex, String... buffers) {
    return to(toVertex, List.of(buffers));
  }

  /** An edge to these buffers that takes every output, with Numaflow's default limits. */
  public static Edge to(String toVertex, List<String> buffers) {
    return new Edge(toVertex, buffers, Set.of(), TagMatch.ANY, WriterOptions.defaults());
  }

  /** This edge, taking only outputs with at least one of these tags. */
  public Edge whenTagged(String... tags) {
    return new Edge(toVertex, buffers, Set.of(tags), TagMatch.ANY, writerOptions);
  }

  /** This edge, taking only outputs whose tags match these as {@code match} says. */
  public Edge whenTagged(TagMatch match, String... tags) {
    return new Edge(toVertex, buffers, Set.of(tags), match, writerOptions);
  }

  /** This edge with these limits (from {@code IsbConfig.writerOptions(toVertex)}, say). */
  public Edge withWriterOptions(WriterOptions writerOptions) {
    return new Edge(toVertex, buffers, tags, match, writerOptions);
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
