package dev.isb.wire;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import dev.isb.Header;
import dev.isb.Kind;
import dev.isb.Message;
import dev.isb.MessageDecodeException;
import dev.isb.MessageId;
import dev.isb.Metadata;
import dev.isb.proto.test.IsbProto;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What {@link MessageCodec} accepts beyond its own output, and what it refuses. */
class MessageCodecDecodeTest {

  private static final Message SAMPLE = new Message(
      Header.builder(new MessageId("map-1", "1042-0", 3))
          .eventTime(Instant.parse("2024-06-29T12:34:56.789Z"))
          .late(true)
          .keys("a", "b")
          .headers(Map.of("x", "1", "trace", "abc"))
          .metadata(Metadata.of("in",
              Map.of("tracing", Map.of("id", new byte[] {1, 2})),
              Map.of("app", Map.of("k", "v".getBytes(UTF_8)))))
          .build(),
      "hello".getBytes(UTF_8));

  @Nested
  @DisplayName("unknown fields")
  class UnknownFields {

    @Test
    @DisplayName("of every wire type, in every message of the schema, are skipped")
    void atEveryLevel() throws InvalidProtocolBufferException {
      IsbProto.Message proto = ProtocOracle.toProto(SAMPLE);
      var builder = proto.toBuilder().setUnknownFields(unknowns());
      var header = builder.getHeaderBuilder().setUnknownFields(unknowns());
      header.getMessageInfoBuilder().setUnknownFields(unknowns())
          .getEventTimeBuilder().setUnknownFields(unknowns());
      header.getIdBuilder().setUnknownFields(unknowns());
      var metadata = header.getMetadataBuilder().setUnknownFields(unknowns());
      metadata.putSysMetadata("tracing",
          metadata.getSysMetadataOrThrow("tracing").toBuilder().setUnknownFields(unknowns()).build());
      builder.getBodyBuilder().setUnknownFields(unknowns());
      byte[] bytes = builder.build().toByteArray();
      assertThat(bytes.length).isGreaterThan(MessageCodec.encode(SAMPLE).length + 8 * 20);

      assertThat(MessageCodec.decode(bytes)).isEqualTo(SAMPLE);
      assertThat(MessageCodec.decodeHeader(builder.getHeader().toByteArray())).isEqualTo(SAMPLE.header());
    }

    @Test
    @DisplayName("appended at the top level and inside the header are skipped")
    void appendedByHand() {
      byte[] unknown = unknownFieldBytes();
      byte[] header = cat(MessageCodec.encodeHeader(SAMPLE.header()), unknown);
      byte[] bytes = cat(unknown, ld(1, header), unknown, ld(2, ld(1, SAMPLE.payload())), unknown);

      assertThat(MessageCodec.decode(bytes)).isEqualTo(SAMPLE);
      assertThat(MessageCodec.decodeHeader(header)).isEqualTo(SAMPLE.header());
    }

    @Test
    @DisplayName("inside map entries are skipped, and entries without key or value read as empty")
    void insideMapEntries() {
      byte[] header = cat(
          ld(5, cat(varint(3, 5), ld(1, "k".getBytes(UTF_8)), fixed32(4), ld(2, "v".getBytes(UTF_8)))),
          ld(5, ld(2, "no key".getBytes(UTF_8))),
          ld(5, ld(1, "no value".getBytes(UTF_8))),
          ld(6, ld(3, cat(ld(1, "group".getBytes(UTF_8)), fixed64(3),
              ld(2, cat(fixed32(2), ld(1, cat(ld(1, "a".getBytes(UTF_8)), varint(9, 1)))))))));

      Header decoded = MessageCodec.decodeHeader(header);

      assertThat(decoded.headers()).isEqualTo(Map.of("k", "v", "", "no key", "no value", ""));
      assertThat(decoded.metadata()).isEqualTo(Metadata.of("", Map.of(), Map.of("group", Map.of("a", new byte[0]))));
    }

    @Test
    @DisplayName("a known field number with an unexpected wire type is skipped, as protobuf does")
    void wrongWireType() throws InvalidProtocolBufferException {
      byte[] header = cat(
          ld(2, new byte[] {1}), // kind as LEN
          varint(3, 7), // id as VARINT
          fixed32(4), // a key as FIXED32
          MessageCodec.encodeHeader(SAMPLE.header()),
          varint(1, 1)); // message_info as VARINT, after the real one

      assertThat(MessageCodec.decodeHeader(header))
          .isEqualTo(SAMPLE.header())
          .isEqualTo(ProtocOracle.toModel(IsbProto.Header.parseFrom(header)));
    }

    private static UnknownFieldSet unknowns() {
      return UnknownFieldSet.newBuilder()
          .addField(9, UnknownFieldSet.Field.newBuilder().addVarint(150).addVarint(-1).build())
          .addField(10, UnknownFieldSet.Field.newBuilder().addFixed32(0xdeadbeef).build())
          .addField(11, UnknownFieldSet.Field.newBuilder().addFixed64(-2L).build())
          .addField(12, UnknownFieldSet.Field.newBuilder()
              .addLengthDelimited(ByteString.copyFrom(new byte[] {(byte) 0xff, 0, 1})).build())
          .addField(13, UnknownFieldSet.Field.newBuilder()
              .addGroup(UnknownFieldSet.newBuilder()
                  .addField(1, UnknownFieldSet.Field.newBuilder().addVarint(1).build())
                  .build())
              .build())
          .addField(536_870_911, UnknownFieldSet.Field.newBuilder().addVarint(0).build())
          .build();
    }
  }

  @Nested
  @DisplayName("merging, as protobuf reads repeated fields")
  class Merging {

    @Test
    @DisplayName("the last kind wins, even after an unknown one")
    void lastKindWins() {
      assertThat(MessageCodec.decodeHeader(cat(varint(2, 7), varint(2, 1))).kind()).isEqualTo(Kind.WMB);
    }

    @Test
    @DisplayName("a repeated header name keeps its last value")
    void lastHeaderValueWins() {
      byte[] header = cat(entry(5, "h", "1"), entry(5, "h", "2"));

      assertThat(MessageCodec.decodeHeader(header).headers()).isEqualTo(Map.of("h", "2"));
    }

    @Test
    @DisplayName("repeated embedded messages are merged field by field")
    void embeddedMessagesMerge() {
      byte[] header = cat(
          ld(3, ld(1, "v".getBytes(UTF_8))),
          ld(3, varint(3, 4)),
          ld(1, ld(1, varint(1, 10))),
          ld(1, cat(ld(1, varint(2, 20)), varint(2, 1))));

      Header decoded = MessageCodec.decodeHeader(header);

      assertThat(decoded.id()).isEqualTo(new MessageId("v", "", 4));
      assertThat(decoded.eventTime()).isEqualTo(Instant.ofEpochSecond(10, 20));
      assertThat(decoded.late()).isTrue();
    }
  }

  @Nested
  @DisplayName("absent and out-of-range values")
  class Defaults {

    @Test
    @DisplayName("no message_info reads as event time EPOCH, not late")
    void noMessageInfo() {
      Message decoded = MessageCodec.decode(cat(ld(1, ld(3, ld(1, "v".getBytes(UTF_8)))), ld(2, new byte[0])));

      assertThat(decoded.header().eventTime()).isEqualTo(Instant.EPOCH);
      assertThat(decoded.header().late()).isFalse();
      assertThat(decoded.id()).isEqualTo(new MessageId("v", "", 0));
    }

    @Test
    @DisplayName("no bytes at all read as an all-default DATA message, as protobuf reads them")
    void empty() {
      assertThat(MessageCodec.decode(new byte[0])).isEqualTo(Message.data(new MessageId("", "", 0), new byte[0]));
    }

    @Test
    @DisplayName("nanos outside [0, 1e9) are normalized, as Go's AsTime() does")
    void unnormalizedNanos() {
      byte[] header = ld(1, ld(1, cat(varint(1, 5), varint(2, -1))));

      assertThat(MessageCodec.decodeHeader(header).eventTime()).isEqualTo(Instant.ofEpochSecond(4, 999_999_999));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidMessages")
  @DisplayName("bytes that are not an isb.Message raise MessageDecodeException and nothing else")
  void invalid(String what, byte[] bytes, String detail) {
    assertThatThrownBy(() -> MessageCodec.decode(bytes))
        .isExactlyInstanceOf(MessageDecodeException.class)
        .hasMessageStartingWith("undecodable message: not a valid isb.")
        .hasMessageContaining(detail)
        .satisfies(e -> assertThat(((MessageDecodeException) e).offset()).isEmpty());
  }

  static Stream<Arguments> invalidMessages() {
    byte[] deepGroups = new byte[100_000];
    Arrays.fill(deepGroups, (byte) 0x0b); // start group, field 1, nested 100,000 deep
    return Stream.of(
        arguments("a length past the end", hex("0a 05 0a 00"), "of 5 bytes runs past the end of its parent (2 bytes left)"),
        arguments("a length of 2^31 - 1", hex("12 ff ff ff ff 07"), "of 2147483647 bytes runs past the end"),
        arguments("a negative length", hex("0a ff ff ff ff 0f"), "negative length, -1"),
        arguments("a nested length past its parent's", hex("0a 02 1a 05 0a 03 61 62 63"), "runs past the end"),
        arguments("a string past the end", ld(1, hex("22 05 61")), "truncated"),
        arguments("tag zero", hex("00"), "invalid tag"),
        arguments("field number zero", hex("02 00"), "invalid tag"),
        arguments("wire type 6", hex("0e 00"), "invalid wire type"),
        arguments("wire type 7", hex("0f 00"), "invalid wire type"),
        arguments("an end group without a start", hex("0c"), "end-group tag"),
        arguments("an end group without a start, in the header", hex("0a 01 0c"), "end-group tag"),
        arguments("an unterminated group", hex("0b"), "end-group tag"),
        arguments("a group ended by another field's end", hex("0b 14"), "end-group tag"),
        arguments("groups nested 100,000 deep", deepGroups, "too many levels of nesting"),
        arguments("a varint of 11 bytes", hex("28 ff ff ff ff ff ff ff ff ff ff 01"), "malformed varint"),
        arguments("invalid UTF-8 in vertex_name", ld(1, ld(3, ld(1, hex("ff")))), "UTF-8"),
        arguments("overlong UTF-8 in a key", ld(1, ld(4, hex("c0 80"))), "UTF-8"),
        arguments("an encoded surrogate in a key", ld(1, ld(4, hex("ed a0 80"))), "UTF-8"),
        arguments("invalid UTF-8 in a header value", ld(1, ld(5, cat(ld(1, hex("")), ld(2, hex("80"))))), "UTF-8"),
        arguments("invalid UTF-8 in a metadata key",
            ld(1, ld(6, ld(2, ld(2, ld(1, ld(1, hex("fe"))))))), "UTF-8"),
        arguments("kind 2", ld(1, varint(2, 2)), "unknown message kind 2"),
        arguments("kind -1", ld(1, varint(2, -1)), "unknown message kind -1"),
        arguments("event time beyond Instant.MAX", ld(1, ld(1, ld(1, varint(1, Long.MAX_VALUE)))), "range"),
        arguments("event time before Instant.MIN", ld(1, ld(1, ld(1, varint(1, Long.MIN_VALUE)))), "range"),
        arguments("nanos that overflow the seconds",
            ld(1, ld(1, ld(1, cat(varint(1, Long.MAX_VALUE), varint(2, 1_999_999_999))))), "range"));
  }

  @Test
  @DisplayName("decodeHeader refuses bad bytes the same way")
  void invalidHeader() {
    assertThatThrownBy(() -> MessageCodec.decodeHeader(hex("1a 05 0a 03 61")))
        .isExactlyInstanceOf(MessageDecodeException.class)
        .hasMessageContaining("not a valid isb.Header");
    assertThatThrownBy(() -> MessageCodec.decodeHeader(varint(2, 3)))
        .isExactlyInstanceOf(MessageDecodeException.class)
        .hasMessageContaining("unknown message kind 3");
  }

  @Test
  @DisplayName("encode refuses strings with an unpaired surrogate, naming the field")
  void unpairedSurrogate() {
    var id = new MessageId("v", "1", 0);
    List<Header> headers = List.of(
        Header.builder(id).keys("ok", "bad\uD800").build(),
        Header.builder(id).headers(Map.of("name", "\uDC00")).build(),
        Header.builder(new MessageId("v\uD83D", "1", 0)).build());

    assertThatThrownBy(() -> MessageCodec.encodeHeader(headers.get(0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("header key must be valid Unicode, but has an unpaired surrogate at index 3");
    assertThatThrownBy(() -> MessageCodec.encode(new Message(headers.get(1), new byte[0])))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("header value");
    assertThatThrownBy(() -> MessageCodec.encodeHeader(headers.get(2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("id.vertexName");
  }

  // Small protobuf writers for hand-made inputs.

  private static Arguments arguments(String what, byte[] bytes, String detail) {
    return Arguments.of(what, bytes, detail);
  }

  private static byte[] hex(String hex) {
    return HexFormat.of().parseHex(hex.replace(" ", ""));
  }

  static byte[] cat(byte[]... parts) {
    var out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  /** A length-delimited field. */
  static byte[] ld(int field, byte[] contents) {
    return cat(rawVarint(field << 3 | 2), rawVarint(contents.length), contents);
  }

  static byte[] varint(int field, long value) {
    return cat(rawVarint(field << 3), rawVarint(value));
  }

  private static byte[] fixed32(int field) {
    return cat(rawVarint(field << 3 | 5), new byte[] {1, 2, 3, 4});
  }

  private static byte[] fixed64(int field) {
    return cat(rawVarint(field << 3 | 1), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
  }

  private static byte[] entry(int field, String key, String value) {
    return ld(field, cat(ld(1, key.getBytes(UTF_8)), ld(2, value.getBytes(UTF_8))));
  }

  private static byte[] unknownFieldBytes() {
    return cat(varint(20, 300), fixed32(21), fixed64(22), ld(23, new byte[] {9, 9}),
        hex("c3 01"), varint(1, 1), hex("c4 01")); // group 24 holding a field 1
  }

  private static byte[] rawVarint(long value) {
    var out = new ByteArrayOutputStream();
    while ((value & ~0x7FL) != 0) {
      out.write((int) (value & 0x7F) | 0x80);
      value >>>= 7;
    }
    out.write((int) value);
    return out.toByteArray();
  }
}
