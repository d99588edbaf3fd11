package dev.isb.config;

import dev.isb.BufferConfig;
import dev.isb.IsbConfigException;
import dev.isb.Kind;
import dev.isb.OnFull;
import dev.isb.Retention;
import dev.isb.Storage;
import dev.isb.WriterOptions;
import dev.isb.config.ConfigTree.Fields;
import dev.isb.config.ConfigTree.Sink;
import dev.isb.config.ConfigTree.Source;
import dev.isb.config.ConfigTree.YNode;
import dev.isb.config.ConfigValues.BadValue;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Resolves an {@link IsbConfig} from its sources, in Numaflow's order (later wins): defaults, the
 * controller configuration, the InterStepBufferService resource, the pod environment, secret files,
 * the builder. Every value is read into an {@link Entry} that remembers its layer and where it came
 * from; each setting's winner is the entry of the highest layer (the last one within a layer). Every
 * problem of every source is collected before anything is thrown. Single use, not thread-safe.
 */
final class ConfigResolver {

  static final int DEFAULT = 0;
  static final int CONTROLLER = 1;
  static final int RESOURCE = 2;
  static final int ENV = 3;
  static final int SECRET = 4;
  static final int BUILDER = 5;

  static final String DEFAULT_CONTROLLER_CONFIG = "/etc/numaflow/controller-config.yaml";
  static final String DEFAULT_ISB_SERVICE_DIR = "/etc/numaflow/isbsvc";
  static final String DEFAULT_SECRET_DIR = "/var/run/secrets/isb";
  static final String DEFAULT_SERVICE_NAME = "default";

  static final String ENV_CONFIG = "NUMAFLOW_ISBSVC_CONFIG";
  static final String ENV_VERTEX = VertexObject.VARIABLE;

  /** Secret file names, as Kubernetes mounts a Secret's keys, and the setting each one gives. */
  static final Map<String, ConfigSetting> SECRET_FILES;

  static {
    var m = new LinkedHashMap<String, ConfigSetting>();
    m.put("user", ConfigSetting.USER);
    m.put("client-auth-user", ConfigSetting.USER);
    m.put("password", ConfigSetting.PASSWORD);
    m.put("client-auth-password", ConfigSetting.PASSWORD);
    m.put("redis-password", ConfigSetting.PASSWORD);
    m.put("token", ConfigSetting.TOKEN);
    m.put("nkey-seed", ConfigSetting.NKEY_SEED);
    m.put("nkey", ConfigSetting.NKEY_SEED);
    m.put("creds", ConfigSetting.CREDS_FILE);
    m.put("user.creds", ConfigSetting.CREDS_FILE);
    m.put("ca.crt", ConfigSetting.TLS_CA_FILE);
    m.put("ca-cert", ConfigSetting.TLS_CA_FILE);
    m.put("tls.crt", ConfigSetting.TLS_CERT_FILE);
    m.put("tls.key", ConfigSetting.TLS_KEY_FILE);
    m.put("sentinel-password", ConfigSetting.SENTINEL_PASSWORD);
    SECRET_FILES = Collections.unmodifiableMap(m);
  }

  private static final List<String> POD_TEMPLATE_KEYS = List.of("metadata", "nodeSelector", "tolerations",
      "securityContext", "imagePullSecrets", "priorityClassName", "priority", "affinity", "serviceAccountName",
      "runtimeClassName", "automountServiceAccountToken", "dnsPolicy", "dnsConfig", "resourceClaims");
  private static final java.util.regex.Pattern SECRET_KEY = java.util.regex.Pattern.compile("[-._a-zA-Z0-9]+");
  private static final List<String> ACCESS_MODES =
      List.of("ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod");

  /**
   * One value of one setting from one source.
   *
   * @param scope the backend this value is for ("jetstream", "redis"), or null for any
   * @param note why the value is what it is, when that is not obvious (shown by describe)
   */
  record Entry(ConfigSetting setting, Object value, int layer, String origin, String path, String scope, String note) {
    /** Where the value came from, as describe shows it. */
    String describeSource() {
      String where;
      if (origin.equals("default") || origin.equals("builder")) {
        where = origin;
      } else if (origin.equals("env")) {
        where = "env " + path;
      } else if (origin.startsWith("secret ")) {
        where = origin + "/" + path;
      } else {
        where = path.isEmpty() ? origin : origin + " " + path;
      }
      return note == null ? where : where + "; " + note;
    }
  }

  /** A Kubernetes secret key a source refers to, whose value must be found in the env or a secret dir. */
  private record SecretRef(ConfigSetting target, String name, String key, boolean optional, String origin,
      String path, String envVar, String scope) {}

  /**
   * A file or directory to read.
   *
   * @param explicit whether someone named it (then it must exist), as opposed to a default location
   * @param origin who named it: "builder", "env" or "default"
   * @param setting the builder method or variable that named it
   */
  record Place(Path path, boolean explicit, String origin, String setting) {}

  /** What the builder collected. */
  static final class Inputs {
    Place controllerConfig;
    final List<Place> isbServiceFiles = new ArrayList<>();
    final List<Place> secretDirs = new ArrayList<>();
    String serviceName;
    Map<String, String> env = Map.of();
    final List<Entry> builderEntries = new ArrayList<>();
    boolean defaultLocations;
  }

  /** The resolved configuration's data. */
  record Result(String backend, String serviceName, Map<ConfigSetting, Entry> winners, BufferConfig bufferConfig,
      WriterOptions writerOptions, Map<String, WriterOptions> edgeWriterOptions, List<String> warnings,
      List<String> consulted) {}

  private final Inputs in;
  private final Sink sink = new Sink();
  private final List<Entry> entries = new ArrayList<>();
  private final List<SecretRef> refs = new ArrayList<>();
  private final Map<String, List<Entry>> edges = new LinkedHashMap<>();
  private final List<String> consulted = new ArrayList<>();
  /** Settings given but refused, or referred to but not found: reported once, not again as missing. */
  private final Set<ConfigSetting> unresolved = java.util.EnumSet.noneOf(ConfigSetting.class);
  private final List<Place> secretDirs = new ArrayList<>();
  private List<String> jetStreamVersions;
  private List<String> redisVersions;
  private String serviceName;

  private ConfigResolver(Inputs in) {
    this.in = in;
  }

  static Result resolve(Inputs in) {
    return new ConfigResolver(in).run();
  }

  private Result run() {
    for (ConfigSetting s : ConfigSetting.values()) {
      if (s.defaultValue != null) {
        entries.add(new Entry(s, s.defaultValue, DEFAULT, "default", s.key, null, null));
      }
    }
    Place controller = in.controllerConfig;
    var serviceFiles = new ArrayList<Place>();
    if (in.defaultLocations) {
      Path root = nonEmpty(in.env.get("ISB_CONFIG_DIR")) == null ? null
          : path(in.env.get("ISB_CONFIG_DIR"), "env", "ISB_CONFIG_DIR");
      if (root != null && !Files.isDirectory(root)) {
        sink.problem("env", "ISB_CONFIG_DIR", root.toString(), "be an existing directory");
      }
      controller = controller != null ? controller : defaultControllerConfig(root);
      serviceFiles.addAll(defaultPlaces("ISB_SERVICE_FILES", root, "isbsvc", DEFAULT_ISB_SERVICE_DIR));
      secretDirs.addAll(defaultPlaces("ISB_SECRET_DIRS", root, "secrets", DEFAULT_SECRET_DIR));
    }
    serviceFiles.addAll(in.isbServiceFiles);
    secretDirs.addAll(in.secretDirs);

    // The vertex object names the ISB service before the files are read; its problems are reported
    // with the rest of the environment's.
    VertexObject vertex = vertexObject(new Sink());
    String vertexServiceName = vertex == null ? null
        : nonEmpty(scalar(vertex.spec().get("interStepBufferServiceName")));
    serviceName = in.serviceName != null ? in.serviceName
        : nonEmpty(in.env.get("ISB_SERVICE_NAME")) != null ? in.env.get("ISB_SERVICE_NAME").trim()
        : vertexServiceName != null ? vertexServiceName : DEFAULT_SERVICE_NAME;

    if (controller != null) {
      readControllerConfig(controller);
    }
    readServiceFiles(serviceFiles);
    readEnvironment();
    for (Place dir : secretDirs) {
      readSecretDir(dir);
    }
    entries.addAll(in.builderEntries);
    if (!in.builderEntries.isEmpty()) {
      consulted.add("builder: " + in.builderEntries.stream().map(e -> e.setting().key).distinct()
          .collect(Collectors.joining(", ")));
    }

    String backend = backend();
    resolveSecretRefs(backend);
    Map<ConfigSetting, Entry> winners = winners(backend);
    check(backend, winners);
    if (!sink.problems.isEmpty()) {
      throw new IsbConfigException(sink.problems);
    }
    WriterOptions writer = writerOptions(winners, null);
    var edgeOptions = new LinkedHashMap<String, WriterOptions>();
    edges.forEach((to, list) -> edgeOptions.put(to, writerOptions(winners, list)));
    return new Result(backend, serviceName, Collections.unmodifiableMap(winners), bufferConfig(winners), writer,
        Collections.unmodifiableMap(edgeOptions), List.copyOf(sink.warnings), List.copyOf(consulted));
  }

  // ---- locations ----------------------------------------------------------------------------

  private Place defaultControllerConfig(Path root) {
    String file = nonEmpty(in.env.get("ISB_CONTROLLER_CONFIG"));
    if (file != null) {
      Path p = path(file, "env", "ISB_CONTROLLER_CONFIG");
      return p == null ? null : new Place(p, true, "env", "ISB_CONTROLLER_CONFIG");
    }
    if (root != null) {
      return new Place(root.resolve("controller-config.yaml"), false, "env", "ISB_CONFIG_DIR");
    }
    return new Place(Path.of(DEFAULT_CONTROLLER_CONFIG), false, "default", DEFAULT_CONTROLLER_CONFIG);
  }

  /** The places a list variable names (which must exist), else {@code <root>/<under>}, else the default. */
  private List<Place> defaultPlaces(String variable, Path root, String under, String defaultPath) {
    String list = nonEmpty(in.env.get(variable));
    if (list != null) {
      return placesOf(list, variable);
    }
    if (root != null) {
      return List.of(new Place(root.resolve(under), false, "env", "ISB_CONFIG_DIR"));
    }
    return List.of(new Place(Path.of(defaultPath), false, "default", defaultPath));
  }

  private List<Place> placesOf(String list, String variable) {
    var out = new ArrayList<Place>();
    for (String s : ConfigValues.splitList(list)) {
      Path p = path(s, "env", variable);
      if (p != null) {
        out.add(new Place(p, true, "env", variable));
      }
    }
    return out;
  }

  private Path path(String text, String origin, String setting) {
    try {
      return Path.of(text.trim());
    } catch (InvalidPathException e) {
      sink.problem(origin, setting, ConfigValues.shorten(text), "be a file system path");
      return null;
    }
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

  private void readControllerConfig(Place place) {
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
        readBufferConfig(buffer.embedded(), CONTROLLER);
      }
      YNode settings = jsf.get("settings");
      if (settings != null) {
        readNatsSettings(settings.embedded());
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

  private void readBufferConfig(YNode root, int layer) {
    if (root == null) {
      return;
    }
    Fields top = root.fields("stream", "consumer", "otBucket", "procBucket");
    if (top == null) {
      return;
    }
    section(top.get("stream"), "stream", layer,
        "retention", "maxMsgs", "maxAge", "maxBytes", "storage", "replicas", "duplicates");
    section(top.get("consumer"), "consumer", layer, "ackWait", "maxAckPending");
    for (String bucket : List.of("otBucket", "procBucket")) {
      section(top.get(bucket), bucket, layer, "maxValueSize", "history", "ttl", "maxBytes", "storage", "replicas");
    }
  }

  private void section(YNode node, String prefix, int layer, String... keys) {
    Fields f = node == null ? null : node.fields(keys);
    if (f == null) {
      return;
    }
    for (String k : keys) {
      addFrom(f.get(k), ConfigSetting.byKey(prefix + "." + k).orElseThrow(), layer, null, null);
    }
  }

  /** NATS server settings: only checked, since they configure the server, not the client. */
  private void readNatsSettings(YNode root) {
    Fields f = root == null ? null : root.fields("max_payload", "max_memory_store", "max_file_store");
    if (f == null) {
      return;
    }
    for (String key : List.of("max_payload", "max_memory_store", "max_file_store")) {
      YNode n = f.get(key);
      if (n == null || !n.isScalar()) {
        continue;
      }
      try {
        long v = ConfigValues.quantity(n.text());
        if (key.equals("max_payload") && (v <= 0 || v > 64L * 1024 * 1024)) {
          n.problem(n.text(), "be positive and at most 64MB (67108864)");
        } else if (!key.equals("max_payload") && v <= 0 && v != -1) {
          n.problem(n.text(), "be positive or -1 (no limit)");
        }
      } catch (BadValue e) {
        n.problem(ConfigValues.shorten(n.text()), e.rule());
      }
    }
  }

  // ---- 3. the InterStepBufferService resource ------------------------------------------------

  private record Resource(String file, YNode doc, Fields fields, String name) {}

  private void readServiceFiles(List<Place> places) {
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
    var named = resources.stream().filter(r -> serviceName.equals(r.name())).collect(Collectors.toList());
    if (named.isEmpty()) {
      String where = files.size() == 1 ? files.get(0) : "ISB service files " + files;
      var names = resources.stream().map(Resource::name).distinct().collect(Collectors.joining(", "));
      String how = " (the ISB service to use; choose another with IsbConfig.Builder.isbServiceName or ISB_SERVICE_NAME)";
      if (brokenFile) {
        return; // the syntax error is reported; the resource may well be in the part that could not be read
      } else if (!explicit) {
        sink.warning(where, "metadata.name", "has no InterStepBufferService named '" + serviceName + "'"
            + (names.isEmpty() ? "" : " (found " + names + ")") + "; the files are not used");
        return;
      }
      sink.unreadable = true; // what the missing resource would have given is not reported missing too
      if (resources.isEmpty()) {
        sink.problem(where, "kind", kinds.isEmpty() ? null : String.join(", ", kinds),
            "be InterStepBufferService, with one named '" + serviceName + "'" + how);
      } else {
        sink.problem(where, "metadata.name", names, "be '" + serviceName + "'" + how);
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
    var root = new YNode(r.doc().node, "", new Source(origin, r.doc().source.text, sink));
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
    if (js != null && redis != null) {
      sink.problem(origin, "spec", "jetstream, redis", "hold either a jetstream or a redis block, not both");
      sink.unreadable = true;
      return;
    }
    if (js == null && redis == null) {
      sink.problem(origin, "spec", "{}", "hold a jetstream or a redis block");
      sink.unreadable = true;
      return;
    }
    String host = namespace == null ? "" : "." + namespace + ".svc";
    if (js != null) {
      readJetStreamSpec(js, origin, r.name(), host);
    } else {
      readRedisSpec(redis, origin, r.name(), host);
    }
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
        entries.add(new Entry(ConfigSetting.JETSTREAM_REPLICAS, nodes, RESOURCE, origin, replicas.path, "jetstream",
            given == 2 ? "2 means 3" : null));
      } catch (BadValue e) {
        replicas.problem(ConfigValues.shorten(replicas.text()), e.rule());
      }
    } else {
      entries.add(new Entry(ConfigSetting.JETSTREAM_REPLICAS, 3, RESOURCE, origin, "spec.jetstream.replicas",
          "jetstream", "unset means 3"));
    }
    addFrom(f.get("tls"), ConfigSetting.TLS, RESOURCE, "jetstream", null);
    YNode encryption = f.get("encryption");
    if (encryption != null) {
      checkBool(encryption);
    }
    persistence(f.get("persistence"));
    if (f.get("settings") != null) {
      readNatsSettings(f.get("settings").embedded());
    }
    if (f.get("bufferConfig") != null) {
      readBufferConfig(f.get("bufferConfig").embedded(), RESOURCE);
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
    refs.add(new SecretRef(ConfigSetting.USER, secret, "client-auth-user", false, origin, "spec.jetstream",
        "NUMAFLOW_ISBSVC_JETSTREAM_USER", "jetstream"));
    refs.add(new SecretRef(ConfigSetting.PASSWORD, secret, "client-auth-password", false, origin, "spec.jetstream",
        "NUMAFLOW_ISBSVC_JETSTREAM_PASSWORD", "jetstream"));
  }

  private void readRedisSpec(YNode redis, String origin, String name, String host) {
    Fields f = redis.fields("native", "external");
    if (f == null) {
      return;
    }
    YNode nat = f.get("native");
    YNode ext = f.get("external");
    if (nat != null && ext != null) {
      sink.problem(origin, "spec.redis", "native, external", "hold either native or external, not both");
      sink.unreadable = true;
      return;
    }
    if (nat == null && ext == null) {
      sink.problem(origin, "spec.redis", "{}", "hold a native or an external block");
      sink.unreadable = true;
      return;
    }
    entries.add(new Entry(ConfigSetting.BACKEND, "redis", RESOURCE, origin, "spec.redis", null, null));
    if (ext != null) {
      readRedisConfig(ext, RESOURCE, "redis", null, null);
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
    entries.add(new Entry(ConfigSetting.SENTINEL_URL, List.of("isbsvc-" + name + "-redis-svc" + host + ":26379"),
        RESOURCE, origin, "spec.redis.native", "redis", "derived from the resource name"));
    entries.add(new Entry(ConfigSetting.SENTINEL_MASTER, "mymaster", RESOURCE, origin, "spec.redis.native", "redis",
        "Numaflow's native Redis"));
    entries.add(new Entry(ConfigSetting.USER, "default", RESOURCE, origin, "spec.redis.native", "redis",
        "Numaflow's native Redis"));
    String secret = "isbsvc-" + name + "-redis-auth";
    refs.add(new SecretRef(ConfigSetting.PASSWORD, secret, "redis-password", false, origin, "spec.redis.native",
        "NUMAFLOW_ISBSVC_REDIS_PASSWORD", "redis"));
    refs.add(new SecretRef(ConfigSetting.SENTINEL_PASSWORD, secret, "redis-password", false, origin,
        "spec.redis.native", "NUMAFLOW_ISBSVC_REDIS_SENTINEL_PASSWORD", "redis"));
  }

  /** Numaflow's {@code RedisConfig}: {@code spec.redis.external} and the Redis part of the config JSON. */
  private void readRedisConfig(YNode node, int layer, String scope, String passwordVar, String sentinelPasswordVar) {
    Fields f = node.fields("url", "sentinelUrl", "masterName", "user", "password", "sentinelPassword");
    if (f == null) {
      return;
    }
    addFrom(f.get("url"), ConfigSetting.URL, layer, scope, null);
    addFrom(f.get("sentinelUrl"), ConfigSetting.SENTINEL_URL, layer, scope, null);
    addFrom(f.get("masterName"), ConfigSetting.SENTINEL_MASTER, layer, scope, null);
    addFrom(f.get("user"), ConfigSetting.USER, layer, scope, null);
    secretRef(f.get("password"), ConfigSetting.PASSWORD,
        passwordVar == null ? "NUMAFLOW_ISBSVC_REDIS_PASSWORD" : passwordVar, scope);
    secretRef(f.get("sentinelPassword"), ConfigSetting.SENTINEL_PASSWORD,
        sentinelPasswordVar == null ? "NUMAFLOW_ISBSVC_REDIS_SENTINEL_PASSWORD" : sentinelPasswordVar, scope);
  }

  /** A Kubernetes {@code SecretKeySelector}: {@code {name, key, optional}}. */
  private void secretRef(YNode node, ConfigSetting target, String envVar, String scope) {
    if (node == null) {
      return;
    }
    Fields f = node.fields("name", "key", "optional");
    if (f == null) {
      return;
    }
    String name = f.text("name");
    String key = f.text("key");
    // Both become file names under a secret dir: Kubernetes' key syntax keeps them inside it.
    if (key == null || !SECRET_KEY.matcher(key).matches() || key.matches("\\.+")) {
      sink.problem(node.source.origin, node.path + ".key", key == null ? null : ConfigValues.shorten(key),
          "be a Kubernetes secret key (letters, digits, '-', '_' and '.')");
      return;
    }
    if (name != null && (!SECRET_KEY.matcher(name).matches() || name.matches("\\.+"))) {
      sink.problem(node.source.origin, node.path + ".name", ConfigValues.shorten(name),
          "be a Kubernetes secret name (letters, digits, '-', '_' and '.')");
      return;
    }
    boolean optional = false;
    if (f.get("optional") != null) {
      optional = checkBool(f.get("optional"));
    }
    refs.add(new SecretRef(target, name == null ? "" : name, key, optional, node.source.origin, node.path, envVar,
        scope));
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

  private static boolean checkBool(YNode node) {
    try {
      return ConfigValues.bool(node.text());
    } catch (BadValue e) {
      node.problem(ConfigValues.shorten(node.text()), e.rule());
      return false;
    }
  }

  // ---- 4. the pod environment -----------------------------------------------------------------

  /** Reads NUMAFLOW_VERTEX_OBJECT's to-edges: the writer limits of each edge. */
  private void readVertexObject() {
    VertexObject vertex = vertexObject(sink);
    if (vertex == null || !(vertex.json().get("spec") instanceof Map<?, ?> spec)) {
      return;
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
      add(s, text, ENV, VertexObject.ORIGIN, path, null, null);
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

  private void readEnvironment() {
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
        readRedisConfig(redis, ENV, "redis", null, null);
      }
    }
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
    envEntry("NUMAFLOW_ISBSVC_REDIS_SENTINEL_URL", ConfigSetting.SENTINEL_URL, "redis");
    envEntry("NUMAFLOW_ISBSVC_REDIS_SENTINEL_MASTER", ConfigSetting.SENTINEL_MASTER, "redis");
    envEntry("NUMAFLOW_ISBSVC_REDIS_USER", ConfigSetting.USER, "redis");
    envEntry("NUMAFLOW_ISBSVC_REDIS_PASSWORD", ConfigSetting.PASSWORD, "redis");
    envEntry("NUMAFLOW_ISBSVC_REDIS_SENTINEL_PASSWORD", ConfigSetting.SENTINEL_PASSWORD, "redis");
    envEntry("NUMAFLOW_ISBSVC_REDIS_CLUSTER_MAX_REDIRECTS", ConfigSetting.CLUSTER_MAX_REDIRECTS, "redis");

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
    addFrom(f.get("url"), ConfigSetting.URL, ENV, "jetstream", null);
    addFrom(f.get("tlsEnabled"), ConfigSetting.TLS, ENV, "jetstream", null);
    YNode auth = f.get("auth");
    Fields af = auth == null ? null : auth.fields("basic", "token", "nkey");
    if (af != null) {
      YNode basic = af.get("basic");
      Fields bf = basic == null ? null : basic.fields("user", "password");
      if (bf != null) {
        secretRef(bf.get("user"), ConfigSetting.USER, "NUMAFLOW_ISBSVC_JETSTREAM_USER", "jetstream");
        secretRef(bf.get("password"), ConfigSetting.PASSWORD, "NUMAFLOW_ISBSVC_JETSTREAM_PASSWORD", "jetstream");
      }
      secretRef(af.get("token"), ConfigSetting.TOKEN, null, "jetstream");
      secretRef(af.get("nkey"), ConfigSetting.NKEY_SEED, null, "jetstream");
    }
    // Numaflow before 1.1 called it bufferConfig; both are the merged YAML with lower-cased keys.
    for (String key : List.of("bufferConfig", "streamConfig")) {
      if (f.get(key) != null) {
        readBufferConfig(f.get(key).embedded(), ENV);
      }
    }
  }

  private void envEntry(String variable, ConfigSetting setting, String scope) {
    String value = nonEmpty(in.env.get(variable));
    if (value != null) {
      add(setting, value, ENV, "env", variable, scope, null);
    }
  }

  // ---- 5. secret files ----------------------------------------------------------------------

  private void readSecretDir(Place place) {
    Path dir = place.path();
    if (!Files.isDirectory(dir)) {
      if (place.explicit()) {
        sink.problem(place.origin(), place.setting(), dir.toString(), "be an existing directory");
      }
      consulted.add("secret dir " + dir + " (not found, skipped)");
      return;
    }
    String origin = "secret " + dir;
    var found = new LinkedHashMap<ConfigSetting, String>();
    int used = 0;
    for (Path file : secretFiles(dir)) {
      String rel = dir.relativize(file).toString().replace('\\', '/');
      String name = file.getFileName().toString();
      ConfigSetting s = SECRET_FILES.get(name);
      if (s == null) {
        String hint = ConfigValues.closest(name, SECRET_FILES.keySet());
        if (hint != null) {
          sink.warning(origin, rel, "is not a known secret file name; it is ignored (did you mean " + hint + "?)");
        }
        continue;
      }
      if (found.containsKey(s)) {
        sink.problem(origin, rel, s.secret() ? "<redacted>" : file.toString(),
            "be the only file for " + s.key + " in this directory (" + found.get(s) + " is there too)");
        continue;
      }
      found.put(s, rel);
      used++;
      secretEntry(s, dir, file, rel);
    }
    consulted.add("secret dir " + dir + " (" + used + (used == 1 ? " file" : " files") + " used)");
  }

  private List<Path> secretFiles(Path dir) {
    var out = new ArrayList<Path>();
    try (Stream<Path> list = Files.list(dir)) {
      for (Path p : list.sorted().collect(Collectors.toList())) {
        if (p.getFileName().toString().startsWith(".")) {
          continue; // Kubernetes' ..data links
        }
        if (Files.isRegularFile(p)) {
          out.add(p);
        } else if (Files.isDirectory(p)) {
          try (Stream<Path> sub = Files.list(p)) {
            sub.filter(q -> !q.getFileName().toString().startsWith(".")).filter(Files::isRegularFile).sorted()
                .forEach(out::add);
          }
        }
      }
    } catch (IOException e) {
      sink.problem("secret " + dir, "(directory)", dir.toString(), "be readable");
    }
    return out;
  }

  private void secretEntry(ConfigSetting s, Path dir, Path file, String rel) {
    String origin = "secret " + dir;
    Object raw;
    if (s.kind == ConfigSetting.Kind.CREDS_FILE || s.kind == ConfigSetting.Kind.CERT_FILE
        || s.kind == ConfigSetting.Kind.KEY_FILE) {
      raw = file;
    } else {
      try {
        raw = Files.readString(file, StandardCharsets.UTF_8);
      } catch (IOException e) {
        sink.problem(origin, rel, null, "be a readable UTF-8 file");
        return;
      }
    }
    try {
      entries.add(new Entry(s, s.parse(raw), SECRET, origin, rel, null, null));
    } catch (BadValue e) {
      unresolved.add(s);
      sink.problem(origin, rel, s.secret() ? "<redacted>" : raw instanceof Path ? raw.toString()
          : ConfigValues.shorten(raw.toString()), e.rule());
    }
  }

  private void resolveSecretRefs(String backend) {
    for (SecretRef ref : refs) {
      if (ref.scope() != null && !ref.scope().equals(backend)) {
        continue;
      }
      boolean given = entries.stream().anyMatch(e -> e.setting() == ref.target() && e.layer() >= ENV
          && (e.scope() == null || e.scope().equals(backend)));
      if (given) {
        continue;
      }
      Path found = null;
      Place foundIn = null;
      for (Place dir : secretDirs) { // a later directory wins, and in one, <name>/<key> beats <key>
        var candidates = new ArrayList<Path>(List.of(dir.path().resolve(ref.key())));
        if (!ref.name().isEmpty()) {
          candidates.add(dir.path().resolve(ref.name()).resolve(ref.key()));
        }
        for (Path candidate : candidates) {
          if (Files.isRegularFile(candidate)) {
            found = candidate;
            foundIn = dir;
          }
        }
      }
      if (found != null) {
        secretEntry(ref.target(), foundIn.path(), found, foundIn.path().relativize(found).toString().replace('\\', '/'));
      } else if (!ref.optional()) {
        unresolved.add(ref.target());
        String dirs = secretDirs.isEmpty() ? "no secret directory is configured"
            : "looked in " + secretDirs.stream().map(p -> p.path().toString()).collect(Collectors.joining(", "));
        sink.problem(ref.origin(), ref.path(), ref.name() + "/" + ref.key(), "be found: "
            + (ref.envVar() == null ? "" : "set " + ref.envVar() + " or ")
            + "mount key " + ref.key() + " of secret " + ref.name() + " in a secret directory (" + dirs + ")");
      }
    }
  }

  // ---- resolution and cross-checks ----------------------------------------------------------

  private String backend() {
    Entry winner = null;
    for (Entry e : entries) {
      if (e.setting() == ConfigSetting.BACKEND && (winner == null || e.layer() >= winner.layer())) {
        winner = e;
      }
    }
    if (winner != null) {
      return (String) winner.value();
    }
    // Nothing named a backend: only the builder can have given addresses; their scheme decides.
    for (Entry e : entries) {
      if (e.setting() == ConfigSetting.SENTINEL_URL || e.setting() == ConfigSetting.SENTINEL_MASTER) {
        return "redis";
      }
      if (e.setting() == ConfigSetting.URL) {
        String first = ((List<?>) e.value()).get(0).toString().toLowerCase(Locale.ROOT);
        return first.startsWith("redis://") || first.startsWith("rediss://") ? "redis" : "jetstream";
      }
    }
    return "jetstream"; // Numaflow's NUMAFLOW_ISBSVC_TYPE default; the missing url is reported in check()
  }

  private Map<ConfigSetting, Entry> winners(String backend) {
    var winners = new EnumMap<ConfigSetting, Entry>(ConfigSetting.class);
    for (Entry e : entries) {
      if (e.scope() != null && !e.scope().equals(backend)) {
        if (!backend.equals("memory")) {
          sink.warning(e.origin(), e.path(), "is for a " + e.scope() + " ISB service but the backend is " + backend
              + "; it is ignored");
        }
        continue;
      }
      Entry w = winners.get(e.setting());
      if (w == null || e.layer() >= w.layer()) {
        winners.put(e.setting(), e);
      }
    }
    for (ConfigSetting s : ConfigSetting.values()) {
      Entry w = winners.get(s);
      String only = s.onlyFor();
      if (w != null && only != null && !only.equals(backend)) {
        if (w.layer() != DEFAULT && !backend.equals("memory")) {
          sink.warning(w.origin(), w.path(), "sets " + s.key + ", which only a " + only + " ISB service uses; "
              + "it is ignored");
        }
        winners.remove(s);
      }
    }
    if (!backend.equals("memory")) {
      for (ConfigSetting s : List.of(ConfigSetting.TLS_CA_FILE, ConfigSetting.TLS_CERT_FILE,
          ConfigSetting.TLS_KEY_FILE)) {
        Entry w = winners.get(s);
        if (w != null && !tls(winners)) {
          sink.warning(w.origin(), w.path(), "sets " + s.key + " but TLS is off; it is ignored");
          winners.remove(s);
        }
      }
    }
    return winners;
  }

  static boolean tls(Map<ConfigSetting, Entry> winners) {
    Entry tls = winners.get(ConfigSetting.TLS);
    if (tls != null && (Boolean) tls.value()) {
      return true;
    }
    for (ConfigSetting s : List.of(ConfigSetting.URL, ConfigSetting.SENTINEL_URL)) {
      Entry urls = winners.get(s);
      if (urls != null && ((List<?>) urls.value()).stream().anyMatch(u -> ConfigValues.impliesTls(u.toString()))) {
        return true;
      }
    }
    return false;
  }

  /** A problem with a resolved value, reported where that value came from. */
  private void problemAt(Entry e, String rule) {
    sink.problem(e.origin(), e.path(), e.setting().display(e.value()), rule);
  }

  private void check(String backend, Map<ConfigSetting, Entry> w) {
    if (backend.equals("memory")) {
      return;
    }
    Entry url = w.get(ConfigSetting.URL);
    if (backend.equals("jetstream")) {
      if (url == null) {
        if (!sink.unreadable) {
          sink.problem("all sources", "url", null, "be set: by NUMAFLOW_ISBSVC_CONFIG or "
              + "NUMAFLOW_ISBSVC_JETSTREAM_URL, by an InterStepBufferService named '" + serviceName
              + "', or by IsbConfig.Builder.url");
        }
      } else {
        addresses(url, true);
      }
    } else {
      Entry sentinel = w.get(ConfigSetting.SENTINEL_URL);
      Entry master = w.get(ConfigSetting.SENTINEL_MASTER);
      if (url != null) {
        addresses(url, false);
      }
      if (sentinel != null) {
        addresses(sentinel, false);
      }
      if (master != null && sentinel == null && !unresolved.contains(ConfigSetting.SENTINEL_URL)) {
        problemAt(master, "come with sentinel.url, the addresses of the sentinels");
      } else if (sentinel != null && master == null && url == null
          && !unresolved.contains(ConfigSetting.SENTINEL_MASTER)) {
        problemAt(sentinel, "come with sentinel.master, the name of the master the sentinels watch");
      } else if (sentinel != null && master == null) {
        sink.warning(sentinel.origin(), sentinel.path(), "sets sentinel.url without sentinel.master; "
            + "it is ignored and url is used");
        w.remove(ConfigSetting.SENTINEL_URL);
      }
      if (url == null && sentinel == null && !sink.unreadable) {
        sink.problem("all sources", "url", null, "be set: by NUMAFLOW_ISBSVC_CONFIG, NUMAFLOW_ISBSVC_REDIS_URL or "
            + "NUMAFLOW_ISBSVC_REDIS_SENTINEL_URL, by an InterStepBufferService named '" + serviceName
            + "', or by IsbConfig.Builder.url");
      }
    }
    Entry ca = w.get(ConfigSetting.TLS_CA_FILE);
    Entry skip = w.get(ConfigSetting.TLS_INSECURE_SKIP_VERIFY);
    if (ca != null && skip != null && (Boolean) skip.value()) {
      problemAt(skip, "not be true when tls.caFile is set (" + ca.describeSource() + ")");
    }
    Entry cert = w.get(ConfigSetting.TLS_CERT_FILE);
    Entry key = w.get(ConfigSetting.TLS_KEY_FILE);
    if (cert != null && key == null && !unresolved.contains(ConfigSetting.TLS_KEY_FILE)) {
      problemAt(cert, "come with tls.keyFile, the client certificate's private key");
    } else if (key != null && cert == null && !unresolved.contains(ConfigSetting.TLS_CERT_FILE)) {
      problemAt(key, "come with tls.certFile, the client certificate");
    }
    if (tls(w) && ca == null && (skip == null || !(Boolean) skip.value()) && backend.equals("jetstream")) {
      sink.warning("all sources", "tls", "is on without tls.caFile: the server's certificate must be trusted by the "
          + "JVM; Numaflow's JetStream uses a self-signed one (its CA is key ca-cert of secret isbsvc-" + serviceName
          + "-js-server)");
    }
    if (backend.equals("jetstream")) {
      checkJetStreamAuth(w);
      checkReplicas(w);
    }
    Entry duplicates = w.get(ConfigSetting.STREAM_DUPLICATES);
    Entry maxAge = w.get(ConfigSetting.STREAM_MAX_AGE);
    var age = (java.time.Duration) maxAge.value();
    if (!age.isZero() && ((java.time.Duration) duplicates.value()).compareTo(age) > 0) {
      problemAt(duplicates, "be at most stream.maxAge, " + ConfigValues.formatDuration(age) + " ("
          + maxAge.describeSource() + ")");
    }
  }

  private void addresses(Entry e, boolean nats) {
    for (Object a : (List<?>) e.value()) {
      try {
        if (nats) {
          ConfigValues.natsAddress(a.toString());
        } else {
          ConfigValues.redisAddress(a.toString());
        }
      } catch (BadValue ex) {
        problemAt(e, ex.rule());
        return;
      }
    }
  }

  private void checkJetStreamAuth(Map<ConfigSetting, Entry> w) {
    Entry user = w.get(ConfigSetting.USER);
    Entry password = w.get(ConfigSetting.PASSWORD);
    if (user != null && password == null) {
      if (!unresolved.contains(ConfigSetting.PASSWORD)) {
        problemAt(user, "come with a password");
      }
    } else if (password != null && user == null && !unresolved.contains(ConfigSetting.USER)) {
      problemAt(password, "come with a user");
    }
    var methods = new ArrayList<Entry>();
    for (ConfigSetting s : List.of(ConfigSetting.USER, ConfigSetting.TOKEN, ConfigSetting.NKEY_SEED,
        ConfigSetting.CREDS_FILE)) {
      Entry e = w.get(s);
      if (e == null && s == ConfigSetting.USER) {
        e = password;
      }
      if (e != null) {
        methods.add(e);
      }
    }
    for (int i = 1; i < methods.size(); i++) {
      Entry first = methods.get(0);
      String what = first.setting() == ConfigSetting.PASSWORD || first.setting() == ConfigSetting.USER
          ? "user and password are" : first.setting().key + " is";
      problemAt(methods.get(i), "be the only way to authenticate (" + what + " set too, by "
          + first.describeSource() + ")");
    }
  }

  private void checkReplicas(Map<ConfigSetting, Entry> w) {
    Entry nodes = w.get(ConfigSetting.JETSTREAM_REPLICAS);
    if (nodes == null) {
      return;
    }
    int n = (Integer) nodes.value();
    for (ConfigSetting s : List.of(ConfigSetting.STREAM_REPLICAS, ConfigSetting.OT_REPLICAS,
        ConfigSetting.PROC_REPLICAS)) {
      Entry e = w.get(s);
      if ((Integer) e.value() > n) {
        problemAt(e, "be at most " + n + ", the number of JetStream server nodes (" + nodes.describeSource() + ")");
      }
    }
  }

  // ---- results ------------------------------------------------------------------------------

  private static BufferConfig bufferConfig(Map<ConfigSetting, Entry> w) {
    return new BufferConfig(
        new BufferConfig.Stream((Retention) v(w, ConfigSetting.STREAM_RETENTION), (Long) v(w, ConfigSetting.STREAM_MAX_MSGS),
            (java.time.Duration) v(w, ConfigSetting.STREAM_MAX_AGE), (Long) v(w, ConfigSetting.STREAM_MAX_BYTES),
            (Integer) v(w, ConfigSetting.STREAM_REPLICAS), (java.time.Duration) v(w, ConfigSetting.STREAM_DUPLICATES),
            (Storage) v(w, ConfigSetting.STREAM_STORAGE)),
        new BufferConfig.Consumer((java.time.Duration) v(w, ConfigSetting.CONSUMER_ACK_WAIT),
            (Long) v(w, ConfigSetting.CONSUMER_MAX_ACK_PENDING)),
        bucket(w, ConfigSetting.OT_MAX_VALUE_SIZE, ConfigSetting.OT_HISTORY, ConfigSetting.OT_TTL,
            ConfigSetting.OT_MAX_BYTES, ConfigSetting.OT_STORAGE, ConfigSetting.OT_REPLICAS),
        bucket(w, ConfigSetting.PROC_MAX_VALUE_SIZE, ConfigSetting.PROC_HISTORY, ConfigSetting.PROC_TTL,
            ConfigSetting.PROC_MAX_BYTES, ConfigSetting.PROC_STORAGE, ConfigSetting.PROC_REPLICAS));
  }

  private static BufferConfig.Bucket bucket(Map<ConfigSetting, Entry> w, ConfigSetting maxValueSize,
      ConfigSetting history, ConfigSetting ttl, ConfigSetting maxBytes, ConfigSetting storage, ConfigSetting replicas) {
    return new BufferConfig.Bucket((Long) v(w, maxValueSize), (Integer) v(w, history), (java.time.Duration) v(w, ttl),
        (Long) v(w, maxBytes), (Storage) v(w, storage), (Integer) v(w, replicas));
  }

  private static Object v(Map<ConfigSetting, Entry> w, ConfigSetting s) {
    return w.get(s).value();
  }

  /** The writer options of one edge (its entries beat the shared ones; the builder's beat both), or shared. */
  private static WriterOptions writerOptions(Map<ConfigSetting, Entry> w, List<Entry> edge) {
    var b = WriterOptions.builder();
    for (ConfigSetting s : List.of(ConfigSetting.WRITER_MAX_LENGTH, ConfigSetting.WRITER_USAGE_LIMIT,
        ConfigSetting.WRITER_ON_FULL)) {
      Entry chosen = w.get(s);
      if (edge != null && chosen.layer() < BUILDER) {
        chosen = edge.stream().filter(e -> e.setting() == s).findFirst().orElse(chosen);
      }
      switch (s) {
        case WRITER_MAX_LENGTH:
          b.maxLength((Long) chosen.value());
          break;
        case WRITER_USAGE_LIMIT:
          b.usageLimit((Double) chosen.value());
          break;
        default:
          b.onFull((OnFull) chosen.value());
          break;
      }
    }
    return b.build();
  }

  // ---- helpers ------------------------------------------------------------------------------

  private void add(ConfigSetting s, Object raw, int layer, String origin, String path, String scope, String note) {
    try {
      entries.add(new Entry(s, s.parse(raw), layer, origin, path, scope, note));
    } catch (BadValue e) {
      unresolved.add(s);
      sink.unreadable |= s == ConfigSetting.URL || s == ConfigSetting.SENTINEL_URL || s == ConfigSetting.BACKEND;
      sink.problem(origin, path, s.displayRaw(raw), e.rule());
    }
  }

  private void addFrom(YNode node, ConfigSetting s, int layer, String scope, String note) {
    if (node == null) {
      return;
    }
    if (!node.isScalar()) {
      node.problem(node.text(), "be a single value");
      return;
    }
    add(s, node.text(), layer, node.source.origin, node.path, scope, note);
  }

  private static String nonEmpty(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
