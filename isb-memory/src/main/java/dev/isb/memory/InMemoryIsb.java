package dev.isb.memory;

import dev.isb.IsbClient;
import dev.isb.spi.Checks;
import dev.isb.spi.ForwardingIsbClient;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A complete ISB in this JVM, with the semantics every backend shows (see the conformance kit) and
 * fault injection: for unit tests of vertex code and for demos. Thread-safe.
 *
 * <pre>{@code
 * try (InMemoryIsb isb = InMemoryIsb.create()) {
 *   isb.admin().createBuffers(List.of("ns-pl-out-0"), BufferConfig.defaults());
 *   BufferWriter writer = isb.writer("ns-pl-out-0");
 *   BufferReader reader = isb.reader("ns-pl-out-0", ReaderOptions.defaults());
 *   isb.faults().failNextWrites("ns-pl-out-0", 1);   // see how the vertex copes
 * }
 * }</pre>
 *
 * <p>Like a JetStream stream with its durable consumer, each buffer has one consumer group; every
 * reader of the buffer belongs to it. Time is real time: configure short durations (ackWait of a few
 * hundred milliseconds, say) to see redelivery in a test, and wait for it with a deadline.
 *
 * <p>An {@code InMemoryIsb} is itself a client. {@link #connect()} opens further clients on the same
 * buffers, as separate vertex pods would have; closing one closes only what it opened, while closing
 * the {@code InMemoryIsb} closes everything. Through {@link IsbClient#open} the backend is named
 * {@code memory}: URL {@code ""} opens a new private ISB, {@code memory://<name>} a client of the ISB
 * of that name, shared by the whole JVM until it is closed.
 */
public final class InMemoryIsb extends ForwardingIsbClient {

  private static final Map<String, InMemoryIsb> NAMED = new ConcurrentHashMap<>();

  private final String name;
  private final InMemoryStore store;
  private final Set<InMemoryClient> clients = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();

  /** The client calls go to (the delegate): the primary client of {@code store}. */
  private InMemoryIsb(String name, InMemoryStore store) {
    super(new InMemoryClient(store));
    this.name = name;
    this.store = store;
  }

  private InMemoryIsb(String name) {
    this(name, new InMemoryStore());
  }

  /** A new, empty in-memory ISB of its own. */
  public static InMemoryIsb create() {
    return new InMemoryIsb(null);
  }

  /** The in-memory ISB of this name in this JVM, created on first use; closing it forgets the name. */
  public static InMemoryIsb named(String name) {
    return NAMED.computeIfAbsent(Checks.notBlank("name", name), InMemoryIsb::new);
  }

  /**
   * Another client on the same buffers, as another vertex pod would have.
   *
   * @throws IllegalStateException if this ISB is closed
   */
  public IsbClient connect() {
    requireOpen();
    var client = new InMemoryClient(store);
    clients.add(client);
    if (closed.get()) {
      client.close();
      requireOpen();
    }
    return client;
  }

  /** Fault injection for the buffers of this ISB. */
  public InMemoryFaults faults() {
    return store.faults;
  }

  private void requireOpen() {
    if (closed.get()) {
      throw new IllegalStateException("in-memory ISB is closed");
    }
  }

  /** Closes every client of this ISB, their writers, readers and watermark stores, and its timer thread. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (name != null) {
      NAMED.remove(name, this);
    }
    delegate.close();
    clients.forEach(InMemoryClient::close);
    clients.clear();
    store.shutdown();
  }

  @Override
  public String toString() {
    return "InMemoryIsb{" + (name == null ? "private" : name) + ", buffers=" + store.buffers.keySet() + '}';
  }
}
