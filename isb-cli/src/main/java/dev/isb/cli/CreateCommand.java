package dev.isb.cli;

import dev.isb.BufferAdmin;
import dev.isb.IsbClient;
import dev.isb.ValidationReport;
import dev.isb.config.IsbConfig;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code isb create}: Numaflow's isbsvc-create job. */
@Command(name = "create",
    description = {
        "Creates each buffer (stream and consumer group) and watermark bucket that does not exist yet, with the"
            + " buffer settings of the configuration. Existing ones are left as they are, as Numaflow does;"
            + " their differences from the configuration are printed as warnings.",
        "",
        "  isb create --url nats://localhost:4222 demo-orders-enrich-0",
        "  isb create --namespace demo --pipeline orders --vertex enrich,sink \\",
        "      --partitions 2 --bucket demo-orders-in-enrich --set stream.maxMsgs=50000",
        ""},
    exitCodeList = {ExitCodes.HELP_OK, ExitCodes.HELP_USAGE, ExitCodes.HELP_CONFIG, ExitCodes.HELP_BACKEND,
        ExitCodes.HELP_INTERNAL})
final class CreateCommand extends SelectionCommand {

  @Mixin
  private BucketLayoutOption layoutOption;

  @Override
  int execute(List<String> buffers, List<String> buckets) {
    IsbConfig config = resolveConfig();
    try (IsbClient client = ConfigOptions.open(config)) {
      BufferAdmin admin = client.admin();
      ValidationReport before = admin.validate(buffers, buckets, layoutOption.layout(), config.bufferConfig());
      if (!buffers.isEmpty()) {
        admin.createBuffers(buffers, config.bufferConfig());
      }
      if (!buckets.isEmpty()) {
        admin.createBuckets(buckets, config.bufferConfig(), layoutOption.layout());
      }
      PrintWriter out = out();
      for (Resources.Status s : Resources.of(buffers, buckets, layoutOption.layout(), before)) {
        out.println((s.complete() ? "exists   " : "created  ") + s.label());
        s.differences().forEach(d -> out.println("warning: " + s.label() + ": " + d
            + " (left as it is: existing buffers keep their settings)"));
      }
      out.println("ready: " + Resources.count(buffers, buckets) + " on " + config.backend());
    }
    return ExitCodes.OK;
  }
}
