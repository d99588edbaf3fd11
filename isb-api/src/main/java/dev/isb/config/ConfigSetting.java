package dev.isb.config;

import dev.isb.BufferConfig;
import dev.isb.Compression;
import dev.isb.IsbOptions;
import dev.isb.Kind;
import dev.isb.NumaflowVersion;
import dev.isb.OnFull;
import dev.isb.Retention;
import dev.isb.Storage;
import dev.isb.WriterOptions;
import dev.isb.config.ConfigValues.BadValue;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The settings {@link IsbConfig} knows itself: its key (which is also the {@link IsbOptions} property name
 * for connection settings), how a value is read and checked, its default, and whether it is secret.
 * What only one backend reads, that backend declares ({@link dev.isb.spi.IsbBackend#settings()}); see
 * {@link SettingCatalog}.
 */
enum ConfigSetting implements Setting {
  BACKEND("backend", Kind.BACKEND, null),
  URL("url", Kind.ADDRESSES, null),
  USER("user", Kind.TEXT, null),
  PASSWORD("password", Kind.SECRET_TEXT, null),
  TLS("tls", Kind.BOOL, false),
  TLS_CA_FILE("tls.caFile", Kind.CERT_FILE, null),
  TLS_CERT_FILE("tls.certFile", Kind.CERT_FILE, null),
  TLS_KEY_FILE("tls.keyFile", Kind.KEY_FILE, null),
  TLS_INSECURE_SKIP_VERIFY("tls.insecureSkipVerify", Kind.BOOL, false),
  JETSTREAM_REPLICAS("jetstream.replicas", Kind.SERVER_REPLICAS, null),

  STREAM_RETENTION("stream.retention", Kind.RETENTION, BufferConfig.Stream.defaults().retention()),
  STREAM_MAX_MSGS("stream.maxMsgs", Kind.COUNT_OR_UNLIMITED, BufferConfig.Stream.defaults().maxMsgs()),
  STREAM_MAX_AGE("stream.maxAge", Kind.DURATION_NOT_NEGATIVE, BufferConfig.Stream.defaults().maxAge()),
  STREAM_MAX_BYTES("stream.maxBytes", Kind.SIZE_OR_UNLIMITED, BufferConfig.Stream.defaults().maxBytes()),
  STREAM_STORAGE("stream.storage", Kind.STORAGE, BufferConfig.Stream.defaults().storage()),
  STREAM_REPLICAS("stream.replicas", Kind.REPLICAS, BufferConfig.Stream.defaults().replicas()),
  STREAM_DUPLICATES("stream.duplicates", Kind.DURATION_POSITIVE, BufferConfig.Stream.defaults().duplicates()),
  CONSUMER_ACK_WAIT("consumer.ackWait", Kind.DURATION_POSITIVE, BufferConfig.Consumer.defaults().ackWait()),
  CONSUMER_MAX_ACK_PENDING("consumer.maxAckPending", Kind.POSITIVE_LONG,
      BufferConfig.Consumer.defaults().maxAckPending()),
  OT_MAX_VALUE_SIZE("otBucket.maxValueSize", Kind.SIZE_ZERO_OR_UNLIMITED, BufferConfig.Bucket.otDefaults().maxValueSize()),
  OT_HISTORY("otBucket.history", Kind.HISTORY, BufferConfig.Bucket.otDefaults().history()),
  OT_TTL("otBucket.ttl", Kind.DURATION_NOT_NEGATIVE, BufferConfig.Bucket.otDefaults().ttl()),
  OT_MAX_BYTES("otBucket.maxBytes", Kind.SIZE_ZERO_OR_UNLIMITED, BufferConfig.Bucket.otDefaults().maxBytes()),
  OT_STORAGE("otBucket.storage", Kind.STORAGE, BufferConfig.Bucket.otDefaults().storage()),
  OT_REPLICAS("otBucket.replicas", Kind.REPLICAS, BufferConfig.Bucket.otDefaults().replicas()),
  PROC_MAX_VALUE_SIZE("procBucket.maxValueSize", Kind.SIZE_ZERO_OR_UNLIMITED,
      BufferConfig.Bucket.procDefaults().maxValueSize()),
  PROC_HISTORY("procBucket.history", Kind.HISTORY, BufferConfig.Bucket.procDefaults().history()),
  PROC_TTL("procBucket.ttl", Kind.DURATION_NOT_NEGATIVE, BufferConfig.Bucket.procDefaults().ttl()),
  PROC_MAX_BYTES("procBucket.maxBytes", Kind.SIZE_ZERO_OR_UNLIMITED, BufferConfig.Bucket.procDefaults().maxBytes()),
  PROC_STORAGE("procBucket.storage", Kind.STORAGE, BufferConfig.Bucket.procDefaults().storage()),
  PROC_REPLICAS("procBucket.replicas", Kind.REPLICAS, BufferConfig.Bucket.procDefaults().replicas()),

  WRITER_MAX_LENGTH("writer.maxLength", Kind.POSITIVE_LONG, WriterOptions.defaults().maxLength()),
  WRITER_USAGE_LIMIT("writer.usageLimit", Kind.FRACTION, WriterOptions.defaults().usageLimit()),
  WRITER_ON_FULL("writer.onFull", Kind.ON_FULL, WriterOptions.defaults().onFull()),

  COMPRESSION("compression", Kind.COMPRESSION, Compression.NONE),
  NUMAFLOW_VERSION("numaflowVersion", Kind.NUMAFLOW_VERSION, NumaflowVersion.latest());

  private static final Map<String, ConfigSetting> BY_KEY = Stream.of(values())
      .collect(Collectors.toUnmodifiableMap(s -> s.key.toLowerCase(Locale.ROOT), Function.identity()));

  final String key;
  final Kind kind;
  final Object defaultValue;

  ConfigSetting(String key, Kind kind, Object defaultValue) {
    this.key = key;
    this.kind = kind;
    this.defaultValue = defaultValue;
  }

  /** The setting with this key, ignoring case. */
  static Optional<ConfigSetting> byKey(String key) {
    return Optional.ofNullable(BY_KEY.get(key.toLowerCase(Locale.ROOT)));
  }

  @Override
  public String key() {
    return key;
  }

  @Override
  public boolean secret() {
    return kind == Kind.SECRET_TEXT;
  }

  @Override
  public boolean addresses() {
    return kind == Kind.ADDRESSES;
  }

  @Override
  public boolean file() {
    return kind == Kind.CERT_FILE || kind == Kind.KEY_FILE;
  }

  /** The server nodes are the JetStream resource's; everything else means something to every backend. */
  @Override
  public Set<String> onlyFor() {
    return this == JETSTREAM_REPLICAS ? Set.of("jetstream") : Set.of();
  }

  @Override
  public Object parse(Object raw) throws BadValue {
    return kind.parse(raw);
  }

  /** How values are read and which values are allowed. */
  enum Kind {
    BACKEND, ADDRESSES, TEXT, SECRET_TEXT, CERT_FILE, KEY_FILE, BOOL, SERVER_REPLICAS, RETENTION, STORAGE, COUNT_OR_UNLIMITED, SIZE_OR_UNLIMITED,
    SIZE_ZERO_OR_UNLIMITED, REPLICAS, HISTORY, DURATION_NOT_NEGATIVE, DURATION_POSITIVE, POSITIVE_LONG, FRACTION,
    ON_FULL, COMPRESSION, NUMAFLOW_VERSION;

    Object parse(Object raw) throws BadValue {
      switch (this) {
        case BACKEND: {
          String b = text(raw).trim().toLowerCase(Locale.ROOT);
          return require(b, List.of("jetstream", "redis", "memory").contains(b), "be jetstream, redis or memory");
        }
        case ADDRESSES: {
          List<String> list = ConfigValues.splitList(text(raw));
          return require(List.copyOf(list), !list.isEmpty(), "name at least one address");
        }
        case TEXT: {
          String t = text(raw).trim();
          return require(t, !t.isEmpty(), "not be empty");
        }
        case SECRET_TEXT: {
          String t = stripLineEnd(text(raw));
          require(t, !t.isEmpty(), "not be empty");
          return require(t, t.indexOf('\n') < 0 && t.indexOf('\r') < 0, "be a single line");
        }
        case CERT_FILE: {
          Path p = readable(raw);
          try (InputStream in = Files.newInputStream(p)) {
            if (CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty()) {
              throw new BadValue("be a PEM file holding at least one X.509 certificate");
            }
          } catch (IOException | CertificateException e) {
            throw new BadValue("be a PEM file holding at least one X.509 certificate");
          }
          return p;
        }
        case KEY_FILE: {
          Path p = readable(raw);
          String content = read(p);
          return require(p, Pattern.compile("-----BEGIN [A-Z ]*PRIVATE KEY-----").matcher(content).find(),
              "be a PEM file holding a private key");
        }
        case BOOL:
          return raw instanceof Boolean ? raw : ConfigValues.bool(text(raw));
        case SERVER_REPLICAS:
          return (int) range(whole(raw), 1, Integer.MAX_VALUE, "be 1 or more (2 means 3)");
        case RETENTION:
          return raw instanceof Retention ? raw : ConfigValues.retention(text(raw));
        case STORAGE:
          return raw instanceof Storage ? raw : ConfigValues.storage(text(raw));
        case COUNT_OR_UNLIMITED:
          return positiveOrUnlimited(whole(raw));
        case SIZE_OR_UNLIMITED:
          return positiveOrUnlimited(size(raw));
        case SIZE_ZERO_OR_UNLIMITED:
          return range(size(raw), -1, Long.MAX_VALUE, "be 0 or more, or -1 (unlimited)");
        case REPLICAS:
          return (int) range(whole(raw), 1, 5, "be between 1 and 5");
        case HISTORY:
          return (int) range(whole(raw), 1, 64, "be between 1 and 64");
        case DURATION_NOT_NEGATIVE: {
          Duration d = duration(raw);
          return require(d, !d.isNegative(), "not be negative (0 means no limit)");
        }
        case DURATION_POSITIVE: {
          Duration d = duration(raw);
          return require(d, !d.isNegative() && !d.isZero(), "be positive");
        }
        case POSITIVE_LONG:
          return range(whole(raw), 1, Long.MAX_VALUE, "be positive");
        case FRACTION: {
          double v;
          if (raw instanceof Number) {
            v = ((Number) raw).doubleValue();
          } else {
            try {
              v = Double.parseDouble(text(raw).trim());
            } catch (NumberFormatException e) {
              throw new BadValue("be a number in (0, 1]");
            }
          }
          return require(v, v > 0 && v <= 1, "be in (0, 1]");
        }
        case ON_FULL:
          return raw instanceof OnFull ? raw : ConfigValues.onFull(text(raw));
        case COMPRESSION:
          try {
            return raw instanceof Compression ? raw : Compression.parse(text(raw).trim());
          } catch (IllegalArgumentException e) {
            throw new BadValue("be gzip, zstd, lz4 or none (lower case, as numaflow-core reads it)");
          }
        case NUMAFLOW_VERSION:
          try {
            return raw instanceof NumaflowVersion ? raw : NumaflowVersion.parse(text(raw));
          } catch (IllegalArgumentException e) {
            throw new BadValue("be a Numaflow release such as 1.7, v1.7.5 or 1.8.3");
          }
        default:
          throw new AssertionError(this);
      }
    }

    static String text(Object raw) {
      return raw instanceof Path ? raw.toString() : String.valueOf(raw);
    }

    static String stripLineEnd(String s) {
      int end = s.length();
      while (end > 0 && (s.charAt(end - 1) == '\n' || s.charAt(end - 1) == '\r')) {
        end--;
      }
      return s.substring(0, end);
    }

    static long whole(Object raw) throws BadValue {
      if (raw instanceof Long || raw instanceof Integer) {
        return ((Number) raw).longValue();
      }
      return ConfigValues.whole(text(raw));
    }

    private static long size(Object raw) throws BadValue {
      if (raw instanceof Long || raw instanceof Integer) {
        return ((Number) raw).longValue();
      }
      return ConfigValues.quantity(text(raw));
    }

    private static Duration duration(Object raw) throws BadValue {
      return raw instanceof Duration ? (Duration) raw : GoDurations.read(text(raw));
    }

    private static long range(long v, long min, long max, String rule) throws BadValue {
      return require(v, v >= min && v <= max, rule);
    }

    private static long positiveOrUnlimited(long v) throws BadValue {
      return require(v, v > 0 || v == -1, "be positive or -1 (unlimited)");
    }

    /** The value if it keeps the rule; else the rule it broke, phrased to follow "but it must". */
    private static <T> T require(T value, boolean keepsRule, String rule) throws BadValue {
      if (!keepsRule) {
        throw new BadValue(rule);
      }
      return value;
    }

    static Path readable(Object raw) throws BadValue {
      Path p;
      try {
        p = raw instanceof Path ? (Path) raw : Path.of(text(raw).trim());
      } catch (java.nio.file.InvalidPathException e) {
        throw new BadValue("be a file path");
      }
      if (!Files.isRegularFile(p)) {
        throw new BadValue("be an existing file");
      }
      if (!Files.isReadable(p)) {
        throw new BadValue("be a readable file");
      }
      return p;
    }

    private static String read(Path p) throws BadValue {
      try {
        return Files.readString(p, StandardCharsets.ISO_8859_1);
      } catch (IOException e) {
        throw new BadValue("be a readable file");
      }
    }
  }
}
