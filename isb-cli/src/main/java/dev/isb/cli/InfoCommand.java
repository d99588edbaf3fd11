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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code isb info}: the counts Numaflow's writers measure usage with, per buffer. */
@Command(name = "info",
    description = {
        "Shows each buffer's pending messages (not yet delivered to its consumer group), ack-pending messages"
            + " (delivered, not yet acked), total messages, and usage = (pending + ack pending) / maxLength,"
            + " the figure writers compare with usageLimit. Both limits come from the configuration:"
            + " NUMAFLOW_VERTEX_OBJECT in a vertex pod, or --set writer.maxLength=N.",
        "",
        "  isb info --namespace demo --pipeline orders --vertex enrich --partitions 2",
        "  isb info --output json --set writer.maxLength=50000 demo-orders-enrich-0",
        ""},
    exitCodeList = {ExitCodes.HELP_OK, ExitCodes.HELP_MISSING, ExitCodes.HELP_USAGE, ExitCodes.HELP_CONFIG,
        ExitCodes.HELP_BACKEND, ExitCodes.HELP_INTERNAL})
final class InfoCommand extends Subcommand {

  /** How to print. */
  enum Format { TABLE, JSON }

  @Mixin
  private BufferSelection bufferSelection;

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
      description = "table or json (default: ${DEFAULT-VALUE})")
  private Format format;

  @Override
  int execute() {
    List<String> buffers = bufferSelection.buffers();
    requireSome(buffers, List.of(), false);
    IsbConfig config = resolveConfig();
    WriterOptions limits = config.writerOptions();
    var rows = new ArrayList<Row>();
    try (IsbClient client = ConfigOptions.open(config)) {
      for (String buffer : buffers) {
        try {
          rows.add(new Row(buffer, Optional.of(client.admin().bufferInfo(buffer))));
        } catch (BufferNotFoundException e) {
          rows.add(new Row(buffer, Optional.empty()));
        }
      }
    }
    if (format == Format.JSON) {
      out().println(json(config.backend(), limits, rows));
    } else {
      out().print(table(limits, rows));
    }
    return rows.stream().allMatch(r -> r.info().isPresent()) ? ExitCodes.OK : ExitCodes.MISSING;
  }

  /** A buffer and its counts; empty when it does not exist. */
  private record Row(String buffer, Optional<BufferInfo> info) {
    double usage(WriterOptions limits) {
      BufferInfo i = info.orElseThrow();
      return (double) (i.pendingCount() + i.ackPendingCount()) / limits.maxLength();
    }
  }

  private static String table(WriterOptions limits, List<Row> rows) {
    var table = new Table(List.of("BUFFER", "PENDING", "ACK PENDING", "TOTAL", "USAGE", "STATE"), Set.of(1, 2, 3, 4));
    for (Row r : rows) {
      if (r.info().isEmpty()) {
        table.row(r.buffer(), "-", "-", "-", "-", "missing");
        continue;
      }
      BufferInfo i = r.info().get();
      double usage = r.usage(limits);
      table.row(r.buffer(), Long.toString(i.pendingCount()), Long.toString(i.ackPendingCount()),
          Long.toString(i.totalMessages()), String.format(Locale.ROOT, "%.2f%%", usage * 100),
          usage >= limits.usageLimit() ? "full" : "ok");
    }
    return table + String.format(Locale.ROOT, "usage = (pending + ack pending) / maxLength %d; full at %.0f%%\n",
        limits.maxLength(), limits.usageLimit() * 100);
  }

  private static String json(String backend, WriterOptions limits, List<Row> rows) {
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
          .put("usage", r.usage(limits))
          .put("full", r.usage(limits) >= limits.usageLimit()));
    }
    try {
      return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of strings and numbers could not be written as JSON", e);
    }
  }
}
