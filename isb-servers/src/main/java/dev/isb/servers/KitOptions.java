package dev.isb.servers;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The options of one kind of server: its {@link CommonOptions} and what only it has. The common
 * part is read and changed here once for every kind.
 *
 * @param <O> the options type itself, so that each {@code with…} method returns it
 */
public interface KitOptions<O extends KitOptions<O>> {

  /** What every server of the kit is configured with. */
  CommonOptions common();

  /** These options with another common part. */
  O withCommon(CommonOptions common);

  /** The binary to run: the one set, else the one found where the kit looks for it. */
  Optional<Path> findBinary();

  /** Whether these are the options of the default server an official image runs. */
  boolean plain();

  /** The binary to run, or null to look for one. */
  default Path binary() {
    return common().binary();
  }

  /** Whether clients must use TLS. */
  default boolean tls() {
    return common().tls();
  }

  /** Whether clients must also present a certificate signed by the test CA. */
  default boolean mutualTls() {
    return common().mutualTls();
  }

  /** How long a start or restart waits for the server. */
  default Duration startTimeout() {
    return common().startTimeout();
  }

  /** These options running {@code binary}. */
  default O withBinary(Path binary) {
    return withCommon(common().withBinary(binary));
  }

  /** These options with TLS, and client certificates too when {@code mutual}. */
  default O withTls(boolean mutual) {
    return withCommon(common().withTls(mutual));
  }

  /** These options with a server certificate naming only {@code names}; see {@link CommonOptions#withServerNames}. */
  default O withServerNames(List<String> names) {
    return withCommon(common().withServerNames(names));
  }

  /** These options waiting {@code timeout}, a positive duration, for a start. */
  default O withStartTimeout(Duration timeout) {
    return withCommon(common().withStartTimeout(timeout));
  }
}
