package dev.isb.wire;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import dev.isb.Header;
import dev.isb.Kind;
import dev.isb.Message;
import dev.isb.MessageId;
import dev.isb.Metadata;
import dev.isb.proto.test.IsbProto;
import dev.isb.proto.test.MetadataProto;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Converts between the model and the classes protoc generates from {@code src/test/proto}: an
 * encoder and decoder written independently of {@link MessageCodec}, used as its oracle.
 */
final class ProtocOracle {

  /** Code point order (UTF-8 byte order), the order {@link MessageCodec} writes map entries in. */
  private static final Comparator<String> CODE_POINT_ORDER = (a, b) -> {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int x = a.codePointAt(i);
      int y = b.codePointAt(j);
      if (x != y) {
        return Integer.compare(x, y);
      }
      i += Character.charCount(x);
      j += Character.charCount(y);
    }
    return Boolean.compare(i < a.length(), j < b.length());
  };

  private ProtocOracle() {}

  /**
   * The generated message for a model message, with map entries inserted in code point order
   * (protobuf-java writes maps in insertion order), so its bytes can be compared with ours.
   */
  static IsbProto.Message toProto(Message message) {
    return IsbProto.Message.newBuilder()
        .setHeader(toProto(message.header()))
        .setBody(IsbProto.Body.newBuilder().setPayload(ByteString.copyFrom(message.payload())))
        .build();
  }

  static IsbProto.Header toProto(Header header) {
    var id = header.id();
    var builder = IsbProto.Header.newBuilder()
        .setMessageInfo(IsbProto.MessageInfo.newBuilder()
            .setEventTime(Timestamp.newBuilder()
                .setSeconds(header.eventTime().getEpochSecond())
                .setNanos(header.eventTime().getNano()))
            .setIsLate(header.late()))
        .setKindValue(header.kind().wireValue())
        .setId(IsbProto.MessageID.newBuilder()
            .setVertexName(id.vertexName())
            .setOffset(id.offset())
            .setIndex(id.index()))
        .addAllKeys(header.keys());
    sorted(header.headers()).forEach(builder::putHeaders);
    var metadata = header.metadata();
    if (!metadata.isEmpty()) {
      var mb = MetadataProto.Metadata.newBuilder().setPreviousVertex(metadata.previousVertex());
      sorted(metadata.sysMetadata()).forEach((name, group) -> mb.putSysMetadata(name, toProto(group)));
      sorted(metadata.userMetadata()).forEach((name, group) -> mb.putUserMetadata(name, toProto(group)));
      builder.setMetadata(mb);
    }
    return builder.build();
  }

  private static MetadataProto.KeyValueGroup toProto(Map<String, byte[]> group) {
    var gb = MetadataProto.KeyValueGroup.newBuilder();
    sorted(group).forEach((k, v) -> gb.putKeyValue(k, ByteString.copyFrom(v)));
    return gb.build();
  }

  private static <V> Map<String, V> sorted(Map<String, V> map) {
    var sorted = new TreeMap<String, V>(CODE_POINT_ORDER);
    sorted.putAll(map);
    return sorted;
  }

  /** The model message for a generated message, read field by field. */
  static Message toModel(IsbProto.Message message) {
    return new Message(toModel(message.getHeader()), message.getBody().getPayload().toByteArray());
  }

  static Header toModel(IsbProto.Header header) {
    var info = header.getMessageInfo();
    var id = header.getId();
    var metadata = header.getMetadata();
    List<String> keys = new ArrayList<>(header.getKeysList());
    return Header.builder(new MessageId(id.getVertexName(), id.getOffset(), id.getIndex()))
        .eventTime(Instant.ofEpochSecond(info.getEventTime().getSeconds(), info.getEventTime().getNanos()))
        .late(info.getIsLate())
        .kind(Kind.fromWireValue(header.getKindValue()))
        .keys(keys)
        .headers(header.getHeadersMap())
        .metadata(Metadata.of(
            metadata.getPreviousVertex(),
            toModel(metadata.getSysMetadataMap()),
            toModel(metadata.getUserMetadataMap())))
        .build();
  }

  private static Map<String, Map<String, byte[]>> toModel(Map<String, MetadataProto.KeyValueGroup> groups) {
    var out = new HashMap<String, Map<String, byte[]>>();
    groups.forEach((name, group) -> {
      var values = new HashMap<String, byte[]>();
      group.getKeyValueMap().forEach((k, v) -> values.put(k, v.toByteArray()));
      out.put(name, values);
    });
    return out;
  }
}
