package dev.isb.wire;

import dev.isb.Header;
import dev.isb.Kind;
import dev.isb.Message;
import dev.isb.MessageId;
import dev.isb.Metadata;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Random but valid messages for the codec tests, reproducible from the {@link Random}'s seed. */
final class RandomMessages {

  /** google.protobuf.Timestamp's valid range: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z. */
  static final long MIN_TIMESTAMP_SECONDS = -62_135_596_800L;
  static final long MAX_TIMESTAMP_SECONDS = 253_402_300_799L;

  private static final int[] EXTREME_INDEXES = {0, 1, -1, 127, 128, Integer.MIN_VALUE, Integer.MAX_VALUE};

  private final Random random;
  private final int maxPayload;

  /**
   * @param random the source of randomness
   * @param maxPayload the largest payload to make; large ones are rare
   */
  RandomMessages(Random random, int maxPayload) {
    this.random = random;
    this.maxPayload = maxPayload;
  }

  Message next() {
    return new Message(header(), payload());
  }

  Header header() {
    var id = new MessageId(string(), string(), index());
    return Header.builder(id)
        .eventTime(eventTime())
        .late(random.nextBoolean())
        .kind(random.nextInt(10) == 0 ? Kind.WMB : Kind.DATA)
        .keys(keys())
        .headers(stringMap())
        .metadata(metadata())
        .build();
  }

  private int index() {
    return random.nextBoolean() ? EXTREME_INDEXES[random.nextInt(EXTREME_INDEXES.length)] : random.nextInt();
  }

  private Instant eventTime() {
    return switch (random.nextInt(8)) {
      case 0 -> Instant.EPOCH;
      case 1 -> Instant.ofEpochSecond(MIN_TIMESTAMP_SECONDS);
      case 2 -> Instant.ofEpochSecond(MAX_TIMESTAMP_SECONDS, 999_999_999);
      case 3 -> Instant.ofEpochSecond(random.nextInt(2_000_000_000)); // whole seconds
      case 4 -> Instant.ofEpochSecond(-random.nextInt(1000), random.nextInt(1_000_000_000)); // just before 1970
      default -> Instant.ofEpochSecond(
          MIN_TIMESTAMP_SECONDS + (long) (random.nextDouble() * (MAX_TIMESTAMP_SECONDS - MIN_TIMESTAMP_SECONDS)),
          random.nextBoolean() ? random.nextInt(1_000_000_000) : random.nextInt(1000) * 1_000_000);
    };
  }

  private List<String> keys() {
    int n = random.nextInt(5);
    var keys = new ArrayList<String>(n);
    for (int i = 0; i < n; i++) {
      keys.add(string());
    }
    return keys;
  }

  private Map<String, String> stringMap() {
    int n = random.nextInt(5);
    var map = new HashMap<String, String>();
    for (int i = 0; i < n; i++) {
      map.put(string(), string());
    }
    return map;
  }

  private Metadata metadata() {
    if (random.nextInt(3) == 0) {
      return Metadata.EMPTY;
    }
    return Metadata.of(random.nextBoolean() ? string() : "", groups(), groups());
  }

  private Map<String, Map<String, byte[]>> groups() {
    int n = random.nextInt(4);
    var groups = new HashMap<String, Map<String, byte[]>>();
    for (int i = 0; i < n; i++) {
      int m = random.nextInt(4);
      var values = new HashMap<String, byte[]>();
      for (int j = 0; j < m; j++) {
        values.put(string(), bytes(random.nextInt(9)));
      }
      groups.put(string(), values);
    }
    return groups;
  }

  private byte[] payload() {
    int kind = random.nextInt(100);
    if (kind < 30) {
      return new byte[0];
    }
    if (kind < 99 || maxPayload <= 300) {
      return bytes(random.nextInt(Math.min(300, maxPayload) + 1));
    }
    return bytes(random.nextInt(maxPayload + 1));
  }

  byte[] bytes(int length) {
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    return bytes;
  }

  /**
   * Mostly short strings mixing ASCII, Latin, CJK, private-use (U+E000..) and astral characters; one in
   * twenty long enough (100 to 299 code points) that its length takes two varint bytes.
   */
  String string() {
    int length = random.nextInt(20) == 0 ? 100 + random.nextInt(200) : random.nextInt(4) == 0 ? 0 : random.nextInt(12);
    var sb = new StringBuilder(length * 2);
    for (int i = 0; i < length; i++) {
      sb.appendCodePoint(switch (random.nextInt(10)) {
        case 0 -> 0x80 + random.nextInt(0x780); // two UTF-8 bytes
        case 1 -> 0x4E00 + random.nextInt(0x5000); // CJK, three bytes
        case 2 -> 0xE000 + random.nextInt(0x2000); // above the surrogates in UTF-16, below astral
        case 3 -> 0x1F600 + random.nextInt(0x50); // emoji, a surrogate pair
        case 4 -> random.nextInt(0x80); // any ASCII, control characters too
        default -> 'a' + random.nextInt(26);
      });
    }
    return sb.toString();
  }
}
