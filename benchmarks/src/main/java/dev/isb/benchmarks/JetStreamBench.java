package dev.isb.benchmarks;

import dev.isb.BufferConfig;
import dev.isb.IsbClient;
import dev.isb.IsbOptions;
import dev.isb.Message;
import dev.isb.testkit.NatsServer;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.StreamState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The JetStream backend against raw jnats ({@link RawJetStream}) on one nats-server, started through
 * the test kit (file storage) unless a URL is given.
 */
final class JetStreamBench implements BenchBackend {

  private final List<AutoCloseable> resources = new ArrayList<>();
  private final NatsServer server;
  private final String url;
  private final BufferConfig config;
  private final int messages;
  private final int batchSize;
  private final RawJetStream control;
  private final JetStreamManagement jsm;
  private final IsbClient admin;
  private final RawJetStream raw;
  private final Library library;

  private JetStreamBench(Optional<String> givenUrl, BufferConfig config, int messages, int batchSize) {
    this.config = config;
    this.messages = messages;
    this.batchSize = batchSize;
    try {
      this.server = givenUrl.isPresent() ? null : keep(NatsServer.builder().start());
      this.url = server == null ? givenUrl.orElseThrow() : server.url();
      // Setup, pre-filling and the checks after each round go through connections of their own.
      this.control = keep(RawJetStream.connect(url, "isb-bench-control"));
      this.jsm = control.management();
      this.admin = keep(IsbClient.open(IsbOptions.builder().backend(BenchOptions.JETSTREAM).url(url).build()));
      this.raw = keep(RawJetStream.connect(url, "isb-bench-raw"));
      this.library = keep(new Library(BenchOptions.JETSTREAM, url, 4L * messages));
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  static JetStreamBench open(BenchOptions options) {
    int messages = options.messagesFor(BenchOptions.JETSTREAM);
    return new JetStreamBench(options.natsUrl(), Bench.bufferConfig(messages), messages, options.batchSize());
  }

  private <T extends AutoCloseable> T keep(T resource) {
    resources.add(0, resource);
    return resource;
  }

  @Override
  public String name() {
    return BenchOptions.JETSTREAM;
  }

  @Override
  public List<String> describe() {
    var stream = config.stream();
    return List.of(
        "server: nats-server " + control.serverVersion() + " at " + url
            + (server == null ? " (given with --nats-url)" : " (started by the benchmark, single node, store_dir "
                + server.storeDir() + ")"),
        "streams: fresh per round, file storage, replicas 1, " + stream.retention() + " retention, maxMsgs "
            + stream.maxMsgs() + ", duplicates " + stream.duplicates().toSeconds() + "s; " + messages
            + " messages per round, batches of " + batchSize + "; sides: raw (jnats), library");
  }

  @Override
  public List<Contender> contenders() {
    return List.of(raw, library);
  }

  @Override
  public void create(String buffer) {
    admin.admin().createBuffers(List.of(buffer), config);
  }

  @Override
  public void delete(String buffer) {
    admin.admin().deleteBuffers(List.of(buffer));
  }

  @Override
  public void prefill(String buffer, List<Message> messages, int batchSize) {
    Rounds.write(control, buffer, messages, batchSize);
    requireStored(buffer, messages.size());
  }

  @Override
  public void check(String buffer, Scenario scenario, Contender side, int expected) {
    requireStored(buffer, expected);
    if (scenario != Scenario.WRITE) {
      requireAllAcked(buffer);
    }
  }

  private void requireStored(String buffer, int expected) {
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

  private void requireAllAcked(String buffer) {
    ConsumerInfo consumer;
    try {
      consumer = jsm.getConsumerInfo(buffer, buffer);
    } catch (Exception e) {
      throw new BenchFailure("cannot read consumer '" + buffer + "': " + e, e);
    }
    if (consumer.getNumPending() != 0 || consumer.getNumAckPending() != 0) {
      throw new BenchFailure("consumer '" + buffer + "' still has " + consumer.getNumPending() + " pending and "
          + consumer.getNumAckPending() + " ack-pending messages after the round");
    }
  }

  /** Closes the clients, then the server, if it started one. */
  @Override
  public void close() {
    for (AutoCloseable r : resources) {
      try {
        r.close();
      } catch (Exception e) {
        System.err.println("closing " + r + " failed: " + e);
      }
    }
    resources.clear();
  }
}
