package dev.isb.servers;

import dev.isb.IsbOptions;
import java.util.Locale;
import java.util.Objects;

/**
 * A throw-away ISB service for demos and manual runs: a JetStream or Redis server on a random loopback
 * port, from the local binary when there is one, else in Docker, deleted on close. Thread-safe.
 *
 * <pre>{@code
 * try (LocalIsbService service = LocalIsbService.start("jetstream");
 *     IsbClient client = IsbClient.open(service.options())) { ... }
 * }</pre>
 */
public final class LocalIsbService implements AutoCloseable {

  private final String backend;
  private final String url;
  private final String description;
  private final AutoCloseable server;

  private LocalIsbService(String backend, String url, String description, AutoCloseable server) {
    this.backend = backend;
    this.url = url;
    this.description = description;
    this.server = server;
  }

  /**
   * Starts a service for {@code jetstream} or {@code redis}.
   *
   * @throws IllegalArgumentException for another backend
   * @throws IllegalStateException if there is neither a local binary nor a Docker engine
   */
  public static LocalIsbService start(String backend) {
    Objects.requireNonNull(backend, "backend");
    switch (backend.toLowerCase(Locale.ROOT)) {
      case "jetstream" -> {
        if (NatsServer.BINARY.find(null).isPresent()) {
          NatsServer server = NatsServer.start();
          return new LocalIsbService("jetstream", server.url(), "local nats-server", server);
        }
        requireDocker("nats-server");
        NatsContainer container = NatsContainer.start();
        return new LocalIsbService("jetstream", container.url(), "nats-server in Docker (" + NatsContainer.IMAGE + ")",
            container);
      }
      case "redis" -> {
        if (RedisServer.BINARY.find(null).isPresent()) {
          RedisServer server = RedisServer.start();
          return new LocalIsbService("redis", server.uri(), "local redis-server", server);
        }
        requireDocker("redis-server");
        RedisContainer container = RedisContainer.start();
        return new LocalIsbService("redis", container.uri(), "redis-server in Docker (" + RedisContainer.IMAGE + ")",
            container);
      }
      default -> throw new IllegalArgumentException(
          "backend was '" + backend + "' but a local ISB service is 'jetstream' or 'redis'");
    }
  }

  private static void requireDocker(String binary) {
    if (!LocalBinaries.dockerAvailable()) {
      throw new IllegalStateException("no " + binary + " binary and no Docker engine: put " + binary
          + " on the PATH (Debian: apt-get install " + binary + ") or start a Docker engine");
    }
  }

  /** {@code jetstream} or {@code redis}. */
  public String backend() {
    return backend;
  }

  /** The address clients connect to. */
  public String url() {
    return url;
  }

  /** Options for {@link dev.isb.IsbClient#open(IsbOptions)}: this backend at this address. */
  public IsbOptions options() {
    return IsbOptions.builder().backend(backend).url(url).build();
  }

  /** Stops the server and deletes its files. */
  @Override
  public void close() {
    try {
      server.close();
    } catch (Exception e) {
      throw new IllegalStateException("stopping " + description + " failed", e);
    }
  }

  /** What runs where, e.g. {@code local nats-server at nats://127.0.0.1:40123}. */
  @Override
  public String toString() {
    return description + " at " + url;
  }
}
