package dev.isb.testkit;

import dev.isb.servers.FaultJournal;
import dev.isb.servers.KitProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * The life of what a server extension runs for the tests of one class: started before the first,
 * made healthy before each, diagnosed when one fails (see {@link ServerDiagnostics}), closed after
 * the last. docs/testing.md says why each test gets a healthy setup rather than a new one.
 *
 * @param <S> what the extension runs
 */
abstract class ServerExtensionBase<S extends ServerExtensionBase.Setup>
    implements BeforeAllCallback,
        BeforeEachCallback,
        AfterAllCallback,
        TestExecutionExceptionHandler,
        LifecycleMethodExecutionExceptionHandler {

  /**
   * How long a cluster or sentinel setup may take to be healthy again before a test, after the test
   * before it faulted it (a restarted node resyncing, sentinels converting an old master, a meta
   * leader being elected), before the extension gives up on it and builds a new one.
   */
  static final Duration HEALTHY_WITHIN = Duration.ofSeconds(30);

  private final Object lock = new Object();
  private volatile S running;
  private String owner;

  /** One running setup: a server, a cluster, a sentinel setup or a container. */
  interface Setup extends AutoCloseable {

    /** The processes the kit controls: none when the setup runs in Docker. */
    List<? extends KitProcess> processes();

    /** The directory that holds every process's files. */
    Path dir();

    /** Where the setup's faults are recorded. */
    FaultJournal journal();

    /**
     * Puts back a single server an earlier test left paused or down and returns true; for a
     * cluster or sentinel setup, whether it is whole and agreed within {@code within}.
     */
    boolean restore(String test, Duration within);

    /** Kills every process and deletes their files. */
    @Override
    void close();
  }

  /** Starts what the extension runs, from a local binary or else in Docker. */
  abstract S start();

  /** Why what the extension runs cannot run here, if so. */
  abstract Optional<String> unavailableReason();

  /**
   * What runs now.
   *
   * @throws IllegalStateException if nothing runs: the extension is not registered, or not started
   */
  final S running() {
    S r = running;
    if (r == null) {
      throw new IllegalStateException(
          this
              + " is not running: register it with @RegisterExtension on a static field and use"
              + " it from tests");
    }
    return r;
  }

  /**
   * Starts the setup, unless it already runs for an enclosing class; aborts the class's tests when
   * there is no way to run it.
   */
  @Override
  public void beforeAll(ExtensionContext context) {
    synchronized (lock) {
      if (running != null) {
        return; // a @Nested class: the outer class's setup serves it too
      }
      unavailableReason().ifPresent(Assumptions::abort);
      owner = context.getUniqueId();
      running = start();
    }
  }

  /**
   * Makes sure the test starts on a healthy setup: a single server that was paused is resumed and
   * one that was killed is restarted (same port and data); a cluster or sentinel setup must be whole
   * and agreed within {@link #HEALTHY_WITHIN}, or it is closed and a new one is started, on new
   * ports. A test that breaks a shared setup, by failing halfway through a fault, thus fails alone.
   */
  @Override
  public void beforeEach(ExtensionContext context) {
    synchronized (lock) {
      S setup = running;
      if (setup == null || setup.processes().isEmpty()) {
        return;
      }
      String test = context.getDisplayName();
      if (!setup.restore(test, HEALTHY_WITHIN)) {
        setup.journal().snapshot("rebuilt before " + test + ": not healthy within " + HEALTHY_WITHIN);
        running = null;
        setup.close();
        running = start();
      }
    }
  }

  /** Stops and deletes what {@link #beforeAll} started, when the class that started it is done. */
  @Override
  public void afterAll(ExtensionContext context) {
    synchronized (lock) {
      S setup = running;
      if (setup == null || !context.getUniqueId().equals(owner)) {
        return;
      }
      running = null;
      setup.close();
    }
  }

  /** Attaches the servers' evidence to a test's failure and keeps a copy of their files. */
  @Override
  public void handleTestExecutionException(ExtensionContext context, Throwable failure)
      throws Throwable {
    throw diagnose(context, failure);
  }

  /** As for a test, for a failure in {@code @BeforeEach}. */
  @Override
  public void handleBeforeEachMethodExecutionException(
      ExtensionContext context, Throwable failure) throws Throwable {
    throw diagnose(context, failure);
  }

  /** As for a test, for a failure in {@code @AfterEach}. */
  @Override
  public void handleAfterEachMethodExecutionException(
      ExtensionContext context, Throwable failure) throws Throwable {
    throw diagnose(context, failure);
  }

  private Throwable diagnose(ExtensionContext context, Throwable failure) {
    S setup = running;
    if (setup != null && !setup.processes().isEmpty()) {
      ServerDiagnostics.attach(failure, context, setup.dir(), setup.journal(), setup.processes());
    }
    return failure;
  }
}
