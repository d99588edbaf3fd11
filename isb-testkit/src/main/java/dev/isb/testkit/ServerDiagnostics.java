package dev.isb.testkit;

import dev.isb.servers.FaultJournal;
import dev.isb.servers.KitProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The evidence of a test that failed against servers of the kit, attached to its failure as a
 * suppressed exception: where a copy of the servers' directories was kept (logs, configuration,
 * cluster state and {@code journal.txt}), what the fault journal recorded and the state of every
 * process at the failure, and the end of each server's log. The copy goes under {@code target/isb-server-logs} of the module under test, or
 * under the directory named by the system property {@value #KEEP_PROPERTY}.
 */
final class ServerDiagnostics extends RuntimeException {

  /** The system property that names where the servers' directories of failed tests are kept. */
  static final String KEEP_PROPERTY = "isb.testkit.keep";

  private static final long serialVersionUID = 1L;
  private static final int JOURNAL_ENTRIES = 60;
  private static final int LOG_LINES = 25;

  private ServerDiagnostics(String message) {
    super(message, null, false, false); // the message is the evidence: no stack trace of its own
  }

  /**
   * Keeps a copy of {@code setupDir} and adds the journal's and the logs' tails to {@code failure}.
   * Never throws: a diagnosis that fails is noted in the attached message instead.
   *
   * @param failure what the test threw
   * @param context the test's, whose class and method name the kept copy
   * @param setupDir the directory that holds every process's files
   * @param journal the setup's fault journal
   * @param processes the processes whose log tails to show
   */
  static void attach(
      Throwable failure,
      ExtensionContext context,
      Path setupDir,
      FaultJournal journal,
      List<? extends KitProcess> processes) {
    String test =
        context.getRequiredTestClass().getSimpleName()
            + "."
            + context.getTestMethod().map(Method::getName).orElse(context.getDisplayName());
    StringBuilder text = new StringBuilder("the servers of ").append(test);
    try {
      journal.snapshot("test failed: " + test + ": " + failure);
      text.append(" are kept in ").append(keep(setupDir, test));
    } catch (RuntimeException e) {
      text.append(" could not be kept: ").append(e);
    }
    text.append("\n--- fault journal (journal.txt), last ")
        .append(JOURNAL_ENTRIES)
        .append(" entries ---\n")
        .append(journal.summary(JOURNAL_ENTRIES));
    for (KitProcess process : processes) {
      text.append("\n--- ")
          .append(process.processName())
          .append(" log, last ")
          .append(LOG_LINES)
          .append(" lines ---\n")
          .append(FaultJournal.tail(process.logFile(), LOG_LINES));
    }
    failure.addSuppressed(new ServerDiagnostics(text.toString()));
  }

  /** Copies a directory tree to a new directory named after the test; returns the copy. */
  private static Path keep(Path setupDir, String test) {
    Path root = Path.of(System.getProperty(KEEP_PROPERTY, "target/isb-server-logs"));
    String base = test.replaceAll("[^A-Za-z0-9_.-]+", "_");
    Path target = root.resolve(base);
    for (int n = 2; Files.exists(target); n++) {
      target = root.resolve(base + "-" + n);
    }
    Path copy = target.toAbsolutePath();
    try {
      Files.walkFileTree(
          setupDir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
                throws IOException {
              Files.createDirectories(copy.resolve(setupDir.relativize(dir).toString()));
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              if (attrs.isRegularFile()) {
                try {
                  Files.copy(
                      file,
                      copy.resolve(setupDir.relativize(file).toString()),
                      StandardCopyOption.REPLACE_EXISTING);
                } catch (NoSuchFileException gone) {
                  // a running server removed it meanwhile (a temp file): nothing to keep
                }
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
              return FileVisitResult.CONTINUE; // vanished or unreadable: keep the rest
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException("could not copy " + setupDir + " to " + copy, e);
    }
    return copy;
  }
}
