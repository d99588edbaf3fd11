package dev.isb.jetstream;

import dev.isb.BufferNotFoundException;
import dev.isb.IsbBackendException;
import dev.isb.IsbException;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamStatusException;
import java.io.IOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/** Turns jnats' exceptions into the library's, keeping them as the cause. */
final class JetStreamErrors {

  /** JetStream API error codes this backend acts on. */
  static final int STREAM_NOT_FOUND = 10059;
  static final int CONSUMER_NOT_FOUND = 10014;
  /** "maximum messages exceeded" / "maximum bytes exceeded" under DiscardNew: the stream has no room. */
  static final int MAX_MESSAGES_EXCEEDED = 10077;
  static final int MAX_BYTES_EXCEEDED = 10047;

  private JetStreamErrors() {}

  static boolean isNotFound(Throwable e) {
    return e instanceof JetStreamApiException api
        && (api.getApiErrorCode() == STREAM_NOT_FOUND || api.getApiErrorCode() == CONSUMER_NOT_FOUND
            || api.getErrorCode() == 404)
        || isConsumerDeleted(e);
  }

  /**
   * Whether a pull in progress ended because its consumer was deleted (status 409 "Consumer
   * Deleted"), as it is with its stream: the buffer is gone for its reader, which cannot read again.
   */
  private static boolean isConsumerDeleted(Throwable e) {
    return e instanceof JetStreamStatusException status && status.getStatus().getCode() == 409
        && "Consumer Deleted".equalsIgnoreCase(status.getStatus().getMessage());
  }

  /**
   * Whether a publish found no stream listening on the subject: jnats reports the server's 503 status
   * as an IOException. The stream was deleted, or a clustered stream has no leader for a moment.
   */
  static boolean isNoResponders(Throwable e) {
    Throwable t = unwrap(e);
    return t instanceof IOException && t.getMessage() != null && t.getMessage().contains("503");
  }

  static boolean isNoRoom(Throwable e) {
    return e instanceof JetStreamApiException api
        && (api.getApiErrorCode() == MAX_MESSAGES_EXCEEDED || api.getApiErrorCode() == MAX_BYTES_EXCEEDED);
  }

  /**
   * The cause inside jnats' wrappers: futures wrap in ExecutionException / CompletionException, and
   * {@code publishAsync} completes exceptionally with a plain RuntimeException around the API error.
   */
  static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && (t instanceof ExecutionException || t instanceof CompletionException
        || (t.getClass() == RuntimeException.class
            && (t.getCause() instanceof JetStreamApiException || t.getCause() instanceof IOException)))) {
      t = t.getCause();
    }
    return t;
  }

  /**
   * The library exception for a failed call about {@code buffer}: not-found errors become
   * {@link BufferNotFoundException}; API errors keep their code and are not retryable; I/O errors,
   * timeouts and interruptions are retryable.
   */
  static IsbException translate(String buffer, String what, Throwable error) {
    Throwable e = unwrap(error);
    if (e instanceof IsbException isb) {
      return isb;
    }
    if (isNotFound(e)) {
      return new BufferNotFoundException(buffer, e);
    }
    if (e instanceof JetStreamApiException api) {
      return new IsbBackendException(buffer, Integer.toString(api.getApiErrorCode()),
          what + " failed: " + api.getErrorDescription(), isNoRoom(api), api);
    }
    if (e instanceof JetStreamStatusException status) {
      return new IsbBackendException(buffer, Integer.toString(status.getStatus().getCode()),
          what + " failed: " + status.getStatus().getMessage(), true, status);
    }
    if (e instanceof TimeoutException || e instanceof CancellationException) {
      return new IsbBackendException(buffer, null, what + " timed out", true, e);
    }
    if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
      return new IsbBackendException(buffer, null, what + " was interrupted", true, e);
    }
    if (e instanceof IOException || e instanceof IllegalStateException) {
      // jnats raises IllegalStateException when the connection is closed or reconnecting.
      return new IsbBackendException(buffer, null, what + " failed: " + e.getMessage(), true, e);
    }
    return new IsbBackendException(buffer, null, what + " failed: " + e, false, e);
  }

  /** A call to the JetStream API. */
  @FunctionalInterface
  interface Call<T> {
    T call() throws IOException, JetStreamApiException, InterruptedException, TimeoutException,
        ExecutionException;
  }

  /** Runs a call and translates its failure. */
  static <T> T call(String buffer, String what, Call<T> call) {
    try {
      return call.call();
    } catch (IllegalArgumentException | NullPointerException misuse) {
      throw misuse;
    } catch (IOException | JetStreamApiException | InterruptedException | TimeoutException
        | ExecutionException | RuntimeException e) {
      throw translate(buffer, what, e);
    }
  }
}
