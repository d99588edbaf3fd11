package dev.isb.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.isb.BufferInfo;
import dev.isb.BufferNotFoundException;
import dev.isb.IsbClient;
import dev.isb.WriterOptions;
import dev.isb.config.IsbConfig;
import dev.isb.wire.Wmb;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code isb info}: the counts Numaflow's writers measure usage with, per buffer; and for a watermark
 * bucket, each processor's newest watermark and its liveness.
 */
@Command(name = "info",
    description = {
        "Shows each buffer's pending messages (not yet delivered to its consumer group), ack-pending messages"
            + " (delivered, not yet acked), total messages, and usage = (pending + ack pending) / maxLength,"
            + " the figure writers compare with usageLimit. Both limits come from the configuration:"
            + " NUMAFLOW_VERTEX_OBJECT in a vertex pod, or --set writer.maxLength=N.",
        "For each --bucket: each processor's newest WMB (partition, offset, watermark, idle), when it was"
            + " last seen (its entry's time, or its heartbeat with --processors) and the status Numaflow"
            + " gives it: active, inactive after 5s, deleted after 50s.",
        "",
        "  isb info --namespace demo --pipeline orders --vertex enrich --partitions 2",
        "  isb info --output json --set writer.maxLength=50000 demo-orders-enrich-0",
        "  isb info --bucket demo-orders-in-enrich",
        ""},
    exitCodeList = {ExitCodes.HELP_OK, ExitCodes.HELP_MISSING, ExitCodes.HELP_USAGE, ExitCodes.HELP_CONFIG,
        ExitCodes.HELP_BACKEND, ExitCodes.HELP_INTERNAL})
final class InfoCommand extends SelectionCommand {

  /** How to print. */
  enum Format { TABLE, JSON }

  @Mixin
  private BucketLayoutOption layoutOption;

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
      description = "table or json (default: ${DEFAULT-VALUE})")
  private Format format;

  @Override
  int execute(List<String> buffers, List<String> buckets) {
    IsbConfig config = resolveConfig();
    WriterOptions limits = config.writerOptions();
    var rows = new ArrayList<Row>();
    Map<String, Optional<List<WatermarkRows.Row>>> processors = new LinkedHashMap<>();
    try (IsbClient client = ConfigOptions.open(config)) {
      for (String buffer : buffers) {
        try {
          rows.add(new Row(buffer, Optional.of(client.admin().bufferInfo(buffer))));
        } catch (BufferNotFoundException e) {
          rows.add(new Row(buffer, Optional.empty()));
        }
      }
      long now = System.currentTimeMillis();
      for (String bucket : buckets) {
        processors.put(bucket, watermarkRows(client, bucket, now));
      }
    }
    if (format == Format.JSON) {
      out().println(json(config.backend(), limits, rows, processors));
    } else {
      out().print(buffers.isEmpty() ? "" : table(limits, rows));
      out().print(buckets.isEmpty() ? "" : bucketTable(processors));
    }
    boolean allThere = rows.stream().allMatch(r -> r.info().isPresent())
        && processors.values().stream().allMatch(Optional::isPresent);
    return allThere ? ExitCodes.OK : ExitCodes.MISSING;
  }

  private Optional<List<WatermarkRows.Row>> watermarkRows(IsbClient client, String bucket, long now) {
    try {
      return WatermarkRows.read(client, bucket, layoutOption.layout(), now);
    } catch (UnsupportedOperationException e) {
      throw new CliException(ExitCodes.USAGE, "--bucket: " + e.getMessage()
          + "; Numaflow's Redis ISB kept no watermarks either");
    }
  }

  private static String bucketTable(Map<String, Optional<List<WatermarkRows.Row>>> processors) {
    var table = new Table(List.of("BUCKET", "PROCESSOR", "PARTITION", "OFFSET", "WATERMARK", "IDLE", "SEEN",
        "STATUS"), Set.of(2, 3));
    processors.forEach((bucket, found) -> {
      if (found.isEmpty()) {
        table.row(bucket, "-", "-", "-", "-", "-", "-", "missing");
      } else if (found.get().isEmpty()) {
        table.row(bucket, "-", "-", "-", "-", "-", "-", "no processor");
      }
      for (WatermarkRows.Row r : found.orElse(List.of())) {
        String seen = r.seenMillis() < 0 ? "never" : Instant.ofEpochMilli(r.seenMillis()).toString();
        String status = r.status().name().toLowerCase(Locale.ROOT);
        if (r.wmb().isEmpty()) {
          table.row(bucket, r.processor(), "-", "-", "-", "-", seen, "undecodable: " + r.problem());
          continue;
        }
        Wmb w = r.wmb().get();
        table.row(bucket, r.processor(), Integer.toString(w.partition()), Long.toString(w.offset()),
            w.watermark() < 0 ? "-1" : Instant.ofEpochMilli(w.watermark()).toString(), w.idle() ? "yes" : "no",
            seen, status);
      }
    });
    return table.toString();
  }

  /** A buffer and its counts; empty when it does not exist. */
  private record Row(String buffer, Optional<BufferInfo> info) {
    double usage(WriterOptions limits) {
      BufferInfo i = info.orElseThrow();
      return (double) (i.pendingCount() + i.ackPendingCount()) / limits.maxLength();
    }
  }

  private static String table(WriterOptions limits, List<Row> rows) {
    var table = new Table(List.of("BUFFER", "PENDING", "ACK PENDING", "TOTAL", "LOST", "USAGE", "STATE"),
        Set.of(1, 2, 3, 4, 5));
    var warnings = new StringBuilder();
    for (Row r : rows) {
      if (r.info().isEmpty()) {
        table.row(r.buffer(), "-", "-", "-", "-", "-", "missing");
        continue;
      }
      BufferInfo i = r.info().get();
      double usage = r.usage(limits);
      table.row(r.buffer(), Long.toString(i.pendingCount()), Long.toString(i.ackPendingCount()),
          Long.toString(i.totalMessages()), Long.toString(i.lostUnacked()),
          String.format(Locale.ROOT, "%.2f%%", usage * 100), usage >= limits.usageLimit() ? "full" : "ok");
      i.warnings().forEach(w -> warnings.append("warning: buffer ").append(r.buffer()).append(": ").append(w)
          .append('\n'));
    }
    return table + String.format(Locale.ROOT, "usage = (pending + ack pending) / maxLength %d; full at %.0f%%; lost ="
        + " messages removed before they were acked\n", limits.maxLength(), limits.usageLimit() * 100) + warnings;
  }

  private static String json(String backend, WriterOptions limits, List<Row> rows,
      Map<String, Optional<List<WatermarkRows.Row>>> processors) {
    var mapper = new ObjectMapper();
    ObjectNode root = mapper.createObjectNode()
        .put("backend", backend)
        .put("maxLength", limits.maxLength())
        .put("usageLimit", limits.usageLimit());
    ArrayNode list = root.putArray("buffers");
    for (Row r : rows) {
      ObjectNode node = list.addObject().put("buffer", r.buffer()).put("exists", r.info().isPresent());
      r.info().ifPresent(i -> node
          .put("pending", i.pendingCount())
          .put("ackPending", i.ackPendingCount())
          .put("totalMessages", i.totalMessages())
          .put("lostUnacked", i.lostUnacked())
          .put("usage", r.usage(limits))
          .put("full", r.usage(limits) >= limits.usageLimit()));
      r.info().ifPresent(i -> i.warnings().forEach(node.withArray("warnings")::add));
    }
    if (!processors.isEmpty()) {
      ArrayNode buckets = root.putArray("buckets");
      processors.forEach((bucket, found) -> {
        ObjectNode node = buckets.addObject().put("bucket", bucket).put("exists", found.isPresent());
        found.ifPresent(known -> {
          ArrayNode ps = node.putArray("processors");
          for (WatermarkRows.Row r : known) {
            ObjectNode p = ps.addObject().put("processor", r.processor()).put("seenMillis", r.seenMillis())
                .put("status", r.status().name().toLowerCase(Locale.ROOT));
            r.wmb().ifPresentOrElse(w -> p.put("partition", w.partition()).put("offset", w.offset())
                .put("watermark", w.watermark()).put("idle", w.idle()), () -> p.put("problem", r.problem()));
          }
        });
      });
    }
    try {
      return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of strings and numbers could not be written as JSON", e);
    }
  }
}
