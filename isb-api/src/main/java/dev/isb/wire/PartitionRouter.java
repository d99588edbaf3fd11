package dev.isb.wire;

import dev.isb.Header;
import dev.isb.Message;
import dev.isb.MessageId;
import dev.isb.spi.Checks;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Chooses the partition of a multi-partition buffer that a message is written to, the same way
 * Numaflow's Rust data plane does. Thread-safe.
 *
 * <p>Numaflow hashes a <em>shuffle key</em> with Rust's {@code DefaultHasher} (SipHash-1-3, keys 0)
 * and takes the unsigned remainder by the partition count; one partition is always partition 0. The
 * shuffle key is:
 *
 * <ul>
 *   <li>{@link #byKeys}: the message keys joined with {@code ":"}, for edges into a reduce vertex and
 *       edges with ordered processing, so that one key always meets the same reader;
 *   <li>{@link #byOffset}: the offset of the message id, for every other edge. All messages produced
 *       from one input offset land on the same partition, and a retried write lands where the first
 *       attempt did, inside the same stream's de-duplication window.
 * </ul>
 *
 * <p>{@link #route} picks between the two by whether the message has keys. {@link #roundRobin} is not
 * something Numaflow does; use it only where neither key affinity nor de-duplication of retries is
 * needed.
 *
 * <pre>{@code
 * PartitionRouter router = PartitionRouter.of(3);
 * Message m = new Message(Header.builder(new MessageId("map", "1042-0", 0)).keys("a", "b").build(), body);
 * int partition = router.route(m);   // 2: the same partition Numaflow's Rust writer picks for keys "a:b"
 * }</pre>
 */
public final class PartitionRouter {

  /** The most partitions a buffer can have: Numaflow's Rust data plane counts them in a {@code u16}. */
  public static final int MAX_PARTITIONS = 65_535;

  private static final String KEY_DELIMITER = ":";

  private final int partitions;
  private final AtomicInteger next = new AtomicInteger();

  private PartitionRouter(int partitions) {
    this.partitions = partitions;
  }

  /**
   * A router over the given number of partitions.
   *
   * <pre>{@code
   * PartitionRouter router = PartitionRouter.of(vertex.partitions());
   * }</pre>
   *
   * @param partitions the number of partitions, 1 to {@value #MAX_PARTITIONS}
   * @throws IllegalArgumentException if {@code partitions} is out of that range, naming the value
   */
  public static PartitionRouter of(int partitions) {
    return new PartitionRouter((int) Checks.inRange("partitions", partitions, 1, MAX_PARTITIONS));
  }

  /**
   * The number of partitions this router spreads over.
   *
   * <pre>{@code
   * PartitionRouter.of(4).partitions();   // 4
   * }</pre>
   */
  public int partitions() {
    return partitions;
  }

  /**
   * The partition of a message: {@link #byKeys} when it has keys, {@link #byOffset} when it has none.
   * Deterministic: the same message always gets the same partition.
   *
   * <pre>{@code
   * int keyed = router.route(messageWithKeys);      // same as router.byKeys(messageWithKeys)
   * int keyless = router.route(messageWithoutKeys); // same as router.byOffset(messageWithoutKeys)
   * }</pre>
   *
   * @return a partition index from 0 to {@code partitions() - 1}
   */
  public int route(Message message) {
    Objects.requireNonNull(message, "message");
    return message.header().keys().isEmpty() ? byOffset(message) : byKeys(message);
  }

  /**
   * The partition for the message's keys joined with {@code ":"}, as Numaflow routes into a reduce
   * vertex or along an ordered edge. A message without keys hashes the empty string, so all of them
   * share one partition; keys {@code ["a", "b"]} and {@code ["a:b"]} share one too.
   *
   * <pre>{@code
   * Message m = new Message(Header.builder(id).keys("user-42").build(), body);
   * PartitionRouter.of(5).byKeys(m);   // 1
   * }</pre>
   *
   * @return a partition index from 0 to {@code partitions() - 1}
   */
  public int byKeys(Message message) {
    Objects.requireNonNull(message, "message");
    return hashed(String.join(KEY_DELIMITER, message.header().keys()));
  }

  /**
   * The partition for the offset of the message's id, as Numaflow routes along every edge that is
   * neither into a reduce vertex nor ordered. Neither the vertex name nor the index is hashed.
   *
   * <pre>{@code
   * Message m = Message.data(new MessageId("map", "1042-0", 0), body);
   * PartitionRouter.of(3).byOffset(m);   // 1
   * }</pre>
   *
   * @return a partition index from 0 to {@code partitions() - 1}
   */
  public int byOffset(Message message) {
    Objects.requireNonNull(message, "message");
    return hashed(message.id().offset());
  }

  /**
   * The next partition in turn: 0, 1, …, {@code partitions() - 1}, 0, … shared by all threads using
   * this router, so that over many calls every partition gets the same share. Not what Numaflow does:
   * a retried write may land on another partition and so escape that partition's de-duplication.
   *
   * <pre>{@code
   * PartitionRouter router = PartitionRouter.of(2);
   * router.roundRobin();   // 0
   * router.roundRobin();   // 1
   * router.roundRobin();   // 0
   * }</pre>
   *
   * @return a partition index from 0 to {@code partitions() - 1}
   */
  public int roundRobin() {
    // Wrapping inside the update keeps the cycle exact; a free-running counter would skew at overflow.
    return next.getAndUpdate(p -> p + 1 < partitions ? p + 1 : 0);
  }

  /** The partition count, for logs. */
  @Override
  public String toString() {
    return "PartitionRouter{partitions=" + partitions + '}';
  }

  private int hashed(String shuffleKey) {
    if (partitions == 1) {
      return 0;
    }
    long hash = SipHash13.hash(shuffleKey.getBytes(StandardCharsets.UTF_8));
    return (int) Long.remainderUnsigned(hash, partitions);
  }
}
