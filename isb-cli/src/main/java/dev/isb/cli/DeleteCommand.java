package dev.isb.cli;

import dev.isb.BucketLayout;
import dev.isb.BufferAdmin;
import dev.isb.IsbClient;
import dev.isb.ValidationReport;
import dev.isb.config.IsbConfig;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code isb delete}: Numaflow's isbsvc-delete job. Deleting a buffer loses its messages and cannot be
 * undone, so without {@code --yes} it only lists what it would delete and fails with the usage code:
 * a typo in a script stops there, and no prompt blocks a container that has no terminal.
 */
@Command(name = "delete",
    description = {
        "Deletes buffers (stream, consumer group and their messages) and watermark buckets (both layouts)."
            + " Ones that do not exist are skipped. Nothing is deleted without --yes: the command then only"
            + " lists what it would delete, and exits with 2.",
        "",
        "  isb delete --yes --namespace demo --pipeline orders --vertex enrich \\",
        "      --partitions 2",
        ""},
    exitCodeList = {ExitCodes.HELP_OK, ExitCodes.HELP_USAGE, ExitCodes.HELP_CONFIG, ExitCodes.HELP_BACKEND,
        ExitCodes.HELP_INTERNAL})
final class DeleteCommand extends SelectionCommand {

  @Option(names = {"-y", "--yes"}, description = "really delete (the messages in the buffers are lost)")
  private boolean yes;

  @Override
  int execute(List<String> buffers, List<String> buckets) {
    PrintWriter out = out();
    if (!yes) {
      buffers.forEach(b -> out.println("would delete  buffer " + b + " (and its messages)"));
      buckets.forEach(b -> out.println("would delete  bucket " + b));
      throw CliException.usage("nothing deleted: add --yes to delete " + Resources.count(buffers, buckets));
    }
    IsbConfig config = resolveConfig();
    try (IsbClient client = ConfigOptions.open(config)) {
      BufferAdmin admin = client.admin();
      // Both layouts: deleteBuckets removes both, so a bucket existed if either part did.
      BucketLayout both = BucketLayout.OFFSET_TIMELINE_AND_PROCESSORS;
      ValidationReport before = admin.validate(buffers, buckets, both);
      if (!buffers.isEmpty()) {
        admin.deleteBuffers(buffers);
      }
      if (!buckets.isEmpty()) {
        admin.deleteBuckets(buckets);
      }
      for (Resources.Status s : Resources.of(buffers, buckets, both, before)) {
        out.println((s.absent() ? "missing  " : "deleted  ") + s.label());
      }
      out.println("done on " + config.backend());
    }
    return ExitCodes.OK;
  }
}
