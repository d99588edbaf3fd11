package dev.isb.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * One real server process of the kit, on a port of 127.0.0.1, with its configuration file, log
 * file and data in a directory of its own: what {@link NatsServer} and {@link RedisServer} share.
 * It holds the TLS material a client needs, and injects faults with {@link #kill()}, {@link
 * #stop()}, {@link #restart()}, {@link #pause()} and {@link #resume()}, each recorded in the
 * setup's {@link FaultJournal}. A subclass writes only its configuration, says when it is ready
 * and describes its state.
 *
 * <p>Thread-safe: the process control methods are synchronized on the process.
 */
public abstract sealed class KitServer implements KitProcess, ClientTls, AutoCloseable
    permits NatsServer, RedisServer {

  private static final Duration STOP_GRACE = Duration.ofSeconds(10);

  private final String name;
  private final Path dir;
  private final Path configFile;
  private final int port;
  private final CommonOptions common;
  private final TestCertificates certificates;
  private final ServerProcess process;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile FaultJournal journal = FaultJournal.NONE;

  /**
   * Creates {@code dir}; the subclass then writes {@code configFile} with {@link
   * #writeConfig(String)}.
   *
   * @param certificates the TLS material, null without TLS
   * @param process the command that runs the server with {@code configFile}, not yet launched
   */
  KitServer(
      String name,
      Path dir,
      Path configFile,
      int port,
      CommonOptions common,
      TestCertificates certificates,
      ServerProcess process) {
    this.name = name;
    this.dir = dir;
    this.configFile = configFile;
    this.port = port;
    this.common = common;
    this.certificates = certificates;
    this.process = process;
    createDirectories(dir);
  }

  /** The port clients connect to on 127.0.0.1; it stays the same across {@link #restart()}. */
  public int port() {
    return port;
  }

  /** The server's directory: configuration, log, data and, for a server alone, {@code journal.txt}. */
  public Path dir() {
    return dir;
  }

  /** The configuration file the server runs with. */
  public Path configFile() {
    return configFile;
  }

  /** The file that receives the server's log, across restarts. */
  @Override
  public Path logFile() {
    return process.logFile();
  }

  /** Whether clients must use TLS. */
  public boolean tls() {
    return common.tls();
  }

  /** Whether clients must also present a certificate signed by the test CA (mutual TLS). */
  public boolean mutualTls() {
    return common.mutualTls();
  }

  /** Whether the process is running (a paused process is running). */
  @Override
  public boolean isRunning() {
    return process.isAlive();
  }

  /** Whether the process is frozen by {@link #pause()}. */
  @Override
  public boolean isPaused() {
    return process.isPaused();
  }

  /** Whether the process runs and is not paused, so that it can answer. */
  public boolean isResponsive() {
    return process.isAlive() && !process.isPaused();
  }

  /** Kills the process with SIGKILL and waits for it to exit; a no-op when it is not running. */
  public void kill() {
    fault("kill -9", process::kill);
  }

  /**
   * Stops the process with SIGTERM (the server flushes what it stores and exits cleanly) and waits
   * for it to exit; a no-op when it is not running.
   */
  public void stop() {
    fault("stop (SIGTERM)", () -> process.stop(STOP_GRACE));
  }

  /**
   * Starts the server again on the same port, with the same configuration file and data, stopping
   * it first if it runs, and waits until it is ready.
   *
   * @throws IllegalStateException if it does not become ready in time, with the tail of its log
   */
  @Override
  public synchronized void restart() {
    fault(
        "restart",
        () -> {
          process.stop(STOP_GRACE);
          process.launch();
          awaitReady(deadline());
        });
  }

  /**
   * Freezes the process with SIGSTOP: connections stay open and new ones are accepted by the
   * kernel, but the server answers nothing until {@link #resume()}. In a cluster or sentinel setup
   * the other nodes soon consider it down.
   *
   * @throws IllegalStateException if the server is not running
   */
  public void pause() {
    fault("pause (SIGSTOP)", process::pause);
  }

  /**
   * Thaws the process with SIGCONT after {@link #pause()}.
   *
   * @throws IllegalStateException if the server is not running
   */
  @Override
  public void resume() {
    fault("resume (SIGCONT)", process::resume);
  }

  /** Kills the process and deletes its directory with its data and log; idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      process.kill();
    } finally {
      ServerProcess.deleteRecursively(dir);
    }
  }

  /** The server's name in the kit, as logs and the journal show it. */
  @Override
  public String processName() {
    return name;
  }

  /** Where this server's faults are recorded. */
  @Override
  public FaultJournal journal() {
    return journal;
  }

  /** Records this server's faults, with the state of its setup around each, in {@code journal}. */
  void journalTo(FaultJournal journal) {
    this.journal = journal;
  }

  /**
   * This server's state for a {@link FaultJournal}, after its name and port: whether it runs, and
   * what it says of itself when it answers. Never throws.
   */
  final String describeState() {
    return describe(this::describeLiveState);
  }

  /** Its name and port, then {@link #stateOr}, for messages. */
  final String describe(Supplier<String> whenResponsive) {
    return name + " (" + port + "): " + stateOr(whenResponsive);
  }

  /** "not running", "paused", or else what {@code whenResponsive} says, for messages. */
  final String stateOr(Supplier<String> whenResponsive) {
    return !isRunning() ? "not running" : isPaused() ? "paused" : whenResponsive.get();
  }

  /** What a running, unpaused server says of itself, for the journal; must not throw. */
  abstract String describeLiveState();

  /** The log line that says the server is ready. */
  abstract String readyMarker();

  /** A protocol-level check that the server answers, polled once it logged that it is ready. */
  boolean answers() {
    return true;
  }

  /** Launches the process without waiting; see {@link #awaitReady(long)}. */
  void launch() {
    process.launch();
  }

  /** Waits until the server logged that it is ready, accepts connections and {@link #answers()}. */
  void awaitReady(long deadlineNanos) {
    process.awaitReady(readyMarker(), port, deadlineNanos, this::answers);
  }

  /** The start deadline of a start or restart beginning now. */
  long deadline() {
    return common.deadline();
  }

  /** The TLS material, or null without TLS, for the configuration file. */
  TestCertificates certificatesOrNull() {
    return certificates;
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalStateException if the server has no TLS
   */
  @Override
  public TestCertificates certificates() {
    if (certificates == null) {
      throw new IllegalStateException(this + " has no TLS; build it with tls()");
    }
    return certificates;
  }

  /** Writes the configuration file, called once by the subclass's constructor. */
  final void writeConfig(String config) {
    try {
      Files.writeString(configFile, config, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the configuration " + configFile, e);
    }
  }

  static void createDirectories(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("could not create " + dir, e);
    }
  }

  /**
   * Starts one server, with a journal of its own, on free ports in a fresh temp directory; see
   * {@link KitSetup#startOnFreePorts}.
   */
  static <S extends KitServer> S startAlone(
      String what, String dirPrefix, int portCount, CommonOptions common, Alone<S> create) {
    return KitSetup.startOnFreePorts(
        what,
        dirPrefix,
        portCount,
        common,
        (dir, ports, certificates, built) -> {
          S server = create.create(dir, ports, certificates);
          built.add(server);
          server.journalTo(new FaultJournal(dir.resolve("journal.txt"), server::describeState));
          KitSetup.launchAll(List.of(server), server.deadline());
          return server;
        });
  }

  /** Creates a server alone in {@code dir}, without starting it. */
  interface Alone<S extends KitServer> {
    S create(Path dir, int[] ports, TestCertificates certificates);
  }

  /** Runs {@code action} on the open server, recorded in the journal as {@code what} it does to this server. */
  private void fault(String what, Runnable action) {
    if (closed.get()) {
      throw new IllegalStateException(this + " is closed");
    }
    journal.around(name + ": " + what, action);
  }
}
