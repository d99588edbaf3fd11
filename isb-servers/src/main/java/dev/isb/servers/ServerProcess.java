package dev.isb.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * One local server process (nats-server, redis-server) started from a fixed command line,
 * its output appended to a log file so that a restart keeps the earlier history. Thread-safe: the
 * control methods are synchronized.
 *
 * <p>Every live process is also registered with a JVM shutdown hook that kills it, the last resort
 * when a test run ends without closing what it started.
 */
final class ServerProcess {

  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
  private static final Duration POLL = Duration.ofMillis(20);
  private static final Duration EXIT_WAIT = Duration.ofSeconds(10);
  private static final int START_ATTEMPTS = 5;

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(() -> LIVE.forEach(Process::destroyForcibly), "isb-testkit-process-reaper"));
  }

  private final String name;
  private final List<String> command;
  private final Path workDir;
  private final Path logFile;
  private Process process;
  private boolean paused;
  private long logOffset;

  ServerProcess(String name, List<String> command, Path workDir, Path logFile) {
    this.name = name;
    this.command = List.copyOf(command);
    this.workDir = workDir;
    this.logFile = logFile;
  }

  /** Starts the process; its output goes to the end of the log file. */
  synchronized void launch() {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException(name + " is already running (pid " + process.pid() + ")");
    }
    try {
      logOffset = Files.exists(logFile) ? Files.size(logFile) : 0;
      process =
          new ProcessBuilder(command)
              .directory(workDir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start " + name + ": " + String.join(" ", command), e);
    }
    LIVE.add(process);
    paused = false;
  }

  /**
   * Waits until the log written since the last {@link #launch()} contains {@code readyMarker} and
   * {@code port} on 127.0.0.1 accepts connections.
   *
   * @throws StartFailure if the process exits or the deadline passes first; the message has the log tail
   */
  void awaitReady(String readyMarker, int port, long deadlineNanos) {
    awaitReady(readyMarker, port, deadlineNanos, () -> true);
  }

  /**
   * Waits as {@link #awaitReady(String, int, long)} does, and then also until {@code probe} (a
   * protocol-level check such as a PING) returns true; the probe is polled and must not throw.
   */
  void awaitReady(String readyMarker, int port, long deadlineNanos, BooleanSupplier probe) {
    Process p;
    synchronized (this) {
      p = process;
    }
    while (true) {
      if (!p.isAlive()) {
        throw new StartFailure(
            name + " exited with code " + p.exitValue() + " before it was ready", logSinceLaunch());
      }
      if (logSinceLaunch().contains(readyMarker) && canConnect(port) && probe.getAsBoolean()) {
        return;
      }
      if (System.nanoTime() - deadlineNanos > 0) {
        throw new StartFailure(
            name + " did not log '" + readyMarker + "' and answer on port " + port + " in time",
            logSinceLaunch());
      }
      LockSupport.parkNanos(POLL.toNanos());
    }
  }

  /** Kills the process with SIGKILL and waits for it to exit; a no-op when it is not running. */
  synchronized void kill() {
    if (process == null) {
      return;
    }
    process.destroyForcibly();
    awaitExit(process);
    LIVE.remove(process);
    paused = false;
  }

  /** Stops the process with SIGTERM and waits for it to exit, killing it after {@code grace}. */
  synchronized void stop(Duration grace) {
    if (process == null || !process.isAlive()) {
      return;
    }
    if (paused) {
      resume(); // a stopped process would hold SIGTERM pending forever
    }
    process.destroy();
    try {
      if (!process.waitFor(grace.toNanos(), TimeUnit.NANOSECONDS)) {
        process.destroyForcibly();
        awaitExit(process);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    LIVE.remove(process);
    paused = false;
  }

  /** Freezes the process with SIGSTOP: its sockets stay open but it answers nothing. */
  synchronized void pause() {
    requireRunning("pause");
    signal("STOP");
    awaitCondition(() -> processState() == 'T' || processState() == 't' || processState() == '?');
    paused = true;
  }

  /** Thaws a process frozen by {@link #pause()} with SIGCONT. */
  synchronized void resume() {
    requireRunning("resume");
    signal("CONT");
    awaitCondition(() -> processState() != 'T' && processState() != 't');
    paused = false;
  }

  /** The file that receives the process's output, across launches. */
  Path logFile() {
    return logFile;
  }

  synchronized boolean isAlive() {
    return process != null && process.isAlive();
  }

  synchronized boolean isPaused() {
    return paused && isAlive();
  }

  private String logSinceLaunch() {
    long from;
    synchronized (this) {
      from = logOffset;
    }
    try (SeekableByteChannel ch = Files.newByteChannel(logFile)) {
      long size = ch.size();
      if (size <= from) {
        return "";
      }
      ByteBuffer buf = ByteBuffer.allocate((int) Math.min(size - from, 4 << 20));
      ch.position(from);
      while (buf.hasRemaining() && ch.read(buf) > 0) {
        // read up to the end
      }
      return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void requireRunning(String action) {
    if (process == null || !process.isAlive()) {
      throw new IllegalStateException("cannot " + action + " " + name + ": it is not running");
    }
  }

  private void signal(String signal) {
    try {
      Process kill =
          new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!kill.waitFor(EXIT_WAIT.toNanos(), TimeUnit.NANOSECONDS) || kill.exitValue() != 0) {
        kill.destroyForcibly();
        throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not run kill -" + signal, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while sending SIG" + signal + " to " + name, e);
    }
  }

  /** The state letter of /proc/[pid]/stat ('T' when stopped), or '?' where /proc is unavailable. */
  private char processState() {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
      int close = stat.lastIndexOf(')');
      return close >= 0 && close + 2 < stat.length() ? stat.charAt(close + 2) : '?';
    } catch (IOException | RuntimeException e) {
      return '?';
    }
  }

  private void awaitCondition(BooleanSupplier condition) {
    long deadline = System.nanoTime() + EXIT_WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException(name + " did not change state after a signal in time");
      }
      LockSupport.parkNanos(POLL.toNanos());
    }
  }

  private void awaitExit(Process p) {
    try {
      if (!p.waitFor(EXIT_WAIT.toNanos(), TimeUnit.NANOSECONDS)) {
        throw new IllegalStateException(name + " (pid " + p.pid() + ") did not exit after SIGKILL");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for " + name + " to exit", e);
    }
  }

  /** Whether something accepts TCP connections on 127.0.0.1:{@code port}. */
  static boolean canConnect(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Picks {@code count} distinct ports that are free on 127.0.0.1 right now. Another process may take
   * one before the server binds it, so callers retry on "address already in use".
   */
  static int[] freePorts(int count) {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      int[] ports = new int[count];
      for (int i = 0; i < count; i++) {
        ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        sockets.add(socket);
        ports[i] = socket.getLocalPort();
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException("could not find free ports on 127.0.0.1", e);
    } finally {
      for (ServerSocket socket : sockets) {
        try {
          socket.close();
        } catch (IOException e) {
          // nothing was bound through it; the port frees itself
        }
      }
    }
  }

  /**
   * Starts {@code what} on {@code count} ports picked free, and again on others when one turns out
   * taken (another process bound it between the pick and the server's bind), at most {@value
   * #START_ATTEMPTS} times. {@code start} must clean up whatever it built before it throws.
   *
   * @throws IllegalStateException if the ports were taken every time, with each failure suppressed
   */
  static <T> T startOnFreePorts(String what, int count, Function<int[], T> start) {
    List<RuntimeException> taken = new ArrayList<>();
    for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      try {
        return start.apply(freePorts(count));
      } catch (StartFailure e) {
        if (!e.addressInUse()) {
          throw e;
        }
        taken.add(e);
      }
    }
    IllegalStateException e =
        new IllegalStateException(what + " found its ports taken " + START_ATTEMPTS + " times");
    taken.forEach(e::addSuppressed);
    throw e;
  }

  /** Deletes a directory tree; a no-op when it does not exist. */
  static void deleteRecursively(Path root) {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try {
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.deleteIfExists(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc)
                throws IOException {
              Files.deleteIfExists(dir);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete " + root, e);
    }
  }

  /** The server did not become ready; carries the tail of its log. */
  static final class StartFailure extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final boolean addressInUse;

    StartFailure(String message, String log) {
      super(message + "\n--- last lines of its log ---\n" + tail(log, 40));
      this.addressInUse = log.toLowerCase(Locale.ROOT).contains("address already in use");
    }

    /** Whether the log shows that a port was taken, so a retry with other ports may succeed. */
    boolean addressInUse() {
      return addressInUse;
    }

    private static String tail(String log, int lines) {
      String[] all = log.split("\n", -1);
      int from = Math.max(0, all.length - lines);
      return String.join("\n", Arrays.asList(all).subList(from, all.length)).strip();
    }
  }
}
