package dev.isb.cli;

import java.util.List;
import picocli.CommandLine.Mixin;

/** The buffers and watermark buckets a sub-command works on, of which it needs at least one. */
final class Selection {

  @Mixin
  private BufferSelection bufferSelection;

  @Mixin
  private BucketSelection bucketSelection;

  /** What the command line named. */
  record Chosen(List<String> buffers, List<String> buckets) {}

  /**
   * The buffers and buckets named, each without repeats.
   *
   * @throws CliException with {@link ExitCodes#USAGE} for a bad name, or when none is named
   */
  Chosen chosen() {
    var chosen = new Chosen(bufferSelection.buffers(), buckets(bufferSelection, bucketSelection));
    Subcommand.requireSome(chosen.buffers(), chosen.buckets(), true);
    return chosen;
  }

  /** The buckets named with {@code --bucket} and those of {@code --pipeline-file}, without repeats. */
  static List<String> buckets(BufferSelection buffers, BucketSelection buckets) {
    var all = new java.util.LinkedHashSet<>(buckets.buckets());
    all.addAll(buffers.pipelineBuckets());
    return List.copyOf(all);
  }
}
