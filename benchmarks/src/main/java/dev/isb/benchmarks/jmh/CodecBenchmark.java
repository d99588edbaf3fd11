package dev.isb.benchmarks.jmh;

import dev.isb.Message;
import dev.isb.wire.MessageCodec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * {@link MessageCodec} on a typical message ({@link TypicalMessages}): encode, decode of the same
 * bytes, and the two in a row. Each call takes the next of 16 distinct messages (ids, first keys,
 * event times, headers and payloads differ), so that nothing is a constant the JIT could fold.
 */
public class CodecBenchmark extends MicroBenchmark {

  private static final int POOL = 16; // a power of two, for the index mask

  /** Payload size in bytes. */
  @Param({"256", "1024", "65536"})
  public int payloadSize;

  private Message[] messages;
  private byte[][] encoded;
  private int next;

  /** Builds the messages and their encodings, and checks that each decodes back to itself. */
  @Setup(Level.Trial)
  public void setUp() {
    messages = TypicalMessages.create(POOL, payloadSize, 1_000_000, false);
    encoded = new byte[POOL][];
    for (int i = 0; i < POOL; i++) {
      encoded[i] = MessageCodec.encode(messages[i]);
      if (!MessageCodec.decode(encoded[i]).equals(messages[i])) {
        throw new IllegalStateException("message " + i + " does not survive encode + decode");
      }
    }
    System.out.println("# encoded size of the first message: " + encoded[0].length + " bytes");
  }

  private int advance() {
    int i = next;
    next = (i + 1) & (POOL - 1);
    return i;
  }

  /** {@code MessageCodec.encode}: a new array of exactly the encoded size. */
  @Benchmark
  public void encode(Blackhole bh) {
    bh.consume(MessageCodec.encode(messages[advance()]));
  }

  /** {@code MessageCodec.decode} of an encoding: a new {@code Message} with its own payload copy. */
  @Benchmark
  public void decode(Blackhole bh) {
    bh.consume(MessageCodec.decode(encoded[advance()]));
  }

  /** Encode then decode the result: one message through a JetStream buffer, without the network. */
  @Benchmark
  public void encodeDecode(Blackhole bh) {
    bh.consume(MessageCodec.decode(MessageCodec.encode(messages[advance()])));
  }
}
