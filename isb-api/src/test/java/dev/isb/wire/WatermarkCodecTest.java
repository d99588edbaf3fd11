package dev.isb.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.CodedOutputStream;
import dev.isb.MessageDecodeException;
import dev.isb.proto.test.WatermarkProto;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** WatermarkCodec against the classes protoc generates from watermark.proto (src/test/proto). */
class WatermarkCodecTest {

  static Stream<Wmb> wmbs() {
    var out = new ArrayList<Wmb>(List.of(
        Wmb.of(false, 0, 0, 0),
        Wmb.of(false, 42, 1_733_500_000_123L, 1),
        Wmb.of(true, 7, -1, 0),
        Wmb.of(false, Long.MAX_VALUE, Long.MIN_VALUE, Integer.MAX_VALUE),
        new Wmb(false, 1, 2, 3, OptionalInt.of(0)),
        new Wmb(true, 99, 1_733_500_000_000L, 4, OptionalInt.of(3))));
    var random = new Random(20261207);
    for (int i = 0; i < 200; i++) {
      out.add(new Wmb(random.nextBoolean(), random.nextLong(), random.nextLong(), random.nextInt(),
          random.nextBoolean() ? OptionalInt.of(random.nextInt()) : OptionalInt.empty()));
    }
    return out.stream();
  }

  private static WatermarkProto.WMB protoc(Wmb wmb) {
    var b = WatermarkProto.WMB.newBuilder().setIdle(wmb.idle()).setOffset(wmb.offset())
        .setWatermark(wmb.watermark()).setPartition(wmb.partition());
    wmb.processorCount().ifPresent(b::setProcessorCount);
    return b.build();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("wmbs")
  @DisplayName("a WMB encodes to the bytes protoc writes, and protoc's bytes decode to the same WMB")
  void wmbMatchesProtoc(Wmb wmb) throws IOException {
    byte[] theirs = protoc(wmb).toByteArray();

    assertThat(WatermarkCodec.encode(wmb)).isEqualTo(theirs);
    assertThat(WatermarkCodec.decodeWmb(theirs)).isEqualTo(wmb);
    WatermarkProto.WMB back = WatermarkProto.WMB.parseFrom(WatermarkCodec.encode(wmb));
    assertThat(back.hasProcessorCount()).isEqualTo(wmb.processorCount().isPresent());
  }

  @Test
  @DisplayName("a v1.7 heartbeat is epoch seconds in field 1, as protoc writes it")
  void heartbeatMatchesProtoc() {
    for (long seconds : new long[] {0, 1, 1_733_500_000L, -5, Long.MAX_VALUE}) {
      byte[] theirs = WatermarkProto.Heartbeat.newBuilder().setHeartbeat(seconds).build().toByteArray();
      assertThat(WatermarkCodec.encodeHeartbeat(seconds)).as("%d", seconds).isEqualTo(theirs);
      assertThat(WatermarkCodec.decodeHeartbeat(theirs)).as("%d", seconds).isEqualTo(seconds);
    }
  }

  @Test
  @DisplayName("fields a later Numaflow may add are skipped, not refused")
  void unknownFieldsAreSkipped() throws IOException {
    Wmb wmb = Wmb.of(true, 12, 34, 2);
    var bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.writeString(9, "from the future");
    out.writeFixed64(10, 5);
    out.flush();
    byte[] withMore = concat(protoc(wmb).toByteArray(), bytes.toByteArray());

    assertThat(WatermarkCodec.decodeWmb(withMore)).isEqualTo(wmb);
    assertThat(WatermarkCodec.decodeHeartbeat(concat(WatermarkCodec.encodeHeartbeat(8), bytes.toByteArray())))
        .isEqualTo(8);
  }

  @Test
  @DisplayName("bytes that are not a WMB are refused with a MessageDecodeException that says why")
  void damageIsRefused() throws IOException {
    var bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.writeString(2, "not a number");
    out.flush();

    assertThatThrownBy(() -> WatermarkCodec.decodeWmb(bytes.toByteArray()))
        .isInstanceOf(MessageDecodeException.class).hasMessageContaining("field 2");
    byte[] truncated = {(byte) (2 << 3), (byte) 0x80};
    assertThatThrownBy(() -> WatermarkCodec.decodeWmb(truncated))
        .isInstanceOf(MessageDecodeException.class).hasMessageContaining("not a watermark.WMB");
    assertThatThrownBy(() -> WatermarkCodec.decodeHeartbeat(truncated))
        .isInstanceOf(MessageDecodeException.class).hasMessageContaining("not a watermark.Heartbeat");
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
