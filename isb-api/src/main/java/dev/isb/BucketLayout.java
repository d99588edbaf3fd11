package dev.isb;

/** Which watermark key/value buckets an edge bucket has. */
public enum BucketLayout {
  /** Only {@code <bucket>_OT}, the offset timeline: Numaflow since its Rust data plane. */
  OFFSET_TIMELINE,
  /** {@code <bucket>_OT} and {@code <bucket>_PROCESSORS} (heartbeats): the older Go layout. */
  OFFSET_TIMELINE_AND_PROCESSORS
}
