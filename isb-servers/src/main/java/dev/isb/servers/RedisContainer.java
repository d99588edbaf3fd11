package dev.isb.servers;

import org.testcontainers.containers.GenericContainer;

/**
 * A plain standalone Redis in Docker, for machines without a redis-server binary. Kept apart so
 * that Testcontainers classes load only when it is used. Thread-safe once started.
 */
public final class RedisContainer implements AutoCloseable {

  static final String IMAGE = "redis:7";
  private static final int CLIENT_PORT = 6379;

  private final GenericContainer<?> container;

  private RedisContainer(GenericContainer<?> container) {
    this.container = container;
  }

  /** Starts the container and waits until the server in it is ready. */
  public static RedisContainer start() {
    return new RedisContainer(
        Containers.start(
            IMAGE,
            CLIENT_PORT,
            "Ready to accept connections",
            "redis-server", "--save", "", "--appendonly", "no"));
  }

  /** The address clients use, on the port Docker mapped. */
  public String uri() {
    return Containers.address("redis", container, CLIENT_PORT);
  }

  /** Stops and removes the container. */
  @Override
  public void close() {
    container.stop();
  }
}
