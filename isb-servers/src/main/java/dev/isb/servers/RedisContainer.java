package dev.isb.servers;

/**
 * A plain standalone Redis in Docker, for machines without a redis-server binary. Kept apart so
 * that Testcontainers classes load only when it is used. Thread-safe once started.
 */
public final class RedisContainer extends KitContainer {

  static final String IMAGE = "redis:7";

  private RedisContainer() {
    super("redis", IMAGE, 6379, "Ready to accept connections",
        "redis-server", "--save", "", "--appendonly", "no");
  }

  /** Starts the container and waits until the server in it is ready. */
  public static RedisContainer start() {
    return new RedisContainer();
  }

  /** The address clients use, on the port Docker mapped. */
  public String uri() {
    return address();
  }
}
