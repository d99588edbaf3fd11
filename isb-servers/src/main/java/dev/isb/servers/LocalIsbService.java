package dev.isb.servers;

import dev.isb.IsbOptions;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

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
    return switch (backend.toLowerCase(Locale.ROOT)) {
      case "jetstream" -> NatsServer.BINARY.find(null).isPresent()
          ? running("jetstream", NatsServer.start(), NatsServer::url, "local nats-server")
          : running("jetstream", inDocker("nats-server", NatsContainer::start), NatsContainer::url,
              "nats-server in Docker (" + NatsContainer.IMAGE + ")");
      case "redis" -> RedisServer.BINARY.find(null).isPresent()
          ? running("redis", RedisServer.start(), RedisServer::uri, "local redis-server")
          : running("redis", inDocker("redis-server", RedisContainer::start), RedisContainer::uri,
              "redis-server in Docker (" + RedisContainer.IMAGE + ")");
      default -> throw new IllegalArgumentException(
          "backend was '" + backend + "' but a local ISB service is 'jetstream' or 'redis'");
    };
  }

  private static <S extends AutoCloseable> LocalIsbService running(
      String backend, S server, Function<S, String> url, String description) {
    return new LocalIsbService(backend, url.apply(server), description, server);
  }

  /** Starts a container, after checking that there is a Docker engine to run it. */
  private static <C> C inDocker(String binary, Supplier<C> start) {
    if (!LocalBinaries.dockerAvailable()) {
      throw new IllegalStateException("no " + binary + " binary and no Docker engine: put " + binary
          + " on the PATH (Debian: apt-get install " + binary + ") or start a Docker engine");
    }
    return start.get();
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
