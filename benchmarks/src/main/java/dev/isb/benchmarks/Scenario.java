package dev.isb.benchmarks;

import java.util.ArrayList;
import java.util.List;

/**
 * What a round measures. The first four are the work a round does; the last two are sweeps that run
 * that work over several settings. Each scenario expands into {@linkplain #cases cases}, one row of the
 * summary each.
 */
enum Scenario {
  /**
   * Write every message of an empty stream, in batches, acks awaited per batch; at each {@code
   * --payload} also by the streaming sides, several batches in flight.
   */
  WRITE("write"),
  /** Read and confirm-ack every message of a pre-filled stream, batch by batch. */
  READ("read"),
  /** One thread writes while another reads and acks, until the reader has acked every message. */
  E2E("e2e"),
  /**
   * As {@link #E2E}, but the writer keeps a fixed rate, and each message's write-to-read latency is
   * measured.
   */
  PACED("paced"),
  /**
   * As {@link #E2E}, unpaced, with each message's latency measured, and the library's writer under
   * Numaflow's default buffer-full rule (maxLength 30,000, usage limit 0.8, retry until there is room)
   * instead of a rule that never stops a round; the raw clients have no such rule.
   */
  BACKPRESSURE("backpressure"),
  /** {@link #E2E} over several buffers at once, one writer and one reader thread per buffer. */
  PARTITIONS("partitions"),
  /** {@link #WRITE} and {@link #READ} with each batch size of {@code --batches}. */
  BATCH("batch");

  /** The sweeps' batch size from which a round gets the full message count. */
  private static final int FULL_ROUND_BATCH = 100;

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
    throw new IllegalArgumentException(
        "--scenario must be one of write, read, e2e, paced, backpressure, partitions, batch, all; was '" + label + "'");
  }

  /**
   * The rows this scenario adds to a backend's run. {@code write} and {@code read} run each payload of
   * {@code --payload}, then the large payload with fewer messages; {@code e2e} each payload; {@code
   * paced}, {@code partitions} and {@code batch} the first payload only.
   */
  List<Case> cases(BenchOptions options, String backend) {
    int messages = options.messagesFor(backend);
    int payload = options.payloads().get(0);
    int batch = options.batchSize();
    var out = new ArrayList<Case>();
    switch (this) {
      case WRITE, READ, E2E -> {
        for (int size : options.payloads()) {
          out.add(new Case(this, this, label, label, size, messages, batch, 1, 0, options, false));
        }
        int large = options.largePayload();
        if (this != E2E && large > 0 && !options.payloads().contains(large)) {
          out.add(new Case(this, this, label, label, large, options.largeMessagesFor(backend), batch, 1, 0, options,
              true));
        }
      }
      case PACED -> out.add(new Case(this, this, label, label, payload, options.pacedMessagesFor(backend), batch, 1,
          options.rateFor(backend), options, true));
      case BACKPRESSURE -> out.add(new Case(this, this, label, label, payload, options.backPressureMessagesFor(backend),
          batch, 1, 0, options, true));
      case PARTITIONS -> {
        for (int n : options.partitions()) {
          out.add(new Case(this, E2E, "e2e parts=" + n, "e2e-p" + n, payload, Math.max(1, messages / n), batch, n, 0,
              options, true));
        }
      }
      case BATCH -> {
        for (Scenario work : List.of(WRITE, READ)) {
          for (int b : options.batches()) {
            // Small batches are slow (a round trip per batch): fewer messages keep the round under a second.
            int count = Math.max(1, b >= FULL_ROUND_BATCH ? messages : b >= 10 ? messages / 5 : messages / 25);
            out.add(new Case(this, work, work.label + " b=" + b, work.label + "-b" + b, payload, count, b, 1, 0,
                options, true));
          }
        }
      }
    }
    return out;
  }

  /**
   * One row of the summary: what its rounds do and with which settings.
   *
   * @param scenario the scenario that asked for it
   * @param work what each round does: {@link #WRITE}, {@link #READ}, {@link #E2E}, {@link #PACED} or
   *     {@link #BACKPRESSURE}
   * @param label its name in the output, as {@code write b=10}
   * @param tag its part of the buffer names, as {@code write-b10}
   * @param payload payload size in bytes
   * @param messages messages per partition per round
   * @param batchSize messages per write call and per read
   * @param partitions buffers written and read at once, each by threads of its own
   * @param rate the writer's messages per second in {@link #PACED}; 0 elsewhere
   * @param warmups unmeasured rounds per side
   * @param rounds measured rounds per side
   * @param streaming whether the streaming sides ({@link Contender#streams()}) run too, where
   *     {@link Contender#streamsIn} says: in {@code write} and {@code read} at each {@code --payload},
   *     with their full count of rounds, not at the large payload nor in the sweeps
   */
  record Case(Scenario scenario, Scenario work, String label, String tag, int payload, int messages, int batchSize,
      int partitions, int rate, int warmups, int rounds, boolean streaming) {

    private Case(Scenario scenario, Scenario work, String label, String tag, int payload, int messages, int batchSize,
        int partitions, int rate, BenchOptions options, boolean extra) {
      this(scenario, work, label, tag, payload, messages, batchSize, partitions, rate, options.warmupsFor(extra),
          options.roundsFor(extra), (scenario == WRITE || scenario == READ) && !extra);
    }

    /** Messages per round over every partition. */
    int total() {
      return messages * partitions;
    }
  }
}
