package dev.isb.jetstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isb.BufferConfig;
import dev.isb.BufferReader;
import dev.isb.IsbClient;
import dev.isb.IsbOptions;
import dev.isb.Message;
import dev.isb.MessageId;
import dev.isb.OnUndecodable;
import dev.isb.ReadMessage;
import dev.isb.ReaderOptions;
import dev.isb.UndecodableMessage;
import dev.isb.testkit.NatsServerExtension;
import dev.isb.wire.MessageCodec;
import io.nats.client.Connection;
import io.nats.client.Nats;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bytes in a buffer that are not an isb.Message: reported with their offset, never a stall. */
class JetStreamUndecodableTest {

  @RegisterExtension
  static final NatsServerExtension NATS = NatsServerExtension.single();

  private static final Duration ACK_WAIT = Duration.ofMillis(500);

  private final IsbClient client = IsbClient.open(IsbOptions.builder().backend("jetstream").url(NATS.url()).build());
  private final String buffer = "poison-" + UUID.randomUUID().toString().substring(0, 8) + "-0";
  private final List<UndecodableMessage> reported = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() {
    client.admin().deleteBuffers(List.of(buffer));
    client.close();
  }

  /** Writes good, garbage, good straight to the stream, as a broken or foreign writer would. */
  private void writeGoodPoisonGood() throws Exception {
    var config = StreamConfigs.MEMORY.toBuilder()
        .consumer(BufferConfig.Consumer.defaults().withAckWait(ACK_WAIT))
        .build();
    client.admin().createBuffers(List.of(buffer), config);
    Connection raw = Nats.connect(NATS.url());
    try {
      var js = raw.jetStream();
      js.publish(buffer, MessageCodec.encode(message("first")));
      js.publish(buffer, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff});
      js.publish(buffer, MessageCodec.encode(message("last")));
    } finally {
      raw.close();
    }
  }

  private static Message message(String payload) {
    return Message.data(new MessageId("writer", payload, 0), payload.getBytes(StandardCharsets.UTF_8));
  }

  private BufferReader reader(OnUndecodable policy) {
    return client.reader(buffer, ReaderOptions.builder().keepAlive(false).onUndecodable(policy)
        .undecodableListener(reported::add).build());
  }

  private static List<String> payloads(List<ReadMessage> batch) {
    var out = new ArrayList<String>();
    batch.forEach(m -> out.add(m.message().payloadAsString()));
    return out;
  }

  @Test
  @DisplayName("an undecodable message is reported with its offset and the rest of the batch is delivered")
  void reportedAndSkipped() throws Exception {
    writeGoodPoisonGood();
    BufferReader reader = reader(OnUndecodable.TERMINATE);

    List<ReadMessage> batch = reader.read(10, Duration.ofSeconds(2));

    assertThat(payloads(batch)).containsExactly("first", "last");
    assertThat(reported).singleElement().satisfies(u -> {
      assertThat(u.offset()).hasToString("2-0");
      assertThat(u.deliveryCount()).isEqualTo(1);
      assertThat(u.bytes()).containsExactly(0xff, 0xff, 0xff);
      assertThat(u.error()).hasMessageContaining(buffer).hasMessageContaining("offset 2-0");
    });
  }

  static Stream<Arguments> policies() {
    return Stream.of(
        Arguments.of(Named.of("under TERMINATE an undecodable message does not come back after ackWait",
            OnUndecodable.TERMINATE), List.of(1L)),
        Arguments.of(Named.of("under REDELIVER an undecodable message is reported again after ackWait, with the next"
            + " delivery count", OnUndecodable.REDELIVER), List.of(1L, 2L)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("policies")
  @DisplayName("after ackWait, the policy decides whether an undecodable message comes again")
  void afterAckWait(OnUndecodable policy, List<Long> deliveryCountsReported) throws Exception {
    writeGoodPoisonGood();
    BufferReader reader = reader(policy);
    reader.ack(reader.read(10, Duration.ofSeconds(2)).stream().map(ReadMessage::offset).toList());

    assertThat(reader.read(10, ACK_WAIT.multipliedBy(4))).isEmpty();
    assertThat(reported).extracting(UndecodableMessage::deliveryCount)
        .containsExactlyElementsOf(deliveryCountsReported);
  }
}
