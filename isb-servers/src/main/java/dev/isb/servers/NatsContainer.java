package dev.isb.servers;

import org.testcontainers.containers.GenericContainer;

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

  /** Starts the container and waits until the server in it is ready. */
  public static NatsContainer start() {
    return new NatsContainer(Containers.start(IMAGE, CLIENT_PORT, "Server is ready", "-js"));
  }

  /** The address clients use, on the port Docker mapped. */
  public String url() {
    return Containers.address("nats", container, CLIENT_PORT);
  }

  /** Stops and removes the container. */
  @Override
  public void close() {
    container.stop();
  }
}
