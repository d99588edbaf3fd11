package dev.isb.wire;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.isb.Header;
import dev.isb.Kind;
import dev.isb.Message;
import dev.isb.MessageId;
import dev.isb.Metadata;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Byte-exact encodings, checked by hand field by field and confirmed independently with protoc 4.36.2
 * ({@code protoc --encode=isb.Message isb/message.proto < message.txt} on the text form in each
 * comment, using the test {@code .proto} files).
 */
class MessageCodecGoldenTest {

  /**
   * <pre>
   * header { message_info { event_time { seconds: 1719664496 nanos: 789000000 } is_late: true }
   *          id { vertex_name: "map-1" offset: "1042-0" index: 3 }  keys: "a"  keys: "b"
   *          headers { key: "trace" value: "abc" }  headers { key: "x" value: "1" }
   *          metadata { previous_vertex: "in"
   *                     sys_metadata { key: "tracing" value { key_value { key: "id" value: "\001\002" } } }
   *                     user_metadata { key: "app" value { key_value { key: "k" value: "v" } } } } }
   * body { payload: "hello" }
   * </pre>
   */
  private static final String ALL_FIELDS = hex(
      "0a 6f", //                      Message.header (1, LEN), 111 bytes
      "  0a 10", //                    Header.message_info (1, LEN), 16 bytes
      "    0a 0c", //                  MessageInfo.event_time (1, LEN), 12 bytes
      "      08 f0 fe ff b3 06", //    Timestamp.seconds (1, VARINT) = 1719664496 (2024-06-29T12:34:56Z)
      "      10 c0 de 9c f8 02", //    Timestamp.nanos (2, VARINT) = 789000000
      "    10 01", //                  MessageInfo.is_late (2, VARINT) = true
      //                               Header.kind (2) DATA = 0 is the default: absent
      "  1a 11", //                    Header.id (3, LEN), 17 bytes
      "    0a 05 6d 61 70 2d 31", //   MessageID.vertex_name (1, LEN) = "map-1"
      "    12 06 31 30 34 32 2d 30", // MessageID.offset (2, LEN) = "1042-0"
      "    18 03", //                  MessageID.index (3, VARINT) = 3
      "  22 01 61", //                 Header.keys (4, LEN) = "a"
      "  22 01 62", //                 Header.keys (4, LEN) = "b"
      "  2a 0c", //                    Header.headers (5, LEN) entry, 12 bytes; "trace" sorts first
      "    0a 05 74 72 61 63 65", //   entry key (1, LEN) = "trace"
      "    12 03 61 62 63", //         entry value (2, LEN) = "abc"
      "  2a 06", //                    Header.headers (5, LEN) entry, 6 bytes
      "    0a 01 78", //               entry key = "x"
      "    12 01 31", //               entry value = "1"
      "  32 2c", //                    Header.metadata (6, LEN), 44 bytes
      "    0a 02 69 6e", //            Metadata.previous_vertex (1, LEN) = "in"
      "    12 15", //                  Metadata.sys_metadata (2, LEN) entry, 21 bytes
      "      0a 07 74 72 61 63 69 6e 67", // entry key = "tracing"
      "      12 0a", //                entry value (2, LEN): KeyValueGroup, 10 bytes
      "        0a 08", //              KeyValueGroup.key_value (1, LEN) entry, 8 bytes
      "          0a 02 69 64", //      entry key = "id"
      "          12 02 01 02", //      entry value (bytes) = 01 02
      "    1a 0f", //                  Metadata.user_metadata (3, LEN) entry, 15 bytes
      "      0a 03 61 70 70", //       entry key = "app"
      "      12 08", //                entry value: KeyValueGroup, 8 bytes
      "        0a 06", //              KeyValueGroup.key_value entry, 6 bytes
      "          0a 01 6b", //         entry key = "k"
      "          12 01 76", //         entry value = "v"
      "12 07", //                      Message.body (2, LEN), 7 bytes
      "  0a 05 68 65 6c 6c 6f"); //    Body.payload (1, LEN) = "hello"

  /** {@code header { message_info { event_time { } } id { } } body { }}: everything else is omitted. */
  private static final String DEFAULTS = hex(
      "0a 06", //       Message.header, 6 bytes
      "  0a 02", //     Header.message_info, 2 bytes: always written
      "    0a 00", //   MessageInfo.event_time, empty (the epoch): always written; is_late false: absent
      //                kind DATA, keys, headers, metadata: absent
      "  1a 00", //     Header.id, empty (vertex "", offset "", index 0): always written
      "12 00"); //      Message.body, empty (payload empty): always written

  /**
   * <pre>
   * header { message_info { event_time { seconds: -2 nanos: 500000000 } }  kind: WMB
   *          id { vertex_name: "src" offset: "7" index: -1 } }
   * body { }
   * </pre>
   */
  private static final String WMB = hex(
      "0a 2c", //                       Message.header, 44 bytes
      "  0a 13", //                     Header.message_info, 19 bytes
      "    0a 11", //                   MessageInfo.event_time, 17 bytes (1969-12-31T23:59:58.5Z)
      "      08 fe ff ff ff ff ff ff ff ff 01", // Timestamp.seconds = -2: int64 varint, 10 bytes
      "      10 80 ca b5 ee 01", //     Timestamp.nanos = 500000000
      "  10 01", //                     Header.kind (2, VARINT) = 1 (WMB)
      "  1a 13", //                     Header.id, 19 bytes
      "    0a 03 73 72 63", //          MessageID.vertex_name = "src"
      "    12 01 37", //                MessageID.offset = "7"
      "    18 ff ff ff ff ff ff ff ff ff 01", // MessageID.index = -1: int32 sign-extended, 10 bytes
      "12 00"); //                      Message.body, empty

  @Test
  @DisplayName("a message with every field set encodes to the golden bytes and back")
  void allFields() {
    var metadata = Metadata.of("in",
        Map.of("tracing", Map.of("id", new byte[] {1, 2})),
        Map.of("app", Map.of("k", "v".getBytes(UTF_8))));
    var header = Header.builder(new MessageId("map-1", "1042-0", 3))
        .eventTime(Instant.parse("2024-06-29T12:34:56.789Z"))
        .late(true)
        .keys("a", "b")
        .headers(Map.of("x", "1", "trace", "abc"))
        .metadata(metadata)
        .build();

    assertGolden(new Message(header, "hello".getBytes(UTF_8)), ALL_FIELDS);
  }

  @Test
  @DisplayName("a message with default values omits them but keeps message_info, event_time, id and body")
  void defaults() {
    assertGolden(Message.data(new MessageId("", "", 0), new byte[0]), DEFAULTS);
  }

  @Test
  @DisplayName("a watermark barrier writes kind 1 and sign-extends negative seconds and index")
  void watermarkBarrier() {
    var header = Header.builder(new MessageId("src", "7", -1))
        .kind(Kind.WMB)
        .eventTime(Instant.parse("1969-12-31T23:59:58.500Z"))
        .build();

    assertGolden(new Message(header, new byte[0]), WMB);
  }

  private static void assertGolden(Message message, String goldenHex) {
    byte[] golden = HexFormat.of().parseHex(goldenHex);

    assertThat(hex(MessageCodec.encode(message))).as("encode").isEqualTo(goldenHex);
    assertThat(MessageCodec.decode(golden)).as("decode").isEqualTo(message);
    assertThat(hex(MessageCodec.encode(MessageCodec.decode(golden)))).as("re-encode").isEqualTo(goldenHex);

    // The header alone is the bytes inside Message.header (after the 0a tag and a one-byte length).
    byte[] headerBytes = Arrays.copyOfRange(golden, 2, 2 + golden[1]);
    assertThat(hex(MessageCodec.encodeHeader(message.header()))).as("encodeHeader").isEqualTo(hex(headerBytes));
    assertThat(MessageCodec.decodeHeader(headerBytes)).as("decodeHeader").isEqualTo(message.header());
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  private static String hex(String... parts) {
    return String.join("", parts).replace(" ", "");
  }
}
