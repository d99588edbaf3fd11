package dev.isb.vertex;

import dev.isb.Compression;
import dev.isb.IsbClient;
import dev.isb.IsbConfigException.Problem;
import dev.isb.IsbConfigException;
import dev.isb.NumaflowVersion;
import dev.isb.OnFull;
import dev.isb.WriterOptions;
import dev.isb.config.VertexObject;
import dev.isb.wire.BufferNames;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a vertex pod learns about itself from the environment Numaflow gives it: its namespace,
 * pipeline, name and replica index, the buffers it reads (one per partition) and the edges it writes
 * along, each with the downstream vertex's partitions, buffer limits, {@code onFull} and tag
 * conditions. A vertex then needs no buffer name written by hand:
 *
 * <pre>{@code
 * try (IsbClient isb = IsbConfig.load().open();
 *     Forwarder upper = VertexSpec.fromEnvironment().forwarder(isb)
 *         .map(MapFunction.of(in -> Output.of(in.valueAsString().toUpperCase()).withKeys(in.keys())))
 *         .build()) {
 *   upper.runUntilShutdown();
 * }
 * }</pre>
 *
 * <p>The variables, as Numaflow's controller sets them on every vertex pod:
 *
 * <ul>
 *   <li>{@code NUMAFLOW_VERTEX_OBJECT} (required): base64 (standard alphabet; line breaks are
 *       ignored) of the Vertex resource as JSON, decoded by {@link VertexObject}, the same parser
 *       {@code IsbConfig} reads it with. Read from it: {@code metadata.namespace},
 *       {@code spec.name}, {@code spec.pipelineName}, {@code spec.partitions}, {@code spec.source}
 *       (a source owns no buffer) and each {@code spec.toEdges[]}'s {@code to}, {@code from},
 *       {@code toVertexPartitionCount}, {@code toVertexLimits.bufferMaxLength},
 *       {@code toVertexLimits.bufferUsageLimit} (a percentage), {@code onFull} and
 *       {@code conditions.tags.operator} / {@code .values}, {@code toVertexType} and
 *       {@code toVertexOrdered.enabled} (which make the edge route by keys, as numaflow-core does
 *       into a reduce vertex and, from v1.8, into an ordered one; by the input's offset otherwise),
 *       each {@code spec.fromEdges[]}'s {@code from} (the vertices whose watermarks this one reads),
 *       {@code spec.watermark.disabled} and {@code spec.interStepBuffer.compression.type}. Everything
 *       else is ignored.
 *   <li>{@code NUMAFLOW_REPLICA} (required): this pod's replica index, a whole number from 0. It
 *       makes the consumer name {@code <vertex>-<replica>}.
 *   <li>{@code NUMAFLOW_READ_AHEAD} (optional): {@code false} makes the forwarder read a batch only
 *       once the one before is settled; {@code true} (and unset) reads one batch ahead.
 *   <li>{@code ISB_NUMAFLOW_VERSION} (optional, this library's): the Numaflow release beside which the
 *       vertex runs ({@code 1.7}, {@code v1.8.3}); the newest when unset. Numaflow does not tell a
 *       vertex's containers its version.
 *   <li>{@code NUMAFLOW_NAMESPACE}, {@code NUMAFLOW_PIPELINE_NAME}, {@code NUMAFLOW_VERTEX_NAME}:
 *       used when the object lacks {@code metadata.namespace}, {@code spec.pipelineName} or
 *       {@code spec.name}; when both give a value, they must agree.
 * </ul>
 *
 * <p>Empty variables count as unset. Defaults are Numaflow's: {@code partitions} and
 * {@code toVertexPartitionCount} absent or below 1 mean 1, an absent tag {@code operator} means
 * {@code or} (an edge without tag values takes every output), an absent {@code onFull} means
 * {@code retryUntilSuccess}, absent limits mean {@link WriterOptions#defaults()}. Values Numaflow's
 * controller never writes (an operator or {@code onFull} outside its resource definition's enums, a
 * usage limit outside 1–100) are errors here rather than quietly replaced by a default, as
 * {@code IsbConfig} treats them. The
 * limits and {@code onFull} are the ones {@code IsbConfig.writerOptions(toVertex)} reads from the same
 * variable.
 *
 * <p>This describes map and sink vertices. A reduce vertex's pod reads only the partition of its
 * replica index, which {@link #inputBuffers()} does not model. Immutable and thread-safe.
 */
public final class VertexSpec {

  private static final String OBJECT = VertexObject.VARIABLE;
  private static final String REPLICA = "NUMAFLOW_REPLICA";
  private static final String NAMESPACE = "NUMAFLOW_NAMESPACE";
  private static final String PIPELINE = "NUMAFLOW_PIPELINE_NAME";
  private static final String VERTEX = "NUMAFLOW_VERTEX_NAME";
  private static final String NUMAFLOW_VERSION = "ISB_NUMAFLOW_VERSION";
  private static final String READ_AHEAD = "NUMAFLOW_READ_AHEAD";
  private static final String ENV = "env";
  private static final String IN_OBJECT = "env " + OBJECT;

  /** More partitions than this is a typo: each one is a stream and a reader thread. */
  private static final int MAX_PARTITIONS = 10_000;
  private static final Pattern WHOLE = Pattern.compile("[+-]?\\d{1,18}");

  private final String namespace;
  private final String pipeline;
  private final String vertex;
  private final int replica;
  private final int partitions;
  private final boolean source;
  private final List<String> inputBuffers;
  private final List<Edge> edges;
  private final List<String> fromVertices;
  private final boolean watermarkDisabled;
  private final Compression compression;
  private final NumaflowVersion numaflowVersion;
  private final boolean readAhead;

  private VertexSpec(String namespace, String pipeline, String vertex, int replica, int partitions,
      boolean source, List<String> inputBuffers, List<Edge> edges, List<String> fromVertices,
      boolean watermarkDisabled, Compression compression, NumaflowVersion numaflowVersion, boolean readAhead) {
    this.namespace = namespace;
    this.pipeline = pipeline;
    this.vertex = vertex;
    this.replica = replica;
    this.partitions = partitions;
    this.source = source;
    this.inputBuffers = List.copyOf(inputBuffers);
    this.edges = List.copyOf(edges);
    this.fromVertices = List.copyOf(fromVertices);
    this.watermarkDisabled = watermarkDisabled;
    this.compression = compression;
    this.numaflowVersion = numaflowVersion;
    this.readAhead = readAhead;
  }

  /**
   * Reads this process's environment ({@link System#getenv()}).
   *
   * @throws IsbConfigException listing every problem with the variables
   */
  public static VertexSpec fromEnvironment() {
    return fromEnvironment(System.getenv());
  }

  /**
   * Reads these variables (a test passes a map rather than the real environment).
   *
   * @throws IsbConfigException listing every problem, each as
   *     {@code env NUMAFLOW_VERTEX_OBJECT: spec.toEdges[0].onFull was 'drop' but it must be
   *     retryUntilSuccess or discardLatest}
   */
  public static VertexSpec fromEnvironment(Map<String, String> env) {
    Objects.requireNonNull(env, "env");
    return new Reader(env).read();
  }

  /** The namespace, the first part of every buffer name. */
  public String namespace() {
    return namespace;
  }

  /** The pipeline name. */
  public String pipeline() {
    return pipeline;
  }

  /** This vertex's name in the pipeline ({@code spec.name}, not the resource's name). */
  public String vertex() {
    return vertex;
  }

  /** This pod's replica index. */
  public int replica() {
    return replica;
  }

  /** How many partitions this vertex's own buffers have; 1 for a source, which owns none. */
  public int partitions() {
    return partitions;
  }

  /**
   * The buffers this vertex reads, partition 0 first: {@code <namespace>-<pipeline>-<vertex>-<p>};
   * empty for a source vertex.
   */
  public List<String> inputBuffers() {
    return inputBuffers;
  }

  /** Where this vertex writes, one {@link Edge} per {@code spec.toEdges[]} entry, in order; empty for a sink. */
  public List<Edge> edges() {
    return edges;
  }

  /** The vertices with an edge into this one ({@code spec.fromEdges[].from}), in order. */
  public List<String> fromVertices() {
    return fromVertices;
  }

  /** Whether the pipeline turned watermarks off ({@code spec.watermark.disabled}). */
  public boolean watermarkDisabled() {
    return watermarkDisabled;
  }

  /** How the pipeline compresses payloads ({@code spec.interStepBuffer.compression.type}); none when unset. */
  public Compression compression() {
    return compression;
  }

  /** The Numaflow release the vertex runs beside ({@code ISB_NUMAFLOW_VERSION}); the newest when unset. */
  public NumaflowVersion numaflowVersion() {
    return numaflowVersion;
  }

  /** Whether the forwarder reads a batch ahead ({@code NUMAFLOW_READ_AHEAD}; true when unset). */
  public boolean readAhead() {
    return readAhead;
  }

  /**
   * A builder of this vertex's forwarder: its name, pipeline and replica, reading
   * {@link #inputBuffers()} and writing along {@link #edges()}, taking part in watermarks (from
   * {@link #fromVertices()}) unless the pipeline disabled them. Add the function ({@code map},
   * {@code sink}, ...) and anything else to change, then {@code build()}.
   *
   * @throws IllegalStateException for a source vertex, which reads no buffer
   */
  public Forwarder.Builder forwarder(IsbClient client) {
    Objects.requireNonNull(client, "client");
    if (source) {
      throw new IllegalStateException("vertex '" + vertex + "' is a source (spec.source is set): it owns no "
          + "buffer for a forwarder to read");
    }
    Forwarder.Builder builder = Forwarder.builder(client, vertex).pipeline(pipeline).replica(replica)
        .from(inputBuffers).to(edges.toArray(Edge[]::new)).compression(compression).numaflowVersion(numaflowVersion)
        .readAhead(readAhead);
    return watermarkDisabled || fromVertices.isEmpty() ? builder : builder.watermarks(namespace, fromVertices);
  }

  @Override
  public String toString() {
    return "VertexSpec{" + namespace + '/' + pipeline + '/' + vertex + ", replica=" + replica + ", partitions="
        + partitions + (source ? ", source" : "") + ", edges=" + edges.stream().map(Edge::toVertex).toList() + '}';
  }

  /** One pass over the variables that collects every problem before it gives up. */
  private static final class Reader {
    private final Map<String, String> env;
    private final List<Problem> problems = new ArrayList<>();

    Reader(Map<String, String> env) {
      this.env = env;
    }

    VertexSpec read() {
      int replica = replica();
      Map<String, Object> root = object();
      if (root == null) {
        throw new IsbConfigException(problems);
      }
      Map<?, ?> metadata = orEmpty(mapping(root.get("metadata"), "metadata"));
      Map<?, ?> spec = mapping(root.get("spec"), "spec");
      if (spec == null) {
        if (root.get("spec") == null) {
          problem(IN_OBJECT, "spec", null, "be set: the Vertex resource's spec");
        }
        spec = Map.of();
      }
      String namespace = identity(metadata.get("namespace"), "metadata.namespace", NAMESPACE);
      String pipeline = identity(spec.get("pipelineName"), "spec.pipelineName", PIPELINE);
      String vertex = identity(spec.get("name"), "spec.name", VERTEX);
      boolean source = spec.get("source") != null;
      int partitions = source ? 1 : partitionCount(spec.get("partitions"), "spec.partitions");
      NumaflowVersion version = numaflowVersion();
      boolean readAhead = readAhead();
      Compression compression = compression(mapping(spec.get("interStepBuffer"), "spec.interStepBuffer"));
      List<EdgeSpec> edgeSpecs = toEdges(spec.get("toEdges"), vertex, version);
      List<String> fromVertices = fromEdges(spec.get("fromEdges"), vertex);
      boolean watermarkDisabled = watermarkDisabled(mapping(spec.get("watermark"), "spec.watermark"));
      if (!problems.isEmpty()) {
        throw new IsbConfigException(problems);
      }

      List<String> inputs = new ArrayList<>();
      if (!source) {
        for (int p = 0; p < partitions; p++) {
          inputs.add(bufferName(namespace, pipeline, vertex, p, "spec.name"));
        }
      }
      List<Edge> edges = new ArrayList<>();
      for (EdgeSpec e : edgeSpecs) {
        List<String> buffers = new ArrayList<>();
        for (int p = 0; p < e.partitions; p++) {
          buffers.add(bufferName(namespace, pipeline, e.to, p, e.path + ".to"));
        }
        if (problems.isEmpty()) {
          edges.add(new Edge(e.to, buffers, e.tags, e.match, e.writerOptions.toBuilder().compression(compression)
              .build(), e.routing));
        }
      }
      if (!problems.isEmpty()) {
        throw new IsbConfigException(problems);
      }
      return new VertexSpec(namespace, pipeline, vertex, replica, partitions, source, inputs, edges,
          fromVertices, watermarkDisabled, compression, version, readAhead);
    }

    private int replica() {
      String text = nonEmpty(env.get(REPLICA));
      if (text == null) {
        problem(ENV, REPLICA, null, "be set to this pod's replica index (Numaflow sets it from the pod "
            + "annotation numaflow.numaproj.io/replica)");
        return 0;
      }
      String trimmed = text.trim();
      if (trimmed.matches("\\d{1,10}")) {
        long value = Long.parseLong(trimmed);
        if (value <= Integer.MAX_VALUE) {
          return (int) value;
        }
      }
      problem(ENV, REPLICA, text, "be a replica index: a whole number from 0");
      return 0;
    }

    /** The decoded vertex object, or null when it is missing or unreadable (a problem says why). */
    private Map<String, Object> object() {
      try {
        return VertexObject.parse(env.get(OBJECT)).json();
      } catch (IsbConfigException e) {
        problems.addAll(e.problems());
        return null;
      }
    }

    /** A name from the object, or from its variable when the object lacks it; they must agree. */
    private String identity(Object node, String path, String variable) {
      String fromObject = text(node, path);
      String fromEnv = nonEmpty(env.get(variable));
      if (fromObject != null && fromEnv != null && !fromObject.equals(fromEnv)) {
        problem(ENV, variable, fromEnv, "agree with " + OBJECT + " " + path + " ('" + fromObject + "')");
      }
      String value = fromObject != null ? fromObject : fromEnv;
      if (value == null) {
        if (absent(node)) {
          problem(IN_OBJECT, path, null, "be set (or the variable " + variable + ")");
        }
        return null;
      }
      return validName(value, fromObject != null ? IN_OBJECT : ENV, fromObject != null ? path : variable);
    }

    private List<EdgeSpec> toEdges(Object node, String vertex, NumaflowVersion version) {
      List<EdgeSpec> out = new ArrayList<>();
      Set<String> seen = new HashSet<>();
      forEachEdge(node, "spec.toEdges", "to", "goes to", (path, edge, to) -> {
        if (to != null && !seen.add(to)) {
          problem(IN_OBJECT, path + ".to", to, "differ from every earlier edge's: one edge per downstream vertex");
        }
        requireThisVertex(edge, path, "from", vertex);
        int partitions = partitionCount(edge.get("toVertexPartitionCount"), path + ".toVertexPartitionCount");
        WriterOptions writerOptions = writerOptions(edge, path);
        Set<String> tags = new LinkedHashSet<>();
        Edge.TagMatch match = tagConditions(edge.get("conditions"), path + ".conditions", tags);
        Edge.Routing routing = routing(edge, path, version);
        if (to != null) {
          out.add(new EdgeSpec(path, to, partitions, tags, match, writerOptions, routing));
        }
      });
      return out;
    }

    private List<String> fromEdges(Object node, String vertex) {
      List<String> out = new ArrayList<>();
      forEachEdge(node, "spec.fromEdges", "from", "comes from", (path, edge, from) -> {
        requireThisVertex(edge, path, "to", vertex);
        if (from != null && !out.contains(from)) {
          out.add(from);
        }
      });
      return out;
    }

    /**
     * Calls {@code visitor} for each edge object of the list at {@code path} that names the vertex at its
     * {@code end} ({@code to} or {@code from}), with that name, null when it cannot be part of a buffer name.
     */
    private void forEachEdge(Object node, String path, String end, String goes, EdgeVisitor visitor) {
      List<?> items = sequence(node, path);
      if (items == null) {
        return;
      }
      for (int i = 0; i < items.size(); i++) {
        String itemPath = path + "[" + i + "]";
        Map<?, ?> edge = mapping(items.get(i), itemPath);
        if (edge == null) {
          if (items.get(i) == null) {
            problem(IN_OBJECT, itemPath, null, "be an edge object");
          }
          continue;
        }
        String endPath = itemPath + "." + end;
        String name = text(edge.get(end), endPath);
        if (name == null) {
          if (absent(edge.get(end))) {
            problem(IN_OBJECT, endPath, null, "be set: the vertex this edge " + goes);
          }
          continue;
        }
        visitor.visit(itemPath, edge, validName(name, IN_OBJECT, endPath));
      }
    }

    /** The {@code key} end of an edge, when given, must be this vertex. */
    private void requireThisVertex(Map<?, ?> edge, String path, String key, String vertex) {
      String name = text(edge.get(key), path + "." + key);
      if (name != null && vertex != null && !name.equals(vertex)) {
        problem(IN_OBJECT, path + "." + key, name, "be this vertex, '" + vertex + "'");
      }
    }

    /**
     * numaflow-core's routing for the edge: by keys into a reduce vertex and (v1.8+) into an ordered
     * vertex, else by the input's offset.
     */
    private Edge.Routing routing(Map<?, ?> edge, String path, NumaflowVersion version) {
      String type = text(edge.get("toVertexType"), path + ".toVertexType");
      if (type != null && !List.of("MapUDF", "ReduceUDF", "Sink").contains(type)) {
        problem(IN_OBJECT, path + ".toVertexType", type, "be MapUDF, ReduceUDF or Sink");
      }
      Map<?, ?> ordered = mapping(edge.get("toVertexOrdered"), path + ".toVertexOrdered");
      Boolean enabled = ordered == null ? null : flag(ordered.get("enabled"), path + ".toVertexOrdered.enabled");
      if ("ReduceUDF".equals(type) || version == NumaflowVersion.V1_8 && Boolean.TRUE.equals(enabled)) {
        return Edge.Routing.BY_KEYS;
      }
      return Edge.Routing.BY_OFFSET;
    }

    /** The pipeline's {@code interStepBuffer.compression.type}; none when absent. */
    private Compression compression(Map<?, ?> interStepBuffer) {
      Map<?, ?> block = interStepBuffer == null ? null
          : mapping(interStepBuffer.get("compression"), "spec.interStepBuffer.compression");
      String type = block == null ? null : text(block.get("type"), "spec.interStepBuffer.compression.type");
      if (type == null) {
        return Compression.NONE;
      }
      try {
        return Compression.parse(type);
      } catch (IllegalArgumentException e) {
        problem(IN_OBJECT, "spec.interStepBuffer.compression.type", type,
            "be gzip, zstd, lz4 or none (lower case, as numaflow-core reads it)");
        return Compression.NONE;
      }
    }

    /** {@code NUMAFLOW_READ_AHEAD}: {@code true} or {@code false}; true when unset, as Numaflow's controller sets it for map and sink vertices. */
    private boolean readAhead() {
      String text = nonEmpty(env.get(READ_AHEAD));
      if (text == null || text.trim().equals("true")) {
        return true;
      }
      if (!text.trim().equals("false")) {
        problem(ENV, READ_AHEAD, text, "be true or false");
      }
      return false;
    }

    /** The Numaflow release from {@code ISB_NUMAFLOW_VERSION}, as {@code IsbConfig} reads it; the newest when unset. */
    private NumaflowVersion numaflowVersion() {
      String text = nonEmpty(env.get(NUMAFLOW_VERSION));
      if (text == null) {
        return NumaflowVersion.latest();
      }
      try {
        return NumaflowVersion.parse(text);
      } catch (IllegalArgumentException e) {
        problem(ENV, NUMAFLOW_VERSION, text, "be a Numaflow release such as 1.7, v1.7.5 or 1.8.3");
        return NumaflowVersion.latest();
      }
    }

    private boolean watermarkDisabled(Map<?, ?> watermark) {
      return watermark != null && Boolean.TRUE.equals(flag(watermark.get("disabled"), "spec.watermark.disabled"));
    }

    private WriterOptions writerOptions(Map<?, ?> edge, String path) {
      WriterOptions.Builder options = WriterOptions.builder();
      Map<?, ?> limits = mapping(edge.get("toVertexLimits"), path + ".toVertexLimits");
      if (limits != null) {
        Long length = whole(limits.get("bufferMaxLength"), path + ".toVertexLimits.bufferMaxLength", 1, Long.MAX_VALUE,
            "be positive");
        if (length != null) {
          options.maxLength(length);
        }
        Long percent = whole(limits.get("bufferUsageLimit"), path + ".toVertexLimits.bufferUsageLimit", 1, 100,
            "be a percentage from 1 to 100");
        if (percent != null) {
          options.usageLimit(percent / 100.0);
        }
      }
      String onFull = text(edge.get("onFull"), path + ".onFull");
      if (onFull != null) {
        switch (onFull.trim().toLowerCase(Locale.ROOT)) {
          case "retryuntilsuccess" -> options.onFull(OnFull.RETRY_UNTIL_SUCCESS);
          case "discardlatest" -> options.onFull(OnFull.DISCARD_LATEST);
          default -> problem(IN_OBJECT, path + ".onFull", onFull, "be retryUntilSuccess or discardLatest");
        }
      }
      return options.build();
    }

    /** Fills {@code tags} and returns how they match; no tags means the edge takes every output. */
    private Edge.TagMatch tagConditions(Object node, String path, Set<String> tags) {
      Map<?, ?> conditions = mapping(node, path);
      Map<?, ?> tagNode = conditions == null ? null : mapping(conditions.get("tags"), path + ".tags");
      if (tagNode == null) {
        return Edge.TagMatch.ANY;
      }
      List<?> values = sequence(tagNode.get("values"), path + ".tags.values");
      if (values != null) {
        for (int j = 0; j < values.size(); j++) {
          if (values.get(j) instanceof String tag) {
            tags.add(tag);
          } else {
            problem(IN_OBJECT, path + ".tags.values[" + j + "]", display(values.get(j)), "be a string");
          }
        }
      }
      String operator = text(tagNode.get("operator"), path + ".tags.operator");
      if (operator == null) {
        return Edge.TagMatch.ANY;
      }
      switch (operator.trim().toLowerCase(Locale.ROOT)) {
        case "or":
          return Edge.TagMatch.ANY;
        case "and":
          return Edge.TagMatch.ALL;
        case "not":
          return Edge.TagMatch.NONE;
        default:
          problem(IN_OBJECT, path + ".tags.operator", operator, "be or, and or not");
          return Edge.TagMatch.ANY;
      }
    }

    /** Numaflow's partition count: absent or below 1 means 1. */
    private int partitionCount(Object node, String path) {
      Long count = whole(node, path);
      if (count == null || count < 1) {
        return 1;
      }
      if (count > MAX_PARTITIONS) {
        problem(IN_OBJECT, path, count.toString(), "be at most " + MAX_PARTITIONS);
        return 1;
      }
      return count.intValue();
    }

    private String bufferName(String namespace, String pipeline, String vertex, int partition, String path) {
      try {
        return BufferNames.buffer(namespace, pipeline, vertex, partition);
      } catch (IllegalArgumentException e) {
        // The parts' characters were checked already: only the length can be wrong here.
        int length = namespace.length() + pipeline.length() + vertex.length() + Integer.toString(partition).length()
            + 3;
        problem(IN_OBJECT, path, vertex, "leave the buffer name <namespace>-<pipeline>-<vertex>-<partition> at most "
            + BufferNames.MAX_LENGTH + " characters long, not " + length);
        return null;
      }
    }

    private String validName(String value, String source, String path) {
      if (value.length() > BufferNames.MAX_LENGTH) {
        problem(source, path, value, "be at most " + BufferNames.MAX_LENGTH + " characters long, not " + value.length());
        return null;
      }
      try {
        BufferNames.requireValid(value);
        return value;
      } catch (IllegalArgumentException e) {
        problem(source, path, value, "be usable in a buffer name: printable ASCII without spaces or . * > / \\ { }");
        return null;
      }
    }

    /** A string, or null when absent, JSON null or empty ({@code ""} is Go's unset string). */
    private String text(Object node, String path) {
      if (node == null) {
        return null;
      }
      if (node instanceof String s) {
        return s.isEmpty() ? null : s;
      }
      problem(IN_OBJECT, path, display(node), "be a string");
      return null;
    }

    /** A whole number (JSON number or digits in a string), or null when absent or wrong. */
    private Long whole(Object node, String path) {
      if (node == null) {
        return null;
      }
      if (node instanceof Integer || node instanceof Long) {
        return ((Number) node).longValue();
      }
      if (node instanceof String s && WHOLE.matcher(s.trim()).matches()) {
        return Long.parseLong(s.trim().startsWith("+") ? s.trim().substring(1) : s.trim());
      }
      problem(IN_OBJECT, path, display(node), "be a whole number");
      return null;
    }

    /** A whole number from {@code min} to {@code max}, or null when absent or wrong (outside: {@code rule}). */
    private Long whole(Object node, String path, long min, long max, String rule) {
      Long value = whole(node, path);
      if (value != null && (value < min || value > max)) {
        problem(IN_OBJECT, path, value.toString(), rule);
        return null;
      }
      return value;
    }

    /** A JSON boolean, or null when absent or wrong. */
    private Boolean flag(Object node, String path) {
      if (node == null || node instanceof Boolean) {
        return (Boolean) node;
      }
      problem(IN_OBJECT, path, display(node), "be true or false");
      return null;
    }

    private Map<?, ?> mapping(Object node, String path) {
      if (node == null || node instanceof Map<?, ?>) {
        return (Map<?, ?>) node;
      }
      problem(IN_OBJECT, path, display(node), "be an object");
      return null;
    }

    private List<?> sequence(Object node, String path) {
      if (node == null || node instanceof List<?>) {
        return (List<?>) node;
      }
      problem(IN_OBJECT, path, display(node), "be a list");
      return null;
    }

    private void problem(String source, String path, String value, String rule) {
      problems.add(new Problem(source, path, value == null ? null : shorten(value), rule));
    }

    /** Whether a value counts as not given: JSON null, or Go's empty string. */
    private static boolean absent(Object node) {
      return node == null || "".equals(node);
    }

    private static Map<?, ?> orEmpty(Map<?, ?> map) {
      return map == null ? Map.of() : map;
    }

    private static String nonEmpty(String value) {
      return value == null || value.isBlank() ? null : value;
    }

    private static String display(Object node) {
      return String.valueOf(node);
    }

    /** One line of at most 80 characters: values are shown, never whole documents. */
    private static String shorten(String value) {
      String one = value.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t");
      return one.length() <= 80 ? one : one.substring(0, 77) + "...";
    }
  }

  /** What {@code Reader.forEachEdge} calls with each edge, its path and the name at its far end. */
  @FunctionalInterface
  private interface EdgeVisitor {
    void visit(String path, Map<?, ?> edge, String end);
  }

  /** An edge as read, before its buffer names are made (they need the namespace and pipeline). */
  private record EdgeSpec(String path, String to, int partitions, Set<String> tags, Edge.TagMatch match,
      WriterOptions writerOptions, Edge.Routing routing) {}
}
