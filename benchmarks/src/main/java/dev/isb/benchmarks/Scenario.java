package dev.isb.benchmarks;

/** What a round measures. */
enum Scenario {
  /** Write every message of an empty stream, in batches, acks awaited per batch. */
  WRITE("write"),
  /** Read and confirm-ack every message of a pre-filled stream, batch by batch. */
  READ("read"),
  /** One thread writes while another reads and acks, until the reader has acked every message. */
  E2E("e2e");

  private final String label;

  Scenario(String label) {
    this.label = label;
  }

  String label() {
    return label;
  }

  static Scenario named(String label) {
    for (Scenario s : values()) {
      if (s.label.equals(label)) {
        return s;
      }
    }
    throw new IllegalArgumentException("scenario must be one of write, read, e2e, all; was '" + label + "'");
  }
}
