package dev.isb.cli;

import java.util.List;
import picocli.CommandLine.Option;

/** The watermark buckets a sub-command works on: edge buckets such as {@code <ns>-<pipeline>-<from>-<to>}. */
final class BucketSelection {

  @Option(names = "--bucket", paramLabel = "NAME", split = ",",
      description = "a watermark bucket, as <ns>-<pipeline>-<from>-<to>; its key/value buckets are <NAME>_OT"
          + " (and <NAME>_PROCESSORS) (repeatable, or comma-separated)")
  private List<String> buckets;

  /**
   * Every bucket, without repeats.
   *
   * @throws CliException with {@link ExitCodes#USAGE} naming the bad name
   */
  List<String> buckets() {
    return List.copyOf(BufferSelection.validNames(buckets, "--bucket", "bucket"));
  }
}
