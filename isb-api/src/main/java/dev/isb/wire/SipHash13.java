package dev.isb.wire;

/**
 * SipHash-1-3 with both keys zero: the 64-bit hash of Rust's {@code std::hash::DefaultHasher::new()}
 * after one {@code write(bytes)} and {@code finish()}. The static entry point is thread-safe; an
 * instance is the state of one computation and never escapes.
 *
 * <p>Only the raw-bytes path is offered. Rust's {@code <str as Hash>::hash} would also feed a trailing
 * {@code 0xFF} byte, but Numaflow calls {@code Hasher::write} directly, so no terminator is added here.
 */
final class SipHash13 {

  // The SipHash initial state is these constants xor-ed with the keys; both keys are zero.
  private long v0 = 0x736f6d6570736575L;
  private long v1 = 0x646f72616e646f6dL;
  private long v2 = 0x6c7967656e657261L;
  private long v3 = 0x7465646279746573L;

  private SipHash13() {}

  /** The hash of {@code data} with keys (0, 0). */
  static long hash(byte[] data) {
    SipHash13 s = new SipHash13();
    int whole = data.length & ~7;
    for (int i = 0; i < whole; i += 8) {
      s.compress(littleEndian(data, i, 8));
    }
    // The last word carries the length's low byte on top of the 0 to 7 remaining bytes.
    s.compress(((long) data.length << 56) | littleEndian(data, whole, data.length - whole));
    s.v2 ^= 0xff;
    s.round();
    s.round();
    s.round();
    return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
  }

  private void compress(long m) {
    v3 ^= m;
    round();
    v0 ^= m;
  }

  private void round() {
    v0 += v1;
    v1 = Long.rotateLeft(v1, 13);
    v1 ^= v0;
    v0 = Long.rotateLeft(v0, 32);
    v2 += v3;
    v3 = Long.rotateLeft(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = Long.rotateLeft(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = Long.rotateLeft(v1, 17);
    v1 ^= v2;
    v2 = Long.rotateLeft(v2, 32);
  }

  private static long littleEndian(byte[] data, int from, int count) {
    long word = 0;
    for (int i = count - 1; i >= 0; i--) {
      word = (word << 8) | (data[from + i] & 0xffL);
    }
    return word;
  }
}
