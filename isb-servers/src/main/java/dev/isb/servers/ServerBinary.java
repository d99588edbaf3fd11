package dev.isb.servers;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A program the kit runs, and where it is looked for when none is configured: the path in an
 * environment variable, the PATH, the place Debian installs it.
 *
 * @param name the file name, such as {@code nats-server}
 * @param envVar the environment variable that may name the binary
 * @param debianPath where the Debian package installs it
 * @param debianPackage the Debian package that has it
 */
record ServerBinary(String name, String envVar, Path debianPath, String debianPackage) {

  static final ServerBinary NATS_SERVER =
      new ServerBinary("nats-server", "ISB_NATS_SERVER", Path.of("/usr/sbin/nats-server"), "nats-server");
  static final ServerBinary REDIS_SERVER =
      new ServerBinary(
          "redis-server", "ISB_REDIS_SERVER", Path.of("/usr/bin/redis-server"), "redis-server");
  static final ServerBinary REDIS_CLI =
      new ServerBinary("redis-cli", "ISB_REDIS_CLI", Path.of("/usr/bin/redis-cli"), "redis-tools");

  /** {@code configured} when set, else the binary found as {@link LocalBinaries#find} looks. */
  Optional<Path> find(Path configured) {
    return configured != null
        ? Optional.of(configured)
        : LocalBinaries.find(envVar, name, debianPath);
  }

  /**
   * As {@link #find}, or fails with what to do about it.
   *
   * @param purpose what the binary is for, appended to "no … binary", or empty
   */
  Path require(Path configured, String purpose) {
    return find(configured)
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "no " + name + " binary" + purpose + ": set " + envVar + ", put " + name
                        + " on the PATH, or install it (Debian: apt-get install " + debianPackage
                        + ")"));
  }
}
