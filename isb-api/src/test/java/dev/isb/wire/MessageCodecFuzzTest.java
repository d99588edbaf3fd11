package dev.isb.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.isb.MessageDecodeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Mutated and random bytes through the decoders: each input either decodes or raises
 * {@link MessageDecodeException}, never anything else, and the whole run ends in seconds. The seed is
 * random per run and printed in every failure; rerun one with {@code -Dcodec.seed=<seed>}.
 */
class MessageCodecFuzzTest {

  private static final int INPUTS = 150_000;
  private static final int SEEDS = 256;

  private final long seed = Long.getLong("codec.seed", new Random().nextLong());

  @Test
  @DisplayName("decoding any bytes returns a message or raises MessageDecodeException, and never hangs")
  void mutatedAndRandomInputs() {
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
      var random = new Random(seed);
      var messages = new RandomMessages(random, 64);
      byte[][] valid = new byte[SEEDS][];
      for (int i = 0; i < SEEDS; i++) {
        valid[i] = MessageCodec.encode(messages.next());
      }
      int decoded = 0;
      for (int i = 0; i < INPUTS; i++) {
        byte[] input = mutate(random, valid[random.nextInt(SEEDS)]);
        if (decode(input, i, random.nextInt(8))) {
          decoded++;
        }
      }
      // Mutations must leave enough inputs valid (and enough invalid) to exercise both paths.
      assertThat(decoded).as("seed %d: inputs that decoded", seed).isBetween(INPUTS / 20, INPUTS - INPUTS / 20);
    });
  }

  /** Whether the input decoded; fails on any exception but {@link MessageDecodeException}. */
  private boolean decode(byte[] input, int i, int how) {
    try {
      switch (how) {
        case 0 -> MessageCodec.decodeHeader(input);
        case 1 -> MessageCodec.decode(ByteBuffer.allocateDirect(input.length).put(input).flip());
        case 2 -> {
          byte[] padded = new byte[input.length + 2];
          System.arraycopy(input, 0, padded, 1, input.length);
          MessageCodec.decode(padded, 1, input.length);
        }
        default -> MessageCodec.decode(input);
      }
      return true;
    } catch (MessageDecodeException expected) {
      return false;
    } catch (Throwable e) {
      return fail(String.format("seed %d, input %d (decoder %d), bytes %s", seed, i, how, HexFormat.of().formatHex(input)), e);
    }
  }

  private static byte[] mutate(Random random, byte[] valid) {
    byte[] bytes = valid.clone();
    int rounds = 1 + random.nextInt(3);
    for (int r = 0; r < rounds; r++) {
      bytes = switch (random.nextInt(9)) {
        case 0 -> flipBits(random, bytes);
        case 1 -> Arrays.copyOf(bytes, random.nextInt(bytes.length + 1)); // truncate
        case 2 -> insert(random, bytes, randomBytes(random, 1 + random.nextInt(8)));
        case 3 -> overwrite(random, bytes);
        case 4 -> insert(random, bytes, slice(random, bytes)); // duplicate a piece
        case 5 -> remove(random, bytes);
        case 6 -> insert(random, bytes, interesting(random));
        case 7 -> randomBytes(random, random.nextInt(64));
        default -> setByte(random, bytes);
      };
    }
    return bytes;
  }

  private static byte[] flipBits(Random random, byte[] bytes) {
    if (bytes.length > 0) {
      int flips = 1 + random.nextInt(4);
      for (int i = 0; i < flips; i++) {
        bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
      }
    }
    return bytes;
  }

  private static byte[] overwrite(Random random, byte[] bytes) {
    if (bytes.length > 0) {
      int at = random.nextInt(bytes.length);
      byte[] noise = randomBytes(random, Math.min(bytes.length - at, 1 + random.nextInt(6)));
      System.arraycopy(noise, 0, bytes, at, noise.length);
    }
    return bytes;
  }

  /** A length, tag or varint byte that tends to reach edge cases. */
  private static byte[] setByte(Random random, byte[] bytes) {
    if (bytes.length > 0) {
      byte[] choices = {0x00, 0x01, 0x7f, (byte) 0x80, (byte) 0xff, 0x0b, 0x0c, 0x0e, 0x0f, 0x12, 0x1a, 0x22, 0x2a};
      bytes[random.nextInt(bytes.length)] = choices[random.nextInt(choices.length)];
    }
    return bytes;
  }

  private static byte[] interesting(Random random) {
    return switch (random.nextInt(6)) {
      case 0 -> new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f}; // -1 as a length
      case 1 -> new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07}; // 2^31 - 1
      case 2 -> new byte[] {0x0b, 0x0b, 0x0b, 0x0b}; // start groups
      case 3 -> new byte[] {0x10, 0x05}; // kind 5
      case 4 -> new byte[] {(byte) 0xc0, (byte) 0x80}; // overlong UTF-8
      default -> new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80};
    };
  }

  private static byte[] slice(Random random, byte[] bytes) {
    int from = random.nextInt(bytes.length + 1);
    return Arrays.copyOfRange(bytes, from, from + random.nextInt(bytes.length - from + 1));
  }

  private static byte[] insert(Random random, byte[] bytes, byte[] piece) {
    int at = random.nextInt(bytes.length + 1);
    byte[] out = new byte[bytes.length + piece.length];
    System.arraycopy(bytes, 0, out, 0, at);
    System.arraycopy(piece, 0, out, at, piece.length);
    System.arraycopy(bytes, at, out, at + piece.length, bytes.length - at);
    return out;
  }

  private static byte[] remove(Random random, byte[] bytes) {
    if (bytes.length == 0) {
      return bytes;
    }
    int from = random.nextInt(bytes.length);
    int to = from + 1 + random.nextInt(Math.min(8, bytes.length - from));
    byte[] out = new byte[bytes.length - (to - from)];
    System.arraycopy(bytes, 0, out, 0, from);
    System.arraycopy(bytes, to, out, from, bytes.length - to);
    return out;
  }

  private static byte[] randomBytes(Random random, int length) {
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    return bytes;
  }
}
