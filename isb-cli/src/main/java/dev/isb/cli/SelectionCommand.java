package dev.isb.cli;

import java.util.List;
import picocli.CommandLine.Mixin;

/**
 * A sub-command that works on the buffers and watermark buckets its command line names ({@link
 * Selection}), at least one of them. One instance serves one run.
 */
abstract class SelectionCommand extends Subcommand {

  @Mixin
  private Selection selection;

  @Override
  final int execute() {
    Selection.Chosen chosen = selection.chosen();
    return execute(chosen.buffers(), chosen.buckets());
  }

  /** Runs the sub-command on the buffers and buckets named, each without repeats; returns its exit code or throws. */
  abstract int execute(List<String> buffers, List<String> buckets);
}
