package dev.isb.spi;

import dev.isb.IsbClient;
import dev.isb.IsbException;
import dev.isb.IsbOptions;

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
}
