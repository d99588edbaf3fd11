package dev.isb;

import java.util.Optional;

/**
 * The root of the library's errors: something went wrong with a buffer or the ISB service, as opposed
 * to a caller's misuse (which raises {@link IllegalArgumentException}, {@link IllegalStateException} or
 * {@link NullPointerException}). Unchecked; the client library's own exception, if any, is the cause.
 */
public abstract sealed class IsbException extends RuntimeException
    permits BufferFullException, BufferNotFoundException, MessageDecodeException, IsbBackendException,
        IsbConfigException {

  private static final long serialVersionUID = 1L;

  private final String buffer;
  private final boolean retryable;

  IsbException(String buffer, String message, boolean retryable, Throwable cause) {
    super(buffer == null ? message : "buffer '" + buffer + "': " + message, cause);
    this.buffer = buffer;
    this.retryable = retryable;
  }

  /** The buffer the error is about, when it is about one. */
  public Optional<String> buffer() {
    return Optional.ofNullable(buffer);
  }

  /** Whether the same call may succeed if made again. */
  public boolean retryable() {
    return retryable;
  }
}
