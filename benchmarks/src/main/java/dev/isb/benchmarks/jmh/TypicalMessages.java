package dev.isb.benchmarks.jmh;

import dev.isb.Header;
import dev.isb.Message;
import dev.isb.MessageId;
import java.time.Instant;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The messages the micro-benchmarks encode and write: what a map vertex typically emits. Each has a
 * Numaflow-style id ({@code enrich-<stream seq>-0-0}), an event time in milliseconds, two keys, one
 * header ({@code traceparent}) and a random payload of the given size.
 */
final class TypicalMessages {

  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

  private TypicalMessages() {}

  /**
   * {@code count} distinct messages, with stream sequences from {@code firstSeq} on.
   *
   * @param sharedPayload one payload array for all (for writers, which keep a reference and do not
   *     copy it) rather than a fresh one each (for the codec, so that no two inputs are alike)
   */
  static Message[] create(int count, int payloadSize, long firstSeq, boolean sharedPayload) {
    var random = new SplittableRandom(payloadSize * 31L + firstSeq);
    byte[] shared = sharedPayload ? randomBytes(random, payloadSize) : null;
    var messages = new Message[count];
    for (int i = 0; i < count; i++) {
      long seq = firstSeq + i;
      Header header = Header.builder(new MessageId("enrich", seq + "-0", 0))
          .eventTime(START.plusMillis(seq * 7))
          .keys("customer-" + String.format("%05d", i % 128), "eu-west-1")
          .headers(Map.of("traceparent", traceparent(random)))
          .build();
      messages[i] = new Message(header, sharedPayload ? shared : randomBytes(random, payloadSize));
    }
    return messages;
  }

  private static String traceparent(SplittableRandom random) {
    return String.format("00-%016x%016x-%016x-01", random.nextLong(), random.nextLong(), random.nextLong());
  }

  private static byte[] randomBytes(SplittableRandom random, int size) {
    var bytes = new byte[size];
    random.nextBytes(bytes);
    return bytes;
  }
}
