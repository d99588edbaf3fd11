package dev.isb.cli;

import dev.isb.BucketLayout;
import dev.isb.BufferAdmin;
import dev.isb.IsbBackendException;
import dev.isb.IsbClient;
import dev.isb.ValidationReport;
import dev.isb.config.IsbConfig;
import dev.isb.wire.BufferNames;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code isb validate}: Numaflow's isbsvc-validate init step. With retries it polls, since a buffer
 * admin cannot be told when a buffer appears: the delays only space the attempts out, the result is
 * always what the last attempt saw.
 */
@Command(name = "validate",
    description = {
        "Checks that each buffer (stream and consumer group) and watermark bucket exists. Settings that differ"
            + " from the configuration are warnings (Numaflow never changes an existing buffer), or failures"
            + " with --strict.",
        "",
        "With --retries or --timeout it tries again, waiting --backoff, then twice as long each time up to"
            + " --max-backoff, until everything exists: an init container that holds a vertex back until its"
            + " buffers are there.",
        "",
        "  isb validate --retries 10 --backoff 1s demo-orders-enrich-0",
        "  isb validate --timeout 5m --namespace demo --pipeline orders \\",
        "      --vertex enrich --partitions 2",
        ""},
    exitCodeList = {ExitCodes.HELP_OK, ExitCodes.HELP_MISSING, ExitCodes.HELP_USAGE, ExitCodes.HELP_CONFIG,
        ExitCodes.HELP_BACKEND, ExitCodes.HELP_INTERNAL})
final class ValidateCommand extends SelectionCommand {

  @Mixin
  private BucketLayoutOption layoutOption;

  @Option(names = "--strict", description = "settings that differ from the configuration fail the check (exit 1)")
  private boolean strict;

  @Option(names = "--retries", paramLabel = "N",
      description = "try again up to N times while something is missing or the service cannot be reached"
          + " (default: 0, or unlimited with --timeout)")
  private Integer retries;

  @Option(names = "--timeout", paramLabel = "DURATION", converter = Durations.class,
      description = "keep trying until DURATION has passed (an attempt under way is finished)")
  private Duration timeout;

  @Option(names = "--backoff", paramLabel = "DURATION", converter = Durations.class, defaultValue = "1s",
      description = "wait before the first retry, doubled after each (default: ${DEFAULT-VALUE})")
  private Duration backoff;

  @Option(names = "--max-backoff", paramLabel = "DURATION", converter = Durations.class, defaultValue = "30s",
      description = "the longest wait between attempts (default: ${DEFAULT-VALUE})")
  private Duration maxBackoff;

  @Override
  int execute(List<String> buffers, List<String> buckets) {
    if (retries != null && retries < 0) {
      throw CliException.usage("--retries must not be negative, was " + retries);
    }
    if (timeout != null && timeout.isZero()) {
      throw CliException.usage("--timeout must be positive, was 0s");
    }
    var delays = new Backoff(backoff, maxBackoff);
    long maxAttempts = retries != null ? retries + 1L : timeout != null ? Long.MAX_VALUE : 1;
    long start = System.nanoTime();
    IsbConfig config = resolveConfig();

    IsbClient client = null;
    try {
      for (int attempt = 1; ; attempt++) {
        boolean last = attempt >= maxAttempts;
        String failure;
        try {
          if (client == null) {
            client = ConfigOptions.open(config);
          }
          ValidationReport report = client.admin().validate(buffers, buckets, layoutOption.layout(),
              config.bufferConfig());
          List<Resources.Status> statuses = Resources.of(buffers, buckets, layoutOption.layout(), report);
          if (report.isValid()) {
            return finish(statuses, buffers, buckets, layoutNotes(client.admin(), buckets, config),
                findings(client.admin(), buffers));
          }
          if (last || remaining(start) <= 0) {
            return printMissing(statuses, attempt);
          }
          failure = statuses.stream().filter(s -> !s.complete()).map(Resources.Status::name)
              .collect(Collectors.joining(", ", "missing: ", ""));
        } catch (IsbBackendException e) {
          if (!e.retryable() || last || remaining(start) <= 0) {
            throw e;
          }
          failure = "the ISB service failed: " + e.getMessage();
          close(client); // the next attempt connects afresh
          client = null;
        }
        Duration delay = delays.delay(attempt);
        if (timeout != null) {
          delay = Duration.ofNanos(Math.min(delay.toNanos(), remaining(start)));
        }
        err().println("attempt " + attempt + ": " + failure + "; next attempt in "
            + Durations.format(delay.truncatedTo(ChronoUnit.MILLIS)));
        err().flush();
        if (!pause(delay)) {
          throw new CliException(ExitCodes.MISSING, "interrupted while waiting for the buffers");
        }
      }
    } finally {
      close(client);
    }
  }

  /** What the backend finds wrong in each buffer (messages removed unacked, a stalled consumer). */
  private static List<String> findings(BufferAdmin admin, List<String> buffers) {
    List<String> findings = new ArrayList<>();
    for (String buffer : buffers) {
      admin.bufferInfo(buffer).warnings().forEach(w -> findings.add("buffer " + buffer + ": " + w));
    }
    return findings;
  }

  /**
   * Which release's layout each bucket has, when present in both forms: {@code <NAME>_PROCESSORS} beside
   * {@code <NAME>_OT} is Numaflow's layout up to v1.7, which v1.8 and later no longer read. Said for a
   * bucket that has it while the layout checked (v1.8's, the default) does not need it.
   */
  private List<String> layoutNotes(BufferAdmin admin, List<String> buckets, IsbConfig config) {
    if (buckets.isEmpty() || layoutOption.layout() == BucketLayout.OFFSET_TIMELINE_AND_PROCESSORS) {
      return List.of();
    }
    ValidationReport older = admin.validate(List.of(), buckets, BucketLayout.OFFSET_TIMELINE_AND_PROCESSORS,
        config.bufferConfig());
    List<String> notes = new ArrayList<>();
    for (String bucket : buckets) {
      String processors = BufferNames.processorsBucket(bucket);
      boolean missing = older.problems().stream().anyMatch(p -> p.resource().equals(processors));
      if (!missing) {
        notes.add(layoutOption.chosen()
            ? bucket + " also has " + processors + ", the layout of Numaflow up to v1.7; v1.8 and later do not read it"
            : bucket + " has " + processors + ": the layout of Numaflow up to v1.7 (check it with --numaflow-version 1.7)");
      }
    }
    return notes;
  }

  private int finish(List<Resources.Status> statuses, List<String> buffers, List<String> buckets,
      List<String> notes, List<String> findings) {
    PrintWriter out = out();
    boolean differs = false;
    for (Resources.Status s : statuses) {
      differs |= !s.differences().isEmpty();
      out.println((strict && !s.differences().isEmpty() ? "differs  " : "ok       ") + s.label());
      s.differences().forEach(d -> out.println((strict ? "error:   " : "warning: ") + s.label() + ": " + d));
    }
    findings.forEach(f -> out.println((strict ? "error:   " : "warning: ") + f));
    notes.forEach(n -> out.println("note:    " + n));
    if (strict && (differs || !findings.isEmpty())) {
      err().println("isb validate: " + (differs ? "settings differ from the configuration" : "buffers lost or hold"
          + " stuck messages") + " (--strict)");
      return ExitCodes.MISSING;
    }
    out.println("valid: " + Resources.count(buffers, buckets) + (statuses.size() == 1 ? " exists" : " exist"));
    return ExitCodes.OK;
  }

  private int printMissing(List<Resources.Status> statuses, int attempts) {
    PrintWriter out = out();
    long missing = 0;
    for (Resources.Status s : statuses) {
      if (s.complete()) {
        out.println("ok       " + s.label());
      } else {
        missing++;
        s.problems().forEach(p -> out.println("missing  " + s.label() + ": " + p));
      }
    }
    err().println("isb validate: " + missing + " of " + statuses.size() + " missing"
        + (attempts > 1 ? " after " + attempts + " attempts" : ""));
    return ExitCodes.MISSING;
  }

  /** Nanoseconds left before --timeout; always positive without one. */
  private long remaining(long start) {
    return timeout == null ? Long.MAX_VALUE : timeout.toNanos() - (System.nanoTime() - start);
  }

  /** Waits between attempts; false when interrupted (the flag is restored). */
  private static boolean pause(Duration delay) {
    try {
      Thread.sleep(delay.toMillis(), (int) (delay.toNanos() % 1_000_000));
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static void close(IsbClient client) {
    if (client != null) {
      client.close();
    }
  }
}
