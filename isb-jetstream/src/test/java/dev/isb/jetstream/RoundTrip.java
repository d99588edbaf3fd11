package dev.isb.jetstream;

import static dev.isb.jetstream.StreamConfigs.MEMORY;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.isb.BufferReader;
import dev.isb.BufferWriter;
import dev.isb.IsbClient;
import dev.isb.Message;
import dev.isb.MessageId;
import dev.isb.ReadMessage;
import dev.isb.ReaderOptions;
import dev.isb.WriteResult;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/** The end-to-end check of the connection tests: a client that connected can write and read back. */
final class RoundTrip {

  private RoundTrip() {}

  /** Writes one message with {@code payload} to a new in-memory buffer through the client, reads it back and acks it. */
  static void assertRoundTrip(IsbClient client, String payload) {
    String buffer = "ns-pl-t" + UUID.randomUUID().toString().substring(0, 8) + "-0";
    client.admin().createBuffers(List.of(buffer), MEMORY);
    Message sent = Message.data(new MessageId("in", "1", 0), payload.getBytes(UTF_8));
    try (BufferWriter writer = client.writer(buffer);
        BufferReader reader = client.reader(buffer, ReaderOptions.defaults())) {
      assertThat(writer.write(sent)).isInstanceOf(WriteResult.Written.class);
      List<ReadMessage> read = reader.read(1, Duration.ofSeconds(5));
      assertThat(read).singleElement().satisfies(m -> assertThat(m.message()).isEqualTo(sent));
      reader.ack(read.get(0).offset());
    }
  }
}
