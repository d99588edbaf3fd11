package dev.isb.config;

import dev.isb.IsbConfigException;
import dev.isb.IsbConfigException.Problem;
import dev.isb.config.ConfigValues.BadValue;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * The Vertex resource Numaflow's controller hands every vertex pod as {@code NUMAFLOW_VERTEX_OBJECT}:
 * base64 of its JSON, decoded and parsed once here for both readers of it, {@link IsbConfig} (the
 * to-edges' writer limits, the ISB service name) and {@code dev.isb.vertex.VertexSpec} (everything a
 * vertex needs to know about itself). Immutable and thread-safe.
 *
 * <pre>{@code
 * VertexObject vertex = VertexObject.parse(System.getenv(VertexObject.VARIABLE));
 * Object name = ((Map<?, ?>) vertex.json().get("spec")).get("name");
 * }</pre>
 *
 * <p>The base64 is the standard alphabet, padded; white space anywhere in it, line breaks included,
 * is ignored, since {@code base64} tools wrap their output at 76 columns unless told not to. The
 * bytes must be UTF-8 and hold one JSON object; a key repeated in one object is refused rather than
 * silently resolved.
 */
public final class VertexObject {

  /** The variable Numaflow's controller sets on every vertex pod. */
  public static final String VARIABLE = "NUMAFLOW_VERTEX_OBJECT";

  /** Where problems with the JSON itself are reported, as {@code env NUMAFLOW_VERTEX_OBJECT: path …}. */
  static final String ORIGIN = "env " + VARIABLE;

  private final Map<String, Object> json;

  private VertexObject(Map<String, Object> json) {
    this.json = json;
  }

  /**
   * Decodes and parses the variable's value.
   *
   * @param base64 the value of {@code NUMAFLOW_VERTEX_OBJECT}; null or blank means the variable is unset
   * @return the vertex object
   * @throws IsbConfigException with one problem when the value is unset, not base64, not UTF-8, not
   *     JSON or not a JSON object, as in {@code env: NUMAFLOW_VERTEX_OBJECT was 'not base64!' but it
   *     must be base64 (standard alphabet, padded) of JSON}
   */
  public static VertexObject parse(String base64) {
    if (base64 == null || base64.isBlank()) {
      throw refused("env", VARIABLE, null, "be set to the base64 of the Vertex resource's JSON (Numaflow sets it "
          + "on every vertex pod)");
    }
    String text;
    try {
      text = ConfigValues.base64Utf8(base64);
    } catch (BadValue e) {
      throw refused("env", VARIABLE, base64, e.rule());
    }
    Object parsed;
    try {
      var options = new LoaderOptions();
      options.setAllowDuplicateKeys(false);
      // JSON is YAML; the safe constructor builds only maps, lists, strings, numbers and booleans.
      parsed = new Yaml(new SafeConstructor(options)).load(text);
    } catch (YAMLException e) {
      throw refused(ORIGIN, "(document)", text, "be JSON (" + firstLine(e.getMessage()) + ")");
    }
    if (!(parsed instanceof Map<?, ?> map)) {
      throw refused(ORIGIN, "(document)", text, "be a JSON object: the Vertex resource");
    }
    return new VertexObject(frozen(map));
  }

  /**
   * The Vertex resource as parsed JSON: objects are maps (in document order), arrays are lists,
   * numbers are {@link Integer}, {@link Long}, {@link java.math.BigInteger} or {@link Double}, and
   * {@code null} is null. Unmodifiable at every level.
   */
  public Map<String, Object> json() {
    return json;
  }

  /** {@code spec}, or an empty map when it is absent or not an object. */
  Map<?, ?> spec() {
    return json.get("spec") instanceof Map<?, ?> spec ? spec : Map.of();
  }

  @Override
  public String toString() {
    return "VertexObject" + json;
  }

  /** An unmodifiable copy; keys become strings, as JSON's are (YAML, which the parser also reads, allows others). */
  private static Map<String, Object> frozen(Map<?, ?> map) {
    var copy = new LinkedHashMap<String, Object>();
    map.forEach((k, v) -> copy.put(String.valueOf(k), frozen(v)));
    return Collections.unmodifiableMap(copy);
  }

  private static Object frozen(Object node) {
    if (node instanceof Map<?, ?> map) {
      return frozen(map);
    }
    if (node instanceof List<?> list) {
      var copy = new ArrayList<>(list.size());
      list.forEach(v -> copy.add(frozen(v)));
      return Collections.unmodifiableList(copy);
    }
    return node;
  }

  private static IsbConfigException refused(String source, String path, String value, String rule) {
    return new IsbConfigException(List.of(new Problem(source, path, value == null ? null : ConfigValues.shorten(value),
        rule)));
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int newline = message.indexOf('\n');
    return ConfigValues.shorten(newline < 0 ? message : message.substring(0, newline));
  }
}
