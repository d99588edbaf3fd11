package dev.isb.cli;

import picocli.CommandLine.Command;

/** {@code isb config}: what the other sub-commands would use, and where each value came from. */
@Command(name = "config",
    description = {
        "Prints the resolved configuration: each setting with the source it came from (default, a file, an"
            + " environment variable, a secret file, an option), the sources read, and the warnings. Secrets are"
            + " shown as <redacted>. Connects to nothing.",
        ""},
    exitCodeList = {ExitCodes.HELP_OK, ExitCodes.HELP_USAGE, ExitCodes.HELP_CONFIG, ExitCodes.HELP_INTERNAL})
final class ConfigCommand extends Subcommand {

  @Override
  int execute() {
    out().print(resolveConfig().describe());
    return ExitCodes.OK;
  }
}
