package dev.isb.wire;

import com.google.protobuf.WireFormat;

/** The tags of every field Numaflow's messages use, with their wire types: one byte each. */
final class WireTags {

  static final int VARINT = WireFormat.WIRETYPE_VARINT;
  static final int LEN = WireFormat.WIRETYPE_LENGTH_DELIMITED;

  // isb.Message
  static final int MESSAGE_HEADER = 1 << 3 | LEN;
  static final int MESSAGE_BODY = 2 << 3 | LEN;
  // isb.Body
  static final int BODY_PAYLOAD = 1 << 3 | LEN;
  // isb.Header
  static final int HEADER_MESSAGE_INFO = 1 << 3 | LEN;
  static final int HEADER_KIND = 2 << 3 | VARINT;
  static final int HEADER_ID = 3 << 3 | LEN;
  static final int HEADER_KEYS = 4 << 3 | LEN;
  static final int HEADER_HEADERS = 5 << 3 | LEN;
  static final int HEADER_METADATA = 6 << 3 | LEN;
  // isb.MessageInfo
  static final int INFO_EVENT_TIME = 1 << 3 | LEN;
  static final int INFO_IS_LATE = 2 << 3 | VARINT;
  // google.protobuf.Timestamp
  static final int TIMESTAMP_SECONDS = 1 << 3 | VARINT;
  static final int TIMESTAMP_NANOS = 2 << 3 | VARINT;
  // isb.MessageID
  static final int ID_VERTEX_NAME = 1 << 3 | LEN;
  static final int ID_OFFSET = 2 << 3 | LEN;
  static final int ID_INDEX = 3 << 3 | VARINT;
  // metadata.Metadata
  static final int METADATA_PREVIOUS_VERTEX = 1 << 3 | LEN;
  static final int METADATA_SYS = 2 << 3 | LEN;
  static final int METADATA_USER = 3 << 3 | LEN;
  // metadata.KeyValueGroup
  static final int GROUP_KEY_VALUE = 1 << 3 | LEN;
  // the entry message of every map<K, V>
  static final int ENTRY_KEY = 1 << 3 | LEN;
  static final int ENTRY_VALUE = 2 << 3 | LEN;

  /** Every tag above fits in one byte. */
  static final int TAG_SIZE = 1;

  private WireTags() {}
}
