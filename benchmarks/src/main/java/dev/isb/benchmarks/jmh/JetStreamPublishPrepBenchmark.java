package dev.isb.benchmarks.jmh;

import dev.isb.Message;
import dev.isb.wire.MessageCodec;
import io.nats.client.PublishOptions;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The JetStream writer's own work per DATA message before it hands the message to jnats, as
 * {@code JetStreamBufferWriter.publish} does it: the body by {@link MessageCodec#encode} and the
 * {@link PublishOptions} with the expected stream and the {@code Nats-Msg-Id}. What follows,
 * {@code JetStream.publishAsync} and the ack, needs a connection and is not measured here.
 */
public class JetStreamPublishPrepBenchmark extends MicroBenchmark {

  private static final int POOL = 16; // a power of two, for the index mask

  /** Payload size in bytes. */
  @Param({"256", "1024"})
  public int payloadSize;

  /** The buffer (stream) name; a field, so that the JIT cannot treat it as a constant. */
  private String buffer = "bench-pipeline-out-0";
  private Message[] messages;
  private int next;

  /** Builds the messages. */
  @Setup(Level.Trial)
  public void setUp() {
    messages = TypicalMessages.create(POOL, payloadSize, 1_000_000, false);
  }

  /** Encoding and publish options of one message. */
  @Benchmark
  public void encodeAndPublishOptions(Blackhole bh) {
    Message m = messages[next];
    next = (next + 1) & (POOL - 1);
    bh.consume(MessageCodec.encode(m));
    bh.consume(PublishOptions.builder().expectedStream(buffer).messageId(m.id().dedupKey()).build());
  }
}
