package dev.isb.config;

import dev.isb.config.ConfigEntries.SecretRef;
import dev.isb.config.ConfigResolver.Entry;
import dev.isb.config.ConfigResolver.Inputs;
import dev.isb.config.ConfigResolver.Place;
import dev.isb.config.ConfigTree.Sink;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A step of one resolution (reading a source, or checking what was read): the parts of
 * {@link ConfigEntries} under short names, since every step reads and adds to them throughout.
 * Single use, not thread-safe.
 */
abstract class ResolutionStep {

  final ConfigEntries c;
  final Inputs in;
  final Sink sink;
  final List<Entry> entries;
  final List<SecretRef> refs;
  final Map<String, List<Entry>> edges;
  final List<String> consulted;
  final Set<String> unresolved;
  final List<Place> secretDirs;

  ResolutionStep(ConfigEntries c) {
    this.c = c;
    this.in = c.in;
    this.sink = c.sink;
    this.entries = c.entries;
    this.refs = c.refs;
    this.edges = c.edges;
    this.consulted = c.consulted;
    this.unresolved = c.unresolved;
    this.secretDirs = c.secretDirs;
  }
}
