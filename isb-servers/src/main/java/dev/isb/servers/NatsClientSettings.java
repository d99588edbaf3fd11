package dev.isb.servers;

import java.util.Optional;

/**
 * What a client of the kit's NATS servers must present and may send, from whatever runs them: one
 * server, or a test extension that runs a server or a cluster (every node has the same options).
 */
public interface NatsClientSettings {

  /** The options the servers run with. */
  NatsServer.Options options();

  /** The user clients must authenticate as, if one was configured. */
  default Optional<String> user() {
    return Optional.ofNullable(options().user());
  }

  /** The password of {@link #user()}, if a user was configured. */
  default Optional<String> password() {
    return Optional.ofNullable(options().password());
  }

  /** The token clients must present, if one was configured. */
  default Optional<String> token() {
    return Optional.ofNullable(options().token());
  }

  /** The configured {@code max_payload} in bytes. */
  default int maxPayload() {
    return options().maxPayload();
  }
}
