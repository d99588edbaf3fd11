package dev.isb.cli;

import picocli.CommandLine.Command;

/** The top-level {@code isb} command: only help, version and the sub-commands. */
@Command(name = "isb", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = {
        "Creates, validates, inspects and deletes the Inter-Step Buffers of a Numaflow-style pipeline on NATS"
            + " JetStream or Redis, reading the same configuration as a vertex: the default locations"
            + " (/etc/numaflow/..., ISB_CONFIG_DIR), Numaflow's NUMAFLOW_ISBSVC_* environment, secret files,"
            + " then the command-line options. See docs/cli.md.",
        ""},
    synopsisSubcommandLabel = "COMMAND",
    commandListHeading = "%nCommands:%n",
    footer = {"", "Run 'isb COMMAND --help' for a command's options."},
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {ExitCodes.HELP_OK, ExitCodes.HELP_MISSING, ExitCodes.HELP_USAGE, ExitCodes.HELP_CONFIG,
        ExitCodes.HELP_BACKEND, ExitCodes.HELP_INTERNAL})
final class IsbCommand implements Runnable {

  /** Without a sub-command there is nothing to do: a usage error. */
  @Override
  public void run() {
    throw CliException.usage("a command is required: create, validate, delete, info or config");
  }
}
