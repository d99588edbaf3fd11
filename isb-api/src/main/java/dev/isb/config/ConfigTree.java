package dev.isb.config;

import dev.isb.IsbConfigException.Problem;
import dev.isb.Redaction;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A read-only view of YAML (and JSON, which is YAML) that keeps where each value came from: keys are
 * matched ignoring case, as viper does; unknown keys become warnings with their path; structure and
 * syntax errors become {@link Problem}s with line and column, mapped back to the enclosing file when
 * the YAML was embedded in a literal block ({@code bufferConfig: |}). Only composes nodes, never
 * constructs objects, so no YAML tag can instantiate anything.
 */
final class ConfigTree {

  private ConfigTree() {}

  /** Collects what reading finds wrong. */
  static final class Sink {
    final List<Problem> problems = new ArrayList<>();
    final List<String> warnings = new ArrayList<>();
    /** Set when a whole text, or an address, could not be read: problems that follow from it are not reported. */
    boolean unreadable;

    void problem(String origin, String path, String value, String rule) {
      problems.add(new Problem(origin, path, value, rule));
    }

    void warning(String origin, String path, String message) {
      warnings.add(origin + ": " + path + " " + message);
    }
  }

  /** One text being read: where it is from and how its positions map to the file's. */
  static final class Source {
    final String origin;
    final String text;
    final Sink sink;
    /** Null when positions are relative to this text and cannot be mapped to a file. */
    private final int[] lineOffsetAndIndent;
    private final Source parent;

    Source(String origin, String text, Sink sink) {
      this(origin, text, sink, new int[] {0, 0}, null);
    }

    private Source(String origin, String text, Sink sink, int[] lineOffsetAndIndent, Source parent) {
      this.origin = origin;
      this.text = text;
      this.sink = sink;
      this.lineOffsetAndIndent = lineOffsetAndIndent;
      this.parent = parent;
    }

    /** A 0-based position in this text as a 1-based "line L, column C" of the file, if known. */
    private String position(int line, int column) {
      Source s = this;
      int l = line;
      int c = column;
      while (s != null) {
        if (s.lineOffsetAndIndent == null) {
          return "line " + (l + 1) + ", column " + (c + 1) + " of its text";
        }
        l += s.lineOffsetAndIndent[0];
        c += s.lineOffsetAndIndent[1];
        s = s.parent;
      }
      return "line " + (l + 1) + ", column " + (c + 1);
    }
  }

  /**
   * Parses every document of a text. On a syntax error, reports it (with position and the offending
   * line) under {@code path} and returns no documents.
   */
  static List<YNode> parseAll(Source source, String path) {
    var options = new LoaderOptions();
    options.setAllowDuplicateKeys(true); // we report duplicates ourselves, ignoring case
    options.setMaxAliasesForCollections(50);
    var yaml = new Yaml(new SafeConstructor(options));
    var docs = new ArrayList<YNode>();
    try {
      for (Node node : yaml.composeAll(new StringReader(source.text))) {
        if (node != null) {
          docs.add(new YNode(node, path, source));
        }
      }
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      int line = mark == null ? 0 : mark.getLine();
      int column = mark == null ? 0 : mark.getColumn();
      String where = source.position(line, column);
      String problem = e.getProblem() != null ? e.getProblem() : String.valueOf(e.getContext());
      source.sink.unreadable = true;
      source.sink.problem(source.origin, path.isEmpty() ? where : path + " at " + where,
          offendingLine(source.text, line), "be valid YAML (" + problem.trim() + ")");
      return List.of();
    } catch (YAMLException e) {
      source.sink.unreadable = true;
      source.sink.problem(source.origin, path.isEmpty() ? "text" : path, ConfigValues.shorten(source.text),
          "be valid YAML (" + e.getMessage() + ")");
      return List.of();
    }
    return docs;
  }

  private static String offendingLine(String text, int line) {
    String[] lines = text.split("\r?\n", -1);
    String shown = line >= 0 && line < lines.length ? lines[line].strip() : "";
    return Redaction.isSecretName(shown) ? Redaction.REDACTED : ConfigValues.shorten(shown);
  }

  /** A node with its path; keys are matched ignoring case. */
  record YNode(Node node, String path, Source source) {

    boolean isNull() {
      return node instanceof ScalarNode && node.getTag().equals(Tag.NULL);
    }

    boolean isScalar() {
      return node instanceof ScalarNode && !isNull();
    }

    boolean isMapping() {
      return node instanceof MappingNode;
    }

    /** The scalar's text; for a mapping or sequence, a short description. */
    String text() {
      if (node instanceof ScalarNode) {
        return ((ScalarNode) node).getValue();
      }
      return node instanceof MappingNode ? "{...}" : "[...]";
    }

    /** Reports a problem about this node's value. */
    void problem(String shownValue, String rule) {
      source.sink.problem(source.origin, path, shownValue, rule);
    }

    void warning(String message) {
      source.sink.warning(source.origin, path, message);
    }

    /** This node as a mapping of the given keys, warning about others; null (after a problem) if not a mapping. */
    Fields fields(String... known) {
      if (!(node instanceof MappingNode)) {
        if (!isNull()) {
          problem(ConfigValues.shorten(text()), "be a mapping of settings");
        }
        return null;
      }
      return new Fields(this, Arrays.asList(known), false);
    }

    /** This node as a mapping whose keys are not checked (a part of the file this library does not read). */
    Fields anyFields() {
      return node instanceof MappingNode ? new Fields(this, List.of(), true) : null;
    }

    /** The items of a sequence; an empty list (after a problem) if this is not one. */
    List<YNode> items() {
      if (!(node instanceof SequenceNode)) {
        problem(ConfigValues.shorten(text()), "be a list");
        return List.of();
      }
      var out = new ArrayList<YNode>();
      List<Node> values = ((SequenceNode) node).getValue();
      for (int i = 0; i < values.size(); i++) {
        out.add(new YNode(values.get(i), path + "[" + i + "]", source));
      }
      return out;
    }

    /**
     * YAML embedded in this node: a string holding YAML (as Numaflow's {@code bufferConfig: |}), or, more
     * leniently, a mapping written in place. Null (after a problem) if it cannot be read.
     */
    YNode embedded() {
      return embedded(path);
    }

    /** As {@link #embedded()}, with the embedded document's paths starting at {@code rootPath}. */
    YNode embedded(String rootPath) {
      if (node instanceof MappingNode) {
        return rootPath.equals(path) ? this : new YNode(node, rootPath, source);
      }
      if (!isScalar()) {
        return null;
      }
      ScalarNode scalar = (ScalarNode) node;
      int[] offset = null;
      if (scalar.getScalarStyle() == DumperOptions.ScalarStyle.LITERAL) {
        int contentLine = scalar.getStartMark().getLine() + 1;
        offset = new int[] {contentLine, indentOf(source.text, contentLine)};
      }
      var inner = new Source(source.origin, scalar.getValue(), source.sink, offset, source);
      List<YNode> docs = parseAll(inner, rootPath);
      if (docs.size() > 1) {
        problem("---", "hold one YAML document");
        return null;
      }
      return docs.isEmpty() ? null : docs.get(0);
    }

    private static int indentOf(String text, int fromLine) {
      String[] lines = text.split("\r?\n", -1);
      for (int i = fromLine; i < lines.length; i++) {
        if (!lines[i].isBlank()) {
          int n = 0;
          while (n < lines[i].length() && lines[i].charAt(n) == ' ') {
            n++;
          }
          return n;
        }
      }
      return 0;
    }
  }

  /** The entries of a mapping, by key ignoring case. */
  static final class Fields {
    private final Map<String, YNode> byLowerKey = new LinkedHashMap<>();
    private final Map<String, String> spelling = new LinkedHashMap<>();
    final YNode owner;

    Fields(YNode owner, List<String> known, boolean anyKey) {
      this.owner = owner;
      var knownLower = new LinkedHashMap<String, String>();
      known.forEach(k -> knownLower.put(k.toLowerCase(Locale.ROOT), k));
      for (NodeTuple tuple : ((MappingNode) owner.node).getValue()) {
        Node keyNode = tuple.getKeyNode();
        String key = keyNode instanceof ScalarNode ? ((ScalarNode) keyNode).getValue() : null;
        String childPath = owner.path.isEmpty() ? String.valueOf(key) : owner.path + "." + key;
        if (key == null) {
          owner.source.sink.problem(owner.source.origin, owner.path.isEmpty() ? "(top level)" : owner.path,
              "{...}", "have plain keys, not a mapping or list as a key");
          continue;
        }
        String lower = key.toLowerCase(Locale.ROOT);
        var child = new YNode(tuple.getValueNode(), childPath, owner.source);
        if (!anyKey && !knownLower.containsKey(lower)) {
          String hint = ConfigValues.closest(key, known);
          child.warning("is not a known setting; it is ignored"
              + (hint != null ? " (did you mean " + hint + "?)" : ""));
          continue;
        }
        if (byLowerKey.containsKey(lower)) {
          child.problem(ConfigValues.shorten(child.text()), "appear only once (keys match ignoring case; "
              + spelling.get(lower) + " is given too)");
          continue;
        }
        byLowerKey.put(lower, child);
        spelling.put(lower, key);
      }
    }

    /** The value of a key (matched ignoring case), or null if absent or null-valued. */
    YNode get(String key) {
      YNode n = byLowerKey.get(key.toLowerCase(Locale.ROOT));
      return n == null || n.isNull() ? null : n;
    }

    /** The scalar text of a key, or null if absent; reports a problem if it is a mapping or list. */
    String text(String key) {
      YNode n = get(key);
      if (n == null) {
        return null;
      }
      if (!n.isScalar()) {
        n.problem(n.text(), "be a single value");
        return null;
      }
      return n.text();
    }
  }
}
