package dev.isb.servers;

/**
 * A plain single-node JetStream server in Docker, for machines without a nats-server binary. Kept
 * apart so that Testcontainers classes load only when it is used. Thread-safe once started.
 */
public final class NatsContainer extends KitContainer {

  static final String IMAGE = "nats:2.10-alpine";

  private NatsContainer() {
    super("nats", IMAGE, 4222, "Server is ready", "-js");
  }

  /** Starts the container and waits until the server in it is ready. */
  public static NatsContainer start() {
    return new NatsContainer();
  }

  /** The address clients use, on the port Docker mapped. */
  public String url() {
    return address();
  }
}
