package dev.isb;

import java.util.Collection;

/**
 * Creates, checks and deletes buffers and their watermark buckets, as Numaflow's {@code isbsvc-create},
 * {@code isbsvc-validate} and {@code isbsvc-delete} jobs do. Thread-safe.
 *
 * <pre>{@code
 * BufferAdmin admin = client.admin();
 * admin.createBuffers(List.of("ns-pl-out-0"), BufferConfig.defaults());
 * ValidationReport report = admin.validate(List.of("ns-pl-out-0"), List.of(), BucketLayout.OFFSET_TIMELINE);
 * }</pre>
 */
public interface BufferAdmin {

  /**
   * Creates each buffer (and its consumer group) that does not exist yet. Existing buffers are left as
   * they are, even when their settings differ from {@code config}.
   *
   * @throws IllegalArgumentException if a name is not a valid buffer name
   * @throws IsbException if the ISB service refused
   */
  void createBuffers(Collection<String> buffers, BufferConfig config);

  /**
   * Creates the watermark key/value buckets of each edge bucket ({@code <bucket>_OT}, and
   * {@code <bucket>_PROCESSORS} in the older layout) that do not exist yet.
   */
  void createBuckets(Collection<String> buckets, BufferConfig config, BucketLayout layout);

  /**
   * Reports every buffer, consumer group and bucket that is missing, as Numaflow's
   * {@code isbsvc-validate} does.
   */
  ValidationReport validate(Collection<String> buffers, Collection<String> buckets, BucketLayout layout);

  /**
   * Reports every buffer, consumer group and bucket that is missing, and every setting of an existing
   * one that differs from {@code expected}.
   */
  ValidationReport validate(Collection<String> buffers, Collection<String> buckets, BucketLayout layout,
      BufferConfig expected);

  /** Deletes buffers with their consumer groups; buffers that do not exist are ignored. */
  void deleteBuffers(Collection<String> buffers);

  /** Deletes the watermark buckets of each edge bucket, in both layouts; missing ones are ignored. */
  void deleteBuckets(Collection<String> buckets);

  /**
   * A snapshot of a buffer's counts.
   *
   * @throws BufferNotFoundException if the buffer does not exist
   */
  BufferInfo bufferInfo(String buffer);
}
