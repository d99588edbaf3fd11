package dev.isb.servers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** One line of {@code CLUSTER NODES}, as {@link RedisCluster} reads it. Immutable. */
record ClusterNode(String id, Set<String> flags, String masterId, String slots) {

  boolean isMaster() {
    return flags.contains("master");
  }

  boolean failing() {
    return flags.contains("fail")
        || flags.contains("fail?")
        || flags.contains("handshake")
        || flags.contains("noaddr");
  }

  boolean servesSlots() {
    return !slots.isEmpty();
  }

  /** Whether one of its slot ranges holds {@code slot}; slots being migrated ({@code [..]}) do not count. */
  boolean servesSlot(long slot) {
    for (String range : slots.split(" ")) {
      if (range.isEmpty() || range.startsWith("[")) {
        continue;
      }
      int dash = range.indexOf('-');
      long from = Long.parseLong(dash < 0 ? range : range.substring(0, dash));
      long to = dash < 0 ? from : Long.parseLong(range.substring(dash + 1));
      if (slot >= from && slot <= to) {
        return true;
      }
    }
    return false;
  }

  /**
   * Parses {@code <id> <ip:port@cport> <flags> <master> <ping> <pong> <epoch> <link> <slot>…}
   * lines.
   */
  static List<ClusterNode> parse(String text) {
    List<ClusterNode> lines = new ArrayList<>();
    for (String line : text.split("\r?\n")) {
      String[] f = line.strip().split(" ");
      if (f.length < 8) {
        continue;
      }
      String slots = String.join(" ", Arrays.asList(f).subList(8, f.length));
      lines.add(
          new ClusterNode(f[0], Set.of(f[2].split(",")), f[3].equals("-") ? "" : f[3], slots));
    }
    return lines;
  }

  /**
   * Who serves which slots and who replicates whom, leaving out nodes suspected or known failed.
   */
  static String shape(List<ClusterNode> view) {
    Map<String, String> byId = new TreeMap<>();
    for (ClusterNode line : view) {
      if (!line.failing()) {
        byId.put(
            line.id(),
            line.isMaster() ? "master " + line.slots() : "replica of " + line.masterId());
      }
    }
    return byId.toString();
  }
}
