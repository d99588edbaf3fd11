package dev.isb.config;

import static dev.isb.config.ConfigEntries.nonEmpty;

import dev.isb.BufferConfig;
import dev.isb.Compression;
import dev.isb.IsbConfigException;
import dev.isb.OnFull;
import dev.isb.Retention;
import dev.isb.Storage;
import dev.isb.WriterOptions;
import dev.isb.config.ConfigTree.Sink;
import dev.isb.spi.BackendSetting;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Resolves an {@link IsbConfig} from its sources, in Numaflow's order (later wins): defaults, the
 * controller configuration, the InterStepBufferService resource, the pod environment, secret files,
 * the builder. Every value is read into an {@link Entry} that remembers its layer and where it came
 * from; each setting's winner is the entry of the highest layer (the last one within a layer). Every
 * problem of every source is collected before anything is thrown. Single use, not thread-safe.
 *
 * <p>This class finds the sources and puts the result together; each source has its reader
 * ({@link ManifestReader}, {@link EnvironmentReader}, {@link SecretReader}, sharing
 * {@link NumaflowShapes}), all writing into one {@link ConfigEntries}, and {@link ConfigChecks} picks
 * the winners and checks them together.
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

  /**
   * One value of one setting from one source.
   *
   * @param scope the backend this value is for ("jetstream", "redis"), or null for any
   * @param note why the value is what it is, when that is not obvious (shown by describe)
   */
  record Entry(Setting setting, Object value, int layer, String origin, String path, String scope, String note) {
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
    final SettingCatalog settings = SettingCatalog.load();
    Place controllerConfig;
    final List<Place> isbServiceFiles = new ArrayList<>();
    final List<Place> secretDirs = new ArrayList<>();
    String serviceName;
    Map<String, String> env = Map.of();
    final List<Entry> builderEntries = new ArrayList<>();
    boolean defaultLocations;
  }

  /** The resolved configuration's data. */
  record Result(String backend, String serviceName, Map<Setting, Entry> winners, BufferConfig bufferConfig,
      WriterOptions writerOptions, Map<String, WriterOptions> edgeWriterOptions, List<String> warnings,
      List<String> consulted) {}

  private final Inputs in;
  private final ConfigEntries c;
  private final Sink sink;

  private ConfigResolver(Inputs in) {
    this.in = in;
    this.c = new ConfigEntries(in);
    this.sink = c.sink;
  }

  static Result resolve(Inputs in) {
    return new ConfigResolver(in).run();
  }

  private Result run() {
    for (ConfigSetting s : ConfigSetting.values()) {
      if (s.defaultValue != null) {
        c.entries.add(new Entry(s, s.defaultValue, DEFAULT, "default", s.key, null, null));
      }
    }
    for (BackendSetting s : in.settings.defaults()) {
      c.add(s.key(), s.defaultValue().orElseThrow(), DEFAULT, "default", s.key(), null, null);
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
      c.secretDirs.addAll(defaultPlaces("ISB_SECRET_DIRS", root, "secrets", DEFAULT_SECRET_DIR));
    }
    serviceFiles.addAll(in.isbServiceFiles);
    c.secretDirs.addAll(in.secretDirs);

    // The vertex object names the ISB service before the files are read; its problems are reported
    // with the rest of the environment's.
    var shapes = new NumaflowShapes(c);
    var environment = new EnvironmentReader(c, shapes);
    String vertexServiceName = environment.vertexServiceName();
    c.serviceName = in.serviceName != null ? in.serviceName
        : nonEmpty(in.env.get("ISB_SERVICE_NAME")) != null ? in.env.get("ISB_SERVICE_NAME").trim()
        : vertexServiceName != null ? vertexServiceName : DEFAULT_SERVICE_NAME;

    var manifests = new ManifestReader(c, shapes);
    if (controller != null) {
      manifests.readControllerConfig(controller);
    }
    manifests.readServiceFiles(serviceFiles);
    environment.readEnvironment();
    var secrets = new SecretReader(c);
    for (Place dir : c.secretDirs) {
      secrets.readSecretDir(dir);
    }
    c.entries.addAll(in.builderEntries);
    if (!in.builderEntries.isEmpty()) {
      c.consulted.add("builder: " + in.builderEntries.stream().map(e -> e.setting().key()).distinct()
          .collect(Collectors.joining(", ")));
    }

    var checks = new ConfigChecks(c);
    String backend = checks.backend();
    secrets.resolveSecretRefs(backend);
    Map<Setting, Entry> winners = checks.winners(backend);
    checks.check(backend, winners);
    if (!sink.problems.isEmpty()) {
      throw new IsbConfigException(sink.problems);
    }
    WriterOptions writer = writerOptions(winners, null);
    var edgeOptions = new LinkedHashMap<String, WriterOptions>();
    c.edges.forEach((to, list) -> edgeOptions.put(to, writerOptions(winners, list)));
    return new Result(backend, c.serviceName, Collections.unmodifiableMap(winners), bufferConfig(winners), writer,
        Collections.unmodifiableMap(edgeOptions), List.copyOf(sink.warnings), List.copyOf(c.consulted));
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

  // ---- results ------------------------------------------------------------------------------

  private static BufferConfig bufferConfig(Map<Setting, Entry> w) {
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

  private static BufferConfig.Bucket bucket(Map<Setting, Entry> w, ConfigSetting maxValueSize,
      ConfigSetting history, ConfigSetting ttl, ConfigSetting maxBytes, ConfigSetting storage, ConfigSetting replicas) {
    return new BufferConfig.Bucket((Long) v(w, maxValueSize), (Integer) v(w, history), (java.time.Duration) v(w, ttl),
        (Long) v(w, maxBytes), (Storage) v(w, storage), (Integer) v(w, replicas));
  }

  private static Object v(Map<Setting, Entry> w, ConfigSetting s) {
    return w.get(s).value();
  }

  /** The writer options of one edge (its entries beat the shared ones; the builder's beat both), or shared. */
  private static WriterOptions writerOptions(Map<Setting, Entry> w, List<Entry> edge) {
    var b = WriterOptions.builder().compression((Compression) v(w, ConfigSetting.COMPRESSION));
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

}
