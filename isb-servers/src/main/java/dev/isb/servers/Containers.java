package dev.isb.servers;

import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * Starts the plain server containers of {@link NatsContainer} and {@link RedisContainer}. Kept apart
 * from the kit's other classes so that Testcontainers classes load only when a container is used.
 */
final class Containers {

  private Containers() {}

  /**
   * Starts {@code image} with {@code command}, exposing {@code port}, and waits for a log line that
   * contains {@code readyLog}; a container that fails to start is stopped.
   */
  static GenericContainer<?> start(String image, int port, String readyLog, String... command) {
    GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(image));
    container.withCommand(command);
    container.withExposedPorts(port);
    container.waitingFor(Wait.forLogMessage(".*" + readyLog + ".*", 1));
    try {
      container.start();
    } catch (RuntimeException e) {
      container.stop();
      throw e;
    }
    return container;
  }

  /** The {@code scheme://host:port} address of a started container's {@code port}. */
  static String address(String scheme, GenericContainer<?> container, int port) {
    return scheme + "://" + container.getHost() + ":" + container.getMappedPort(port);
  }
}
