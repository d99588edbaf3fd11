package dev.isb.config;

import static dev.isb.config.ConfigEntries.checkBool;
import static dev.isb.config.ConfigEntries.nonEmpty;
import static dev.isb.config.ConfigResolver.CONTROLLER;
import static dev.isb.config.ConfigResolver.DEFAULT_SERVICE_NAME;
import static dev.isb.config.ConfigResolver.RESOURCE;

import dev.isb.config.ConfigEntries.SecretRef;
import dev.isb.config.ConfigResolver.Entry;
import dev.isb.config.ConfigResolver.Place;
import dev.isb.config.ConfigTree.Fields;
import dev.isb.config.ConfigTree.Source;
import dev.isb.config.ConfigTree.YNode;
import dev.isb.config.ConfigValues.BadValue;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reads the files Numaflow's controller works from: its configuration (layer {@code CONTROLLER}; the
 * file or the whole ConfigMap) and the InterStepBufferService resource (layer {@code RESOURCE}),
 * picked by name from every file and {@code List} given, with the addresses, replicas and secret
 * references Numaflow derives from it. Single use, not thread-safe.
 */
final class ManifestReader extends ResolutionStep {

  private static final List<String> POD_TEMPLATE_KEYS = List.of("metadata", "nodeSelector", "tolerations",
      "securityContext", "imagePullSecrets", "priorityClassName", "priority", "affinity", "serviceAccountName",
      "runtimeClassName", "automountServiceAccountToken", "dnsPolicy", "dnsConfig", "resourceClaims");
  private static final List<String> ACCESS_MODES =
      List.of("ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod");

  private final NumaflowShapes shapes;
  private List<String> jetStreamVersions;
  private List<String> redisVersions;

  ManifestReader(ConfigEntries c, NumaflowShapes shapes) {
    super(c);
    this.shapes = shapes;
  }

  /** Reads a file named by a place; null (after a problem if it was named explicitly) when it cannot be read. */
  private String readText(Place place, Path file) {
    if (!Files.isRegularFile(file)) {
      if (place.explicit()) {
        sink.problem(place.origin(), place.setting(), file.toString(), "be an existing file");
      }
      consulted.add(file + " (not found, skipped)");
      return null;
    }
    try {
      return ConfigValues.utf8(Files.readAllBytes(file));
    } catch (CharacterCodingException e) {
      sink.problem(file.toString(), "(file)", null, "be UTF-8 text");
    } catch (IOException e) {
      sink.problem(file.toString(), "(file)", null, "be readable (" + e.getClass().getSimpleName() + ")");
    }
    return null;
  }

  // ---- 2. the controller configuration -------------------------------------------------------

  void readControllerConfig(Place place) {
    String text = readText(place, place.path());
    if (text == null) {
      return;
    }
    consulted.add("controller config " + place.path());
    String origin = place.path().toString();
    List<YNode> docs = ConfigTree.parseAll(new Source(origin, text, sink), "");
    if (docs.isEmpty()) {
      return;
    }
    YNode doc = docs.get(0);
    Fields top = doc.anyFields();
    if (top == null) {
      doc.problem(ConfigValues.shorten(doc.text()), "be a mapping with an isbsvc block");
      return;
    }
    // The ConfigMap itself (kubectl get cm numaflow-controller-config -o yaml) holds the file as data.
    if ("ConfigMap".equals(top.text("kind"))) {
      YNode data = top.get("data");
      Fields dataFields = data == null ? null : data.anyFields();
      YNode file = dataFields == null ? null : dataFields.get("controller-config.yaml");
      if (file == null) {
        sink.problem(origin, "data.controller-config.yaml", null, "be set: the ConfigMap's key that holds the "
            + "controller configuration");
        return;
      }
      doc = file.embedded(""); // paths as in the mounted file, where the ConfigMap's key is the file
      top = doc == null ? null : doc.anyFields();
      if (top == null) {
        return;
      }
    }
    YNode isbsvc = top.get("isbsvc");
    Fields svc = isbsvc == null ? null : isbsvc.fields("jetstream", "redis");
    if (svc == null) {
      return;
    }
    YNode js = svc.get("jetstream");
    Fields jsf = js == null ? null : js.fields("bufferConfig", "settings", "versions");
    if (jsf != null) {
      YNode buffer = jsf.get("bufferConfig");
      if (buffer != null) {
        shapes.readBufferConfig(buffer.embedded(), CONTROLLER);
      }
      YNode settings = jsf.get("settings");
      if (settings != null) {
        shapes.readNatsSettings(settings.embedded());
      }
      jetStreamVersions = versions(jsf.get("versions"));
    }
    YNode redis = svc.get("redis");
    Fields rf = redis == null ? null : redis.fields("settings", "versions");
    if (rf != null) {
      YNode settings = rf.get("settings");
      if (settings != null) {
        settings.fields("redis", "master", "replica", "sentinel");
      }
      redisVersions = versions(rf.get("versions"));
    }
  }

  private static List<String> versions(YNode list) {
    if (list == null) {
      return null;
    }
    var out = new ArrayList<String>();
    for (YNode item : list.items()) {
      Fields f = item.anyFields();
      String v = f == null ? null : f.text("version");
      if (v != null) {
        out.add(v);
      }
    }
    return out;
  }

  // ---- 3. the InterStepBufferService resource ------------------------------------------------

  private record Resource(String file, YNode doc, Fields fields, String name) {}

  void readServiceFiles(List<Place> places) {
    var resources = new ArrayList<Resource>();
    var kinds = new LinkedHashSet<String>();
    boolean explicit = false;
    var files = new ArrayList<String>();
    boolean unreadableBefore = sink.unreadable;
    sink.unreadable = false;
    for (Place place : places) {
      explicit |= place.explicit();
      for (Path file : expand(place)) {
        String text = readText(place, file);
        if (text == null) {
          continue;
        }
        files.add(file.toString());
        for (YNode doc : ConfigTree.parseAll(new Source(file.toString(), text, sink), "")) {
          collectResources(file.toString(), doc, resources, kinds);
        }
      }
    }
    boolean brokenFile = sink.unreadable;
    sink.unreadable |= unreadableBefore;
    if (files.isEmpty()) {
      return;
    }
    var named = resources.stream().filter(r -> c.serviceName.equals(r.name())).collect(Collectors.toList());
    if (named.isEmpty()) {
      String where = files.size() == 1 ? files.get(0) : "ISB service files " + files;
      var names = resources.stream().map(Resource::name).distinct().collect(Collectors.joining(", "));
      String how = " (the ISB service to use; choose another with IsbConfig.Builder.isbServiceName or ISB_SERVICE_NAME)";
      if (brokenFile) {
        return; // the syntax error is reported; the resource may well be in the part that could not be read
      } else if (!explicit) {
        sink.warning(where, "metadata.name", "has no InterStepBufferService named '" + c.serviceName + "'"
            + (names.isEmpty() ? "" : " (found " + names + ")") + "; the files are not used");
        return;
      }
      sink.unreadable = true; // what the missing resource would have given is not reported missing too
      if (resources.isEmpty()) {
        sink.problem(where, "kind", kinds.isEmpty() ? null : String.join(", ", kinds),
            "be InterStepBufferService, with one named '" + c.serviceName + "'" + how);
      } else {
        sink.problem(where, "metadata.name", names, "be '" + c.serviceName + "'" + how);
      }
      return;
    }
    for (int i = 1; i < named.size(); i++) {
      Resource r = named.get(i);
      sink.problem(r.file() + "#" + r.name(), "metadata.name", r.name(),
          "name one InterStepBufferService only (also in " + named.get(0).file() + ")");
    }
    Resource chosen = named.get(0);
    consulted.add("ISB service " + chosen.file() + "#" + chosen.name());
    readResource(chosen);
  }

  private List<Path> expand(Place place) {
    Path p = place.path();
    if (!Files.isDirectory(p)) {
      return List.of(p);
    }
    try (Stream<Path> list = Files.list(p)) {
      return list.filter(f -> !f.getFileName().toString().startsWith("."))
          .filter(f -> f.getFileName().toString().matches(".*\\.(yaml|yml|json)$"))
          .filter(Files::isRegularFile)
          .sorted().collect(Collectors.toList());
    } catch (IOException e) {
      sink.problem(place.origin(), place.setting(), p.toString(), "be a readable directory");
      return List.of();
    }
  }

  private void collectResources(String file, YNode doc, List<Resource> out, Set<String> kinds) {
    Fields f = doc.anyFields();
    if (f == null) {
      return;
    }
    String kind = f.text("kind");
    if ("List".equals(kind) && f.get("items") != null) {
      for (YNode item : f.get("items").items()) {
        collectResources(file, item, out, kinds);
      }
      return;
    }
    if (kind != null) {
      kinds.add(kind);
    }
    if (!"InterStepBufferService".equals(kind)) {
      return;
    }
    YNode metadata = f.get("metadata");
    Fields meta = metadata == null ? null : metadata.anyFields();
    String name = meta == null ? null : meta.text("name");
    out.add(new Resource(file, doc, f, name == null ? DEFAULT_SERVICE_NAME : name));
  }

  private void readResource(Resource r) {
    String origin = r.file() + "#" + r.name();
    // The resource's own paths start at its root, whatever file or list it was in.
    var root = new YNode(r.doc().node(), "", new Source(origin, r.doc().source().text, sink));
    Fields top = root.fields("apiVersion", "kind", "metadata", "spec", "status");
    Fields meta = top.get("metadata") == null ? null : top.get("metadata").anyFields();
    String namespace = meta != null && meta.text("namespace") != null ? meta.text("namespace")
        : nonEmpty(in.env.get("NUMAFLOW_NAMESPACE"));
    YNode specNode = top.get("spec");
    Fields spec = specNode == null ? null : specNode.fields("jetstream", "redis");
    if (spec == null) {
      if (specNode == null) {
        sink.problem(origin, "spec", null, "be set, with a jetstream or a redis block");
      }
      sink.unreadable = true;
      return;
    }
    YNode js = spec.get("jetstream");
    YNode redis = spec.get("redis");
    if (!exactlyOne(js, redis, origin, "spec", "jetstream, redis",
        "hold either a jetstream or a redis block, not both", "hold a jetstream or a redis block")) {
      return;
    }
    String host = namespace == null ? "" : "." + namespace + ".svc";
    if (js != null) {
      readJetStreamSpec(js, origin, r.name(), host);
    } else {
      readRedisSpec(redis, origin, r.name(), host);
    }
  }

  /**
   * Whether exactly one of two alternative blocks is set. If both or neither are, reports it (showing
   * {@code bothShown} or {@code {}}) and marks the resource unreadable.
   */
  private boolean exactlyOne(YNode first, YNode second, String origin, String path, String bothShown,
      String bothRule, String neitherRule) {
    if (first != null && second != null) {
      sink.problem(origin, path, bothShown, bothRule);
    } else if (first == null && second == null) {
      sink.problem(origin, path, "{}", neitherRule);
    } else {
      return true;
    }
    sink.unreadable = true;
    return false;
  }

  private void readJetStreamSpec(YNode js, String origin, String name, String host) {
    var keys = new ArrayList<>(List.of("version", "replicas", "containerTemplate", "reloaderContainerTemplate",
        "metricsContainerTemplate", "persistence", "settings", "startArgs", "bufferConfig", "encryption", "tls"));
    keys.addAll(POD_TEMPLATE_KEYS);
    Fields f = js.fields(keys.toArray(String[]::new));
    if (f == null) {
      return;
    }
    entries.add(new Entry(ConfigSetting.BACKEND, "jetstream", RESOURCE, origin, "spec.jetstream", null, null));
    version(f, "spec.jetstream", jetStreamVersions, origin);
    entries.add(new Entry(ConfigSetting.URL, List.of("nats://isbsvc-" + name + "-js-svc" + host + ":4222"), RESOURCE,
        origin, "spec.jetstream", "jetstream", "derived from the resource name"));
    // Numaflow's GetReplicas: unset means 3, 2 means 3 (no RAFT quorum with 2), 1 is a single node.
    YNode replicas = f.get("replicas");
    int nodes = 3;
    if (replicas != null) {
      try {
        int given = (Integer) ConfigSetting.JETSTREAM_REPLICAS.parse(replicas.text());
        nodes = given == 2 ? 3 : given;
        entries.add(new Entry(ConfigSetting.JETSTREAM_REPLICAS, nodes, RESOURCE, origin, replicas.path(), "jetstream",
            given == 2 ? "2 means 3" : null));
      } catch (BadValue e) {
        replicas.problem(ConfigValues.shorten(replicas.text()), e.rule());
      }
    } else {
      entries.add(new Entry(ConfigSetting.JETSTREAM_REPLICAS, 3, RESOURCE, origin, "spec.jetstream.replicas",
          "jetstream", "unset means 3"));
    }
    c.addFrom(f.get("tls"), ConfigSetting.TLS, RESOURCE, "jetstream", null);
    YNode encryption = f.get("encryption");
    if (encryption != null) {
      checkBool(encryption);
    }
    persistence(f.get("persistence"));
    if (f.get("settings") != null) {
      shapes.readNatsSettings(f.get("settings").embedded());
    }
    if (f.get("bufferConfig") != null) {
      shapes.readBufferConfig(f.get("bufferConfig").embedded(), RESOURCE);
    }
    if (nodes < 3) {
      // Numaflow: "Replica can not > 1 with non-cluster mode".
      for (ConfigSetting s : List.of(ConfigSetting.STREAM_REPLICAS, ConfigSetting.OT_REPLICAS,
          ConfigSetting.PROC_REPLICAS)) {
        entries.add(new Entry(s, 1, RESOURCE, origin, "spec.jetstream.replicas", null,
            "forced to 1: fewer than 3 JetStream server nodes"));
      }
    }
    String secret = "isbsvc-" + name + "-js-client-auth";
    refs.add(new SecretRef(ConfigSetting.USER.key, secret, "client-auth-user", false, origin, "spec.jetstream",
        "NUMAFLOW_ISBSVC_JETSTREAM_USER", "jetstream"));
    refs.add(new SecretRef(ConfigSetting.PASSWORD.key, secret, "client-auth-password", false, origin, "spec.jetstream",
        "NUMAFLOW_ISBSVC_JETSTREAM_PASSWORD", "jetstream"));
  }

  private void readRedisSpec(YNode redis, String origin, String name, String host) {
    Fields f = redis.fields("native", "external");
    if (f == null) {
      return;
    }
    YNode nat = f.get("native");
    YNode ext = f.get("external");
    if (!exactlyOne(nat, ext, origin, "spec.redis", "native, external",
        "hold either native or external, not both", "hold a native or an external block")) {
      return;
    }
    entries.add(new Entry(ConfigSetting.BACKEND, "redis", RESOURCE, origin, "spec.redis", null, null));
    if (ext != null) {
      shapes.readRedisConfig(ext, RESOURCE, "redis", null, null);
      return;
    }
    var keys = new ArrayList<>(List.of("version", "replicas", "redisContainerTemplate", "sentinelContainerTemplate",
        "metricsContainerTemplate", "initContainerTemplate", "persistence", "settings"));
    keys.addAll(POD_TEMPLATE_KEYS);
    Fields nf = nat.fields(keys.toArray(String[]::new));
    if (nf == null) {
      return;
    }
    version(nf, "spec.redis.native", redisVersions, origin);
    YNode replicas = nf.get("replicas");
    if (replicas != null) {
      try {
        ConfigSetting.JETSTREAM_REPLICAS.parse(replicas.text());
      } catch (BadValue e) {
        replicas.problem(ConfigValues.shorten(replicas.text()), "be 1 or more (fewer than 3 means 3)");
      }
    }
    persistence(nf.get("persistence"));
    YNode settings = nf.get("settings");
    if (settings != null) {
      settings.fields("redis", "master", "replica", "sentinel");
    }
    // What Numaflow's native Redis installer hands to vertices.
    c.add(ConfigChecks.SENTINEL_URL, "isbsvc-" + name + "-redis-svc" + host + ":26379", RESOURCE, origin,
        "spec.redis.native", "redis", "derived from the resource name");
    c.add(ConfigChecks.SENTINEL_MASTER, "mymaster", RESOURCE, origin, "spec.redis.native", "redis",
        "Numaflow's native Redis");
    entries.add(new Entry(ConfigSetting.USER, "default", RESOURCE, origin, "spec.redis.native", "redis",
        "Numaflow's native Redis"));
    String secret = "isbsvc-" + name + "-redis-auth";
    refs.add(new SecretRef(ConfigSetting.PASSWORD.key, secret, "redis-password", false, origin, "spec.redis.native",
        "NUMAFLOW_ISBSVC_REDIS_PASSWORD", "redis"));
    refs.add(new SecretRef("sentinel.password", secret, "redis-password", false, origin,
        "spec.redis.native", "NUMAFLOW_ISBSVC_REDIS_SENTINEL_PASSWORD", "redis"));
  }

  private void version(Fields f, String path, List<String> known, String origin) {
    String version = f.text("version");
    if (version == null || version.isBlank()) {
      sink.problem(origin, path + ".version", null, "be set (a version listed in the controller configuration"
          + (known == null ? ")" : ": " + String.join(", ", known) + ")"));
    } else if (known != null && !known.isEmpty() && !known.contains(version)) {
      f.get("version").problem(version, "be one of the versions in the controller configuration: "
          + String.join(", ", known));
    }
  }

  private void persistence(YNode node) {
    Fields f = node == null ? null : node.fields("storageClassName", "accessMode", "volumeSize");
    if (f == null) {
      return;
    }
    YNode mode = f.get("accessMode");
    if (mode != null && !ACCESS_MODES.contains(mode.text())) {
      mode.problem(ConfigValues.shorten(mode.text()), "be one of " + String.join(", ", ACCESS_MODES));
    }
    YNode size = f.get("volumeSize");
    if (size != null) {
      try {
        if (ConfigValues.quantity(size.text()) <= 0) {
          size.problem(size.text(), "be positive");
        }
      } catch (BadValue e) {
        size.problem(ConfigValues.shorten(size.text()), e.rule());
      }
    }
  }
}
