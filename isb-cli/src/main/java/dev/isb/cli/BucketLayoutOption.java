package dev.isb.cli;

import dev.isb.BucketLayout;
import dev.isb.NumaflowVersion;
import picocli.CommandLine.Option;

/**
 * Which key/value buckets a watermark bucket has: Numaflow from v1.8 uses one ({@code <NAME>_OT}), up
 * to v1.7 two (also {@code <NAME>_PROCESSORS}), chosen by release or by {@code --processors}.
 */
final class BucketLayoutOption {

  @Option(names = "--processors",
      description = "buckets also have <NAME>_PROCESSORS (heartbeats), as in Numaflow up to v1.7 (default: only <NAME>_OT,"
          + " as from v1.8)")
  private boolean processors;

  @Option(names = "--numaflow-version", paramLabel = "RELEASE",
      description = "the Numaflow release whose bucket layout to use: 1.7 (or v1.7.5) has _OT and _PROCESSORS, 1.8 and "
          + "later _OT only")
  private String release;

  BucketLayout layout() {
    if (release == null) {
      return processors ? BucketLayout.OFFSET_TIMELINE_AND_PROCESSORS : BucketLayout.OFFSET_TIMELINE;
    }
    NumaflowVersion version;
    try {
      version = NumaflowVersion.parse(release);
    } catch (IllegalArgumentException e) {
      throw CliException.usage("--numaflow-version: " + e.getMessage());
    }
    if (processors && version.bucketLayout() != BucketLayout.OFFSET_TIMELINE_AND_PROCESSORS) {
      throw CliException.usage("--processors is the layout of Numaflow up to v1.7, not of --numaflow-version " + release);
    }
    return version.bucketLayout();
  }

  /** Whether a layout was asked for; without one, {@code validate} accepts the layout of any release. */
  boolean chosen() {
    return processors || release != null;
  }
}
