package dev.isb.config;

import dev.isb.config.ConfigResolver.Entry;
import dev.isb.config.ConfigResolver.Inputs;
import dev.isb.config.ConfigResolver.Place;
import dev.isb.config.ConfigTree.Sink;
import dev.isb.config.ConfigTree.YNode;
import dev.isb.config.ConfigValues.BadValue;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one resolution has gathered so far, shared by the reader of each source and the checks that
 * follow: every value read, as an {@link Entry} that remembers its layer and origin; the secret keys
 * still to look up; each to-edge's writer limits; the problems, warnings and sources consulted.
 * Single use, not thread-safe.
 */
final class ConfigEntries {

  /**
   * A Kubernetes secret key a source refers to, whose value must be found in the env or a secret dir.
   *
   * @param target the key of the setting the value is for
   * @param envVar the variable that gives the value instead, or null
   * @param scope the backend the value is for, or null for any
   */
  record SecretRef(String target, String name, String key, boolean optional, String origin,
      String path, String envVar, String scope) {}

  final Inputs in;
  final Sink sink = new Sink();
  final List<Entry> entries = new ArrayList<>();
  final List<SecretRef> refs = new ArrayList<>();
  final Map<String, List<Entry>> edges = new LinkedHashMap<>();
  final List<String> consulted = new ArrayList<>();
  /** Keys of settings given but refused, or referred to but not found: reported once, not again as missing. */
  final Set<String> unresolved = new HashSet<>();
  final List<Place> secretDirs = new ArrayList<>();
  /** The InterStepBufferService to read; known before any file is read. */
  String serviceName;

  ConfigEntries(Inputs in) {
    this.in = in;
  }

  /**
   * The setting with this key, for a value a source gives under a backend's key; null, after a
   * warning, when no backend on the class path declares it.
   */
  Setting setting(String key, String origin, String path) {
    Setting s = in.settings.byKey(key).orElse(null);
    if (s == null) {
      sink.warning(origin, path, "sets " + key + ", which no ISB backend on the class path reads; it is ignored");
    }
    return s;
  }

  /** Parses a value into an entry; a value that does not parse is a problem, and its setting unresolved. */
  void add(Setting s, Object raw, int layer, String origin, String path, String scope, String note) {
    try {
      entries.add(new Entry(s, s.parse(raw), layer, origin, path, scope, note));
    } catch (BadValue e) {
      unresolved.add(s.key());
      sink.unreadable |= s == ConfigSetting.URL || s == ConfigSetting.BACKEND || s.key().equals(ConfigChecks.SENTINEL_URL);
      sink.problem(origin, path, s.displayRaw(raw), e.rule());
    }
  }

  /** As {@link #add}, for a backend's key ({@link #setting}). */
  void add(String key, Object raw, int layer, String origin, String path, String scope, String note) {
    Setting s = setting(key, origin, path);
    if (s != null) {
      add(s, raw, layer, origin, path, scope, note);
    }
  }

  /** As {@link #add}, from a YAML node, which must hold a single value; an absent node gives nothing. */
  void addFrom(YNode node, String key, int layer, String scope, String note) {
    if (node != null) {
      Setting s = setting(key, node.source().origin, node.path());
      if (s != null) {
        addFrom(node, s, layer, scope, note);
      }
    }
  }

  /** As {@link #add}, from a YAML node, which must hold a single value; an absent node gives nothing. */
  void addFrom(YNode node, Setting s, int layer, String scope, String note) {
    if (node == null) {
      return;
    }
    if (!node.isScalar()) {
      node.problem(node.text(), "be a single value");
      return;
    }
    add(s, node.text(), layer, node.source().origin, node.path(), scope, note);
  }

  /** The text, or null when it is absent or blank: an empty variable counts as unset. */
  static String nonEmpty(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  /** A YAML boolean; false (after a problem) when it is not one. */
  static boolean checkBool(YNode node) {
    try {
      return ConfigValues.bool(node.text());
    } catch (BadValue e) {
      node.problem(ConfigValues.shorten(node.text()), e.rule());
      return false;
    }
  }
}
