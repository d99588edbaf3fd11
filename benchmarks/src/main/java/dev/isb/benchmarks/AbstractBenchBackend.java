package dev.isb.benchmarks;

import dev.isb.BufferConfig;
import dev.isb.IsbClient;
import dev.isb.IsbOptions;
import dev.isb.Message;
import java.util.ArrayList;
import java.util.List;

/**
 * What every server backend of {@link Bench} does the same way: it holds its clients (and the server,
 * when it started one) and closes them in the reverse order of opening; it opens the library's sides;
 * it makes and removes a round's buffers through the library's {@code BufferAdmin} with the run's
 * buffer settings; it pre-fills with a raw side of its own and then checks that the server stored
 * every message. A subclass opens its resources in its constructor, each through {@link #keep}, and
 * closes what it kept if one fails. Not thread-safe: setup and checks run on the benchmark's main
 * thread.
 */
abstract class AbstractBenchBackend implements BenchBackend {

  /** Closed first to last: the last opened first. */
  private final List<AutoCloseable> resources = new ArrayList<>();
  private final String name;
  /** The settings of every round's buffers. */
  final BufferConfig config;
  /** The most messages a round writes into one buffer. */
  final int messages;
  /** Messages per write call and per read. */
  final int batchSize;
  private IsbClient admin;
  private Library library;
  private Library libraryAsync;

  /** The backend {@code name} (a {@link BenchOptions} constant), its buffers holding its largest round. */
  AbstractBenchBackend(String name, BenchOptions options) {
    this.name = name;
    this.messages = options.largestRound(name);
    this.config = Bench.bufferConfig(messages);
    this.batchSize = options.batchSize();
  }

  @Override
  public final String name() {
    return name;
  }

  /** Keeps {@code resource} to be closed before everything kept so far. */
  final <T extends AutoCloseable> T keep(T resource) {
    resources.add(0, resource);
    return resource;
  }

  /**
   * Opens (and keeps) the library's client that creates, deletes and inspects the rounds' buffers, and
   * the library's sides on a client of their own.
   */
  final void openLibrary(String url) {
    admin = keep(IsbClient.open(IsbOptions.builder().backend(name()).url(url).build()));
    library = keep(new Library(name, url, 4L * messages));
    // library-async shares the library's client: rounds never overlap.
    libraryAsync = library.streaming();
  }

  /** The library's side, once {@link #openLibrary} has opened it. */
  final Library library() {
    return library;
  }

  /** The library's streaming side, {@code library-async}, on the library's client. */
  final Library libraryAsync() {
    return libraryAsync;
  }

  /** The raw side that writes a {@code read} round's messages, on a connection of its own. */
  abstract Contender prefiller();

  /**
   * Asks the server whether {@code buffer} holds exactly {@code expected} messages.
   *
   * @throws BenchFailure if not
   */
  abstract void requireStored(String buffer, int expected);

  @Override
  public final void create(String buffer) {
    admin.admin().createBuffers(List.of(buffer), config);
  }

  @Override
  public final void delete(String buffer) {
    admin.admin().deleteBuffers(List.of(buffer));
  }

  @Override
  public final void prefill(String buffer, List<Message> messages, int batchSize) {
    Rounds.write(prefiller(), buffer, messages, batchSize);
    requireStored(buffer, messages.size());
  }

  /** Closes the clients, then the server, if it started one; a failure is printed, and the rest still closed. */
  @Override
  public final void close() {
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
