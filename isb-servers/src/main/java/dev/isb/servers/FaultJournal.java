package dev.isb.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * What happened to the processes of one setup, for the diagnosis of a failed test: every fault the
 * kit injected (kill, stop, restart, pause, resume), with the state of every process just before
 * and just after it, and what the setup noted besides (fail-overs, rebuilds). Each entry is appended
 * to {@code journal.txt} in the setup's directory as it happens, with the wall-clock time the
 * servers' own logs use, so that the file survives a JVM that dies. Thread-safe.
 */
public final class FaultJournal {

  /** A journal that records nothing, for a server that belongs to no setup. */
  static final FaultJournal NONE = new FaultJournal(null, () -> "");

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
  private static final Pattern ENTRY = Pattern.compile("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} ");

  private final Path file;
  private final Supplier<String> snapshot;

  /**
   * @param file where the entries go; null for {@link #NONE}
   * @param snapshot the state of every process of the setup, one block per process; must not throw
   */
  FaultJournal(Path file, Supplier<String> snapshot) {
    this.file = file;
    this.snapshot = snapshot;
  }

  /** Runs a fault, recording the setup's state before and after it (even when it throws). */
  void around(String fault, Runnable action) {
    if (file == null) {
      action.run();
      return;
    }
    note("before " + fault + "\n" + snapshot.get());
    try {
      action.run();
    } finally {
      note("after " + fault + "\n" + snapshot.get());
    }
  }

  /** Records an event without a snapshot. */
  void note(String event) {
    if (file == null) {
      return;
    }
    String entry = LocalTime.now().format(TIME) + " " + event.strip() + "\n";
    synchronized (this) {
      try {
        Files.writeString(
            file,
            entry,
            StandardCharsets.UTF_8,
            StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
      } catch (IOException e) {
        throw new UncheckedIOException("could not write the fault journal " + file, e);
      }
    }
  }

  /** Records the state of every process now, under a heading. */
  public void snapshot(String heading) {
    if (file != null) {
      note(heading + "\n" + snapshot.get());
    }
  }

  /**
   * The journal in short: the heading line of each of its last {@code entries} entries (what
   * happened, when), then the whole of the last entry (the state of every process at that point).
   */
  public String summary(int entries) {
    if (file == null) {
      return "(no journal)";
    }
    String[] lines = tail(file, Integer.MAX_VALUE).split("\n", -1);
    List<String> headings = new ArrayList<>();
    int last = 0;
    for (int i = 0; i < lines.length; i++) {
      if (ENTRY.matcher(lines[i]).lookingAt()) {
        headings.add(lines[i]);
        last = i;
      }
    }
    List<String> shown = headings.subList(Math.max(0, headings.size() - entries), headings.size());
    return String.join("\n", shown)
        + "\n--- the last entry in full ---\n"
        + String.join("\n", Arrays.asList(lines).subList(last, lines.length));
  }

  /** The last {@code lines} lines of a text file, or a placeholder when it cannot be read. */
  public static String tail(Path path, int lines) {
    String text;
    try {
      text = Files.readString(path, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return "(empty)";
    } catch (IOException | UncheckedIOException e) {
      return "(unreadable: " + e + ")";
    }
    String[] all = text.strip().split("\n", -1);
    int from = Math.max(0, all.length - lines);
    return String.join("\n", Arrays.asList(all).subList(from, all.length));
  }
}
