package dev.isb.cli;

import dev.isb.BucketLayout;
import picocli.CommandLine.Option;

/** Which key/value buckets a watermark bucket has: Numaflow from v1.8 uses one, up to v1.7 two. */
final class BucketLayoutOption {

  @Option(names = "--processors",
      description = "buckets also have <NAME>_PROCESSORS (heartbeats), as in Numaflow up to v1.7 (default: only <NAME>_OT,"
          + " as from v1.8)")
  private boolean processors;

  BucketLayout layout() {
    return processors ? BucketLayout.OFFSET_TIMELINE_AND_PROCESSORS : BucketLayout.OFFSET_TIMELINE;
  }
}
