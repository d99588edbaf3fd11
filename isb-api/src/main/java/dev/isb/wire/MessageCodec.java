package dev.isb.wire;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import dev.isb.Header;
import dev.isb.Kind;
import dev.isb.Message;
import dev.isb.MessageDecodeException;
import dev.isb.MessageId;
import dev.isb.Metadata;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Numaflow's protobuf wire format: {@link Message} to and from the bytes of {@code isb.Message}, and
 * {@link Header} to and from the bytes of {@code isb.Header} (the Redis backend stores header and
 * payload apart). Stateless and thread-safe.
 *
 * <pre>{@code
 * byte[] bytes = MessageCodec.encode(message);   // a JetStream message's payload
 * Message back = MessageCodec.decode(bytes);      // equals(message)
 * }</pre>
 *
 * <p><b>Writing</b> produces what Numaflow's Go and Rust writers produce: proto3 (fields holding their
 * default value are left out, fields in field-number order), except that {@code header},
 * {@code header.message_info}, its {@code event_time}, {@code header.id} and {@code body} are always
 * present, as Numaflow writes them. {@code metadata} is written only when it is not
 * {@linkplain Metadata#isEmpty() empty}. Map entries are written in UTF-8 byte order of their keys
 * (Go's deterministic order; Numaflow itself writes maps in hash order) and each entry carries both
 * its key and its value even when they are empty, as protobuf-go, protobuf-java and C++ do (prost
 * leaves empty ones out; every reader accepts both). Strings that are not valid Unicode (an unpaired
 * surrogate) are refused with {@link IllegalArgumentException}, as protobuf-go refuses invalid UTF-8.
 *
 * <p><b>Reading</b> follows protobuf: unknown fields are skipped at every level, a known field with an
 * unexpected wire type is skipped as unknown, a repeated scalar field keeps its last value, a repeated
 * embedded message is merged, and a repeated map key keeps its last entry. Absent parts read as their
 * defaults: no {@code message_info} means event time {@link Instant#EPOCH}, not late; no
 * {@code header} means an all-default header. An event time whose nanos are outside
 * {@code [0, 10^9)} is normalized, as Go's {@code AsTime()} does. Anything that is not a valid
 * encoding, including invalid UTF-8 in a string, an unknown {@code kind} or an event time outside
 * {@link Instant}'s range, raises {@link MessageDecodeException} and nothing else.
 */
public final class MessageCodec {

  private static final int VARINT = WireFormat.WIRETYPE_VARINT;
  private static final int LEN = WireFormat.WIRETYPE_LENGTH_DELIMITED;

  // isb.Message
  private static final int MESSAGE_HEADER = 1 << 3 | LEN;
  private static final int MESSAGE_BODY = 2 << 3 | LEN;
  // isb.Body
  private static final int BODY_PAYLOAD = 1 << 3 | LEN;
  // isb.Header
  private static final int HEADER_MESSAGE_INFO = 1 << 3 | LEN;
  private static final int HEADER_KIND = 2 << 3 | VARINT;
  private static final int HEADER_ID = 3 << 3 | LEN;
  private static final int HEADER_KEYS = 4 << 3 | LEN;
  private static final int HEADER_HEADERS = 5 << 3 | LEN;
  private static final int HEADER_METADATA = 6 << 3 | LEN;
  // isb.MessageInfo
  private static final int INFO_EVENT_TIME = 1 << 3 | LEN;
  private static final int INFO_IS_LATE = 2 << 3 | VARINT;
  // google.protobuf.Timestamp
  private static final int TIMESTAMP_SECONDS = 1 << 3 | VARINT;
  private static final int TIMESTAMP_NANOS = 2 << 3 | VARINT;
  // isb.MessageID
  private static final int ID_VERTEX_NAME = 1 << 3 | LEN;
  private static final int ID_OFFSET = 2 << 3 | LEN;
  private static final int ID_INDEX = 3 << 3 | VARINT;
  // metadata.Metadata
  private static final int METADATA_PREVIOUS_VERTEX = 1 << 3 | LEN;
  private static final int METADATA_SYS = 2 << 3 | LEN;
  private static final int METADATA_USER = 3 << 3 | LEN;
  // metadata.KeyValueGroup
  private static final int GROUP_KEY_VALUE = 1 << 3 | LEN;
  // the entry message of every map<K, V>
  private static final int ENTRY_KEY = 1 << 3 | LEN;
  private static final int ENTRY_VALUE = 2 << 3 | LEN;

  /** Every tag above fits in one byte. */
  private static final int TAG_SIZE = 1;

  private static final byte[] NO_BYTES = new byte[0];

  private static final Comparator<String> UTF8_ORDER = MessageCodec::compareUtf8;

  private MessageCodec() {}

  // ---------------------------------------------------------------------------------------------
  // Encoding: one pass computes every nested size and every string's UTF-8 length (in the order
  // they will be written), then one pass writes into an array of exactly the computed length.

  /**
   * The bytes of {@code isb.Message} for a message.
   *
   * @param message the message
   * @return a new array holding exactly the encoding
   * @throws IllegalArgumentException if a string is not valid Unicode or the encoding would exceed
   *     the largest Java array
   */
  public static byte[] encode(Message message) {
    Objects.requireNonNull(message, "message");
    Header header = message.header();
    byte[] payload = message.payload();
    Plan plan = new Plan(header);
    int headerSize = headerSize(header, plan);
    long bodySize = payload.length == 0 ? 0 : TAG_SIZE + lengthDelimitedSize(payload.length);
    long total = TAG_SIZE + lengthDelimitedSize(headerSize) + TAG_SIZE + lengthDelimitedSize(bodySize);
    var out = new Output(new byte[checkedArraySize(total)]);
    out.tag(MESSAGE_HEADER);
    out.uint32(headerSize);
    writeHeader(out, header, plan);
    out.tag(MESSAGE_BODY);
    out.uint32((int) bodySize);
    if (payload.length != 0) {
      out.tag(BODY_PAYLOAD);
      out.bytes(payload);
    }
    return out.finish();
  }

  /**
   * The bytes of {@code isb.Header} alone, as the Redis backend stores it next to the raw payload.
   *
   * @param header the header
   * @return a new array holding exactly the encoding
   * @throws IllegalArgumentException if a string is not valid Unicode
   */
  public static byte[] encodeHeader(Header header) {
    Objects.requireNonNull(header, "header");
    Plan plan = new Plan(header);
    var out = new Output(new byte[headerSize(header, plan)]);
    writeHeader(out, header, plan);
    return out.finish();
  }

  private static int checkedArraySize(long size) {
    // The JDK cannot allocate arrays quite as large as Integer.MAX_VALUE.
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("encoded message must be under 2 GiB, was " + size + " bytes");
    }
    return (int) size;
  }

  /**
   * Writes protobuf's wire format into an array sized by the sizing pass. Strings whose UTF-8 length
   * equals their length (ASCII, the usual case for ids, keys and header names) are copied straight
   * from the string; protobuf-java's own writer copies every string through a temporary array.
   */
  private static final class Output {
    private final byte[] bytes;
    private int position;

    Output(byte[] bytes) {
      this.bytes = bytes;
    }

    /** Every tag of these messages fits in one byte. */
    void tag(int tag) {
      bytes[position++] = (byte) tag;
    }

    void uint32(int value) {
      while ((value & ~0x7F) != 0) {
        bytes[position++] = (byte) (value & 0x7F | 0x80);
        value >>>= 7;
      }
      bytes[position++] = (byte) value;
    }

    void uint64(long value) {
      while ((value & ~0x7FL) != 0) {
        bytes[position++] = (byte) (value & 0x7F | 0x80);
        value >>>= 7;
      }
      bytes[position++] = (byte) value;
    }

    /** An {@code int32} or enum: a negative value is sign-extended to ten bytes, as protobuf does. */
    void int32(int value) {
      if (value >= 0) {
        uint32(value);
      } else {
        uint64(value);
      }
    }

    /** A string whose UTF-8 length the sizing pass recorded. */
    @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int): the low byte of each char, exact for ASCII
    void string(String value, int utf8Length) {
      uint32(utf8Length);
      if (utf8Length == value.length()) {
        value.getBytes(0, utf8Length, bytes, position);
      } else {
        System.arraycopy(value.getBytes(StandardCharsets.UTF_8), 0, bytes, position, utf8Length);
      }
      position += utf8Length;
    }

    void bytes(byte[] value) {
      uint32(value.length);
      System.arraycopy(value, 0, bytes, position, value.length);
      position += value.length;
    }

    byte[] finish() {
      if (position != bytes.length) {
        throw new IllegalStateException("MessageCodec computed " + bytes.length + " bytes but wrote " + position
            + " (a bug in the codec)");
      }
      return bytes;
    }
  }

  /**
   * Sizes of nested messages, UTF-8 lengths of strings and sorted map keys, recorded by the sizing
   * pass in the order the writing pass needs them, so that neither strings nor maps are looked at
   * twice.
   */
  private static final class Plan {
    private int[] sizes;
    private int sizeCount;
    private int sizeRead;
    private String[][] keyOrders;
    private int orderCount;
    private int orderRead;

    Plan(Header header) {
      sizes = new int[4 + header.keys().size() + 3 * header.headers().size()
          + (header.metadata().isEmpty() ? 0 : 16)];
    }

    int reserve() {
      if (sizeCount == sizes.length) {
        sizes = Arrays.copyOf(sizes, sizeCount * 2);
      }
      return sizeCount++;
    }

    int set(int slot, int size) {
      sizes[slot] = size;
      return size;
    }

    int add(int size) {
      return set(reserve(), size);
    }

    int nextSize() {
      return sizes[sizeRead++];
    }

    /** Records a string's UTF-8 length; returns the size of the string as a field (tag included). */
    int string(String value, String field) {
      return TAG_SIZE + lengthDelimitedSize(add(utf8Length(value, field)));
    }

    /** Like {@link #string}, for a proto3 field left out when empty: records nothing then. */
    int optionalString(String value, String field) {
      return value.isEmpty() ? 0 : string(value, field);
    }

    String[] addKeyOrder(Map<String, ?> map) {
      String[] keys = map.keySet().toArray(new String[map.size()]);
      if (keys.length > 1) {
        Arrays.sort(keys, UTF8_ORDER);
      }
      if (keyOrders == null) {
        keyOrders = new String[4][];
      } else if (orderCount == keyOrders.length) {
        keyOrders = Arrays.copyOf(keyOrders, orderCount * 2);
      }
      keyOrders[orderCount++] = keys;
      return keys;
    }

    String[] nextKeyOrder() {
      return keyOrders[orderRead++];
    }
  }

  private static int headerSize(Header header, Plan plan) {
    int slot = plan.reserve();
    int infoSize = messageInfoSize(header);
    int size = TAG_SIZE + lengthDelimitedSize(infoSize);
    int kind = header.kind().wireValue();
    if (kind != 0) {
      size += TAG_SIZE + CodedOutputStream.computeEnumSizeNoTag(kind);
    }
    size += TAG_SIZE + lengthDelimitedSize(idSize(header.id(), plan));
    List<String> keys = header.keys();
    for (int i = 0, n = keys.size(); i < n; i++) {
      size += plan.string(keys.get(i), "header key");
    }
    Map<String, String> headers = header.headers();
    if (!headers.isEmpty()) {
      for (String key : plan.addKeyOrder(headers)) {
        int entrySlot = plan.reserve();
        int entry = plan.string(key, "header name") + plan.string(headers.get(key), "header value");
        size += TAG_SIZE + lengthDelimitedSize(plan.set(entrySlot, entry));
      }
    }
    Metadata metadata = header.metadata();
    if (!metadata.isEmpty()) {
      size += TAG_SIZE + lengthDelimitedSize(metadataSize(metadata, plan));
    }
    return plan.set(slot, size);
  }

  private static void writeHeader(Output out, Header header, Plan plan) {
    plan.nextSize(); // the header's own size, already written by the caller (or not needed)
    Instant eventTime = header.eventTime();
    out.tag(HEADER_MESSAGE_INFO);
    out.uint32(messageInfoSize(header));
    out.tag(INFO_EVENT_TIME);
    out.uint32(timestampSize(eventTime));
    if (eventTime.getEpochSecond() != 0) {
      out.tag(TIMESTAMP_SECONDS);
      out.uint64(eventTime.getEpochSecond());
    }
    if (eventTime.getNano() != 0) {
      out.tag(TIMESTAMP_NANOS);
      out.int32(eventTime.getNano());
    }
    if (header.late()) {
      out.tag(INFO_IS_LATE);
      out.uint32(1);
    }
    int kind = header.kind().wireValue();
    if (kind != 0) {
      out.tag(HEADER_KIND);
      out.int32(kind);
    }
    MessageId id = header.id();
    out.tag(HEADER_ID);
    out.uint32(plan.nextSize());
    if (!id.vertexName().isEmpty()) {
      out.tag(ID_VERTEX_NAME);
      out.string(id.vertexName(), plan.nextSize());
    }
    if (!id.offset().isEmpty()) {
      out.tag(ID_OFFSET);
      out.string(id.offset(), plan.nextSize());
    }
    if (id.index() != 0) {
      out.tag(ID_INDEX);
      out.int32(id.index());
    }
    List<String> keys = header.keys();
    for (int i = 0, n = keys.size(); i < n; i++) {
      out.tag(HEADER_KEYS);
      out.string(keys.get(i), plan.nextSize());
    }
    Map<String, String> headers = header.headers();
    if (!headers.isEmpty()) {
      for (String key : plan.nextKeyOrder()) {
        out.tag(HEADER_HEADERS);
        out.uint32(plan.nextSize());
        out.tag(ENTRY_KEY);
        out.string(key, plan.nextSize());
        out.tag(ENTRY_VALUE);
        out.string(headers.get(key), plan.nextSize());
      }
    }
    Metadata metadata = header.metadata();
    if (!metadata.isEmpty()) {
      out.tag(HEADER_METADATA);
      out.uint32(plan.nextSize());
      if (!metadata.previousVertex().isEmpty()) {
        out.tag(METADATA_PREVIOUS_VERTEX);
        out.string(metadata.previousVertex(), plan.nextSize());
      }
      writeGroups(out, METADATA_SYS, metadata.sysMetadata(), plan);
      writeGroups(out, METADATA_USER, metadata.userMetadata(), plan);
    }
  }

  private static int messageInfoSize(Header header) {
    int timestampSize = timestampSize(header.eventTime());
    return TAG_SIZE + lengthDelimitedSize(timestampSize) + (header.late() ? TAG_SIZE + 1 : 0);
  }

  private static int timestampSize(Instant time) {
    long seconds = time.getEpochSecond();
    int nanos = time.getNano();
    return (seconds == 0 ? 0 : TAG_SIZE + CodedOutputStream.computeInt64SizeNoTag(seconds))
        + (nanos == 0 ? 0 : TAG_SIZE + CodedOutputStream.computeInt32SizeNoTag(nanos));
  }

  /** The size of an {@code isb.MessageID}, recorded before the lengths of its strings. */
  private static int idSize(MessageId id, Plan plan) {
    int slot = plan.reserve();
    int size = plan.optionalString(id.vertexName(), "id.vertexName")
        + plan.optionalString(id.offset(), "id.offset")
        + (id.index() == 0 ? 0 : TAG_SIZE + CodedOutputStream.computeInt32SizeNoTag(id.index()));
    return plan.set(slot, size);
  }

  private static int metadataSize(Metadata metadata, Plan plan) {
    int slot = plan.reserve();
    int size = plan.optionalString(metadata.previousVertex(), "metadata.previousVertex")
        + groupsSize(metadata.sysMetadata(), plan)
        + groupsSize(metadata.userMetadata(), plan);
    return plan.set(slot, size);
  }

  /** The size of a {@code map<string, KeyValueGroup>} field: one entry message per group. */
  private static int groupsSize(Map<String, Map<String, byte[]>> groups, Plan plan) {
    if (groups.isEmpty()) {
      return 0;
    }
    int size = 0;
    for (String name : plan.addKeyOrder(groups)) {
      int entrySlot = plan.reserve();
      int nameSize = plan.string(name, "metadata group name");
      int groupSlot = plan.reserve();
      Map<String, byte[]> values = groups.get(name);
      int groupSize = 0;
      if (!values.isEmpty()) {
        for (String key : plan.addKeyOrder(values)) {
          int valueSlot = plan.reserve();
          int entry = plan.string(key, "metadata key") + TAG_SIZE + lengthDelimitedSize(values.get(key).length);
          groupSize += TAG_SIZE + lengthDelimitedSize(plan.set(valueSlot, entry));
        }
      }
      plan.set(groupSlot, groupSize);
      int entry = nameSize + TAG_SIZE + lengthDelimitedSize(groupSize);
      size += TAG_SIZE + lengthDelimitedSize(plan.set(entrySlot, entry));
    }
    return size;
  }

  private static void writeGroups(Output out, int tag, Map<String, Map<String, byte[]>> groups, Plan plan) {
    if (groups.isEmpty()) {
      return;
    }
    for (String name : plan.nextKeyOrder()) {
      out.tag(tag);
      out.uint32(plan.nextSize());
      out.tag(ENTRY_KEY);
      out.string(name, plan.nextSize());
      out.tag(ENTRY_VALUE);
      out.uint32(plan.nextSize());
      Map<String, byte[]> values = groups.get(name);
      if (!values.isEmpty()) {
        for (String key : plan.nextKeyOrder()) {
          out.tag(GROUP_KEY_VALUE);
          out.uint32(plan.nextSize());
          out.tag(ENTRY_KEY);
          out.string(key, plan.nextSize());
          out.tag(ENTRY_VALUE);
          out.bytes(values.get(key));
        }
      }
    }
  }

  private static int lengthDelimitedSize(int length) {
    return CodedOutputStream.computeUInt32SizeNoTag(length) + length;
  }

  private static long lengthDelimitedSize(long length) {
    return CodedOutputStream.computeUInt64SizeNoTag(length) + length;
  }

  /**
   * The UTF-8 length of a string, refusing unpaired surrogates (which protobuf-java would silently
   * write as {@code '?'}).
   */
  private static int utf8Length(String value, String field) {
    int length = value.length();
    int i = 0;
    while (i < length && value.charAt(i) < 0x80) {
      i++;
    }
    if (i == length) {
      return length;
    }
    long extra = 0;
    for (; i < length; i++) {
      char c = value.charAt(i);
      if (c < 0x80) {
        continue;
      }
      if (c < 0x800) {
        extra += 1;
      } else if (!Character.isSurrogate(c)) {
        extra += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(value.charAt(i + 1))) {
        extra += 2; // two chars, four bytes
        i++;
      } else {
        throw new IllegalArgumentException(
            field + " must be valid Unicode, but has an unpaired surrogate at index " + i);
      }
    }
    return checkedArraySize(length + extra);
  }

  /** Orders strings as their UTF-8 bytes (that is, by code point), as Go and C++ sort map keys. */
  private static int compareUtf8(String a, String b) {
    int n = Math.min(a.length(), b.length());
    for (int i = 0; i < n; i++) {
      char x = a.charAt(i);
      char y = b.charAt(i);
      if (x != y) {
        if (x >= Character.MIN_SURROGATE && y >= Character.MIN_SURROGATE) {
          // UTF-16 order puts U+E000..U+FFFF after surrogates; code point order puts them before.
          return codePointRank(x) - codePointRank(y);
        }
        return x - y;
      }
    }
    return a.length() - b.length();
  }

  private static int codePointRank(char c) {
    return Character.isSurrogate(c) ? c + 0x2000 : c - 0x800;
  }

  // ---------------------------------------------------------------------------------------------
  // Decoding

  /**
   * The message encoded in the bytes of an {@code isb.Message}.
   *
   * @param bytes the encoding; not kept (the payload is copied out)
   * @return the message
   * @throws MessageDecodeException if the bytes are not a valid encoding
   */
  public static Message decode(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    return decodeMessage(CodedInputStream.newInstance(bytes), bytes.length);
  }

  /**
   * The message encoded in part of an array.
   *
   * @param bytes the array; not kept (the payload is copied out)
   * @param offset where the encoding starts
   * @param length how many bytes it has
   * @return the message
   * @throws MessageDecodeException if the bytes are not a valid encoding
   * @throws IndexOutOfBoundsException if the range is not inside the array
   */
  public static Message decode(byte[] bytes, int offset, int length) {
    Objects.requireNonNull(bytes, "bytes");
    Objects.checkFromIndexSize(offset, length, bytes.length);
    return decodeMessage(CodedInputStream.newInstance(bytes, offset, length), length);
  }

  /**
   * The message encoded in a buffer's remaining bytes, read in place (heap or direct) without
   * changing the buffer's position.
   *
   * @param buffer the encoding, from its position to its limit; not kept
   * @return the message
   * @throws MessageDecodeException if the bytes are not a valid encoding
   */
  public static Message decode(ByteBuffer buffer) {
    Objects.requireNonNull(buffer, "buffer");
    return decodeMessage(CodedInputStream.newInstance(buffer), buffer.remaining());
  }

  /**
   * The header encoded in the bytes of an {@code isb.Header}.
   *
   * @param bytes the encoding; not kept
   * @return the header
   * @throws MessageDecodeException if the bytes are not a valid encoding
   */
  public static Header decodeHeader(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    return decodeHeader(CodedInputStream.newInstance(bytes), bytes.length);
  }

  /**
   * The header encoded in a buffer's remaining bytes, read in place without changing the buffer's
   * position.
   *
   * @param buffer the encoding, from its position to its limit; not kept
   * @return the header
   * @throws MessageDecodeException if the bytes are not a valid encoding
   */
  public static Header decodeHeader(ByteBuffer buffer) {
    Objects.requireNonNull(buffer, "buffer");
    return decodeHeader(CodedInputStream.newInstance(buffer), buffer.remaining());
  }

  private static Message decodeMessage(CodedInputStream in, int length) {
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

  private static Header decodeHeader(CodedInputStream in, int length) {
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
          int outer = enter(in);
          String key = "";
          String value = "";
          for (int t = in.readTag(); t != 0; t = in.readTag()) {
            switch (t) {
              case ENTRY_KEY -> key = in.readStringRequireUtf8();
              case ENTRY_VALUE -> value = in.readStringRequireUtf8();
              default -> skip(in, t);
            }
          }
          in.popLimit(outer);
          if (h.headers == null) {
            h.headers = new HashMap<>(8);
          }
          h.headers.put(key, value);
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
              readBytesEntry(in, values);
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

  private static void readBytesEntry(CodedInputStream in, Map<String, byte[]> values) throws IOException {
    int outer = enter(in);
    String key = "";
    byte[] value = NO_BYTES;
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (tag) {
        case ENTRY_KEY -> key = in.readStringRequireUtf8();
        case ENTRY_VALUE -> value = in.readByteArray();
        default -> skip(in, tag);
      }
    }
    in.popLimit(outer);
    values.put(key, value);
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
      Kind messageKind = switch (kind) {
        case 0 -> Kind.DATA;
        case 1 -> Kind.WMB;
        default -> throw new InvalidProtocolBufferException(
            "unknown message kind " + kind + " (expected 0 DATA or 1 WMB)");
      };
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
