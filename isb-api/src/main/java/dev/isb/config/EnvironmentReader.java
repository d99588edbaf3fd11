package dev.isb.config;

import static dev.isb.config.ConfigEntries.nonEmpty;
import static dev.isb.config.ConfigResolver.ENV;
import static dev.isb.config.ConfigResolver.ENV_CONFIG;
import static dev.isb.config.ConfigResolver.ENV_VERTEX;

import dev.isb.IsbConfigException;
import dev.isb.config.ConfigResolver.Entry;
import dev.isb.config.ConfigTree.Fields;
import dev.isb.config.ConfigTree.Sink;
import dev.isb.config.ConfigTree.Source;
import dev.isb.config.ConfigTree.YNode;
import dev.isb.config.ConfigValues.BadValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads Numaflow's pod environment (layer {@code ENV}): {@code NUMAFLOW_ISBSVC_CONFIG}, the
 * {@code NUMAFLOW_ISBSVC_*} variables and the to-edges of {@code NUMAFLOW_VERTEX_OBJECT}, whose
 * writer limits are kept per edge and shared only when every edge agrees. Single use, not
 * thread-safe.
 */
final class EnvironmentReader extends ResolutionStep {

  /**
   * The Numaflow release the vertex runs beside. Numaflow tells a vertex's containers nothing of its
   * version ({@code NUMAFLOW_IMAGE} is set on its controller only), so the pod spec sets this one.
   */
  static final String ENV_NUMAFLOW_VERSION = "ISB_NUMAFLOW_VERSION";

  private final NumaflowShapes shapes;

  EnvironmentReader(ConfigEntries c, NumaflowShapes shapes) {
    super(c);
    this.shapes = shapes;
  }

  // ---- 4. the pod environment -----------------------------------------------------------------

  /**
   * The vertex object's {@code spec.interStepBufferServiceName}, needed before any file is read; the
   * object's problems are reported later, with the rest of the environment's.
   */
  String vertexServiceName() {
    VertexObject vertex = vertexObject(new Sink());
    return vertex == null ? null : nonEmpty(scalar(vertex.spec().get("interStepBufferServiceName")));
  }

  /** Reads NUMAFLOW_VERTEX_OBJECT's to-edges: the writer limits of each edge. */
  private void readVertexObject() {
    VertexObject vertex = vertexObject(sink);
    if (vertex == null || !(vertex.json().get("spec") instanceof Map<?, ?> spec)) {
      return;
    }
    if (spec.get("interStepBuffer") instanceof Map<?, ?> isb && isb.get("compression") instanceof Map<?, ?> c) {
      addFromJson(c.get("type"), "spec.interStepBuffer.compression.type", ConfigSetting.COMPRESSION);
    }
    Object toEdges = spec.get("toEdges");
    if (toEdges != null && !(toEdges instanceof List)) {
      sink.problem(VertexObject.ORIGIN, "spec.toEdges", shown(toEdges), "be a list");
    } else if (toEdges != null) {
      List<?> items = (List<?>) toEdges;
      for (int i = 0; i < items.size(); i++) {
        String path = "spec.toEdges[" + i + "]";
        Map<?, ?> edge = items.get(i) instanceof Map<?, ?> m ? m : null;
        String to = edge == null ? null : single(edge.get("to"), path + ".to");
        if (to == null) {
          continue;
        }
        int before = entries.size();
        if (edge.get("toVertexLimits") instanceof Map<?, ?> limits) {
          String limitsPath = path + ".toVertexLimits";
          addFromJson(limits.get("bufferMaxLength"), limitsPath + ".bufferMaxLength", ConfigSetting.WRITER_MAX_LENGTH);
          String usagePath = limitsPath + ".bufferUsageLimit";
          String usage = single(limits.get("bufferUsageLimit"), usagePath);
          if (usage != null) {
            try {
              long percent = ConfigValues.whole(usage);
              if (percent <= 0 || percent > 100) {
                throw new BadValue("be a percentage in (0, 100]");
              }
              entries.add(new Entry(ConfigSetting.WRITER_USAGE_LIMIT, percent / 100.0, ENV, VertexObject.ORIGIN,
                  usagePath, null, percent + "%"));
            } catch (BadValue ex) {
              sink.problem(VertexObject.ORIGIN, usagePath, ConfigValues.shorten(usage),
                  ex.rule().equals("be a whole number") ? "be a whole percentage in (0, 100]" : ex.rule());
            }
          }
        }
        addFromJson(edge.get("onFull"), path + ".onFull", ConfigSetting.WRITER_ON_FULL);
        // These are per edge: kept aside, and shared only when every edge agrees (below).
        var mine = new ArrayList<>(entries.subList(before, entries.size()));
        entries.subList(before, entries.size()).clear();
        edges.put(to, mine);
      }
      shareEdgeLimits();
    }
    consulted.add("env " + ENV_VERTEX + " (" + edges.size() + " to-edges)");
  }

  /** The vertex object, or null when it is unset or unreadable (a problem in {@code into} says why). */
  private VertexObject vertexObject(Sink into) {
    if (nonEmpty(in.env.get(ENV_VERTEX)) == null) {
      return null;
    }
    try {
      return VertexObject.parse(in.env.get(ENV_VERTEX));
    } catch (IsbConfigException e) {
      into.unreadable = true;
      into.problems.addAll(e.problems());
      return null;
    }
  }

  /** A JSON value of the vertex object as an entry of the environment layer. */
  private void addFromJson(Object value, String path, ConfigSetting s) {
    String text = single(value, path);
    if (text != null) {
      c.add(s, text, ENV, VertexObject.ORIGIN, path, null, null);
    }
  }

  /** A JSON scalar as text; null when absent, or (after a problem) an object or a list. */
  private String single(Object value, String path) {
    if (value instanceof Map || value instanceof List) {
      sink.problem(VertexObject.ORIGIN, path, shown(value), "be a single value");
      return null;
    }
    return scalar(value);
  }

  private static String scalar(Object value) {
    return value == null || value instanceof Map || value instanceof List ? null : String.valueOf(value);
  }

  private static String shown(Object value) {
    return value instanceof Map ? "{...}" : value instanceof List ? "[...]" : ConfigValues.shorten(String.valueOf(value));
  }

  private void shareEdgeLimits() {
    if (edges.isEmpty()) {
      return;
    }
    for (ConfigSetting s : List.of(ConfigSetting.WRITER_MAX_LENGTH, ConfigSetting.WRITER_USAGE_LIMIT,
        ConfigSetting.WRITER_ON_FULL)) {
      var found = edges.values().stream()
          .map(list -> list.stream().filter(e -> e.setting() == s).findFirst().orElse(null))
          .collect(Collectors.toList());
      boolean allSame = found.stream().allMatch(e -> e != null && e.value().equals(found.get(0).value()));
      if (allSame) {
        Entry first = found.get(0);
        String path = first.path().replaceFirst("^spec\\.toEdges\\[\\d+]", "spec.toEdges[*]");
        entries.add(new Entry(s, first.value(), ENV, first.origin(), path, null, first.note()));
      }
    }
  }

  private YNode base64Json(String variable, Sink sink) {
    String value = nonEmpty(in.env.get(variable));
    if (value == null) {
      return null;
    }
    String text;
    try {
      text = ConfigValues.base64Utf8(value);
    } catch (BadValue e) {
      sink.unreadable = true;
      sink.problem("env", variable, ConfigValues.shorten(value), e.rule());
      return null;
    }
    List<YNode> docs = ConfigTree.parseAll(new Source("env " + variable, text, sink), "");
    if (docs.size() != 1 || !docs.get(0).isMapping()) {
      sink.unreadable = true;
      if (docs.size() > 0) {
        sink.problem("env", variable, ConfigValues.shorten(text), "be base64 of a JSON object");
      }
      return null;
    }
    return docs.get(0);
  }

  /** Reads every variable this library knows, and checks that they name one backend. */
  void readEnvironment() {
    var env = in.env;
    readVertexObject();
    long count = env.keySet().stream().filter(k -> k.startsWith("NUMAFLOW_ISBSVC_")).count();
    if (count > 0) {
      consulted.add("env (" + count + " NUMAFLOW_ISBSVC_* variables)");
    }
    YNode config = base64Json(ENV_CONFIG, sink);
    if (config != null) {
      Fields f = config.fields("jetstream", "redis");
      YNode js = f.get("jetstream");
      YNode redis = f.get("redis");
      if (js != null && redis != null) {
        sink.problem("env " + ENV_CONFIG, "(top level)", "jetstream, redis",
            "hold either a jetstream or a redis block, not both");
        sink.unreadable = true;
      } else if (js != null) {
        readJetStreamConfig(js);
      } else if (redis != null) {
        entries.add(new Entry(ConfigSetting.BACKEND, "redis", ENV, "env " + ENV_CONFIG, "redis", null, null));
        shapes.readRedisConfig(redis, ENV, "redis", null, null);
      }
    }
    envEntry(ENV_NUMAFLOW_VERSION, ConfigSetting.NUMAFLOW_VERSION, null);
    envEntry("NUMAFLOW_ISBSVC_TYPE", ConfigSetting.BACKEND, null);
    if (nonEmpty(env.get("NUMAFLOW_ISBSVC_JETSTREAM_URL")) != null) {
      entries.add(new Entry(ConfigSetting.BACKEND, "jetstream", ENV, "env", "NUMAFLOW_ISBSVC_JETSTREAM_URL", null,
          null));
    }
    envEntry("NUMAFLOW_ISBSVC_JETSTREAM_URL", ConfigSetting.URL, "jetstream");
    envEntry("NUMAFLOW_ISBSVC_JETSTREAM_TLS_ENABLED", ConfigSetting.TLS, "jetstream");
    envEntry("NUMAFLOW_ISBSVC_JETSTREAM_USER", ConfigSetting.USER, "jetstream");
    envEntry("NUMAFLOW_ISBSVC_JETSTREAM_PASSWORD", ConfigSetting.PASSWORD, "jetstream");
    for (String v : List.of("NUMAFLOW_ISBSVC_REDIS_URL", "NUMAFLOW_ISBSVC_REDIS_SENTINEL_URL")) {
      if (nonEmpty(env.get(v)) != null) {
        entries.add(new Entry(ConfigSetting.BACKEND, "redis", ENV, "env", v, null, null));
      }
    }
    envEntry("NUMAFLOW_ISBSVC_REDIS_URL", ConfigSetting.URL, "redis");
    envEntry("NUMAFLOW_ISBSVC_REDIS_SENTINEL_URL", ConfigChecks.SENTINEL_URL, "redis");
    envEntry("NUMAFLOW_ISBSVC_REDIS_SENTINEL_MASTER", ConfigChecks.SENTINEL_MASTER, "redis");
    envEntry("NUMAFLOW_ISBSVC_REDIS_USER", ConfigSetting.USER, "redis");
    envEntry("NUMAFLOW_ISBSVC_REDIS_PASSWORD", ConfigSetting.PASSWORD, "redis");
    envEntry("NUMAFLOW_ISBSVC_REDIS_SENTINEL_PASSWORD", "sentinel.password", "redis");
    envEntry("NUMAFLOW_ISBSVC_REDIS_CLUSTER_MAX_REDIRECTS", "cluster.maxRedirects", "redis");

    // One environment names one backend.
    var backends = entries.stream().filter(e -> e.layer() == ENV && e.setting() == ConfigSetting.BACKEND)
        .collect(Collectors.toList());
    for (Entry e : backends) {
      if (!e.value().equals(backends.get(0).value())) {
        sink.problem(e.origin(), e.path(), e.origin().equals("env") ? ConfigValues.shorten(env.get(e.path()))
            : String.valueOf(e.value()), "not be set with a " + backends.get(0).value() + " ISB service ("
            + backends.get(0).describeSource() + ")");
      }
    }
  }

  private void readJetStreamConfig(YNode js) {
    String origin = "env " + ENV_CONFIG;
    Fields f = js.fields("url", "auth", "streamConfig", "bufferConfig", "tlsEnabled");
    if (f == null) {
      return;
    }
    entries.add(new Entry(ConfigSetting.BACKEND, "jetstream", ENV, origin, "jetstream", null, null));
    c.addFrom(f.get("url"), ConfigSetting.URL, ENV, "jetstream", null);
    c.addFrom(f.get("tlsEnabled"), ConfigSetting.TLS, ENV, "jetstream", null);
    YNode auth = f.get("auth");
    Fields af = auth == null ? null : auth.fields("basic", "token", "nkey");
    if (af != null) {
      YNode basic = af.get("basic");
      Fields bf = basic == null ? null : basic.fields("user", "password");
      if (bf != null) {
        shapes.secretRef(bf.get("user"), ConfigSetting.USER.key, "NUMAFLOW_ISBSVC_JETSTREAM_USER", "jetstream");
        shapes.secretRef(bf.get("password"), ConfigSetting.PASSWORD.key, "NUMAFLOW_ISBSVC_JETSTREAM_PASSWORD", "jetstream");
      }
      shapes.secretRef(af.get("token"), "token", null, "jetstream");
      shapes.secretRef(af.get("nkey"), "nkey.seed", null, "jetstream");
    }
    // Numaflow before 1.1 called it bufferConfig; both are the merged YAML with lower-cased keys.
    for (String key : List.of("bufferConfig", "streamConfig")) {
      if (f.get(key) != null) {
        shapes.readBufferConfig(f.get(key).embedded(), ENV);
      }
    }
  }

  private void envEntry(String variable, ConfigSetting setting, String scope) {
    envEntry(variable, setting.key, scope);
  }

  /** A variable that gives the setting with this key: one of {@link ConfigSetting}, or a backend's. */
  private void envEntry(String variable, String key, String scope) {
    String value = nonEmpty(in.env.get(variable));
    if (value != null) {
      c.add(key, value, ENV, "env", variable, scope, null);
    }
  }
}
