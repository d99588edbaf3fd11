package dev.isb.redis;

import dev.isb.IsbClient;
import dev.isb.IsbOptions;
import dev.isb.spi.BackendSetting;
import dev.isb.spi.BackendSetting.Kind;
import dev.isb.spi.IsbBackend;
import java.util.List;
import java.util.Optional;

/**
 * The {@code redis} backend: Numaflow's Redis Streams layout on a standalone server, a cluster or a
 * sentinel-managed master. Found by {@link java.util.ServiceLoader}; users call {@link IsbClient#open}:
 *
 * <pre>{@code
 * IsbClient client = IsbClient.open(IsbOptions.builder()
 *     .backend("redis").url("redis-0:6379,redis-1:6379,redis-2:6379")   // several addresses: a cluster
 *     .property("user", user).property("password", password)
 *     .build());
 * }</pre>
 *
 * <p>Properties: {@code user}, {@code password}; {@code sentinel.master} (a master name switches to
 * sentinel mode), {@code sentinel.url} (comma-separated sentinels; else the URL), {@code sentinel.password};
 * {@code cluster.maxRedirects} (default 3); {@code tls} ({@code true}, or use {@code rediss://}),
 * {@code tls.caFile} (PEM of the CA to trust; else the JVM's trust store), {@code tls.certFile} and
 * {@code tls.keyFile} (client certificate and key, PEM, for mutual TLS), {@code tls.insecureSkipVerify};
 * {@code wait.replicas} and {@code wait.timeoutMillis} (default 0 and 1000): after each write, wait
 * until that many replicas have it, and report the batch as a retryable failure if they do not, so that
 * an acknowledged write survives a fail-over (the retry is de-duplicated).
 */
public final class RedisBackend implements IsbBackend {

  /** The backend name. */
  public static final String NAME = "redis";

  /** Redis Cluster: the MOVED/ASK redirects followed. */
  static final BackendSetting CLUSTER_MAX_REDIRECTS = BackendSetting.of("cluster.maxRedirects", Kind.WHOLE_NUMBER,
      BackendSetting.rule(n -> Long.parseLong(n) >= 0 && Long.parseLong(n) <= Integer.MAX_VALUE, "be 0 or more"))
      .withDefault("3");
  /** Durability: the replicas that must have each write (0, the default, does not wait). */
  static final BackendSetting WAIT_REPLICAS = BackendSetting.of("wait.replicas", Kind.TEXT,
      BackendSetting.rule(n -> parses(() -> Integer.parseInt(n) >= 0), "be a whole number >= 0"));
  /** Durability: how long to wait for them (1000 by default). */
  static final BackendSetting WAIT_TIMEOUT_MILLIS = BackendSetting.of("wait.timeoutMillis", Kind.TEXT,
      BackendSetting.rule(ms -> parses(() -> Long.parseLong(ms) > 0), "be a positive number of milliseconds"));

  private static final List<BackendSetting> SETTINGS = List.of(
      BackendSetting.of("sentinel.url", Kind.ADDRESSES, BackendSetting.ANY),
      BackendSetting.of("sentinel.master", Kind.TEXT, BackendSetting.ANY),
      BackendSetting.of("sentinel.password", Kind.SECRET, password -> password.isEmpty() ? Optional.of("not be empty")
          : password.indexOf('\n') >= 0 || password.indexOf('\r') >= 0 ? Optional.of("be a single line")
          : Optional.empty()),
      CLUSTER_MAX_REDIRECTS, WAIT_REPLICAS, WAIT_TIMEOUT_MILLIS);

  /** For {@link java.util.ServiceLoader}. */
  public RedisBackend() {}

  @Override
  public String name() {
    return NAME;
  }

  /** The sentinel settings, {@code cluster.maxRedirects}, and {@code wait.replicas} / {@code wait.timeoutMillis}. */
  @Override
  public List<BackendSetting> settings() {
    return SETTINGS;
  }

  private static boolean parses(java.util.function.BooleanSupplier test) {
    try {
      return test.getAsBoolean();
    } catch (NumberFormatException e) {
      return false;
    }
  }

  @Override
  public IsbClient open(IsbOptions options) {
    var durability = RedisIsbClient.Durability.of(options);
    RedisConnector connector;
    try {
      connector = RedisConnector.create(options);
    } catch (IllegalArgumentException badOptions) {
      throw badOptions;
    } catch (RuntimeException e) {
      throw RedisConnector.unreachable(options, e);
    }
    try {
      return new RedisIsbClient(connector, durability);
    } catch (RuntimeException e) {
      connector.close();
      throw RedisConnector.unreachable(options, e);
    }
  }
}
