package dev.isb.wire;

import dev.isb.spi.Checks;
import java.util.Objects;

/**
 * Numaflow's names for buffers, buckets and the backend objects behind them, so that this library and
 * Numaflow's own vertices meet on the same ones. Stateless.
 *
 * <pre>{@code
 * String buffer = BufferNames.buffer("prod", "orders", "enrich", 0);   // "prod-orders-enrich-0"
 * String key = BufferNames.redisStreamKey(buffer);                    // "{prod-orders-enrich-0}"
 * }</pre>
 */
public final class BufferNames {

  /** The longest name accepted (JetStream's limit on stream and consumer names). */
  public static final int MAX_LENGTH = 255;

  private BufferNames() {}

  /** A buffer (one partition): {@code <namespace>-<pipeline>-<vertex>-<partition>}. */
  public static String buffer(String namespace, String pipeline, String vertex, int partition) {
    Checks.notNegative("partition", partition);
    return requireValid(part("namespace", namespace) + '-' + part("pipeline", pipeline) + '-'
        + part("vertex", vertex) + '-' + partition);
  }

  /** An edge's watermark bucket: {@code <namespace>-<pipeline>-<from>-<to>}. */
  public static String edgeBucket(String namespace, String pipeline, String from, String to) {
    return requireValid(part("namespace", namespace) + '-' + part("pipeline", pipeline) + '-'
        + part("from", from) + '-' + part("to", to));
  }

  /** A source vertex's watermark bucket: {@code <namespace>-<pipeline>-<vertex>_SOURCE}. */
  public static String sourceBucket(String namespace, String pipeline, String vertex) {
    return requireValid(part("namespace", namespace) + '-' + part("pipeline", pipeline) + '-'
        + part("vertex", vertex) + "_SOURCE");
  }

  /** A sink vertex's watermark bucket: {@code <namespace>-<pipeline>-<vertex>_SINK}. */
  public static String sinkBucket(String namespace, String pipeline, String vertex) {
    return requireValid(part("namespace", namespace) + '-' + part("pipeline", pipeline) + '-'
        + part("vertex", vertex) + "_SINK");
  }

  /** The offset-timeline key/value bucket of a bucket: {@code <bucket>_OT}. */
  public static String offsetTimelineBucket(String bucket) {
    return requireValid(bucket) + "_OT";
  }

  /** The processors (heartbeat) key/value bucket of a bucket, older layout: {@code <bucket>_PROCESSORS}. */
  public static String processorsBucket(String bucket) {
    return requireValid(bucket) + "_PROCESSORS";
  }

  /** The JetStream stream of a buffer: the buffer name. Its subject and durable consumer have it too. */
  public static String jetStreamStream(String buffer) {
    return requireValid(buffer);
  }

  /** The Redis stream key of a buffer: {@code {<buffer>}}, a cluster hash tag. */
  public static String redisStreamKey(String buffer) {
    return '{' + requireValid(buffer) + '}';
  }

  /** The Redis consumer group of a buffer: {@code <buffer>-group}. */
  public static String redisGroup(String buffer) {
    return requireValid(buffer) + "-group";
  }

  /** A Redis consumer name: {@code <vertex>-<replica>}. */
  public static String redisConsumer(String vertex, int replica) {
    Checks.notNegative("replica", replica);
    return part("vertex", vertex) + '-' + replica;
  }

  /**
   * The partition index at the end of a buffer name ({@code "...-3"} is partition 3); 0 when the name
   * does not end in {@code -<digits>}.
   */
  public static int partitionOf(String buffer) {
    requireValid(buffer);
    int dash = buffer.lastIndexOf('-');
    if (dash < 0 || dash == buffer.length() - 1 || buffer.length() - dash - 1 > 9) {
      return 0;
    }
    int partition = 0;
    for (int i = dash + 1; i < buffer.length(); i++) {
      char c = buffer.charAt(i);
      if (c < '0' || c > '9') {
        return 0;
      }
      partition = partition * 10 + (c - '0');
    }
    return partition;
  }

  /**
   * Checks that a name can be a buffer or bucket name in every backend: 1 to 255 printable ASCII
   * characters, none of them {@code . * > / \ { }} (JetStream reserves the first five in names and
   * subjects; braces would break the Redis hash tag).
   *
   * @return the name
   * @throws IllegalArgumentException naming the name and the first bad character
   */
  public static String requireValid(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isEmpty() || name.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "buffer name '" + name + "' must be 1 to " + MAX_LENGTH + " characters long, was " + name.length());
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c <= ' ' || c > '~' || ".*>/\\{}".indexOf(c) >= 0) {
        throw new IllegalArgumentException("buffer name '" + name + "' has the character "
            + describe(c) + " at index " + i + "; names are printable ASCII without . * > / \\ { }");
      }
    }
    return name;
  }

  private static String describe(char c) {
    return c > ' ' && c <= '~' ? "'" + c + "'" : String.format("U+%04X", (int) c);
  }

  private static String part(String field, String value) {
    Objects.requireNonNull(value, field);
    if (value.isEmpty()) {
      throw new IllegalArgumentException(field + " must not be empty");
    }
    return value;
  }
}
