package dev.isb;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Numaflow release a vertex runs beside, where its data plane's rules differ. Numaflow's Rust data
 * plane (numaflow-core) changed its watermark rules in v1.8.0: v1.7 and earlier keep processor
 * heartbeats in a {@code _PROCESSORS} bucket, v1.8 and later take liveness from when each offset
 * timeline entry was stored. The default is the newest.
 */
public enum NumaflowVersion {
  /**
   * Numaflow up to v1.7.x: heartbeats in {@code _PROCESSORS}, watermarks published only when they
   * rise, a timeline entry of an equal watermark raises the head's offset.
   */
  V1_7(BucketLayout.OFFSET_TIMELINE_AND_PROCESSORS),
  /**
   * Numaflow v1.8.0 and later: no heartbeat bucket, the best watermark re-published at every throttle
   * interval (the liveness signal), every higher offset a new timeline entry.
   */
  V1_8(BucketLayout.OFFSET_TIMELINE);

  private static final Pattern RELEASE = Pattern.compile("v?(\\d+)\\.(\\d+)(?:\\.\\d+)?(?:[-+].*)?");

  private final BucketLayout layout;

  NumaflowVersion(BucketLayout layout) {
    this.layout = layout;
  }

  /** The newest: {@link #V1_8}. */
  public static NumaflowVersion latest() {
    return V1_8;
  }

  /** The watermark buckets an edge has beside this release. */
  public BucketLayout bucketLayout() {
    return layout;
  }

  /**
   * The rules of a release named {@code 1.7}, {@code v1.7.5}, {@code 1.8.3-rc1} or by a constant's
   * name ({@code V1_8}): releases before 1.8 get {@link #V1_7}, 1.8 and later {@link #V1_8}.
   *
   * @throws IllegalArgumentException naming the value, when it is none of these or before 1.0
   */
  public static NumaflowVersion parse(String release) {
    Objects.requireNonNull(release, "release");
    String text = release.trim();
    for (NumaflowVersion v : values()) {
      if (v.name().equalsIgnoreCase(text)) {
        return v;
      }
    }
    Matcher m = RELEASE.matcher(text.toLowerCase(Locale.ROOT));
    if (!m.matches() || Integer.parseInt(m.group(1)) < 1) {
      throw new IllegalArgumentException("Numaflow version '" + release
          + "' is not a release such as 1.7, v1.7.5 or 1.8.3 (nor V1_7 or V1_8)");
    }
    int major = Integer.parseInt(m.group(1));
    int minor = Integer.parseInt(m.group(2));
    return major > 1 || minor >= 8 ? V1_8 : V1_7;
  }
}
