package dev.isb.servers;

import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * A plain server in Docker, what {@link NatsContainer} and {@link RedisContainer} share: the started
 * container, the address clients use, and stopping it on close. Kept apart from the kit's other
 * classes so that Testcontainers classes load only when a container is used. Thread-safe once
 * started.
 */
abstract sealed class KitContainer implements AutoCloseable permits NatsContainer, RedisContainer {

  private final String scheme;
  private final int port;
  private final GenericContainer<?> container;

  /**
   * Starts {@code image} with {@code command}, exposing {@code port}, and waits for a log line that
   * contains {@code readyLog}; a container that fails to start is stopped.
   */
  KitContainer(String scheme, String image, int port, String readyLog, String... command) {
    this.scheme = scheme;
    this.port = port;
    container = new GenericContainer<>(DockerImageName.parse(image));
    container.withCommand(command);
    container.withExposedPorts(port);
    container.waitingFor(Wait.forLogMessage(".*" + readyLog + ".*", 1));
    try {
      container.start();
    } catch (RuntimeException e) {
      container.stop();
      throw e;
    }
  }

  /** The {@code scheme://host:port} address of the server, on the port Docker mapped. */
  final String address() {
    return scheme + "://" + container.getHost() + ":" + container.getMappedPort(port);
  }

  /** Stops and removes the container. */
  @Override
  public void close() {
    container.stop();
  }
}
