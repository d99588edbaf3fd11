package dev.isb.servers;

import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

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

  public static RedisContainer start() {
    GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(IMAGE));
    container.withCommand("redis-server", "--save", "", "--appendonly", "no");
    container.withExposedPorts(CLIENT_PORT);
    container.waitingFor(Wait.forLogMessage(".*Ready to accept connections.*", 1));
    try {
      container.start();
    } catch (RuntimeException e) {
      container.stop();
      throw e;
    }
    return new RedisContainer(container);
  }

  public String uri() {
    return "redis://" + container.getHost() + ":" + container.getMappedPort(CLIENT_PORT);
  }

  @Override
  public void close() {
    container.stop();
  }
}
