package dev.isb.cli;

import java.util.LinkedHashSet;
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
    List<String> buffers = bufferSelection.buffers();
    List<String> buckets = buckets();
    if (buffers.isEmpty() && buckets.isEmpty()) {
      throw CliException.usage("no buffer named: give buffer names (BUFFER...), --bucket, --namespace, --pipeline"
          + " and --vertex");
    }
    return new Chosen(buffers, buckets);
  }

  /** The buckets named with {@code --bucket} and those of {@code --pipeline-file}, without repeats. */
  private List<String> buckets() {
    var all = new LinkedHashSet<>(bucketSelection.buckets());
    all.addAll(bufferSelection.pipelineBuckets());
    return List.copyOf(all);
  }
}
