package dev.isb.memory;

import dev.isb.IsbClient;
import dev.isb.IsbOptions;
import dev.isb.spi.IsbBackend;

/**
 * The {@code memory} backend for {@link IsbClient#open}: URL {@code ""} opens a new private
 * {@link InMemoryIsb}; {@code memory://<name>} a client of the JVM-wide in-memory ISB of that name.
 * Users do not call this class; {@link java.util.ServiceLoader} does.
 */
public final class InMemoryBackend implements IsbBackend {

  /** The backend name. */
  public static final String NAME = "memory";

  private static final String SCHEME = "memory://";

  /** For {@link java.util.ServiceLoader}. */
  public InMemoryBackend() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public IsbClient open(IsbOptions options) {
    String url = options.url();
    if (url.isEmpty()) {
      return InMemoryIsb.create();
    }
    if (!url.startsWith(SCHEME) || url.length() == SCHEME.length()) {
      throw new IllegalArgumentException(
          "url was '" + url + "' but the memory backend takes '' or 'memory://<name>'");
    }
    return InMemoryIsb.named(url.substring(SCHEME.length())).connect();
  }
}
