package dev.isb.wire;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.isb.Header;
import dev.isb.Message;
import dev.isb.MessageId;
import dev.isb.proto.test.IsbProto;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Random messages through {@link MessageCodec} and through the classes protoc generates from the test
 * {@code .proto} files. The seed is random per run and printed in every failure; rerun one with
 * {@code -Dcodec.seed=<seed>}.
 */
class MessageCodecRoundTripTest {

  private static final int MESSAGES = 5_000;
  private static final int MAX_PAYLOAD = 1 << 20;

  private final long seed = Long.getLong("codec.seed", new Random().nextLong());

  @Test
  @DisplayName("random messages decode to themselves, and protoc's classes read and write the same bytes")
  void randomMessages() throws InvalidProtocolBufferException {
    var messages = new RandomMessages(new Random(seed), MAX_PAYLOAD);
    for (int i = 0; i < MESSAGES; i++) {
      Message message = messages.next();
      String where = "seed " + seed + ", message " + i + ": " + message;

      byte[] ours = MessageCodec.encode(message);
      assertThat(MessageCodec.decode(ours)).as(where).isEqualTo(message);

      // protoc's parser reads our bytes into the same field values ...
      IsbProto.Message parsed = IsbProto.Message.parseFrom(ours);
      assertThat(ProtocOracle.toModel(parsed)).as(where).isEqualTo(message);
      // ... and protoc's serializer, given map entries in the same order, writes the same bytes.
      byte[] theirs = ProtocOracle.toProto(message).toByteArray();
      assertThat(theirs).as(where).isEqualTo(ours);
      assertThat(MessageCodec.decode(theirs)).as(where).isEqualTo(message);

      byte[] header = MessageCodec.encodeHeader(message.header());
      assertThat(MessageCodec.decodeHeader(header)).as(where).isEqualTo(message.header());
      assertThat(IsbProto.Header.parseFrom(header)).as(where).isEqualTo(parsed.getHeader());
    }
  }

  @Test
  @DisplayName("a message with a 1 MiB payload round-trips through both codecs")
  void largestPayload() throws InvalidProtocolBufferException {
    var random = new Random(seed);
    var message = new Message(new RandomMessages(random, 0).header(), new RandomMessages(random, 0).bytes(1 << 20));

    byte[] ours = MessageCodec.encode(message);

    assertThat(ours).as("seed %d", seed).isEqualTo(ProtocOracle.toProto(message).toByteArray());
    assertThat(MessageCodec.decode(ours)).as("seed %d", seed).isEqualTo(message);
    assertThat(ProtocOracle.toModel(IsbProto.Message.parseFrom(ours))).as("seed %d", seed).isEqualTo(message);
  }

  @Test
  @DisplayName("two encodings back to back merge exactly as protobuf-java merges them")
  void concatenationMergesLikeProtobuf() throws InvalidProtocolBufferException {
    var messages = new RandomMessages(new Random(seed), 300);
    for (int i = 0; i < 1_000; i++) {
      byte[] first = MessageCodec.encode(messages.next());
      byte[] second = MessageCodec.encode(messages.next());
      byte[] both = ByteBuffer.allocate(first.length + second.length).put(first).put(second).array();

      Message expected = ProtocOracle.toModel(IsbProto.Message.parseFrom(both));
      assertThat(MessageCodec.decode(both)).as("seed %d, pair %d", seed, i).isEqualTo(expected);
    }
  }

  @Test
  @DisplayName("the decoders for arrays, array slices, heap buffers and direct buffers agree")
  void inputKinds() {
    var messages = new RandomMessages(new Random(seed), 300);
    for (int i = 0; i < 500; i++) {
      Message message = messages.next();
      byte[] bytes = MessageCodec.encode(message);
      byte[] padded = new byte[bytes.length + 7];
      System.arraycopy(bytes, 0, padded, 3, bytes.length);
      ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length + 2).put((byte) 9).put(bytes);
      direct.flip().position(1);

      String where = "seed " + seed + ", message " + i;
      assertThat(MessageCodec.decode(padded, 3, bytes.length)).as(where).isEqualTo(message);
      assertThat(MessageCodec.decode(ByteBuffer.wrap(padded, 3, bytes.length))).as(where).isEqualTo(message);
      assertThat(MessageCodec.decode(ByteBuffer.wrap(bytes).asReadOnlyBuffer())).as(where).isEqualTo(message);
      assertThat(MessageCodec.decode(direct)).as(where).isEqualTo(message);
      assertThat(direct.position()).as("position unchanged").isEqualTo(1);
    }
  }

  @Test
  @DisplayName("map entries are written in UTF-8 byte order, which differs from String order above U+D7FF")
  void mapOrderIsCodePointOrder() {
    // U+FF21 sorts after U+1F600 in UTF-16 (String.compareTo), before it in UTF-8 and code points.
    String fullwidthA = "\uFF21";
    String emoji = "\uD83D\uDE00";
    var header = Header.builder(new MessageId("v", "1", 0))
        .headers(Map.of(emoji, "second", fullwidthA, "first"))
        .eventTime(Instant.ofEpochSecond(1))
        .build();

    byte[] bytes = MessageCodec.encodeHeader(header);

    String text = new String(bytes, UTF_8);
    assertThat(text.indexOf("first")).isLessThan(text.indexOf("second"));
    assertThat(bytes).isEqualTo(ProtocOracle.toProto(header).toByteArray());
  }
}
