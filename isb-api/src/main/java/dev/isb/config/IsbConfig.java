package dev.isb.config;

import dev.isb.BufferConfig;
import dev.isb.Compression;
import dev.isb.IsbClient;
import dev.isb.IsbConfigException;
import dev.isb.IsbOptions;
import dev.isb.NumaflowVersion;
import dev.isb.OnFull;
import dev.isb.WriterOptions;
import dev.isb.config.ConfigResolver.Entry;
import dev.isb.config.ConfigResolver.Inputs;
import dev.isb.config.ConfigResolver.Place;
import dev.isb.config.ConfigValues.BadValue;
import dev.isb.spi.Checks;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.stream.Collectors;

/**
 * The resolved configuration of a vertex's ISB: which backend, where its service is and how to
 * authenticate, the {@link BufferConfig} buffers are created with, and the writer limits. Resolved
 * from Numaflow's sources, in this order (later wins):
 *
 * <ol>
 *   <li>built-in defaults: the Numaflow controller's {@code bufferConfig} and writer limits;
 *   <li>the controller configuration file ({@code controller-config.yaml} of the
 *       {@code numaflow-controller-config} ConfigMap): {@code isbsvc.jetstream.bufferConfig};
 *   <li>the {@code InterStepBufferService} resource (selected by name, {@code default} unless told):
 *       {@code spec.jetstream} (bufferConfig merged field by field over 2, replicas, tls) or
 *       {@code spec.redis} ({@code external} or {@code native});
 *   <li>the pod environment: {@code NUMAFLOW_ISBSVC_CONFIG} (base64 JSON), the
 *       {@code NUMAFLOW_ISBSVC_JETSTREAM_*} and {@code NUMAFLOW_ISBSVC_REDIS_*} variables, and
 *       {@code NUMAFLOW_VERTEX_OBJECT}'s to-edge limits;
 *   <li>secret directories (one value per file, as Kubernetes mounts a Secret);
 *   <li>explicit {@link Builder} calls.
 * </ol>
 *
 * <p>Every problem of every source is reported at once in an {@link IsbConfigException}; unknown keys
 * become {@link #warnings()}. Secrets never appear in {@link #toString()}, {@link #describe()},
 * warnings or exceptions. Immutable and thread-safe. In a vertex pod:
 *
 * <pre>{@code
 * IsbClient client = IsbConfig.load().open();
 * }</pre>
 *
 * <p>In code and tests, with each source named:
 *
 * <pre>{@code
 * IsbConfig config = IsbConfig.builder()
 *     .controllerConfig(Path.of("controller-config.yaml"))
 *     .isbServiceFile(Path.of("isbsvc.yaml"))
 *     .environment(Map.of("NUMAFLOW_ISBSVC_JETSTREAM_USER", "u", "NUMAFLOW_ISBSVC_JETSTREAM_PASSWORD", "p"))
 *     .build();
 * client.admin().createBuffers(buffers, config.bufferConfig());
 * }</pre>
 *
 * <p>See {@code docs/configuration.md} for every setting, its default and its sources.
 */
public final class IsbConfig {

  /** Where {@link Builder#defaultLocations()} looks for the controller configuration. */
  public static final String DEFAULT_CONTROLLER_CONFIG = ConfigResolver.DEFAULT_CONTROLLER_CONFIG;
  /** Where {@link Builder#defaultLocations()} looks for InterStepBufferService files. */
  public static final String DEFAULT_ISB_SERVICE_DIR = ConfigResolver.DEFAULT_ISB_SERVICE_DIR;
  /** Where {@link Builder#defaultLocations()} looks for secret files. */
  public static final String DEFAULT_SECRET_DIR = ConfigResolver.DEFAULT_SECRET_DIR;

  private static final System.Logger LOG = System.getLogger(IsbConfig.class.getName());
  /** The properties every backend shares; a backend's own are those it declares. */
  private static final List<ConfigSetting> PROPERTIES = List.of(ConfigSetting.USER, ConfigSetting.PASSWORD,
      ConfigSetting.TLS_CA_FILE, ConfigSetting.TLS_CERT_FILE, ConfigSetting.TLS_KEY_FILE);

  private final ConfigResolver.Result resolved;

  private IsbConfig(ConfigResolver.Result resolved) {
    this.resolved = resolved;
  }

  /**
   * Resolves the configuration of this process from the documented default locations (overridable by
   * {@code ISB_CONFIG_DIR}, {@code ISB_CONTROLLER_CONFIG}, {@code ISB_SERVICE_FILES},
   * {@code ISB_SECRET_DIRS}) and {@link System#getenv()}. Missing default files are skipped.
   *
   * @throws IsbConfigException listing every problem found
   */
  public static IsbConfig load() {
    return builder().environment(System.getenv()).defaultLocations().build();
  }

  /** A builder that reads nothing but the defaults until told which sources to read. */
  public static Builder builder() {
    return new Builder();
  }

  /** Opens a client on this configuration: {@code IsbClient.open(toIsbOptions())}. */
  public IsbClient open() {
    return IsbClient.open(toIsbOptions());
  }

  /** The backend: {@code jetstream}, {@code redis} or {@code memory}. */
  public String backend() {
    return resolved.backend();
  }

  /**
   * The service addresses, comma-separated (several for a NATS cluster or a Redis cluster); empty
   * when a Redis service is reached through its sentinels only.
   */
  public String url() {
    Entry url = resolved.winners().get(ConfigSetting.URL);
    return url == null ? "" : String.join(",", strings(url.value()));
  }

  /** Whether connections use TLS: asked for, or implied by a {@code tls://} or {@code rediss://} address. */
  public boolean tls() {
    return ConfigChecks.tls(resolved.winners());
  }

  /**
   * The number of JetStream server nodes, when an InterStepBufferService resource (or the builder) says
   * it; stream and bucket replicas may not exceed it.
   */
  public OptionalInt jetStreamServerReplicas() {
    Entry e = resolved.winners().get(ConfigSetting.JETSTREAM_REPLICAS);
    return e == null ? OptionalInt.empty() : OptionalInt.of((Integer) e.value());
  }

  /**
   * How data payloads are compressed in the buffers: the vertex object's
   * {@code spec.interStepBuffer.compression.type} (the pipeline's), else the builder's
   * ({@code compression}), else none. Part of every {@link #writerOptions()}; give it to readers with
   * {@code ReaderOptions.builder().compression(...)}.
   */
  public Compression compression() {
    return (Compression) resolved.winners().get(ConfigSetting.COMPRESSION).value();
  }

  /**
   * The Numaflow release the vertex runs beside, where layouts and rules differ: the variable
   * {@code ISB_NUMAFLOW_VERSION} or the builder's {@code numaflowVersion}, else the newest
   * ({@link NumaflowVersion#latest()}).
   */
  public NumaflowVersion numaflowVersion() {
    return (NumaflowVersion) resolved.winners().get(ConfigSetting.NUMAFLOW_VERSION).value();
  }

  /** The merged buffer configuration to create buffers and buckets with. */
  public BufferConfig bufferConfig() {
    return resolved.bufferConfig();
  }

  /**
   * The writer limits shared by every to-edge: the defaults, then {@code NUMAFLOW_VERTEX_OBJECT}'s
   * {@code toVertexLimits} when all to-edges agree, then the builder.
   */
  public WriterOptions writerOptions() {
    return resolved.writerOptions();
  }

  /**
   * The writer limits for the edge to {@code toVertex}: that edge's {@code toVertexLimits} and
   * {@code onFull} from {@code NUMAFLOW_VERTEX_OBJECT} (unless the builder set them), else
   * {@link #writerOptions()}.
   *
   * @throws IllegalArgumentException if the vertex object lists to-edges and none goes to {@code toVertex}
   */
  public WriterOptions writerOptions(String toVertex) {
    Objects.requireNonNull(toVertex, "toVertex");
    Map<String, WriterOptions> edges = resolved.edgeWriterOptions();
    if (edges.isEmpty()) {
      return resolved.writerOptions();
    }
    WriterOptions options = edges.get(toVertex);
    if (options == null) {
      throw new IllegalArgumentException("toVertex was '" + toVertex + "' but it must be one of " + edges.keySet()
          + ", the to-edges of " + ConfigResolver.ENV_VERTEX);
    }
    return options;
  }

  /** What was read but not used: unknown keys (with their path and a "did you mean"), ignored values. */
  public List<String> warnings() {
    return resolved.warnings();
  }

  /**
   * The options {@link IsbClient#open(IsbOptions)} takes. Property names: {@code user}, {@code password},
   * {@code tls}, {@code tls.caFile}, {@code tls.certFile}, {@code tls.keyFile},
   * {@code tls.insecureSkipVerify}; and those the backend declares ({@link dev.isb.spi.IsbBackend#settings()}):
   * for JetStream {@code token}, {@code nkey.seed}, {@code creds.file}; for Redis {@code sentinel.url},
   * {@code sentinel.master}, {@code sentinel.password}, {@code cluster.maxRedirects}, {@code wait.replicas},
   * {@code wait.timeoutMillis}. Only settings that have a value are set, except {@code tls} (always) and
   * those with a default ({@code cluster.maxRedirects} for Redis).
   */
  public IsbOptions toIsbOptions() {
    var b = IsbOptions.builder().backend(backend()).url(url());
    if (backend().equals("memory")) {
      return b.build();
    }
    resolved.winners().forEach((s, e) -> {
      if (PROPERTIES.contains(s) || SettingCatalog.declared(s)) {
        b.property(s.key(), e.value() instanceof List ? String.join(",", strings(e.value())) : e.value().toString());
      }
    });
    b.property(ConfigSetting.TLS.key, String.valueOf(tls()));
    Entry skip = resolved.winners().get(ConfigSetting.TLS_INSECURE_SKIP_VERIFY);
    if (tls() && skip != null && (Boolean) skip.value()) {
      b.property(ConfigSetting.TLS_INSECURE_SKIP_VERIFY.key, "true");
    }
    return b.build();
  }

  /**
   * Every value with the source it came from ({@code default}, a file with the key path,
   * {@code <file>#<resource> <path>}, {@code env NUMAFLOW_ISBSVC_...}, {@code secret <dir>/<file>},
   * {@code builder}), the sources read, the per-edge writer limits and the warnings. Secrets redacted.
   */
  public String describe() {
    var out = new StringBuilder("ISB configuration: backend ").append(backend())
        .append(", InterStepBufferService '").append(resolved.serviceName()).append("'\n");
    out.append("sources read:\n");
    if (resolved.consulted().isEmpty()) {
      out.append("  (defaults only)\n");
    }
    resolved.consulted().forEach(c -> out.append("  ").append(c).append('\n'));
    out.append("settings:\n");
    int width = resolved.winners().keySet().stream().mapToInt(s -> s.key().length()).max().orElse(0);
    resolved.winners().forEach((s, e) -> {
      String value = s.display(e.value());
      out.append("  ").append(s.key()).append(" ".repeat(width - s.key().length())).append(" = ").append(value)
          .append("  (").append(e.describeSource()).append(")\n");
    });
    if (!resolved.edgeWriterOptions().isEmpty()) {
      out.append("writer limits per to-vertex:\n");
      resolved.edgeWriterOptions().forEach((to, w) -> out.append("  ").append(to).append(": maxLength=")
          .append(w.maxLength()).append(", usageLimit=").append(w.usageLimit()).append(", onFull=")
          .append(w.onFull()).append('\n'));
    }
    if (!warnings().isEmpty()) {
      out.append("warnings:\n");
      warnings().forEach(w -> out.append("  ").append(w).append('\n'));
    }
    return out.toString();
  }

  /** Every resolved setting on one line, secrets redacted. */
  @Override
  public String toString() {
    return "IsbConfig{" + resolved.winners().entrySet().stream()
        .map(e -> e.getKey().key() + "=" + e.getKey().display(e.getValue().value()))
        .collect(Collectors.joining(", ")) + "}";
  }

  private static List<String> strings(Object list) {
    return ((List<?>) list).stream().map(Object::toString).collect(Collectors.toList());
  }

  /**
   * Names the sources to read and sets values that beat every source. Each setter checks its argument
   * and throws {@link IllegalArgumentException} naming the setting and the value; files are read by
   * {@link #build()}, which reports every problem at once. Not thread-safe.
   */
  public static final class Builder {
    private final Inputs in = new Inputs();

    private Builder() {}

    /**
     * Also reads the default locations: {@value IsbConfig#DEFAULT_CONTROLLER_CONFIG},
     * {@value IsbConfig#DEFAULT_ISB_SERVICE_DIR} (every {@code *.yaml}, {@code *.yml}, {@code *.json}) and
     * {@value IsbConfig#DEFAULT_SECRET_DIR}; missing ones are skipped. In the {@link #environment}:
     * {@code ISB_CONFIG_DIR=<dir>} replaces them with {@code <dir>/controller-config.yaml},
     * {@code <dir>/isbsvc} and {@code <dir>/secrets}; {@code ISB_CONTROLLER_CONFIG} (a file),
     * {@code ISB_SERVICE_FILES} and {@code ISB_SECRET_DIRS} (comma-separated) name one location each,
     * which must then exist. Files named with this builder are read as well (after, so they win).
     */
    public Builder defaultLocations() {
      in.defaultLocations = true;
      return this;
    }

    /** Reads this controller configuration file (which must exist): {@code controller-config.yaml}, or the ConfigMap. */
    public Builder controllerConfig(Path file) {
      in.controllerConfig = new Place(Objects.requireNonNull(file, "file"), true, "builder", "controllerConfig");
      return this;
    }

    /**
     * Reads InterStepBufferService resources from this file (several documents, or a {@code List}, are
     * fine) or from every {@code *.yaml}, {@code *.yml}, {@code *.json} of this directory. May be
     * called again for more files. The one named {@link #isbServiceName} is used.
     */
    public Builder isbServiceFile(Path fileOrDirectory) {
      in.isbServiceFiles.add(new Place(Objects.requireNonNull(fileOrDirectory, "fileOrDirectory"), true, "builder",
          "isbServiceFile"));
      return this;
    }

    /**
     * The InterStepBufferService to use; by default {@code ISB_SERVICE_NAME}, else the vertex object's
     * {@code interStepBufferServiceName}, else {@code default}, as a Pipeline does.
     */
    public Builder isbServiceName(String name) {
      in.serviceName = Checks.notBlank("isbServiceName", name).trim();
      return this;
    }

    /** The environment variables to read (by default none); {@link IsbConfig#load()} passes {@link System#getenv()}. */
    public Builder environment(Map<String, String> environment) {
      in.env = Map.copyOf(Objects.requireNonNull(environment, "environment"));
      return this;
    }

    /**
     * Reads secret files from this directory (which must exist) and its immediate subdirectories: one
     * value per file, named as in {@code docs/configuration.md} ({@code user}, {@code password},
     * {@code token}, {@code nkey-seed}, {@code creds}, {@code ca.crt}, {@code tls.crt}, {@code tls.key},
     * {@code sentinel-password}, and Numaflow's secret key names). May be called again; later wins.
     */
    public Builder secretDir(Path directory) {
      in.secretDirs.add(new Place(Objects.requireNonNull(directory, "directory"), true, "builder", "secretDir"));
      return this;
    }

    /** The backend: {@code jetstream}, {@code redis} or {@code memory}. */
    public Builder backend(String backend) {
      return set(ConfigSetting.BACKEND, Objects.requireNonNull(backend, "backend"));
    }

    /** The service addresses, comma-separated ({@code nats://h:4222}, {@code h1:6379,h2:6379}, ...). */
    public Builder url(String url) {
      return set(ConfigSetting.URL, Objects.requireNonNull(url, "url"));
    }

    /** The user name. */
    public Builder user(String user) {
      return set(ConfigSetting.USER, Objects.requireNonNull(user, "user"));
    }

    /** The password. */
    public Builder password(String password) {
      return set(ConfigSetting.PASSWORD, Objects.requireNonNull(password, "password"));
    }

    /** A NATS authentication token (isb-jetstream's setting: it must be on the class path). */
    public Builder token(String token) {
      return set("token", Objects.requireNonNull(token, "token"));
    }

    /** A NATS NKey user seed ({@code SU...}; isb-jetstream's setting). */
    public Builder nkeySeed(String seed) {
      return set("nkey.seed", Objects.requireNonNull(seed, "seed"));
    }

    /** A NATS {@code .creds} file (user JWT and NKey seed; isb-jetstream's setting). */
    public Builder credsFile(Path file) {
      return set("creds.file", Objects.requireNonNull(file, "file"));
    }

    /** Whether to use TLS. */
    public Builder tls(boolean tls) {
      return set(ConfigSetting.TLS, tls);
    }

    /** The PEM file of the CA that signed the server's certificate. */
    public Builder tlsCaFile(Path file) {
      return set(ConfigSetting.TLS_CA_FILE, Objects.requireNonNull(file, "file"));
    }

    /** A client certificate and its private key, both PEM, for mutual TLS. */
    public Builder tlsClientCertificate(Path certFile, Path keyFile) {
      set(ConfigSetting.TLS_CERT_FILE, Objects.requireNonNull(certFile, "certFile"));
      return set(ConfigSetting.TLS_KEY_FILE, Objects.requireNonNull(keyFile, "keyFile"));
    }

    /** Whether to trust any server certificate: only for the self-signed certificates of a test. */
    public Builder tlsInsecureSkipVerify(boolean skip) {
      return set(ConfigSetting.TLS_INSECURE_SKIP_VERIFY, skip);
    }

    /** Redis Sentinel: the sentinels' addresses (comma-separated) and the master's name (isb-redis's settings). */
    public Builder sentinel(String urls, String master) {
      set(ConfigChecks.SENTINEL_URL, Objects.requireNonNull(urls, "urls"));
      return set(ConfigChecks.SENTINEL_MASTER, Objects.requireNonNull(master, "master"));
    }

    /** The password of the Redis sentinels (isb-redis's setting: it must be on the class path). */
    public Builder sentinelPassword(String password) {
      return set("sentinel.password", Objects.requireNonNull(password, "password"));
    }

    /** Redis Cluster: how many MOVED/ASK redirects to follow (default 3; a setting of isb-redis). */
    public Builder clusterMaxRedirects(int redirects) {
      return set("cluster.maxRedirects", redirects);
    }

    /** The number of JetStream server nodes, so replicas above it are reported (2 means 3). */
    public Builder jetStreamServerReplicas(int nodes) {
      Builder b = set(ConfigSetting.JETSTREAM_REPLICAS, nodes);
      in.builderEntries.replaceAll(e -> e.setting() == ConfigSetting.JETSTREAM_REPLICAS && (Integer) e.value() == 2
          ? new Entry(e.setting(), 3, e.layer(), e.origin(), e.path(), e.scope(), "2 means 3") : e);
      return b;
    }

    /** Every buffer setting at once, beating every source. */
    public Builder bufferConfig(BufferConfig config) {
      Objects.requireNonNull(config, "config");
      BufferConfig.Stream s = config.stream();
      set(ConfigSetting.STREAM_RETENTION, s.retention());
      set(ConfigSetting.STREAM_MAX_MSGS, s.maxMsgs());
      set(ConfigSetting.STREAM_MAX_AGE, s.maxAge());
      set(ConfigSetting.STREAM_MAX_BYTES, s.maxBytes());
      set(ConfigSetting.STREAM_STORAGE, s.storage());
      set(ConfigSetting.STREAM_REPLICAS, s.replicas());
      set(ConfigSetting.STREAM_DUPLICATES, s.duplicates());
      set(ConfigSetting.CONSUMER_ACK_WAIT, config.consumer().ackWait());
      set(ConfigSetting.CONSUMER_MAX_ACK_PENDING, config.consumer().maxAckPending());
      bucket(config.otBucket(), ConfigSetting.OT_MAX_VALUE_SIZE, ConfigSetting.OT_HISTORY, ConfigSetting.OT_TTL,
          ConfigSetting.OT_MAX_BYTES, ConfigSetting.OT_STORAGE, ConfigSetting.OT_REPLICAS);
      bucket(config.procBucket(), ConfigSetting.PROC_MAX_VALUE_SIZE, ConfigSetting.PROC_HISTORY,
          ConfigSetting.PROC_TTL, ConfigSetting.PROC_MAX_BYTES, ConfigSetting.PROC_STORAGE,
          ConfigSetting.PROC_REPLICAS);
      return this;
    }

    private void bucket(BufferConfig.Bucket b, ConfigSetting maxValueSize, ConfigSetting history, ConfigSetting ttl,
        ConfigSetting maxBytes, ConfigSetting storage, ConfigSetting replicas) {
      set(maxValueSize, b.maxValueSize());
      set(history, b.history());
      set(ttl, b.ttl());
      set(maxBytes, b.maxBytes());
      set(storage, b.storage());
      set(replicas, b.replicas());
    }

    /** The buffer length usage is measured against (Numaflow's {@code bufferMaxLength}). */
    public Builder maxLength(long maxLength) {
      return set(ConfigSetting.WRITER_MAX_LENGTH, maxLength);
    }

    /** The usage in (0, 1] at which a buffer is full (Numaflow's {@code bufferUsageLimit} / 100). */
    public Builder usageLimit(double usageLimit) {
      return set(ConfigSetting.WRITER_USAGE_LIMIT, usageLimit);
    }

    /** What a writer does while the buffer is full. */
    public Builder onFull(OnFull onFull) {
      return set(ConfigSetting.WRITER_ON_FULL, Objects.requireNonNull(onFull, "onFull"));
    }

    /** How data payloads are compressed (the pipeline's {@code interStepBuffer.compression.type}). */
    public Builder compression(Compression compression) {
      return set(ConfigSetting.COMPRESSION, Objects.requireNonNull(compression, "compression"));
    }

    /** The Numaflow release the vertex runs beside; the newest by default. */
    public Builder numaflowVersion(NumaflowVersion version) {
      return set(ConfigSetting.NUMAFLOW_VERSION, Objects.requireNonNull(version, "version"));
    }

    /**
     * Sets any setting by its key, in the same format as the files ({@code stream.maxAge} = {@code 72h},
     * {@code stream.maxBytes} = {@code 1Gi}, {@code stream.retention} = {@code WorkQueue}); keys match
     * ignoring case. The keys are listed in {@code docs/configuration.md}; a backend's own keys are known
     * when that backend is on the class path.
     *
     * @throws IllegalArgumentException for an unknown key or a bad value
     */
    public Builder setting(String key, String value) {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, "value");
      return set(key, value);
    }

    /** Sets the setting with this key: one of {@link ConfigSetting}, or one a backend on the class path declares. */
    private Builder set(String key, Object raw) {
      Setting s = in.settings.byKey(key).orElseThrow(() -> new IllegalArgumentException("key was '" + key
          + "' but it must be one of " + in.settings.all().stream().map(Setting::key)
          .collect(Collectors.joining(", "))));
      return set(s, raw);
    }

    private Builder set(Setting s, Object raw) {
      try {
        in.builderEntries.add(new Entry(s, s.parse(raw), ConfigResolver.BUILDER, "builder", s.key(), null, null));
      } catch (BadValue e) {
        throw new IllegalArgumentException(s.key() + " was '" + s.displayRaw(raw) + "' but it must " + e.rule());
      }
      return this;
    }

    /**
     * Reads every source and resolves the configuration; logs each warning.
     *
     * @throws IsbConfigException listing every problem of every source
     */
    public IsbConfig build() {
      var config = new IsbConfig(ConfigResolver.resolve(in));
      config.warnings().forEach(w -> LOG.log(System.Logger.Level.WARNING, "ISB configuration: " + w));
      return config;
    }
  }
}
