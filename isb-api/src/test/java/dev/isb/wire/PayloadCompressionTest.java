package dev.isb.wire;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isb.Compression;
import dev.isb.MessageDecodeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The compressed payloads against independent implementations of each format: the reference
 * command-line tools {@code gzip}, {@code zstd} and {@code lz4} (Debian packages; {@code .ci/run}
 * installs them) compress what this class must decompress, and decompress what it compresses.
 */
class PayloadCompressionTest {

  @TempDir
  Path dir;

  /** Empty, tiny, text, incompressible, and larger than several LZ4 blocks of 64 KB. */
  static Stream<byte[]> payloads() {
    byte[] random = new byte[70_000];
    new Random(7).nextBytes(random);
    return Stream.of(new byte[0], new byte[] {42}, "hello, numaflow".getBytes(UTF_8), random,
        "a line of an order, repeated; ".repeat(20_000).getBytes(UTF_8));
  }

  static Stream<Arguments> formatsAndPayloads() {
    List<Arguments> all = new ArrayList<>();
    for (Compression c : List.of(Compression.GZIP, Compression.ZSTD, Compression.LZ4)) {
      payloads().forEach(p -> all.add(Arguments.of(c, p)));
    }
    return all.stream();
  }

  /** The tool and the arguments that make it write a frame of {@code c} to stdout, or read one. */
  private static List<String> tool(Compression c, boolean decompress, String... more) {
    List<String> command = new ArrayList<>(List.of(c.numaflowName(), decompress ? "-dc" : "-c"));
    command.addAll(List.of(more));
    return command;
  }

  private byte[] run(List<String> command, byte[] stdin) throws IOException, InterruptedException {
    Path in = Files.write(dir.resolve("in"), stdin);
    Path out = dir.resolve("out");
    Path err = dir.resolve("err");
    Process p;
    try {
      p = new ProcessBuilder(command).redirectInput(in.toFile()).redirectOutput(out.toFile())
          .redirectError(err.toFile()).start();
    } catch (IOException missing) {
      throw new IllegalStateException("'" + command.get(0) + "' is needed on PATH for this test (Debian package "
          + command.get(0) + "; .ci/run installs it)", missing);
    }
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
    assertThat(p.exitValue()).as("%s exit status; stderr: %s", command, Files.readString(err)).isZero();
    return Files.readAllBytes(out);
  }

  /** Asserts that this library reads {@code payload} back from the frame the tool writes with {@code options}. */
  private void assertReadsToolFrame(Compression c, byte[] payload, String... options) throws Exception {
    assertThat(PayloadCompression.decompress(c, run(tool(c, false, options), payload))).isEqualTo(payload);
  }

  @ParameterizedTest(name = "{0}, {index}")
  @MethodSource("formatsAndPayloads")
  @DisplayName("the reference tool decompresses what this library compresses")
  void toolReadsOurs(Compression c, byte[] payload) throws Exception {
    assertThat(run(tool(c, true), PayloadCompression.compress(c, payload))).isEqualTo(payload);
  }

  @ParameterizedTest(name = "{0}, {index}")
  @MethodSource("formatsAndPayloads")
  @DisplayName("this library decompresses what the reference tool compresses")
  void weReadTheTools(Compression c, byte[] payload) throws Exception {
    assertReadsToolFrame(c, payload);
  }

  /** The frame shapes numaflow-core's encoders write: a description, the format, a text, the tool's options. */
  static Stream<Arguments> numaflowCoreFrames() {
    return Stream.of(
        // -BD: blocks depend on the previous one; -B4: 64 KB blocks; --content-size off, checksum on (defaults).
        Arguments.of("LZ4: linked blocks, content checksum, 64 KB blocks", Compression.LZ4,
            "an order line that repeats across block boundaries; ".repeat(10_000), new String[] {"-BD", "-B4"}),
        Arguments.of("zstd: a streaming encoder's frame (no content size), at level 3", Compression.ZSTD,
            "zstd ".repeat(50_000), new String[] {"-3", "--no-content-size"}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("numaflowCoreFrames")
  @DisplayName("frames as numaflow-core writes them, made by the reference tool")
  void numaflowCoreFrames(String shape, Compression c, String text, String[] options) throws Exception {
    assertReadsToolFrame(c, text.getBytes(UTF_8), options);
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"-B5", "-B6", "-B7", "-BX", "--content-size", "-BI"})
  @DisplayName("LZ4 frames in the other shapes the format allows: block sizes, block checksums, content size")
  void lz4FrameShapes(String option) throws Exception {
    byte[] random = new byte[300_000];
    new Random(3).nextBytes(random);
    byte[] payload = concat("lines that compress well; ".repeat(40_000).getBytes(UTF_8), random);
    Path file = Files.write(dir.resolve("payload"), payload);
    // From a file the tool knows the size (--content-size needs it); random data makes stored blocks.
    byte[] framed = run(List.of("lz4", "-c", "-BD", option, file.toString()), new byte[0]);
    assertThat(PayloadCompression.decompress(Compression.LZ4, framed)).isEqualTo(payload);
  }

  @Test
  @DisplayName("LZ4: frames one after another, and skippable frames, are read in turn")
  void lz4ConcatenatedFrames() throws Exception {
    byte[] first = run(tool(Compression.LZ4, false, "-BD"), "first ".repeat(1000).getBytes(UTF_8));
    byte[] second = PayloadCompression.compress(Compression.LZ4, "second".getBytes(UTF_8));
    byte[] skippable = {0x5A, 0x2A, 0x4D, 0x18, 3, 0, 0, 0, 9, 9, 9};
    assertThat(new String(PayloadCompression.decompress(Compression.LZ4, concat(first, skippable, second)), UTF_8))
        .isEqualTo("first ".repeat(1000) + "second");
  }

  @Test
  @DisplayName("LZ4: a flipped byte in a block or a checksum is refused, never returned as data")
  void lz4Corruption() throws Exception {
    byte[] payload = "checked content ".repeat(10_000).getBytes(UTF_8);
    byte[] framed = run(tool(Compression.LZ4, false, "-BD", "-BX"), payload);
    for (int at : new int[] {5, 12, framed.length / 2, framed.length - 2}) {
      byte[] bad = framed.clone();
      bad[at] ^= 0x40;
      assertThatThrownBy(() -> PayloadCompression.decompress(Compression.LZ4, bad)).as("byte %d flipped", at)
          .isInstanceOf(MessageDecodeException.class).hasMessageContaining("does not decompress as lz4");
    }
  }

  private static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] p : parts) {
      length += p.length;
    }
    byte[] all = new byte[length];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, all, at, p.length);
      at += p.length;
    }
    return all;
  }

  @ParameterizedTest
  @EnumSource(value = Compression.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
  @DisplayName("bytes that are not a whole frame of the format fail with a MessageDecodeException naming it")
  void notAFrame(Compression c) {
    byte[] whole = PayloadCompression.compress(c, "truncated later".repeat(100).getBytes(UTF_8));
    byte[] truncated = java.util.Arrays.copyOf(whole, whole.length / 2);
    for (byte[] bad : List.of("plain text".getBytes(UTF_8), truncated)) {
      assertThatThrownBy(() -> PayloadCompression.decompress(c, bad)).isInstanceOf(MessageDecodeException.class)
          .hasMessageContaining("does not decompress as " + c.numaflowName());
    }
  }

  @Test
  @DisplayName("none leaves the bytes as they are")
  void none() {
    byte[] payload = {1, 2, 3};
    assertThat(PayloadCompression.compress(Compression.NONE, payload)).isSameAs(payload);
    assertThat(PayloadCompression.decompress(Compression.NONE, payload)).isSameAs(payload);
  }

  @Test
  @DisplayName("compression.type is read as numaflow-core reads it: gzip, zstd, lz4, none, lower case only")
  void parse() {
    assertThat(Compression.parse("gzip")).isEqualTo(Compression.GZIP);
    assertThat(Compression.parse("zstd")).isEqualTo(Compression.ZSTD);
    assertThat(Compression.parse("lz4")).isEqualTo(Compression.LZ4);
    assertThat(Compression.parse("none")).isEqualTo(Compression.NONE);
    assertThatThrownBy(() -> Compression.parse("GZIP")).hasMessageContaining("'GZIP' is not one of none, gzip, zstd, lz4")
        .isInstanceOf(IllegalArgumentException.class);
  }
}
