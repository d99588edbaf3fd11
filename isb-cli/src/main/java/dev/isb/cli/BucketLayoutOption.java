package dev.isb.cli;

import dev.isb.BucketLayout;
import picocli.CommandLine.Option;

/** Which key/value buckets a watermark bucket has: Numaflow's Rust data plane uses one, its Go data plane two. */
final class BucketLayoutOption {

  @Option(names = "--processors",
      description = "buckets also have <NAME>_PROCESSORS, as in Numaflow's Go data plane (default: only <NAME>_OT)")
  private boolean processors;

  BucketLayout layout() {
    return processors ? BucketLayout.OFFSET_TIMELINE_AND_PROCESSORS : BucketLayout.OFFSET_TIMELINE;
  }
}
