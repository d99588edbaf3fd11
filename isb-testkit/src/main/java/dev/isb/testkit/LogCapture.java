package dev.isb.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Everything the code under test says while a capture runs, as text to search for secrets: every
 * {@code java.util.logging} record at every level (where {@code System.Logger}, jnats' listener
 * through the backend, and SLF4J with {@code slf4j-jdk14} end up), with its parameters and the
 * stack trace of its exception (causes and suppressed exceptions included), and everything written
 * to {@code System.out} and {@code System.err}. Tests add what they print themselves (an error, a
 * {@code toString()}) with {@link #note}.
 *
 * <p>{@link #start()} sets the root logger and the libraries' loggers to {@code ALL};
 * {@link #close()} restores their levels and the standard streams. Records may arrive from any
 * thread; start and close from one.
 */
public final class LogCapture implements AutoCloseable {

  /** The root and the loggers of the code that may handle secrets, in case one was configured. */
  private static final List<String> LOGGERS =
      List.of("", "dev.isb", "io.nats", "io.lettuce", "io.netty", "reactor", "javax.net.ssl");

  private final StringBuffer text = new StringBuffer();
  private final Map<Logger, Level> levels = new LinkedHashMap<>();
  private final Handler handler = new Collector();
  private final PrintStream out = System.out;
  private final PrintStream err = System.err;

  private LogCapture() {}

  /** Starts capturing at every level. */
  public static LogCapture start() {
    return start(Map.of());
  }

  /**
   * Starts capturing at every level, except that the loggers named in {@code exceptions} are set to
   * the levels given there (and restored by {@link #close()} too).
   */
  public static LogCapture start(Map<String, Level> exceptions) {
    LogCapture capture = new LogCapture();
    for (String name : LOGGERS) {
      capture.setLevel(name, Level.ALL);
    }
    exceptions.forEach(capture::setLevel);
    Logger.getLogger("").addHandler(capture.handler);
    System.setOut(new PrintStream(new Tee(capture.out, capture.text, "stdout"), true, UTF_8));
    System.setErr(new PrintStream(new Tee(capture.err, capture.text, "stderr"), true, UTF_8));
    return capture;
  }

  private void setLevel(String name, Level level) {
    Logger logger = Logger.getLogger(name);
    levels.putIfAbsent(logger, logger.getLevel());
    logger.setLevel(level);
  }

  /** Where the text ends now, for {@link #textSince}. */
  public int mark() {
    return text.length();
  }

  /** Everything captured since {@code mark}. */
  public String textSince(int mark) {
    return text.substring(Math.min(mark, text.length()));
  }

  /** Adds what a test printed itself, such as {@code options.toString()}, to the searched text. */
  public void note(String label, Object printed) {
    text.append("[note ").append(label).append("] ").append(printed).append('\n');
  }

  /**
   * Adds a failure as a user would see it: its {@code toString()}, message and stack trace with
   * every cause and suppressed exception.
   */
  public void note(Throwable failure) {
    if (failure != null) {
      note("failure", failure + " / " + failure.getMessage() + "\n" + stackTrace(failure));
    }
  }

  /**
   * Fails if any of the secrets occurs in the text since {@code mark}, showing the lines that hold
   * one with the secret itself replaced by {@code <secret N>}.
   */
  public void assertNoSecret(int mark, List<String> secrets) {
    String captured = textSince(mark);
    List<String> leaks = new ArrayList<>();
    for (String line : captured.split("\n")) {
      String shown = line;
      for (int i = 0; i < secrets.size(); i++) {
        shown = shown.replace(secrets.get(i), "<secret " + i + ">");
      }
      if (!shown.equals(line)) {
        leaks.add(shown.strip());
      }
    }
    if (!leaks.isEmpty()) {
      throw new AssertionError(leaks.size() + " captured line(s) hold a secret:\n  "
          + String.join("\n  ", leaks.subList(0, Math.min(20, leaks.size()))));
    }
  }

  /** Restores the loggers' levels and the standard streams. */
  @Override
  public void close() {
    Logger.getLogger("").removeHandler(handler);
    levels.forEach(Logger::setLevel);
    System.setOut(out);
    System.setErr(err);
  }

  /** The stack trace of {@code failure}, causes and suppressed exceptions included, as text. */
  public static String stackTrace(Throwable failure) {
    StringWriter trace = new StringWriter();
    failure.printStackTrace(new PrintWriter(trace));
    return trace.toString();
  }

  /** Turns each record into text: level, logger, formatted and raw message, parameters, stack. */
  private final class Collector extends Handler {
    private final SimpleFormatter formatter = new SimpleFormatter();

    Collector() {
      setLevel(Level.ALL);
    }

    @Override
    public void publish(LogRecord record) {
      StringBuilder line = new StringBuilder();
      line.append('[').append(record.getLevel()).append(' ').append(record.getLoggerName()).append("] ");
      line.append(formatter.formatMessage(record));
      line.append(" | raw: ").append(record.getMessage());
      Object[] parameters = record.getParameters();
      if (parameters != null) {
        for (Object p : parameters) {
          line.append(" | parameter: ").append(p);
        }
      }
      line.append('\n');
      if (record.getThrown() != null) {
        line.append(stackTrace(record.getThrown()));
      }
      text.append(line);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }

  /** Writes to the original stream and, decoded line by line, to the captured text. */
  private static final class Tee extends OutputStream {
    private final PrintStream original;
    private final StringBuffer text;
    private final String label;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    Tee(PrintStream original, StringBuffer text, String label) {
      this.original = original;
      this.text = text;
      this.label = label;
    }

    @Override
    public synchronized void write(int b) {
      original.write(b);
      line.write(b);
      if (b == '\n') {
        flushLine();
      }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      for (int i = off; i < off + len; i++) {
        write(b[i]);
      }
    }

    @Override
    public synchronized void flush() {
      original.flush();
      flushLine();
    }

    private void flushLine() {
      if (line.size() > 0) {
        text.append('[').append(label).append("] ").append(line.toString(UTF_8));
        if (line.toByteArray()[line.size() - 1] != '\n') {
          text.append('\n');
        }
        line.reset();
      }
    }
  }
}
