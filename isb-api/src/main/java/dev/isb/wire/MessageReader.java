package dev.isb.wire;

import static dev.isb.wire.WireTags.BODY_PAYLOAD;
import static dev.isb.wire.WireTags.ENTRY_KEY;
import static dev.isb.wire.WireTags.ENTRY_VALUE;
import static dev.isb.wire.WireTags.GROUP_KEY_VALUE;
import static dev.isb.wire.WireTags.HEADER_HEADERS;
import static dev.isb.wire.WireTags.HEADER_ID;
import static dev.isb.wire.WireTags.HEADER_KEYS;
import static dev.isb.wire.WireTags.HEADER_KIND;
import static dev.isb.wire.WireTags.HEADER_MESSAGE_INFO;
import static dev.isb.wire.WireTags.HEADER_METADATA;
import static dev.isb.wire.WireTags.ID_INDEX;
import static dev.isb.wire.WireTags.ID_OFFSET;
import static dev.isb.wire.WireTags.ID_VERTEX_NAME;
import static dev.isb.wire.WireTags.INFO_EVENT_TIME;
import static dev.isb.wire.WireTags.INFO_IS_LATE;
import static dev.isb.wire.WireTags.MESSAGE_BODY;
import static dev.isb.wire.WireTags.MESSAGE_HEADER;
import static dev.isb.wire.WireTags.METADATA_PREVIOUS_VERTEX;
import static dev.isb.wire.WireTags.METADATA_SYS;
import static dev.isb.wire.WireTags.METADATA_USER;
import static dev.isb.wire.WireTags.TIMESTAMP_NANOS;
import static dev.isb.wire.WireTags.TIMESTAMP_SECONDS;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import dev.isb.Header;
import dev.isb.Kind;
import dev.isb.Message;
import dev.isb.MessageDecodeException;
import dev.isb.MessageId;
import dev.isb.Metadata;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads {@link MessageCodec}'s encodings with protobuf's rules: unknown fields skipped at every
 * level, repeated scalars keeping their last value, repeated embedded messages merged, every
 * length checked against what its parent has left. Stateless and thread-safe.
 */
final class MessageReader {

  private static final byte[] NO_BYTES = new byte[0];

  private MessageReader() {}

  /** An {@code isb.Message} of {@code length} bytes. */
  static Message decodeMessage(CodedInputStream in, int length) {
    try {
      in.pushLimit(length); // so that every nested length can be checked against what is left
      HeaderFields header = new HeaderFields();
      byte[] payload = NO_BYTES;
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        switch (tag) {
          case MESSAGE_HEADER -> {
            int outer = enter(in);
            readHeader(in, header);
            in.popLimit(outer);
          }
          case MESSAGE_BODY -> {
            int outer = enter(in);
            for (int t = in.readTag(); t != 0; t = in.readTag()) {
              if (t == BODY_PAYLOAD) {
                payload = in.readByteArray();
              } else {
                skip(in, t);
              }
            }
            in.popLimit(outer);
          }
          default -> skip(in, tag);
        }
      }
      return new Message(header.toHeader(), payload);
    } catch (IOException e) {
      throw invalid("isb.Message", e);
    }
  }

  /** An {@code isb.Header} of {@code length} bytes. */
  static Header decodeHeader(CodedInputStream in, int length) {
    try {
      in.pushLimit(length);
      HeaderFields header = new HeaderFields();
      readHeader(in, header);
      return header.toHeader();
    } catch (IOException e) {
      throw invalid("isb.Header", e);
    }
  }

  private static MessageDecodeException invalid(String type, IOException e) {
    return new MessageDecodeException("not a valid " + type + ": " + e.getMessage(), e);
  }

  /** Reads the length of an embedded message and narrows the input to it; returns the limit to restore. */
  private static int enter(CodedInputStream in) throws IOException {
    int length = in.readRawVarint32();
    if (length < 0) {
      throw new InvalidProtocolBufferException("an embedded message has a negative length, " + length);
    }
    int left = in.getBytesUntilLimit();
    if (length > left) {
      throw new InvalidProtocolBufferException(
          "an embedded message of " + length + " bytes runs past the end of its parent (" + left + " bytes left)");
    }
    return in.pushLimit(length);
  }

  /** Skips an unknown field; an end-group tag here has no matching start. */
  private static void skip(CodedInputStream in, int tag) throws IOException {
    if (!in.skipField(tag)) {
      throw new InvalidProtocolBufferException(
          "an end-group tag (field " + WireFormat.getTagFieldNumber(tag) + ") without a start");
    }
  }

  /** Reads fields of {@code isb.Header} until the current limit, merging into what is already read. */
  private static void readHeader(CodedInputStream in, HeaderFields h) throws IOException {
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (tag) {
        case HEADER_MESSAGE_INFO -> readMessageInfo(in, h);
        case HEADER_KIND -> h.kind = in.readEnum();
        case HEADER_ID -> {
          int outer = enter(in);
          for (int t = in.readTag(); t != 0; t = in.readTag()) {
            switch (t) {
              case ID_VERTEX_NAME -> h.vertexName = in.readStringRequireUtf8();
              case ID_OFFSET -> h.offset = in.readStringRequireUtf8();
              case ID_INDEX -> h.index = in.readInt32();
              default -> skip(in, t);
            }
          }
          in.popLimit(outer);
        }
        case HEADER_KEYS -> {
          if (h.keys == null) {
            h.keys = new ArrayList<>(4);
          }
          h.keys.add(in.readStringRequireUtf8());
        }
        case HEADER_HEADERS -> {
          if (h.headers == null) {
            h.headers = new HashMap<>(8);
          }
          readMapEntry(in, h.headers, "", CodedInputStream::readStringRequireUtf8);
        }
        case HEADER_METADATA -> readMetadata(in, h);
        default -> skip(in, tag);
      }
    }
  }

  private static void readMessageInfo(CodedInputStream in, HeaderFields h) throws IOException {
    int outer = enter(in);
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (tag) {
        case INFO_EVENT_TIME -> {
          int timestampOuter = enter(in);
          for (int t = in.readTag(); t != 0; t = in.readTag()) {
            switch (t) {
              case TIMESTAMP_SECONDS -> h.seconds = in.readInt64();
              case TIMESTAMP_NANOS -> h.nanos = in.readInt32();
              default -> skip(in, t);
            }
          }
          in.popLimit(timestampOuter);
        }
        case INFO_IS_LATE -> h.late = in.readBool();
        default -> skip(in, tag);
      }
    }
    in.popLimit(outer);
  }

  private static void readMetadata(CodedInputStream in, HeaderFields h) throws IOException {
    int outer = enter(in);
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (tag) {
        case METADATA_PREVIOUS_VERTEX -> h.previousVertex = in.readStringRequireUtf8();
        case METADATA_SYS -> {
          if (h.sysMetadata == null) {
            h.sysMetadata = new HashMap<>();
          }
          readGroupEntry(in, h.sysMetadata);
        }
        case METADATA_USER -> {
          if (h.userMetadata == null) {
            h.userMetadata = new HashMap<>();
          }
          readGroupEntry(in, h.userMetadata);
        }
        default -> skip(in, tag);
      }
    }
    in.popLimit(outer);
  }

  /** One entry of a {@code map<string, KeyValueGroup>}; a repeated group name replaces the group. */
  private static void readGroupEntry(CodedInputStream in, Map<String, Map<String, byte[]>> groups)
      throws IOException {
    int outer = enter(in);
    String name = "";
    Map<String, byte[]> values = new HashMap<>();
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (tag) {
        case ENTRY_KEY -> name = in.readStringRequireUtf8();
        case ENTRY_VALUE -> {
          // A repeated value within one entry is merged, as for any embedded message.
          int groupOuter = enter(in);
          for (int t = in.readTag(); t != 0; t = in.readTag()) {
            if (t == GROUP_KEY_VALUE) {
              readMapEntry(in, values, NO_BYTES, CodedInputStream::readByteArray);
            } else {
              skip(in, t);
            }
          }
          in.popLimit(groupOuter);
        }
        default -> skip(in, tag);
      }
    }
    in.popLimit(outer);
    groups.put(name, values);
  }

  /** Reads a value of a protobuf map entry. */
  @FunctionalInterface
  private interface ValueReader<V> {
    V read(CodedInputStream in) throws IOException;
  }

  /** One entry of a {@code map<string, V>} with a scalar value; a missing key or value is proto3's default. */
  private static <V> void readMapEntry(CodedInputStream in, Map<String, V> into, V defaultValue,
      ValueReader<V> readValue) throws IOException {
    int outer = enter(in);
    String key = "";
    V value = defaultValue;
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (tag) {
        case ENTRY_KEY -> key = in.readStringRequireUtf8();
        case ENTRY_VALUE -> value = readValue.read(in);
        default -> skip(in, tag);
      }
    }
    in.popLimit(outer);
    into.put(key, value);
  }

  /** The fields of an {@code isb.Header} as read so far; proto3 defaults until a field is seen. */
  private static final class HeaderFields {
    long seconds;
    int nanos;
    boolean late;
    int kind;
    String vertexName = "";
    String offset = "";
    int index;
    List<String> keys;
    Map<String, String> headers;
    String previousVertex = "";
    Map<String, Map<String, byte[]>> sysMetadata;
    Map<String, Map<String, byte[]>> userMetadata;

    Header toHeader() throws InvalidProtocolBufferException {
      Kind messageKind;
      try {
        messageKind = Kind.fromWireValue(kind);
      } catch (IllegalArgumentException e) {
        throw new InvalidProtocolBufferException(e.getMessage()); // the same words, as a decoding error
      }
      return new Header(
          eventTime(),
          late,
          messageKind,
          new MessageId(vertexName, offset, index),
          keys == null ? List.of() : keys,
          headers == null ? Map.of() : headers,
          Metadata.of(
              previousVertex,
              sysMetadata == null ? Map.of() : sysMetadata,
              userMetadata == null ? Map.of() : userMetadata));
    }

    private Instant eventTime() throws InvalidProtocolBufferException {
      if (seconds == 0 && nanos == 0) {
        return Instant.EPOCH;
      }
      try {
        return Instant.ofEpochSecond(seconds, nanos);
      } catch (DateTimeException | ArithmeticException e) {
        var outOfRange = new InvalidProtocolBufferException(
            "event time seconds=" + seconds + " nanos=" + nanos + " is outside the range of java.time.Instant");
        outOfRange.initCause(e);
        throw outOfRange;
      }
    }
  }
}
