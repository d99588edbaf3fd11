package dev.isb.wire;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdInputStream;
import dev.isb.Compression;
import dev.isb.MessageDecodeException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import net.jpountz.lz4.LZ4FrameOutputStream;

/**
 * Compresses and decompresses message payloads in numaflow-core's formats. Compressed bytes are
 * standard gzip, Zstandard and LZ4 frames, so any implementation of those formats reads them (the
 * tests check them with the {@code gzip}, {@code zstd} and {@code lz4} command-line tools); they need
 * not equal numaflow-core's byte for byte (an LZ4 frame written here has independent blocks,
 * numaflow-core's linked ones: both are valid frames, and both are read here, see {@link Lz4Frames}).
 *
 * <pre>{@code
 * byte[] stored = PayloadCompression.compress(Compression.ZSTD, payload);
 * byte[] back = PayloadCompression.decompress(Compression.ZSTD, stored);   // equals payload
 * }</pre>
 */
public final class PayloadCompression {

  /** numaflow-core's zstd level. */
  private static final int ZSTD_LEVEL = 3;

  private PayloadCompression() {}

  /** {@code payload} compressed as {@code compression} says; the same array for {@link Compression#NONE}. */
  public static byte[] compress(Compression compression, byte[] payload) {
    Objects.requireNonNull(compression, "compression");
    Objects.requireNonNull(payload, "payload");
    try {
      return switch (compression) {
        case NONE -> payload;
        case ZSTD -> Zstd.compress(payload, ZSTD_LEVEL);
        case GZIP -> streamed(payload, GZIPOutputStream::new);
        case LZ4 -> streamed(payload, out -> new LZ4FrameOutputStream(out, LZ4FrameOutputStream.BLOCKSIZE.SIZE_64KB,
            LZ4FrameOutputStream.FLG.Bits.BLOCK_INDEPENDENCE, LZ4FrameOutputStream.FLG.Bits.CONTENT_CHECKSUM));
      };
    } catch (IOException e) {
      throw new UncheckedIOException("compressing " + payload.length + " bytes with " + compression.numaflowName(), e);
    }
  }

  /**
   * The payload {@code stored} holds under {@code compression}; the same array for {@link Compression#NONE}.
   *
   * @throws MessageDecodeException when {@code stored} is not one whole, valid frame of that format
   */
  public static byte[] decompress(Compression compression, byte[] stored) {
    Objects.requireNonNull(compression, "compression");
    Objects.requireNonNull(stored, "stored");
    if (compression == Compression.NONE) {
      return stored;
    }
    try {
      return switch (compression) {
        case GZIP -> readAll(new GZIPInputStream(new ByteArrayInputStream(stored)));
        case ZSTD -> readAll(new ZstdInputStream(new ByteArrayInputStream(stored)));
        case LZ4 -> Lz4Frames.decode(stored);
        case NONE -> stored;
      };
    } catch (IOException | RuntimeException e) {
      throw new MessageDecodeException("the payload (" + stored.length + " bytes) does not decompress as "
          + compression.numaflowName() + ": " + e.getMessage(), e);
    }
  }

  private static byte[] readAll(InputStream stream) throws IOException {
    try (InputStream in = stream) {
      return in.readAllBytes();
    }
  }

  private interface Wrapper {
    OutputStream wrap(OutputStream out) throws IOException;
  }

  private static byte[] streamed(byte[] payload, Wrapper wrapper) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(Math.max(32, payload.length / 2));
    try (OutputStream out = wrapper.wrap(bytes)) {
      out.write(payload);
    }
    return bytes.toByteArray();
  }
}
