package dev.isb.cli;

/**
 * The exit codes of every sub-command, chosen so that {@code isb validate} can be a Kubernetes init
 * container: only 0 lets the pod start, and each failure says whether waiting longer could help
 * (1, 4) or a person must act (2, 3, 5).
 */
final class ExitCodes {

  /** Done; for validate: every buffer and bucket exists (differences from the configuration are warnings). */
  static final int OK = 0;
  /** validate: something is missing (with --strict: or differs from the configuration); info: a buffer is missing. */
  static final int MISSING = 1;
  /** The command line is wrong: unknown option, bad value, no buffer named, delete without --yes. */
  static final int USAGE = 2;
  /** The configuration sources are invalid, or the backend refused the settings. */
  static final int CONFIG = 3;
  /** The ISB service cannot be reached or failed a call. */
  static final int BACKEND = 4;
  /** A bug in the tool: the stack trace is printed. */
  static final int INTERNAL = 5;

  /** The "Exit codes" section of every help page: picocli wants each line as a constant. */
  static final String HELP_OK = "0:success; validate: every buffer and bucket exists";
  static final String HELP_MISSING = "1:validate, info: a buffer or bucket is missing (validate --strict: or its"
      + " settings differ from the configuration)";
  static final String HELP_USAGE = "2:bad command line: unknown option, bad value, no buffer named, delete"
      + " without --yes";
  static final String HELP_CONFIG = "3:bad configuration: invalid files, environment or secrets, or settings the"
      + " backend refuses";
  static final String HELP_BACKEND = "4:the ISB service cannot be reached or failed a call";
  static final String HELP_INTERNAL = "5:internal error (a bug; the stack trace is printed)";
  static final String HEADING = "%nExit codes:%n";

  private ExitCodes() {}
}
