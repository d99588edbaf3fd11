package dev.isb.testkit;

import dev.isb.servers.ClientTls;
import dev.isb.servers.FaultJournal;
import dev.isb.servers.KitOptions;
import dev.isb.servers.KitServer;
import dev.isb.servers.KitSetup;
import dev.isb.servers.LocalBinaries;
import dev.isb.servers.TestCertificates;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * What the server extensions share: the life of what one runs for the tests of one class (started
 * before the first, made healthy before each, diagnosed when one fails, see {@link
 * ServerDiagnostics}, closed after the last), where it comes from (a local binary, else Docker,
 * else the class is disabled with the reason), the {@code with…} methods every server has, the TLS
 * material, and the test parameter. docs/testing.md says why each test gets a healthy setup rather
 * than a new one.
 *
 * @param <E> the extension itself, which each {@code with…} method returns anew
 * @param <O> the options of the servers it runs
 */
abstract class ServerExtensionBase<E extends ServerExtensionBase<E, O>, O extends KitOptions<O>>
    implements BeforeAllCallback,
        BeforeEachCallback,
        AfterAllCallback,
        TestExecutionExceptionHandler,
        LifecycleMethodExecutionExceptionHandler,
        ExecutionCondition,
        ClientTls,
        ParameterResolver {

  /**
   * How long a cluster or sentinel setup may take to be healthy again before a test, after the test
   * before it faulted it (a restarted node resyncing, sentinels converting an old master, a meta
   * leader being elected), before the extension gives up on it and builds a new one.
   */
  static final Duration HEALTHY_WITHIN = Duration.ofSeconds(30);

  /** The options of the servers, without the binary, which is looked for at start. */
  final O options;

  private final Program program;
  private final Object lock = new Object();
  private volatile Running running;
  private String owner;

  /**
   * The program an extension runs, for the messages that say how to get it.
   *
   * @param binary the binary's name, which is also its Debian package's
   * @param envVar the environment variable that may name the binary
   * @param dockerRuns what runs in Docker, such as "single server"
   * @param dockerLacks what needs a local binary, such as "clusters, TLS or authentication"
   */
  record Program(String binary, String envVar, String dockerRuns, String dockerLacks) {}

  ServerExtensionBase(Program program, O options) {
    this.program = program;
    this.options = options;
  }

  /** An unstarted extension like this one, with other options. */
  abstract E with(O changed);

  /** Starts a local server or setup from the binary in {@code local}. */
  abstract AutoCloseable startLocal(O local);

  /** Starts a plain server in Docker. */
  abstract AutoCloseable startInDocker();

  /** Whether what this extension runs is what the Docker image runs. */
  abstract boolean runsInDocker();

  /** The type of the test parameter this extension resolves: the class of what it runs. */
  abstract Class<?> parameterType();

  /** Why what this extension runs cannot run here although the binary is present, if so. */
  Optional<String> unavailableWithBinary() {
    return Optional.empty();
  }

  /** This extension with TLS required of clients (certificates from a CA generated per run). */
  public E withTls() {
    return with(options.withTls(false));
  }

  /** This extension with TLS and a client certificate required (see {@link #clientSslContext()}). */
  public E withMutualTls() {
    return with(options.withTls(true));
  }

  /**
   * This extension with servers whose certificate names only {@code names} (host names or IP
   * addresses; default {@code localhost} and {@code 127.0.0.1}), for tests of host-name
   * verification.
   *
   * @param names at least one name
   * @return a new extension
   */
  public E withServerNames(String... names) {
    return with(options.withServerNames(List.of(names)));
  }

  /**
   * This extension waiting longer (or shorter) for servers to start (default 20 s).
   *
   * @param timeout a positive duration
   * @return a new extension
   */
  public E withStartTimeout(Duration timeout) {
    return with(options.withStartTimeout(timeout));
  }

  /** Whether clients must use TLS. */
  public boolean tls() {
    return options.tls();
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalStateException if there is no TLS, or the extension has not started
   */
  @Override
  public TestCertificates certificates() {
    return anyProcess().certificates();
  }

  /**
   * Disables the class (and each test), with the reason, when there is no way to run this variant:
   * no binary, and no Docker engine or a variant that Docker does not run here.
   *
   * @throws IllegalStateException if the binary's environment variable names no executable file
   */
  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    return unavailableReason()
        .map(ConditionEvaluationResult::disabled)
        .orElseGet(() -> ConditionEvaluationResult.enabled(program.binary() + " can run"));
  }

  /** Supports a parameter of the type of what this extension runs. */
  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == parameterType();
  }

  /** Resolves what runs; aborts the test when that is a container, which the kit cannot control. */
  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return local(parameterType(), "this extension runs no " + parameterType().getSimpleName());
  }

  /**
   * What runs now.
   *
   * @throws IllegalStateException if nothing runs: the extension is not registered, or not started
   */
  final Running running() {
    Running r = running;
    if (r == null) {
      throw new IllegalStateException(
          this
              + " is not running: register it with @RegisterExtension on a static field and use"
              + " it from tests");
    }
    return r;
  }

  /**
   * What runs, as a {@code type}.
   *
   * @throws IllegalStateException with {@code otherwise} if something else runs
   */
  final <T> T runningAs(Class<T> type, String otherwise) {
    Object what = running().what;
    if (!type.isInstance(what)) {
      throw new IllegalStateException(otherwise);
    }
    return type.cast(what);
  }

  /** As {@link #runningAs}, but first aborts the test when the server runs in Docker. */
  final <T> T local(Class<T> type, String otherwise) {
    requireLocal(running());
    return runningAs(type, otherwise);
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
      Running setup = running;
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
      Running setup = running;
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

  /** Why nothing can run here, if so; asks Docker only when there is no binary. */
  final Optional<String> unavailableReason() {
    if (options.findBinary().isPresent()) {
      return unavailableWithBinary();
    }
    String binary = program.binary();
    if (!LocalBinaries.dockerAvailable()) {
      return Optional.of(
          "no " + binary + " binary and no Docker engine: set " + program.envVar() + ", put "
              + binary + " on the PATH (Debian: apt-get install " + binary + "), or start a"
              + " Docker engine");
    }
    if (!runsInDocker()) {
      return Optional.of(
          "no " + binary + " binary, and in Docker only a plain " + program.dockerRuns()
              + " runs: set " + program.envVar() + " or put " + binary + " on the PATH for "
              + program.dockerLacks());
    }
    return Optional.empty();
  }

  private Running start() {
    Optional<Path> binary = options.findBinary();
    return new Running(
        binary.isEmpty() ? startInDocker() : startLocal(options.withBinary(binary.get())));
  }

  /** The first process: every process of a setup has the same TLS material. */
  private KitServer anyProcess() {
    Running r = running();
    requireLocal(r);
    return r.processes().get(0);
  }

  private void requireLocal(Running r) {
    if (r.processes().isEmpty()) {
      Assumptions.abort(
          "this test needs a local " + program.binary() + " (it runs in Docker here): set "
              + program.envVar() + " or put " + program.binary() + " on the PATH");
    }
  }

  private Throwable diagnose(ExtensionContext context, Throwable failure) {
    Running setup = running;
    if (setup != null && !setup.processes().isEmpty()) {
      ServerDiagnostics.attach(failure, context, setup.dir(), setup.journal(), setup.processes());
    }
    return failure;
  }

  /**
   * What runs for the tests: a {@link KitServer}, a {@link KitSetup} of several, or a container the
   * kit does not control.
   */
  static final class Running {
    final Object what;

    Running(AutoCloseable what) {
      this.what = what;
    }

    /** The processes the kit controls: none when the server runs in Docker. */
    List<? extends KitServer> processes() {
      if (what instanceof KitServer server) {
        return List.of(server);
      }
      return what instanceof KitSetup<?> setup ? setup.processes() : List.of();
    }

    /**
     * Puts back a single server an earlier test left paused or down and returns true; for a
     * cluster or sentinel setup, whether it is whole and agreed within {@code within}.
     */
    boolean restore(String test, Duration within) {
      if (what instanceof KitServer server) {
        server.restoreBefore(test);
        return true;
      }
      return ((KitSetup<?>) what).isHealthy(within);
    }

    /** The directory that holds every process's files. */
    Path dir() {
      return what instanceof KitServer server ? server.dir() : ((KitSetup<?>) what).dir();
    }

    /** Where the faults are recorded. */
    FaultJournal journal() {
      return what instanceof KitServer server ? server.journal() : ((KitSetup<?>) what).journal();
    }

    /** Kills every process and deletes their files, or stops the container. */
    void close() {
      try {
        ((AutoCloseable) what).close();
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException("could not stop " + what, e);
      }
    }
  }
}
