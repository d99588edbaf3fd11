package dev.isb;

/** What a writer does with a batch while its buffer is full: Numaflow's {@code onFull} setting. */
public enum OnFull {
  /** Wait until the buffer has room, then write (back-pressure). Numaflow's default. */
  RETRY_UNTIL_SUCCESS,
  /** Drop the messages and report each as {@link WriteResult.Dropped}. */
  DISCARD_LATEST
}
