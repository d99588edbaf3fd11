package dev.isb.redis;

import dev.isb.BufferNotFoundException;
import dev.isb.IsbBackendException;
import dev.isb.IsbException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/** Turns lettuce's exceptions into the library's, keeping them as the cause. */
final class RedisErrors {

  private RedisErrors() {}

  /** The error's code: the first word of a Redis error reply ({@code NOGROUP}, {@code ERR}, {@code NOPERM}). */
  static String code(Throwable e) {
    String message = e.getMessage() == null ? "" : e.getMessage();
    int space = message.indexOf(' ');
    String first = space < 0 ? message : message.substring(0, space);
    return first.chars().allMatch(c -> c >= 'A' && c <= 'Z') && !first.isEmpty() ? first : null;
  }

  /** The library exception for a failed call about {@code buffer}; a stage's {@link CompletionException} is looked inside. */
  static IsbException translate(String buffer, String what, Throwable failure) {
    Throwable e = failure instanceof CompletionException c && c.getCause() != null ? c.getCause() : failure;
    if (e instanceof IsbException isb) {
      return isb;
    }
    if (e instanceof RedisCommandExecutionException command) {
      String code = code(command);
      if ("NOGROUP".equals(code)) {
        return new BufferNotFoundException(buffer, command);
      }
      // Redis answered with an error: retrying the same command gets the same answer, except while a
      // cluster or a replica is changing hands.
      boolean transientState = "LOADING".equals(code) || "TRYAGAIN".equals(code) || "CLUSTERDOWN".equals(code)
          || "MASTERDOWN".equals(code) || "READONLY".equals(code);
      return new IsbBackendException(buffer, code, what + " failed: " + command.getMessage(), transientState, command);
    }
    if (e instanceof RedisCommandTimeoutException || e instanceof TimeoutException) {
      return new IsbBackendException(buffer, null, what + " timed out", true, e);
    }
    if (e instanceof RedisCommandInterruptedException) {
      Thread.currentThread().interrupt();
      return new IsbBackendException(buffer, null, what + " was interrupted", true, e);
    }
    if (e instanceof RedisConnectionException || e instanceof RedisException) {
      return new IsbBackendException(buffer, null, what + " failed: " + e.getMessage(), true, e);
    }
    if (e instanceof CancellationException) {
      // Lettuce cancels the commands of a connection it closes, as after a fail-over: the command may
      // or may not have run, and a retry is safe (writes are de-duplicated).
      return new IsbBackendException(buffer, null, what + " was cancelled: its connection was closed", true, e);
    }
    return new IsbBackendException(buffer, null, what + " failed: " + e, false, e);
  }

  /** Runs a call and translates its failure; caller misuse passes through. */
  static <T> T call(String buffer, String what, Supplier<T> call) {
    try {
      return call.get();
    } catch (CancellationException cutOff) {
      throw translate(buffer, what, cutOff); // an IllegalStateException, but no misuse
    } catch (IllegalArgumentException | NullPointerException | IllegalStateException misuse) {
      throw misuse;
    } catch (RuntimeException e) {
      throw translate(buffer, what, e);
    }
  }
}
