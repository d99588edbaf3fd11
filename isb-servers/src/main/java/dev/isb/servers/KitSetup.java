package dev.isb.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Several server processes of the kit that work together, in one directory with one {@link
 * FaultJournal}: what {@link NatsCluster}, {@link RedisCluster} and {@link RedisSentinel} share. A
 * subclass says what "healthy" means for it and adds its own queries and faults.
 *
 * <p>Thread-safe.
 *
 * @param <S> the kind of server the setup runs
 */
public abstract sealed class KitSetup<S extends KitServer> implements AutoCloseable
    permits NatsCluster, RedisCluster, RedisSentinel {

  /** How often a setup asks its processes while it waits for a state. */
  static final Duration POLL = Duration.ofMillis(100);

  private final Path dir;
  private final List<S> processes;
  private final FaultJournal journal;
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * Journals every process in {@code dir/journal.txt}.
   *
   * @param processes every process of the setup, in the order the journal describes them
   */
  KitSetup(Path dir, List<S> processes) {
    this.dir = dir;
    this.processes = List.copyOf(processes);
    this.journal = new FaultJournal(dir.resolve("journal.txt"), this::describeStates);
    this.processes.forEach(process -> process.journalTo(journal));
  }

  /** Every process of the setup. */
  public List<S> processes() {
    return processes;
  }

  /** The number of processes: a cluster's nodes, masters and replicas. */
  public int size() {
    return processes.size();
  }

  /**
   * One process, to read its address or inject faults into it.
   *
   * @param index from 0 to {@code size() - 1}, in the order the processes were created
   * @return the process
   */
  public S node(int index) {
    Objects.checkIndex(index, processes.size());
    return processes.get(index);
  }

  /** The directory of all processes, with {@code journal.txt}. */
  public Path dir() {
    return dir;
  }

  /** The faults injected into this setup's processes, with their state around each. */
  public FaultJournal journal() {
    return journal;
  }

  /**
   * Whether every process runs unpaused and the setup is whole and agreed within {@code timeout}:
   * what a test may expect of a setup it did not fault itself.
   */
  public abstract boolean isHealthy(Duration timeout);

  /** Kills every process and deletes their directories; idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      closeAll(closingOrder(), dir);
    }
  }

  /** The processes in the order {@link #close()} kills them. */
  List<S> closingOrder() {
    return processes;
  }

  private String describeStates() {
    return processes.stream().map(KitServer::describeState).collect(Collectors.joining("\n"));
  }

  /**
   * Starts a setup on {@code portCount} free ports of 127.0.0.1 in a fresh temp directory, with
   * TLS material in its {@code tls} directory when the options ask for TLS. When the start fails,
   * every process in {@code built} is closed, the last built first, and the directory deleted;
   * when a port turned out taken, it all begins again on other ports (see {@link
   * ServerProcess#startOnFreePorts}).
   */
  static <T> T startOnFreePorts(
      String what, String dirPrefix, int portCount, CommonOptions common, Formation<T> formation) {
    return ServerProcess.startOnFreePorts(
        what,
        portCount,
        ports -> {
          Path dir = tempDir(dirPrefix);
          List<KitServer> built = new ArrayList<>();
          try {
            TestCertificates certificates =
                common.tls() ? TestCertificates.create(dir.resolve("tls"), common.serverNames()) : null;
            return formation.form(dir, ports, certificates, built);
          } catch (RuntimeException e) {
            // In reverse: what watches (a sentinel) goes before what it watches.
            List<KitServer> reversed = new ArrayList<>(built);
            Collections.reverse(reversed);
            try {
              closeAll(reversed, dir);
            } catch (RuntimeException cleanup) {
              e.addSuppressed(cleanup);
            }
            throw e;
          }
        });
  }

  /** Builds and starts a setup in {@code dir}, adding each process to {@code built} as it creates it. */
  interface Formation<T> {
    T form(Path dir, int[] ports, TestCertificates certificates, List<KitServer> built);
  }

  /**
   * Creates {@code count} servers with {@code create}, given 0 to {@code count - 1}, adding each to
   * {@code built} as soon as it exists, so that a failed start closes it.
   */
  static <S extends KitServer> List<S> createServers(
      int count, List<KitServer> built, IntFunction<S> create) {
    List<S> servers = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      S server = create.apply(i);
      built.add(server);
      servers.add(server);
    }
    return servers;
  }

  /** Launches every server at once (cluster nodes wait for each other), then waits for each. */
  static void launchAll(List<? extends KitServer> servers, long deadlineNanos) {
    servers.forEach(KitServer::launch);
    servers.forEach(server -> server.awaitReady(deadlineNanos));
  }

  /**
   * Polls {@code probe} until it finds something or the deadline passes.
   *
   * @return what it found, or empty at the deadline
   */
  static <T> Optional<T> awaitFound(long deadlineNanos, Supplier<Optional<T>> probe) {
    while (true) {
      Optional<T> found = probe.get();
      if (found.isPresent() || System.nanoTime() - deadlineNanos > 0) {
        return found;
      }
      LockSupport.parkNanos(POLL.toNanos());
    }
  }

  /** Polls {@code condition} until it holds, or the deadline passes; returns whether it held. */
  static boolean awaitTrue(long deadlineNanos, BooleanSupplier condition) {
    return awaitFound(deadlineNanos, () -> Optional.of(true).filter(t -> condition.getAsBoolean()))
        .isPresent();
  }

  /** The deadline {@code timeout} from now, in {@link System#nanoTime()} terms. */
  static long deadlineIn(Duration timeout) {
    return System.nanoTime() + timeout.toNanos();
  }

  /** What is left until {@code deadlineNanos}, at least {@code floorNanos}. */
  static Duration remaining(long deadlineNanos, long floorNanos) {
    return Duration.ofNanos(Math.max(floorNanos, deadlineNanos - System.nanoTime()));
  }

  static Path tempDir(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException("could not create a temp directory", e);
    }
  }

  /**
   * Closes every server, then deletes {@code dir}, going on past failures.
   *
   * @throws RuntimeException the first failure, with the later ones suppressed
   */
  static void closeAll(List<? extends KitServer> servers, Path dir) {
    RuntimeException failure = null;
    for (KitServer server : servers) {
      try {
        server.close();
      } catch (RuntimeException e) {
        failure = firstOf(failure, e);
      }
    }
    try {
      ServerProcess.deleteRecursively(dir);
    } catch (RuntimeException e) {
      failure = firstOf(failure, e);
    }
    if (failure != null) {
      throw failure;
    }
  }

  private static RuntimeException firstOf(RuntimeException first, RuntimeException next) {
    if (first == null) {
      return next;
    }
    first.addSuppressed(next);
    return first;
  }
}
