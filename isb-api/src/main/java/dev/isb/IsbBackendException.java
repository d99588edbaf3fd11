package dev.isb;

import java.util.Optional;

/**
 * The ISB service or the connection to it failed a call: a timeout, a disconnect, a server error.
 * Whether the call may be retried is in {@link #retryable()}; the backend's error code, when it has
 * one (a JetStream API error code, a Redis error prefix), is in {@link #code()}.
 */
public final class IsbBackendException extends IsbException {

  private static final long serialVersionUID = 1L;

  private final String code;

  /**
   * @param buffer the buffer the call was about, or null
   * @param code the backend's error code, or null
   * @param message what failed
   * @param retryable whether the same call may succeed later
   * @param cause the client library's exception, or null
   */
  public IsbBackendException(String buffer, String code, String message, boolean retryable, Throwable cause) {
    super(buffer, code == null ? message : message + " [" + code + "]", retryable, cause);
    this.code = code;
  }

  /** The backend's error code, when it gave one. */
  public Optional<String> code() {
    return Optional.ofNullable(code);
  }
}
