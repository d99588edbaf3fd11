package dev.isb.spi;

import dev.isb.IsbClient;
import dev.isb.IsbException;
import dev.isb.IsbOptions;
import java.util.List;

/**
 * The service-provider interface of a backend: how {@link IsbClient#open} finds one. A backend module
 * lists its implementation in {@code META-INF/services/dev.isb.spi.IsbBackend}. Implementations must be
 * thread-safe and have a public no-argument constructor.
 */
public interface IsbBackend {

  /** The name users select the backend by, e.g. {@code jetstream}; matched ignoring case. */
  String name();

  /**
   * Opens a client.
   *
   * @throws IllegalArgumentException if the options are not valid for this backend
   * @throws IsbException if the service cannot be reached
   */
  IsbClient open(IsbOptions options);

  /**
   * The properties of {@link IsbOptions} this backend reads besides the ones every backend shares
   * ({@code user}, {@code password}, {@code tls}, {@code tls.caFile}, {@code tls.certFile},
   * {@code tls.keyFile}, {@code tls.insecureSkipVerify}): how each is written and checked, and whether it
   * is a secret. The configuration loader asks every backend on the class path, so that it can check,
   * redact and describe these properties without knowing the backend. None by default.
   */
  default List<BackendSetting> settings() {
    return List.of();
  }
}
