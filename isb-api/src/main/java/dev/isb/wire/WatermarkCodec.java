package dev.isb.wire;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import dev.isb.MessageDecodeException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * Numaflow's watermark values in their protobuf form: {@link Wmb} ({@code watermark.WMB}) and, for
 * Numaflow up to v1.7, the heartbeat a processor puts in the {@code _PROCESSORS} bucket
 * ({@code watermark.Heartbeat}, epoch seconds). Proto3 rules: a field at its default is not written,
 * unknown fields are skipped on reading, and the processor count is written whenever it is present.
 * Stateless and thread-safe.
 */
public final class WatermarkCodec {

  private static final int IDLE = 1;
  private static final int OFFSET = 2;
  private static final int WATERMARK = 3;
  private static final int PARTITION = 4;
  private static final int PROCESSOR_COUNT = 5;
  private static final int HEARTBEAT = 1;

  private WatermarkCodec() {}

  /** The bytes of a WMB, as Numaflow writes them. */
  public static byte[] encode(Wmb wmb) {
    Objects.requireNonNull(wmb, "wmb");
    return write(out -> {
      if (wmb.idle()) {
        out.writeBool(IDLE, true);
      }
      if (wmb.offset() != 0) {
        out.writeInt64(OFFSET, wmb.offset());
      }
      if (wmb.watermark() != 0) {
        out.writeInt64(WATERMARK, wmb.watermark());
      }
      if (wmb.partition() != 0) {
        out.writeInt32(PARTITION, wmb.partition());
      }
      if (wmb.processorCount().isPresent()) {
        out.writeInt32(PROCESSOR_COUNT, wmb.processorCount().getAsInt());
      }
    });
  }

  /**
   * Reads a WMB.
   *
   * @throws MessageDecodeException when the bytes are not a {@code watermark.WMB}
   */
  public static Wmb decodeWmb(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    var in = CodedInputStream.newInstance(bytes);
    boolean idle = false;
    long offset = 0;
    long watermark = 0;
    int partition = 0;
    OptionalInt processors = OptionalInt.empty();
    try {
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        switch (tag) {
          case IDLE << 3 | WireFormat.WIRETYPE_VARINT -> idle = in.readBool();
          case OFFSET << 3 | WireFormat.WIRETYPE_VARINT -> offset = in.readInt64();
          case WATERMARK << 3 | WireFormat.WIRETYPE_VARINT -> watermark = in.readInt64();
          case PARTITION << 3 | WireFormat.WIRETYPE_VARINT -> partition = in.readInt32();
          case PROCESSOR_COUNT << 3 | WireFormat.WIRETYPE_VARINT -> processors = OptionalInt.of(in.readInt32());
          default -> skip(in, tag, "watermark.WMB", PROCESSOR_COUNT);
        }
      }
    } catch (IOException e) {
      throw new MessageDecodeException("not a watermark.WMB: " + e.getMessage(), e);
    }
    return new Wmb(idle, offset, watermark, partition, processors);
  }

  /** The bytes of a v1.7 heartbeat: epoch seconds. */
  public static byte[] encodeHeartbeat(long epochSeconds) {
    return write(out -> {
      if (epochSeconds != 0) {
        out.writeInt64(HEARTBEAT, epochSeconds);
      }
    });
  }

  /**
   * Reads a v1.7 heartbeat's epoch seconds.
   *
   * @throws MessageDecodeException when the bytes are not a {@code watermark.Heartbeat}
   */
  public static long decodeHeartbeat(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    var in = CodedInputStream.newInstance(bytes);
    long seconds = 0;
    try {
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        if (tag == (HEARTBEAT << 3 | WireFormat.WIRETYPE_VARINT)) {
          seconds = in.readInt64();
        } else {
          skip(in, tag, "watermark.Heartbeat", HEARTBEAT);
        }
      }
    } catch (IOException e) {
      throw new MessageDecodeException("not a watermark.Heartbeat: " + e.getMessage(), e);
    }
    return seconds;
  }

  /** Skips an unknown field; a known one (numbered 1 to {@code lastField}) with another wire type is damage. */
  private static void skip(CodedInputStream in, int tag, String type, int lastField) throws IOException {
    int field = WireFormat.getTagFieldNumber(tag);
    if (field >= 1 && field <= lastField) {
      throw new MessageDecodeException("not a " + type + ": field " + field + " has wire type "
          + WireFormat.getTagWireType(tag) + ", not varint", null);
    }
    if (!in.skipField(tag)) {
      throw new MessageDecodeException("not a " + type + ": an end-group tag where none was open", null);
    }
  }

  @FunctionalInterface
  private interface Fields {
    void write(CodedOutputStream out) throws IOException;
  }

  private static byte[] write(Fields fields) {
    var bytes = new ByteArrayOutputStream(32);
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    try {
      fields.write(out);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory failed", e);
    }
    return bytes.toByteArray();
  }
}
