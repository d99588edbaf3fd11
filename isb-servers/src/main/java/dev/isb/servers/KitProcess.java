package dev.isb.servers;

import java.nio.file.Path;

/** What the kit controls of one server process, whatever the server: its state, log and journal. */
public interface KitProcess {

  /** The process's name in the kit, as logs and the journal show it. */
  String processName();

  /** The file that receives the process's output, across restarts. */
  Path logFile();

  /** Whether the process runs (a paused one does). */
  boolean isRunning();

  /** Whether the process is frozen by SIGSTOP. */
  boolean isPaused();

  /** Thaws a paused process. */
  void resume();

  /** Starts the process again on its port, with its configuration and data, and waits for it. */
  void restart();

  /** Where the process's faults are recorded. */
  FaultJournal journal();

  /**
   * Resumes or restarts the process when an earlier test left it paused or down, noting it in the
   * journal.
   *
   * @param test the test about to start, for the journal
   */
  default void restoreBefore(String test) {
    if (isPaused()) {
      journal().note("resumed before " + test + ": the test before left it paused");
      resume();
    }
    if (!isRunning()) {
      journal().note("restarted before " + test + ": the test before left it down");
      restart();
    }
  }
}
