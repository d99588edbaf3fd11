package dev.isb.cli;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs {@link IsbCli#run} in-process and keeps its exit code and output. {@link Output} lets another
 * thread wait until a run in progress has printed something.
 */
final class CliRun {

  private CliRun() {}

  /** What one run printed and returned. */
  record Result(int exitCode, String out, String err) {
    String all() {
      return out + err;
    }

    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- out\n" + out + "--- err\n" + err;
    }
  }

  static Result run(Map<String, String> env, List<String> args) {
    var out = new Output();
    var err = new Output();
    int code = IsbCli.run(args.toArray(String[]::new), out.stream(), err.stream(), env);
    return new Result(code, out.text(), err.text());
  }

  static Result run(Map<String, String> env, String... args) {
    return run(env, List.of(args));
  }

  /** Joins argument lists. */
  @SafeVarargs
  static List<String> args(List<String>... parts) {
    var all = new ArrayList<String>();
    for (List<String> p : parts) {
      all.addAll(p);
    }
    return all;
  }

  /** A captured stream that can be waited on. Thread-safe. */
  static final class Output {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream stream = new PrintStream(new OutputStream() {
      @Override
      public void write(int b) {
        synchronized (bytes) {
          bytes.write(b);
          bytes.notifyAll();
        }
      }

      @Override
      public void write(byte[] b, int off, int len) {
        synchronized (bytes) {
          bytes.write(b, off, len);
          bytes.notifyAll();
        }
      }
    }, true, UTF_8);

    PrintStream stream() {
      return stream;
    }

    String text() {
      synchronized (bytes) {
        return bytes.toString(UTF_8);
      }
    }

    /** Waits until the text contains {@code expected}; fails after {@code timeout}. */
    void awaitContains(String expected, Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      synchronized (bytes) {
        while (!bytes.toString(UTF_8).contains(expected)) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            throw new AssertionError("no '" + expected + "' within " + timeout + " in:\n" + bytes.toString(UTF_8));
          }
          bytes.wait(Math.max(1, left / 1_000_000));
        }
      }
    }
  }
}
