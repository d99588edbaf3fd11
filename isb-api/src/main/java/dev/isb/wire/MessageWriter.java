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
import static dev.isb.wire.WireTags.TAG_SIZE;
import static dev.isb.wire.WireTags.TIMESTAMP_NANOS;
import static dev.isb.wire.WireTags.TIMESTAMP_SECONDS;

import com.google.protobuf.CodedOutputStream;
import dev.isb.Header;
import dev.isb.Message;
import dev.isb.MessageId;
import dev.isb.Metadata;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Writes {@link MessageCodec}'s encodings. One pass computes every nested size and every string's
 * UTF-8 length (in the order they will be written), then one pass writes into an array of exactly
 * the computed length. Stateless and thread-safe.
 */
final class MessageWriter {

  private static final Comparator<String> UTF8_ORDER = MessageWriter::compareUtf8;

  private MessageWriter() {}

  /** {@link MessageCodec#encode(Message)}, which checks the argument. */
  static byte[] encode(Message message) {
    Header header = message.header();
    byte[] payload = message.payload();
    Plan plan = new Plan(header);
    int headerSize = headerSize(header, plan);
    long bodySize = payload.length == 0 ? 0 : TAG_SIZE + lengthDelimitedSize(payload.length);
    long total = TAG_SIZE + lengthDelimitedSize(headerSize) + TAG_SIZE + lengthDelimitedSize(bodySize);
    var out = new Output(new byte[checkedArraySize(total)]);
    out.embedded(MESSAGE_HEADER, headerSize);
    writeHeader(out, header, plan);
    out.embedded(MESSAGE_BODY, (int) bodySize);
    if (payload.length != 0) {
      out.tag(BODY_PAYLOAD);
      out.bytes(payload);
    }
    return out.finish();
  }

  /** {@link MessageCodec#encodeHeader(Header)}, which checks the argument. */
  static byte[] encodeHeader(Header header) {
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
      uint64(Integer.toUnsignedLong(value));
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

    /** The tag and length of an embedded message, whose fields follow. */
    void embedded(int tag, int size) {
      tag(tag);
      uint32(size);
    }

    /** A string field whose UTF-8 length the sizing pass recorded. */
    void string(int tag, String value, int utf8Length) {
      tag(tag);
      string(value, utf8Length);
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
    out.embedded(HEADER_MESSAGE_INFO, messageInfoSize(header));
    out.embedded(INFO_EVENT_TIME, timestampSize(eventTime));
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
    out.embedded(HEADER_ID, plan.nextSize());
    if (!id.vertexName().isEmpty()) {
      out.string(ID_VERTEX_NAME, id.vertexName(), plan.nextSize());
    }
    if (!id.offset().isEmpty()) {
      out.string(ID_OFFSET, id.offset(), plan.nextSize());
    }
    if (id.index() != 0) {
      out.tag(ID_INDEX);
      out.int32(id.index());
    }
    List<String> keys = header.keys();
    for (int i = 0, n = keys.size(); i < n; i++) {
      out.string(HEADER_KEYS, keys.get(i), plan.nextSize());
    }
    Map<String, String> headers = header.headers();
    if (!headers.isEmpty()) {
      for (String key : plan.nextKeyOrder()) {
        out.embedded(HEADER_HEADERS, plan.nextSize());
        out.string(ENTRY_KEY, key, plan.nextSize());
        out.string(ENTRY_VALUE, headers.get(key), plan.nextSize());
      }
    }
    Metadata metadata = header.metadata();
    if (!metadata.isEmpty()) {
      out.embedded(HEADER_METADATA, plan.nextSize());
      if (!metadata.previousVertex().isEmpty()) {
        out.string(METADATA_PREVIOUS_VERTEX, metadata.previousVertex(), plan.nextSize());
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
      out.embedded(tag, plan.nextSize());
      out.string(ENTRY_KEY, name, plan.nextSize());
      out.embedded(ENTRY_VALUE, plan.nextSize());
      Map<String, byte[]> values = groups.get(name);
      if (!values.isEmpty()) {
        for (String key : plan.nextKeyOrder()) {
          out.embedded(GROUP_KEY_VALUE, plan.nextSize());
          out.string(ENTRY_KEY, key, plan.nextSize());
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
}
