package dev.isb.benchmarks;

import dev.isb.servers.NatsServer;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.StreamState;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;

/**
 * The JetStream backend against raw jnats ({@link RawJetStream}: confirmed acks as the library, and in
 * {@code read} also fire-and-forget acks; in {@code write} also streaming, against {@code
 * library-async}) on one nats-server, started through the test kit (file storage) unless a URL is given.
 */
final class JetStreamBench extends AbstractBenchBackend {

  /** How long fire-and-forget acks may take to land after a round, and how often that is asked. */
  private static final Duration ACKS_LANDED = Duration.ofSeconds(5);
  private static final Duration ACK_POLL = Duration.ofMillis(20);

  private final NatsServer server;
  private final String url;
  private final RawJetStream control;
  private final JetStreamManagement jsm;
  private final RawJetStream raw;
  private final RawJetStream rawFireAndForget;
  private final Contender rawStream;

  JetStreamBench(BenchOptions options) {
    super(BenchOptions.JETSTREAM, options);
    Optional<String> givenUrl = options.natsUrl();
    try {
      this.server = givenUrl.isPresent() ? null : keep(NatsServer.builder().start());
      this.url = server == null ? givenUrl.orElseThrow() : server.url();
      // Setup, pre-filling and the checks after each round go through connections of their own.
      this.control = keep(RawJetStream.connect(url, "isb-bench-control", RawJetStream.Acks.CONFIRMED));
      this.jsm = control.management();
      this.raw = keep(RawJetStream.connect(url, "isb-bench-raw", RawJetStream.Acks.CONFIRMED));
      this.rawFireAndForget = keep(RawJetStream.connect(url, "isb-bench-raw-ff", RawJetStream.Acks.FIRE_AND_FORGET));
      openLibrary(url);
      // raw-stream shares the raw side's connection: rounds never overlap.
      this.rawStream = raw.streaming();
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  @Override
  public List<String> describe() {
    var stream = config.stream();
    return List.of(
        "server: nats-server " + control.serverVersion() + " at " + url
            + (server == null ? " (given with --nats-url)" : " (started by the benchmark, single node, store_dir "
                + server.storeDir() + ")"),
        "streams: fresh per round, file storage, replicas 1, " + stream.retention() + " retention, maxMsgs "
            + stream.maxMsgs() + ", duplicates " + stream.duplicates().toSeconds() + "s; at most " + messages
            + " messages per buffer and round, batches of " + batchSize + "; sides: raw (jnats, confirmed acks),"
            + " raw-ff (jnats, fire-and-forget acks, read only), library, and in write at --payload library-async"
            + " (writeAsync, " + Library.BATCHES_IN_FLIGHT + " batches in flight) and raw-stream (publishAsync, "
            + RawJetStream.WINDOW + " outstanding, no barrier between batches)");
  }

  /**
   * Each pair compared in the summary runs back to back: raw then library, library then library-async,
   * library-async then raw-stream.
   */
  @Override
  public List<Contender> contenders() {
    return List.of(raw, rawFireAndForget, library(), libraryAsync(), rawStream);
  }

  /** The fire-and-forget side only reads: elsewhere it would repeat the raw side's work. */
  @Override
  public boolean takesPart(Contender side, Scenario scenario) {
    return side != rawFireAndForget || scenario == Scenario.READ;
  }

  @Override
  Contender prefiller() {
    return control;
  }

  @Override
  public void check(String buffer, Scenario scenario, Contender side, int expected) {
    requireStored(buffer, expected);
    if (scenario != Scenario.WRITE) {
      requireAllAcked(buffer, side instanceof RawJetStream r && r.acksLater() ? ACKS_LANDED : Duration.ZERO);
    }
  }

  @Override
  void requireStored(String buffer, int expected) {
    StreamState state;
    try {
      state = jsm.getStreamInfo(buffer).getStreamState();
    } catch (Exception e) {
      throw new BenchFailure("cannot read the state of stream '" + buffer + "': " + e, e);
    }
    if (state.getMsgCount() != expected || state.getLastSequence() != expected) {
      throw new BenchFailure("stream '" + buffer + "' holds " + state.getMsgCount() + " messages up to sequence "
          + state.getLastSequence() + ", expected exactly " + expected);
    }
  }

  /**
   * Nothing pending or awaiting an ack in the consumer, at once or, for acks that land later, within
   * {@code grace}.
   */
  private void requireAllAcked(String buffer, Duration grace) {
    long deadline = System.nanoTime() + grace.toNanos();
    ConsumerInfo consumer = consumerInfo(buffer);
    while ((consumer.getNumPending() != 0 || consumer.getNumAckPending() != 0) && System.nanoTime() - deadline < 0) {
      LockSupport.parkNanos(ACK_POLL.toNanos());
      consumer = consumerInfo(buffer);
    }
    if (consumer.getNumPending() != 0 || consumer.getNumAckPending() != 0) {
      throw new BenchFailure("consumer '" + buffer + "' still has " + consumer.getNumPending() + " pending and "
          + consumer.getNumAckPending() + " ack-pending messages after the round"
          + (grace.isZero() ? "" : " and " + grace.toSeconds() + " s more"));
    }
  }

  private ConsumerInfo consumerInfo(String buffer) {
    try {
      return jsm.getConsumerInfo(buffer, buffer);
    } catch (Exception e) {
      throw new BenchFailure("cannot read consumer '" + buffer + "': " + e, e);
    }
  }
}
