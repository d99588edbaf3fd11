package dev.isb;

/**
 * What a message carries: data, or a watermark barrier (WMB) that tells downstream vertices the
 * upstream is idle. The numbers are Numaflow's {@code isb.MessageKind} values on the wire.
 */
public enum Kind {
  /** A data message; it carries a payload and a de-duplication id. */
  DATA(0),
  /** A watermark barrier (idle control message); it has an empty payload and no de-duplication id. */
  WMB(1);

  private final int wireValue;

  Kind(int wireValue) {
    this.wireValue = wireValue;
  }

  /** The value of this kind in Numaflow's protobuf encoding. */
  public int wireValue() {
    return wireValue;
  }

  /**
   * The kind with the given wire value.
   *
   * @throws IllegalArgumentException when the value is neither 0 nor 1
   */
  public static Kind fromWireValue(int value) {
    return switch (value) {
      case 0 -> DATA;
      case 1 -> WMB;
      default -> throw new IllegalArgumentException("unknown message kind " + value + " (expected 0 DATA or 1 WMB)");
    };
  }
}
