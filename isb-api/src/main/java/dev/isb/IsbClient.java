package dev.isb;

import dev.isb.spi.IsbBackend;
import dev.isb.watermark.WatermarkStore;
import java.util.ArrayList;
import java.util.Locale;
import java.util.Objects;
import java.util.ServiceLoader;

/**
 * A connection to an ISB service: opens writers, readers and the admin interface. Thread-safe.
 * Closing the client closes every writer and reader it opened.
 *
 * <pre>{@code
 * try (IsbClient client = IsbClient.open(IsbOptions.builder().backend("memory").build())) {
 *   client.admin().createBuffers(List.of("ns-pl-out-0"), BufferConfig.defaults());
 *   try (BufferWriter writer = client.writer("ns-pl-out-0");
 *        BufferReader reader = client.reader("ns-pl-out-0", ReaderOptions.defaults())) {
 *     writer.write(Message.data(new MessageId("in", "1", 0), "hello".getBytes(UTF_8)));
 *     for (ReadMessage m : reader.read()) {
 *       reader.ack(m.offset());
 *     }
 *   }
 * }
 * }</pre>
 */
public interface IsbClient extends AutoCloseable {

  /**
   * Opens a client on the backend named in the options, found with {@link ServiceLoader}.
   *
   * @throws IllegalArgumentException if no backend of that name is on the class path
   */
  static IsbClient open(IsbOptions options) {
    Objects.requireNonNull(options, "options");
    var found = new ArrayList<String>();
    for (IsbBackend backend : ServiceLoader.load(IsbBackend.class)) {
      if (backend.name().equalsIgnoreCase(options.backend())) {
        return backend.open(options);
      }
      found.add(backend.name().toLowerCase(Locale.ROOT));
    }
    throw new IllegalArgumentException("backend was '" + options.backend()
        + "' but no ISB backend of that name is on the class path (found " + found
        + "); add the isb-jetstream, isb-redis or isb-memory module");
  }

  /** The backend's name. */
  String backend();

  /** Creates, checks and deletes buffers. */
  BufferAdmin admin();

  /**
   * Opens a writer on an existing buffer.
   *
   * @throws IllegalArgumentException if the name is not a valid buffer name
   * @throws BufferNotFoundException if the buffer does not exist
   * @throws IllegalStateException if the client is closed
   */
  BufferWriter writer(String buffer, WriterOptions options);

  /** Opens a writer with {@link WriterOptions#defaults()}. */
  default BufferWriter writer(String buffer) {
    return writer(buffer, WriterOptions.defaults());
  }

  /**
   * Opens a reader on an existing buffer, in the buffer's consumer group.
   *
   * @throws IllegalArgumentException if the name is not a valid buffer name
   * @throws BufferNotFoundException if the buffer does not exist
   * @throws IllegalStateException if the client is closed
   */
  BufferReader reader(String buffer, ReaderOptions options);

  /**
   * Opens a watermark key/value bucket (an edge's {@code _OT} or {@code _PROCESSORS} bucket, named by
   * {@link dev.isb.wire.BufferNames}), closed with this client.
   *
   * @throws IllegalArgumentException if the name is not a valid bucket name
   * @throws BufferNotFoundException if the bucket does not exist
   * @throws UnsupportedOperationException if the backend keeps no watermarks (Redis: Numaflow's Redis
   *     ISB had none either)
   * @throws IllegalStateException if the client is closed
   */
  WatermarkStore watermarkStore(String bucket);

  /** Closes every writer, reader and watermark store opened by this client, then the connection. Idempotent. */
  @Override
  void close();
}
