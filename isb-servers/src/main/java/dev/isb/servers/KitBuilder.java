package dev.isb.servers;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * What every builder of the kit sets, for a single server or a whole setup: the binary, TLS and the
 * start timeout. Not thread-safe; each setter validates its argument.
 *
 * @param <B> the builder itself, so that each setter returns it
 * @param <O> the options it builds up
 */
public abstract class KitBuilder<B extends KitBuilder<B, O>, O extends KitOptions<O>> {

  private O options;

  KitBuilder(O options) {
    this.options = options;
  }

  /**
   * Runs this binary instead of looking for one.
   *
   * @param binary an executable server binary (nats-server 2.9 or later, redis-server 7.0 or later)
   * @return this builder
   */
  public B binary(Path binary) {
    return with(o -> o.withBinary(Objects.requireNonNull(binary, "binary")));
  }

  /**
   * Requires TLS from clients (on every process of a setup; Redis turns its plain port off), with a
   * server certificate for {@code localhost} and {@code 127.0.0.1} signed by a CA generated for the
   * run; clients need not present a certificate.
   *
   * @return this builder
   */
  public B tls() {
    return with(o -> o.withTls(false));
  }

  /**
   * Requires TLS and a client certificate signed by the test CA (see {@link
   * KitServer#clientSslContext()}).
   *
   * @return this builder
   */
  public B mutualTls() {
    return with(o -> o.withTls(true));
  }

  /**
   * How long {@code start()} waits for the server or setup, and each {@link KitServer#restart()}
   * for its process (default 20 s).
   *
   * @param timeout a positive duration
   * @return this builder
   */
  public B startTimeout(Duration timeout) {
    return with(o -> o.withStartTimeout(timeout));
  }

  /** The options set so far. */
  final O options() {
    return options;
  }

  /** Applies one change to the options and returns this builder. */
  final B with(UnaryOperator<O> change) {
    options = change.apply(options);
    @SuppressWarnings("unchecked") // B is this class's own type, by the declaration of each subclass
    B self = (B) this;
    return self;
  }
}
