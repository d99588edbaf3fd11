package dev.isb.redis;

import dev.isb.IsbClient;
import dev.isb.IsbOptions;
import dev.isb.spi.IsbBackend;

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

  /** For {@link java.util.ServiceLoader}. */
  public RedisBackend() {}

  @Override
  public String name() {
    return NAME;
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
