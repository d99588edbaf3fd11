package dev.isb.vertex;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The moment a closing forwarder stops waiting for its work in flight: from then on, every wait of its
 * threads (backoffs, writes, function calls) ends at once, and what is unfinished is nakked. Thread-safe.
 */
final class ShutdownDeadline {

  private final CountDownLatch passed = new CountDownLatch(1);

  /** Whether the deadline has passed: work in flight must give up and be nakked. */
  boolean passed() {
    return passed.getCount() == 0;
  }

  /** The deadline passes now; every wait ends. */
  void pass() {
    passed.countDown();
  }

  /** Waits {@code wait}, or less when the deadline passes first; keeps an interrupt. */
  void pause(Duration wait) {
    try {
      passed.await(wait.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits for {@code future} until the deadline; true if it completed (normally or not). */
  boolean await(CompletableFuture<?> future) throws InterruptedException {
    while (true) {
      try {
        future.get(10, TimeUnit.MILLISECONDS);
        return true;
      } catch (ExecutionException | CancellationException e) {
        return true;
      } catch (TimeoutException e) {
        if (passed()) {
          return future.isDone();
        }
      }
    }
  }
}
