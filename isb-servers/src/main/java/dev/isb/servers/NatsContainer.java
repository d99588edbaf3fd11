package dev.isb.servers;

import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * A plain single-node JetStream server in Docker, for machines without a nats-server binary. Kept
 * apart so that Testcontainers classes load only when it is used. Thread-safe once started.
 */
public final class NatsContainer implements AutoCloseable {

  static final String IMAGE = "nats:2.10-alpine";
  private static final int CLIENT_PORT = 4222;

  private final GenericContainer<?> container;

  private NatsContainer(GenericContainer<?> container) {
    this.container = container;
  }

  public static NatsContainer start() {
    GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(IMAGE));
    container.withCommand("-js");
    container.withExposedPorts(CLIENT_PORT);
    container.waitingFor(Wait.forLogMessage(".*Server is ready.*", 1));
    try {
      container.start();
    } catch (RuntimeException e) {
      container.stop();
      throw e;
    }
    return new NatsContainer(container);
  }

  public String url() {
    return "nats://" + container.getHost() + ":" + container.getMappedPort(CLIENT_PORT);
  }

  @Override
  public void close() {
    container.stop();
  }
}
