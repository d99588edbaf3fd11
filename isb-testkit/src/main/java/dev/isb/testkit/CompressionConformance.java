package dev.isb.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.isb.BufferReader;
import dev.isb.BufferWriter;
import dev.isb.Compression;
import dev.isb.Kind;
import dev.isb.Message;
import dev.isb.MessageId;
import dev.isb.OnUndecodable;
import dev.isb.ReadMessage;
import dev.isb.UndecodableMessage;
import dev.isb.wire.PayloadCompression;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Conformance tests of payload compression, numaflow-core's {@code interStepBuffer.compression}: only
 * data payloads are compressed, in the format's own frame, and a payload that does not decompress is
 * an undecodable message, reported with its offset, that does not stall the reader.
 *
 * <p>{@link IsbConformanceKit} runs these tests against each backend as one of its {@code @Nested}
 * groups; the helpers and the per-test client come from {@link ConformanceGroup}.
 */
abstract class CompressionConformance extends ConformanceGroup {

  /** A payload of several LZ4 blocks (64 KB each) and several gzip/zstd internal blocks. */
  private static final byte[] LARGE = "numaflow payload, compressible and then some; ".repeat(5_000).getBytes(UTF_8);

  private BufferWriter writer(String buffer, Compression compression) {
    return client.writer(buffer, writerOptions().compression(compression).build());
  }

  private BufferReader reader(String buffer, Compression compression) {
    return client.reader(buffer, readerOptions("kit-0").compression(compression).build());
  }

  @ParameterizedTest
  @EnumSource(value = Compression.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
  @DisplayName("payloads written compressed are read back whole by a reader with the same setting; a control message is untouched")
  void roundTrip(Compression compression) {
    String b = createBuffer();
    Message large = Message.data(new MessageId("kit", "large", 0), LARGE);
    Message empty = Message.data(new MessageId("kit", "empty", 0), new byte[0]);
    Message control = Message.watermarkBarrier(new MessageId("kit", "", 0));
    try (BufferWriter w = writer(b, compression); BufferReader r = reader(b, compression)) {
      writeAll(w, List.of(msg("small"), large, empty, control));

      List<ReadMessage> read = readExactly(r, 4);
      assertThat(read).extracting(m -> m.message().payload())
          .containsExactly("small".getBytes(UTF_8), LARGE, new byte[0], new byte[0]);
      assertThat(read.get(3).message().kind()).isEqualTo(Kind.WMB);
    }
  }

  @ParameterizedTest
  @EnumSource(value = Compression.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
  @DisplayName("what is stored is the format's frame (its magic number first), with the header left plain")
  void storedIsTheFormatsFrame(Compression compression) {
    String b = createBuffer();
    try (BufferWriter w = writer(b, compression); BufferReader raw = reader(b, Compression.NONE)) {
      writeAll(w, List.of(msg("framed"), Message.data(new MessageId("kit", "large", 0), LARGE)));

      List<ReadMessage> read = readExactly(raw, 2);
      String magic = switch (compression) {
        case GZIP -> "1f8b";
        case ZSTD -> "28b52ffd";
        case LZ4 -> "04224d18";
        case NONE -> throw new AssertionError();
      };
      for (ReadMessage m : read) {
        byte[] stored = m.message().payload();
        assertThat(HexFormat.of().formatHex(stored, 0, magic.length() / 2)).isEqualTo(magic);
        assertThat(m.message().header().id().offset()).as("the header is not compressed").isIn("framed", "large");
      }
      assertThat(PayloadCompression.decompress(compression, read.get(1).message().payload())).isEqualTo(LARGE);
      assertThat(read.get(1).message().payload().length).as("compressed").isLessThan(LARGE.length / 10);
    }
  }

  @ParameterizedTest
  @EnumSource(value = Compression.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
  @DisplayName("a payload that does not decompress is reported with its offset and terminated; the messages after it are read")
  void payloadThatDoesNotDecompress(Compression compression) {
    String b = createBuffer();
    List<UndecodableMessage> reported = new CopyOnWriteArrayList<>();
    try (BufferWriter plain = writer(b, Compression.NONE); BufferWriter w = writer(b, compression);
        BufferReader r = client.reader(b, readerOptions("kit-0").compression(compression)
            .onUndecodable(OnUndecodable.TERMINATE).undecodableListener(reported::add).build())) {
      var bad = writeOne(plain, msg("not-compressed"));
      writeOne(w, msg("after"));

      // Not readUntilQuiet: a read that got only the dropped message returns empty, which is not the end.
      assertThat(payloads(readExactly(r, 1))).containsExactly("after");
      assertThat(reported).singleElement().satisfies(u -> {
        assertThat(u.offset().toString()).as("the offset written").isEqualTo(bad.toString());
        assertThat(u.error()).hasMessageContaining(b).hasMessageContaining(bad.toString())
            .hasMessageContaining("does not decompress as " + compression.numaflowName());
      });
      assertNothingToRead(r, QUIET);
    }
  }
}
