package dev.isb.servers;

import dev.isb.spi.Checks;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What every server of the kit is configured with, whatever it runs: the binary, TLS, and how long
 * to wait for it to start. Part of {@link NatsServer.Options} and {@link RedisServer.Options}; each
 * {@code with…} method validates its argument. Immutable.
 *
 * @param binary the binary to run, or null to look for one
 * @param tls whether clients must use TLS
 * @param mutualTls whether clients must also present a certificate signed by the test CA
 * @param startTimeout how long a start or restart waits for the server
 * @param serverNames the names the servers' certificate carries: host names, or IP addresses
 */
public record CommonOptions(
    Path binary, boolean tls, boolean mutualTls, Duration startTimeout, List<String> serverNames) {

  /** Copies {@code serverNames}. */
  public CommonOptions {
    serverNames = List.copyOf(serverNames);
  }

  /** No binary chosen, no TLS, 20 s to start; a certificate for {@code localhost} and {@code 127.0.0.1}. */
  public static CommonOptions defaults() {
    return new CommonOptions(null, false, false, Duration.ofSeconds(20), List.of("localhost", "127.0.0.1"));
  }

  /** These options running {@code binary}. */
  public CommonOptions withBinary(Path binary) {
    return new CommonOptions(binary, tls, mutualTls, startTimeout, serverNames);
  }

  /** These options with TLS, and client certificates too when {@code mutual}. */
  public CommonOptions withTls(boolean mutual) {
    return new CommonOptions(binary, true, mutual, startTimeout, serverNames);
  }

  /** These options waiting {@code timeout}, a positive duration, for a start. */
  public CommonOptions withStartTimeout(Duration timeout) {
    return new CommonOptions(binary, tls, mutualTls, Checks.positive("startTimeout", timeout), serverNames);
  }

  /**
   * These options with a server certificate that names only {@code names}, for tests of host-name
   * verification: a name the client does not connect to, or no IP address so that the client must
   * check the host name it was given.
   *
   * @param names host names or IP address literals, at least one
   */
  public CommonOptions withServerNames(List<String> names) {
    if (names.isEmpty()) {
      throw new IllegalArgumentException("serverNames must name at least one host");
    }
    return new CommonOptions(binary, tls, mutualTls, startTimeout, names);
  }

  /** The start deadline, in {@link System#nanoTime()} terms, of a start beginning now. */
  long deadline() {
    return System.nanoTime() + startTimeout.toNanos();
  }
}
