package dev.isb;

/** When a buffer may forget a message. The numbers are Numaflow's (and JetStream's) config values. */
public enum Retention {
  /** Keep messages until a limit (maxMsgs, maxAge, maxBytes) pushes the oldest out. */
  LIMITS(0),
  /** Keep a message while some consumer group has not acked it. */
  INTEREST(1),
  /** Remove a message as soon as it is acked. */
  WORK_QUEUE(2);

  private final int configValue;

  Retention(int configValue) {
    this.configValue = configValue;
  }

  /** The number that stands for this policy in Numaflow's buffer configuration. */
  public int configValue() {
    return configValue;
  }
}
