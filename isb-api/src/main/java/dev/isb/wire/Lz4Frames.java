package dev.isb.wire;

import java.io.IOException;
import java.util.Arrays;
import net.jpountz.xxhash.XXHash32;
import net.jpountz.xxhash.XXHashFactory;

/**
 * Decodes LZ4 frames (the LZ4 frame format, version 01) with independent or linked blocks. lz4-java's
 * own frame reader refuses linked blocks, which numaflow-core's {@code lz4} crate writes by default,
 * so the frame is read here and each block decoded by the LZ4 block rules, into one output so that a
 * linked block's matches may reach back into the blocks before it. Checks every checksum the frame
 * carries (header, blocks, content) and the content size when present; concatenated and skippable
 * frames are read in turn. Frames that need a dictionary are refused.
 */
final class Lz4Frames {

  private static final int MAGIC = 0x184D2204;
  private static final int SKIPPABLE_MASK = 0xFFFFFFF0;
  private static final int SKIPPABLE = 0x184D2A50;
  private static final int MIN_MATCH = 4;
  private static final XXHash32 XXHASH = XXHashFactory.fastestJavaInstance().hash32();

  private final byte[] in;
  private int ip;
  private byte[] out = new byte[256];
  private int op;
  /** Where {@link #block} reads, in {@link #in}. */
  private int bp;

  private Lz4Frames(byte[] in) {
    this.in = in;
  }

  /**
   * The content of every frame in {@code in}, one after the other.
   *
   * @throws IOException saying what is wrong, when {@code in} is not a sequence of whole, valid frames
   */
  static byte[] decode(byte[] in) throws IOException {
    Lz4Frames d = new Lz4Frames(in);
    if (in.length == 0) {
      throw new IOException("no frame: the bytes are empty");
    }
    while (d.ip < in.length) {
      d.frame();
    }
    return Arrays.copyOf(d.out, d.op);
  }

  private void frame() throws IOException {
    int magic = int32(ip);
    ip += 4;
    if ((magic & SKIPPABLE_MASK) == SKIPPABLE) {
      long size = int32(ip) & 0xFFFFFFFFL;
      ip += 4;
      need(size, "a skippable frame");
      ip += (int) size;
      return;
    }
    if (magic != MAGIC) {
      throw new IOException(String.format("not an LZ4 frame: magic number 0x%08X at byte %d", magic, ip - 4));
    }
    int descriptor = ip;
    need(2, "the frame descriptor");
    int flg = in[ip++] & 0xFF;
    int bd = in[ip++] & 0xFF;
    if ((flg >>> 6) != 1) {
      throw new IOException("LZ4 frame version " + (flg >>> 6) + " is not supported (only 01)");
    }
    if ((flg & 0x02) != 0 || (bd & 0x8F) != 0) {
      throw new IOException("LZ4 frame descriptor has reserved bits set");
    }
    boolean independent = (flg & 0x20) != 0;
    boolean blockChecksum = (flg & 0x10) != 0;
    boolean hasContentSize = (flg & 0x08) != 0;
    boolean contentChecksum = (flg & 0x04) != 0;
    if ((flg & 0x01) != 0) {
      throw new IOException("LZ4 frame needs a dictionary, which is not supported");
    }
    int blockMax = switch (bd >>> 4) {
      case 4 -> 64 << 10;
      case 5 -> 256 << 10;
      case 6 -> 1 << 20;
      case 7 -> 4 << 20;
      default -> throw new IOException("LZ4 frame block size code " + (bd >>> 4) + " is not one of 4 to 7");
    };
    long contentSize = -1;
    if (hasContentSize) {
      need(8, "the content size");
      contentSize = (int32(ip) & 0xFFFFFFFFL) | ((long) int32(ip + 4) << 32);
      ip += 8;
    }
    need(1, "the header checksum");
    int headerChecksum = (XXHASH.hash(in, descriptor, ip - descriptor, 0) >>> 8) & 0xFF;
    if ((in[ip++] & 0xFF) != headerChecksum) {
      throw new IOException("LZ4 frame header checksum does not match");
    }
    int frameStart = op;
    while (true) {
      need(4, "a block size");
      int word = int32(ip);
      ip += 4;
      if (word == 0) {
        break;
      }
      boolean stored = (word & 0x80000000) != 0;
      int size = word & 0x7FFFFFFF;
      if (size > blockMax) {
        throw new IOException("LZ4 block of " + size + " bytes is larger than the frame's " + blockMax);
      }
      need(size + (blockChecksum ? 4L : 0L), "a block");
      if (blockChecksum && XXHASH.hash(in, ip, size, 0) != int32(ip + size)) {
        throw new IOException("LZ4 block checksum does not match");
      }
      int blockStart = op;
      if (stored) {
        ensure(size);
        System.arraycopy(in, ip, out, op, size);
        op += size;
      } else {
        block(ip, ip + size, independent ? blockStart : frameStart, blockStart + blockMax);
      }
      ip += size + (blockChecksum ? 4 : 0);
    }
    if (contentChecksum) {
      need(4, "the content checksum");
      if (XXHASH.hash(out, frameStart, op - frameStart, 0) != int32(ip)) {
        throw new IOException("LZ4 content checksum does not match");
      }
      ip += 4;
    }
    if (contentSize >= 0 && contentSize != op - frameStart) {
      throw new IOException("LZ4 frame holds " + (op - frameStart) + " bytes, its header says " + contentSize);
    }
  }

  /** Decodes one compressed block of {@code in[from, to)}; matches may reach back to {@code windowStart}. */
  private void block(int from, int to, int windowStart, int outLimit) throws IOException {
    bp = from;
    while (true) {
      if (bp >= to) {
        throw new IOException("LZ4 block ends inside a sequence");
      }
      int token = in[bp++] & 0xFF;
      int literals = length(token >>> 4, to, "a literal length");
      if (literals > to - bp || literals > outLimit - op) {
        throw new IOException("LZ4 literal run of " + literals + " bytes overruns the block");
      }
      ensure(literals);
      System.arraycopy(in, bp, out, op, literals);
      op += literals;
      bp += literals;
      if (bp == to) {
        return; // the last sequence is literals only
      }
      if (to - bp < 2) {
        throw new IOException("LZ4 block ends inside a match offset");
      }
      int offset = (in[bp] & 0xFF) | (in[bp + 1] & 0xFF) << 8;
      bp += 2;
      if (offset == 0 || offset > op - windowStart) {
        throw new IOException("LZ4 match offset " + offset + " points outside the decoded data");
      }
      int length = length(token & 15, to, "a match length") + MIN_MATCH;
      if (length > outLimit - op) {
        throw new IOException("LZ4 match of " + length + " bytes overruns the block");
      }
      ensure(length);
      int source = op - offset;
      if (offset >= length) {
        System.arraycopy(out, source, out, op, length);
        op += length;
      } else {
        for (int i = 0; i < length; i++) {
          out[op++] = out[source + i]; // an overlapping match repeats what it has just written
        }
      }
    }
  }

  /**
   * A literal or match length: the token's 4 bits, and when they are all set, the bytes that follow
   * at {@link #bp} added to them up to the first that is not 255.
   */
  private int length(int nibble, int to, String what) throws IOException {
    int length = nibble;
    if (nibble == 15) {
      int b;
      do {
        if (bp >= to) {
          throw new IOException("LZ4 block ends inside " + what);
        }
        b = in[bp++] & 0xFF;
        length += b;
      } while (b == 255 && length < Integer.MAX_VALUE - 255);
    }
    return length;
  }

  private void ensure(int more) throws IOException {
    long needed = (long) op + more;
    if (needed > Integer.MAX_VALUE - 8) {
      throw new IOException("LZ4 content is larger than a Java array");
    }
    if (needed > out.length) {
      out = Arrays.copyOf(out, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(needed, 2L * out.length)));
    }
  }

  private void need(long bytes, String what) throws IOException {
    if (bytes > in.length - ip) {
      throw new IOException("LZ4 input ends inside " + what + " at byte " + ip);
    }
  }

  private int int32(int at) throws IOException {
    if (at + 4 > in.length) {
      throw new IOException("LZ4 input ends at byte " + in.length + " where 4 more were expected");
    }
    return (in[at] & 0xFF) | (in[at + 1] & 0xFF) << 8 | (in[at + 2] & 0xFF) << 16 | (in[at + 3] & 0xFF) << 24;
  }
}
