package dev.isb;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Numaflow's per-message metadata ({@code metadata.Metadata}): the vertex that wrote the message and
 * two namespaces of grouped key/value pairs, one for the system and one for user code. Immutable and
 * thread-safe; the maps are sorted by key and their byte values are copied in and out.
 */
public final class Metadata {

  /** No previous vertex and no groups; a message with this metadata carries none on the wire. */
  public static final Metadata EMPTY = new Metadata("", Map.of(), Map.of());

  private final String previousVertex;
  private final Map<String, Map<String, byte[]>> sysMetadata;
  private final Map<String, Map<String, byte[]>> userMetadata;

  private Metadata(
      String previousVertex,
      Map<String, Map<String, byte[]>> sysMetadata,
      Map<String, Map<String, byte[]>> userMetadata) {
    this.previousVertex = Objects.requireNonNull(previousVertex, "previousVertex");
    this.sysMetadata = copy(sysMetadata, "sysMetadata");
    this.userMetadata = copy(userMetadata, "userMetadata");
  }

  /**
   * Metadata with the given fields.
   *
   * @param previousVertex the vertex that wrote the message, or empty
   * @param sysMetadata system groups: group name to key to value
   * @param userMetadata user groups: group name to key to value
   */
  public static Metadata of(
      String previousVertex,
      Map<String, Map<String, byte[]>> sysMetadata,
      Map<String, Map<String, byte[]>> userMetadata) {
    if (previousVertex.isEmpty() && sysMetadata.isEmpty() && userMetadata.isEmpty()) {
      return EMPTY;
    }
    return new Metadata(previousVertex, sysMetadata, userMetadata);
  }

  /** Metadata that names only the vertex that wrote the message. */
  public static Metadata ofPreviousVertex(String previousVertex) {
    return of(previousVertex, Map.of(), Map.of());
  }

  private static Map<String, Map<String, byte[]>> copy(Map<String, Map<String, byte[]>> groups, String what) {
    Objects.requireNonNull(groups, what);
    if (groups.isEmpty()) {
      return Map.of();
    }
    var out = new TreeMap<String, Map<String, byte[]>>();
    groups.forEach((group, values) -> {
      Objects.requireNonNull(group, what + " group name");
      Objects.requireNonNull(values, what + " group " + group);
      var inner = new TreeMap<String, byte[]>();
      values.forEach((k, v) -> inner.put(
          Objects.requireNonNull(k, what + " key in group " + group),
          Objects.requireNonNull(v, what + " value of " + group + "/" + k).clone()));
      out.put(group, Collections.unmodifiableMap(inner));
    });
    return Collections.unmodifiableMap(out);
  }

  /** The vertex that wrote the message; empty when not known. */
  public String previousVertex() {
    return previousVertex;
  }

  /** System groups, sorted by name. Values are shared: copy a value before changing it. */
  public Map<String, Map<String, byte[]>> sysMetadata() {
    return sysMetadata;
  }

  /** User groups, sorted by name. Values are shared: copy a value before changing it. */
  public Map<String, Map<String, byte[]>> userMetadata() {
    return userMetadata;
  }

  /** Whether there is nothing to encode. */
  public boolean isEmpty() {
    return previousVertex.isEmpty() && sysMetadata.isEmpty() && userMetadata.isEmpty();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Metadata m
        && previousVertex.equals(m.previousVertex)
        && groupsEqual(sysMetadata, m.sysMetadata)
        && groupsEqual(userMetadata, m.userMetadata);
  }

  private static boolean groupsEqual(Map<String, Map<String, byte[]>> a, Map<String, Map<String, byte[]>> b) {
    if (!a.keySet().equals(b.keySet())) {
      return false;
    }
    for (var e : a.entrySet()) {
      var other = b.get(e.getKey());
      if (!e.getValue().keySet().equals(other.keySet())) {
        return false;
      }
      for (var kv : e.getValue().entrySet()) {
        if (!Arrays.equals(kv.getValue(), other.get(kv.getKey()))) {
          return false;
        }
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    return Objects.hash(previousVertex, groupsHash(sysMetadata), groupsHash(userMetadata));
  }

  private static int groupsHash(Map<String, Map<String, byte[]>> groups) {
    int h = 0;
    for (var e : groups.entrySet()) {
      for (var kv : e.getValue().entrySet()) {
        h += e.getKey().hashCode() ^ kv.getKey().hashCode() ^ Arrays.hashCode(kv.getValue());
      }
    }
    return h;
  }

  @Override
  public String toString() {
    return "Metadata{previousVertex=" + previousVertex
        + ", sysGroups=" + sysMetadata.keySet() + ", userGroups=" + userMetadata.keySet() + '}';
  }
}
