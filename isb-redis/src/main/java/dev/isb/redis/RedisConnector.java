package dev.isb.redis;

import dev.isb.IsbBackendException;
import dev.isb.IsbOptions;
import dev.isb.Redaction;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.SslVerifyMode;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.masterreplica.MasterReplica;
import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One lettuce client in the mode the options ask for: sentinel when a master name is set, cluster
 * when several addresses are given (Numaflow's convention) or the one server says it is a cluster
 * node, standalone otherwise. Every connection it opens is used through the cluster-capable command
 * interface, so the rest of the backend has one code path.
 */
final class RedisConnector implements AutoCloseable {

  /** How long a command may take before it fails as timed out. */
  static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);

  private final AbstractRedisClient client;
  private final String description;
  /** In sentinel mode, the sentinels' address: connections follow the master they announce. */
  private final RedisURI sentinelUri;

  private RedisConnector(AbstractRedisClient client, String description, RedisURI sentinelUri) {
    this.client = client;
    this.description = description;
    this.sentinelUri = sentinelUri;
  }

  static RedisConnector create(IsbOptions options) {
    List<RedisURI> uris = uris(options);
    ClientOptions.Builder common = ClientOptions.builder();
    SslOptions ssl = sslOptions(options);
    boolean sentinel = !options.property("sentinel.master", "").isEmpty();
    if (!sentinel && uris.size() == 1) {
      RedisClient standalone = RedisClient.create(uris.get(0));
      if (ssl != null) {
        common.sslOptions(ssl);
      }
      standalone.setOptions(common.build());
      if (!isClusterNode(standalone)) {
        return new RedisConnector(standalone, "standalone " + hosts(uris), null);
      }
      standalone.shutdown();
    }
    if (sentinel) {
      RedisClient viaSentinel = RedisClient.create(uris.get(0));
      if (ssl != null) {
        common.sslOptions(ssl);
      }
      viaSentinel.setOptions(common.build());
      return new RedisConnector(viaSentinel, "sentinel master '" + options.property("sentinel.master", "") + "'",
          uris.get(0));
    }
    RedisClusterClient cluster = RedisClusterClient.create(uris);
    var clusterOptions = ClusterClientOptions.builder()
        .maxRedirects(Integer.parseInt(options.property(RedisBackend.CLUSTER_MAX_REDIRECTS.key(),
            RedisBackend.CLUSTER_MAX_REDIRECTS.defaultValue().orElseThrow())))
        // Adaptive refresh (on MOVED, ASK, reconnects) is on by default since lettuce 7; add a periodic one.
        .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
            .enablePeriodicRefresh(Duration.ofSeconds(10))
            .build());
    if (ssl != null) {
      clusterOptions.sslOptions(ssl);
    }
    cluster.setOptions(clusterOptions.build());
    return new RedisConnector(cluster, "cluster " + hosts(uris), null);
  }

  private static boolean isClusterNode(RedisClient client) {
    try (StatefulRedisConnection<String, String> probe = client.connect()) {
      return probe.sync().info("cluster").contains("cluster_enabled:1");
    }
  }

  /** A new connection; blocking reads need one of their own. */
  StatefulConnection<byte[], byte[]> connect() {
    if (client instanceof RedisClusterClient cluster) {
      return cluster.connect(ByteArrayCodec.INSTANCE);
    }
    if (sentinelUri != null) {
      // Subscribes to the sentinels' announcements, so a fail-over moves the connection to the new
      // master at once instead of at the next reconnect.
      return MasterReplica.connect((RedisClient) client, ByteArrayCodec.INSTANCE, sentinelUri);
    }
    return ((RedisClient) client).connect(ByteArrayCodec.INSTANCE);
  }

  /** The cluster-capable commands of a connection of either kind. */
  static RedisClusterCommands<byte[], byte[]> commands(StatefulConnection<byte[], byte[]> connection) {
    if (connection instanceof StatefulRedisClusterConnection<byte[], byte[]> cluster) {
      return cluster.sync();
    }
    return ((StatefulRedisConnection<byte[], byte[]>) connection).sync();
  }

  /** The cluster-capable asynchronous commands of a connection of either kind. */
  static RedisClusterAsyncCommands<byte[], byte[]> asyncCommands(StatefulConnection<byte[], byte[]> connection) {
    if (connection instanceof StatefulRedisClusterConnection<byte[], byte[]> cluster) {
      return cluster.async();
    }
    return ((StatefulRedisConnection<byte[], byte[]>) connection).async();
  }

  private static List<RedisURI> uris(IsbOptions options) {
    boolean sentinel = !options.property("sentinel.master", "").isEmpty();
    String list = sentinel ? options.property("sentinel.url", options.url()) : options.url();
    if (list.isBlank()) {
      list = "redis://127.0.0.1:6379";
    }
    boolean tls = Boolean.parseBoolean(options.property("tls", "false"));
    boolean insecure = Boolean.parseBoolean(options.property("tls.insecureSkipVerify", "false"));
    String user = options.property("user", "");
    String password = options.property("password", "");
    var out = new ArrayList<RedisURI>();
    List<String> addresses = Arrays.stream(list.split(",")).map(String::trim).filter(a -> !a.isEmpty()).toList();
    if (sentinel) {
      RedisURI.Builder builder = null;
      String master = options.property("sentinel.master", "");
      String sentinelPassword = options.property("sentinel.password", "");
      for (String address : addresses) {
        RedisURI parsed = parse(address, tls);
        if (builder == null) {
          builder = sentinelPassword.isEmpty()
              ? RedisURI.Builder.sentinel(parsed.getHost(), parsed.getPort(), master)
              : RedisURI.Builder.sentinel(parsed.getHost(), parsed.getPort(), master, sentinelPassword);
        } else if (sentinelPassword.isEmpty()) {
          builder.withSentinel(parsed.getHost(), parsed.getPort());
        } else {
          builder.withSentinel(parsed.getHost(), parsed.getPort(), sentinelPassword);
        }
      }
      out.add(finish(builder, user, password, tls || addresses.get(0).startsWith("rediss"), insecure));
      return out;
    }
    for (String address : addresses) {
      RedisURI parsed = parse(address, tls);
      out.add(finish(RedisURI.builder(parsed), user, password, tls || parsed.isSsl(), insecure));
    }
    return out;
  }

  private static RedisURI parse(String address, boolean tls) {
    String uri = address.contains("://") ? address : (tls ? "rediss://" : "redis://") + address;
    try {
      return RedisURI.create(uri);
    } catch (IllegalArgumentException e) {
      // The parser's message quotes the address: its user info (a password) is cut from both, and the
      // parser's exception is not kept as the cause.
      int at = uri.lastIndexOf('@');
      String userInfo = at < 0 ? "" : uri.substring(uri.indexOf("://") + 3, at);
      String why = String.valueOf(e.getMessage());
      String shown = address;
      if (!userInfo.isEmpty()) {
        why = why.replace(userInfo, Redaction.REDACTED);
        shown = shown.replace(userInfo, Redaction.REDACTED);
      }
      throw new IllegalArgumentException("url was '" + shown + "' but it is not a Redis address: " + why);
    }
  }

  private static RedisURI finish(RedisURI.Builder builder, String user, String password, boolean tls, boolean insecure) {
    if (!password.isEmpty()) {
      if (user.isEmpty()) {
        builder.withPassword(password.toCharArray());
      } else {
        builder.withAuthentication(user, password.toCharArray());
      }
    }
    if (tls) {
      builder.withSsl(true).withVerifyPeer(insecure ? SslVerifyMode.NONE : SslVerifyMode.FULL);
    }
    return builder.withTimeout(COMMAND_TIMEOUT).build();
  }

  /** The CA to trust and, for mutual TLS, the client certificate and key (PEM files); null when none is set. */
  private static SslOptions sslOptions(IsbOptions options) {
    String caFile = options.property("tls.caFile", "");
    String certFile = options.property("tls.certFile", "");
    String keyFile = options.property("tls.keyFile", "");
    if (caFile.isEmpty() && certFile.isEmpty() && keyFile.isEmpty()) {
      return null;
    }
    var builder = SslOptions.builder().jdkSslProvider();
    if (!caFile.isEmpty()) {
      builder.trustManager(readable("tls.caFile", caFile));
    }
    if (!certFile.isEmpty() || !keyFile.isEmpty()) {
      builder.keyManager(readable("tls.certFile", certFile), readable("tls.keyFile", keyFile), null);
    }
    return builder.build();
  }

  private static File readable(String property, String path) {
    File file = new File(path);
    if (!file.canRead()) {
      throw new IllegalArgumentException(property + " was '" + path + "' but it is not a readable file");
    }
    return file;
  }

  private static String hosts(List<RedisURI> uris) {
    return uris.stream().map(u -> u.getHost() + ":" + u.getPort()).toList().toString();
  }

  /** Fails {@link RedisBackend#open} with what was tried, never with credentials. */
  static IsbBackendException unreachable(IsbOptions options, RuntimeException e) {
    // lettuce says only "Unable to connect"; the reason (refused, TLS, authentication) is in the causes.
    var why = new StringBuilder(String.valueOf(e.getMessage()));
    for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
      String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
      if (why.indexOf(message) < 0) {
        why.append(": ").append(message);
      }
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return new IsbBackendException(null, RedisErrors.code(root), "cannot connect to Redis at " + options + ": " + why,
        true, e);
  }

  @Override
  public void close() {
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }

  @Override
  public String toString() {
    return description;
  }
}
