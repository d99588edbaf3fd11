package dev.isb;

/** Where a buffer keeps its messages. The numbers are Numaflow's (and JetStream's) config values. */
public enum Storage {
  /** On disk. */
  FILE(0),
  /** In memory only. */
  MEMORY(1);

  private final int configValue;

  Storage(int configValue) {
    this.configValue = configValue;
  }

  /** The number that stands for this storage in Numaflow's buffer configuration. */
  public int configValue() {
    return configValue;
  }
}
