package dev.isb.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isb.Header;
import dev.isb.Message;
import dev.isb.MessageId;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.ToIntFunction;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class PartitionRouterTest {

  /**
   * One shuffle key as Rust sees it. {@code hash} is {@code DefaultHasher::new()}, {@code write} of the
   * UTF-8 bytes, {@code finish()}; the partitions are Numaflow's {@code determine_partition} for 1, 2,
   * 3, 5 and 16 partitions.
   */
  record Vector(List<String> keys, String joined, long hash, int p1, int p2, int p3, int p5, int p16) {

    int expected(int partitions) {
      return switch (partitions) {
        case 1 -> p1;
        case 2 -> p2;
        case 3 -> p3;
        case 5 -> p5;
        case 16 -> p16;
        default -> throw new IllegalArgumentException("no vector for " + partitions + " partitions");
      };
    }

    @Override
    public String toString() {
      return keys + " -> \"" + joined + '"';
    }
  }

  private static Vector v(List<String> keys, String joined, long hash, int p1, int p2, int p3, int p5,
      int p16) {
    return new Vector(keys, joined, hash, p1, p2, p3, p5, p16);
  }

  // Produced by a std-only Rust program (rustc 1.95.0, 59807616e 2026-04-14) that mirrors
  // numaflow-core's forward::determine_partition: a fresh std::hash::DefaultHasher, one
  // Hasher::write(key.as_bytes()), finish(), 0 for one partition, else finish() % partitions
  // (built with `rustc -O --edition 2021 main.rs`; joined = keys.join(":")).
  private static final String LONG_KEY = "numaflow-".repeat(20);

  private static final List<Vector> RUST_VECTORS = List.of(
      v(List.of(), "", 0xd1fba762150c532cL, 0, 0, 0, 0, 12),
      v(List.of(""), "", 0xd1fba762150c532cL, 0, 0, 0, 0, 12),
      v(List.of("a"), "a", 0x407448d2b89b1813L, 0, 1, 1, 4, 3),
      v(List.of("b"), "b", 0x8b22cf2602fb60ceL, 0, 0, 1, 3, 14),
      v(List.of("key"), "key", 0xdf61b30b684217c0L, 0, 0, 1, 0, 0),
      v(List.of("hello"), "hello", 0xe2e77b41cb4e1f9eL, 0, 0, 2, 0, 14),
      v(List.of("user-42"), "user-42", 0x36d7c057cbcbb4a2L, 0, 0, 0, 1, 2),
      v(List.of("a", "b"), "a:b", 0xe6c311fcd7b7d562L, 0, 0, 2, 3, 2),
      v(List.of("a:b"), "a:b", 0xe6c311fcd7b7d562L, 0, 0, 2, 3, 2),
      v(List.of("a", "b", "c"), "a:b:c", 0x01d32a01cc909b11L, 0, 1, 1, 0, 1),
      v(List.of("", ""), ":", 0x78c013a5d407ecb3L, 0, 1, 2, 0, 3),
      v(List.of("us-east", "checkout", "2024"), "us-east:checkout:2024", 0x915ebf3b8a592c60L, 0, 0, 1, 1, 0),
      v(List.of("1042-0"), "1042-0", 0x81ca8bdbe0ad4dfeL, 0, 0, 1, 2, 14),
      v(List.of("18446744073709551615-15"), "18446744073709551615-15", 0xb0e0bba51d43cb17L, 0, 1, 0, 4, 7),
      v(List.of("7"), "7", 0xf9f351e06189c5a2L, 0, 0, 1, 0, 2),
      v(List.of("h\u00E9llo"), "h\u00E9llo", 0x92cd60ed4f474c37L, 0, 1, 2, 0, 7),
      v(List.of("\u65E5\u672C\u8A9E"), "\u65E5\u672C\u8A9E", 0x44508afb4ec86bd4L, 0, 0, 0, 4, 4),
      v(List.of("emoji-\uD83D\uDE00"), "emoji-\uD83D\uDE00", 0x11d6b4a46b8cf93bL, 0, 1, 2, 0, 11),
      v(List.of("\u03A9mega", "\u00DF"), "\u03A9mega:\u00DF", 0x91e2a228e8388c05L, 0, 1, 1, 1, 5),
      v(List.of("exactly8"), "exactly8", 0x9e90d598a0fe358fL, 0, 1, 2, 2, 15),
      v(List.of("fifteen-bytes!!"), "fifteen-bytes!!", 0x4806ecb20c759634L, 0, 0, 1, 3, 4),
      v(List.of(LONG_KEY), LONG_KEY, 0xdd0289d3a4abf23cL, 0, 0, 2, 3, 12));

  // DefaultHasher::new(), write(&[0, 1, …, n - 1]), finish(), for n = 0 to 64, from the same rustc:
  // SipHash-1-3 with keys (0, 0) across every tail length and several whole words.
  private static final long[] SIPHASH13_OVER_0_TO_N = {
      0xd1fba762150c532cL, 0x68a914128e01e473L, 0x010bac45c41e3669L, 0x4d4c9a4a8ef6e0adL,
      0x7cc43f98813e4dbdL, 0x5abe2169dff36275L, 0xe3c25f87624f1cdbL, 0x2f098ab0c751325aL,
      0xead411e67ebe2eeaL, 0x75927f9d95124362L, 0xaf9f77a65ab51a1dL, 0xfe64ce8b6617fcffL,
      0xa6baf4fb0f9fe1c2L, 0xa0cf3211850f8e0dL, 0x7f86049379fbfe67L, 0xf30eb725bb91c9eaL,
      0x8972188433a5c5b7L, 0x4883c49a2c009c1dL, 0xadc2c0b63044067dL, 0x091f4a3329f87d19L,
      0x639e355ae68c0100L, 0xb17bef2cb5213239L, 0xf8aeb1066236ccfeL, 0x37332b1389daa4ffL,
      0x31185a47af932f3aL, 0xebf352e82ae23e2fL, 0xed36ff242fe478b2L, 0x2454d97d299299dfL,
      0x8cd57fe8130d0ac7L, 0xbe98eb2faf0a0e85L, 0xd427c34ee09470c6L, 0x169739443111d49bL,
      0x31ef8061c910629bL, 0x7fb71d24dfa4c9f6L, 0x92771f49e836d389L, 0x3c393cf6f0853bc3L,
      0xac77921fcc642bd3L, 0x422a9751192ff266L, 0xc680ae8a8c584ddfL, 0x6c76b6d34bb6d26bL,
      0x95bc321ab41d8206L, 0x908a3a97a6d37669L, 0xfcaf3c64874dd0b4L, 0xf689479b32b84a44L,
      0xd857641079efd1fdL, 0x8b581578722633f7L, 0x83cb09d35ea7bcd4L, 0x8485f7f5ae725a0dL,
      0xfe1f2445ba50237fL, 0x23cece041d7866b0L, 0x416687480b336c09L, 0xf15960da7e7f3892L,
      0xded6177b9826835aL, 0xf80dae51668be6beL, 0x17ecc6ee6647df18L, 0x5220d642b4a52110L,
      0xa4f0cf4ba4adc016L, 0xe5125bb26d1f2976L, 0x851b0e75f580d256L, 0x12605250a37e39acL,
      0xd95a713568daebf1L, 0xcdcf4a42ec0dd605L, 0xa5c708712b617164L, 0x385d3e39e5f37359L,
      0x75e05fd5bbc870c6L
  };

  private static final int[] PARTITION_COUNTS = {1, 2, 3, 5, 16};

  static Stream<Vector> vectors() {
    return RUST_VECTORS.stream();
  }

  private static Message keyed(List<String> keys) {
    return new Message(Header.builder(new MessageId("in", "7-0", 0)).keys(keys).build(), new byte[0]);
  }

  private static Message withOffset(String offset) {
    return Message.data(new MessageId("in", offset, 0), new byte[0]);
  }

  /** Checks, for every partition count of the vectors, that {@code pick} chooses the partition Rust chose. */
  private static void assertPicksRustPartition(Vector vector, ToIntFunction<PartitionRouter> pick) {
    for (int partitions : PARTITION_COUNTS) {
      assertThat(pick.applyAsInt(PartitionRouter.of(partitions)))
          .as("%d partitions", partitions)
          .isEqualTo(vector.expected(partitions));
    }
  }

  @Nested
  @DisplayName("SipHash-1-3")
  class SipHash {

    @Test
    @DisplayName("matches Rust's DefaultHasher over 0 to 64 bytes")
    void knownAnswers() {
      for (int n = 0; n < SIPHASH13_OVER_0_TO_N.length; n++) {
        byte[] data = new byte[n];
        for (int i = 0; i < n; i++) {
          data[i] = (byte) i;
        }
        assertThat(SipHash13.hash(data)).as("%d bytes", n).isEqualTo(SIPHASH13_OVER_0_TO_N[n]);
      }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.isb.wire.PartitionRouterTest#vectors")
    @DisplayName("matches Rust's DefaultHasher on the UTF-8 bytes of the joined keys")
    void matchesRust(Vector vector) {
      assertThat(String.join(":", vector.keys())).isEqualTo(vector.joined());
      assertThat(SipHash13.hash(vector.joined().getBytes(StandardCharsets.UTF_8)))
          .isEqualTo(vector.hash());
    }

    @Test
    @DisplayName("does not append the 0xFF that Rust's str Hash impl would add")
    void noStrTerminator() {
      // <str as Hash>::hash("a") with the same rustc gives 0x719b50b9a4f0e9f3; Numaflow does not use it.
      assertThat(SipHash13.hash("a".getBytes(StandardCharsets.UTF_8)))
          .isEqualTo(0x407448d2b89b1813L)
          .isNotEqualTo(0x719b50b9a4f0e9f3L);
    }
  }

  @Nested
  @DisplayName("keyed routing")
  class Keyed {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.isb.wire.PartitionRouterTest#vectors")
    @DisplayName("puts keys on the partition Numaflow's Rust writer picks, for 1, 2, 3, 5 and 16 partitions")
    void matchesRust(Vector vector) {
      assertPicksRustPartition(vector, router -> router.byKeys(keyed(vector.keys())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.isb.wire.PartitionRouterTest#vectors")
    @DisplayName("route uses the keys when there are keys")
    void routeUsesKeys(Vector vector) {
      if (vector.keys().isEmpty()) {
        return;
      }
      assertPicksRustPartition(vector, router -> router.route(keyed(vector.keys())));
    }

    @Test
    @DisplayName("the id does not matter, only the keys")
    void idIgnored() {
      PartitionRouter router = PartitionRouter.of(16);
      Message a = new Message(Header.builder(new MessageId("x", "1-0", 0)).keys("k").build(), new byte[0]);
      Message b = new Message(Header.builder(new MessageId("y", "99-3", 4)).keys("k").build(), new byte[0]);
      assertThat(router.byKeys(a)).isEqualTo(router.byKeys(b));
    }
  }

  @Nested
  @DisplayName("offset routing")
  class ByOffset {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.isb.wire.PartitionRouterTest#vectors")
    @DisplayName("hashes the id offset exactly as Rust hashes a shuffle key")
    void matchesRust(Vector vector) {
      assertPicksRustPartition(vector, router -> router.byOffset(withOffset(vector.joined())));
    }

    @Test
    @DisplayName("a message without keys is routed by its offset, ignoring vertex name and index")
    void routeWithoutKeys() {
      PartitionRouter router = PartitionRouter.of(3);
      // "1042-0" hashes to 0x81ca8bdbe0ad4dfe in Rust: partition 1 of 3.
      assertThat(router.route(Message.data(new MessageId("map", "1042-0", 0), new byte[0]))).isEqualTo(1);
      assertThat(router.route(Message.data(new MessageId("other", "1042-0", 5), new byte[0]))).isEqualTo(1);
    }

    @Test
    @DisplayName("the same message always gets the same partition")
    void deterministic() {
      PartitionRouter router = PartitionRouter.of(16);
      Message m = withOffset("18446744073709551615-15");
      for (int i = 0; i < 100; i++) {
        assertThat(router.route(m)).isEqualTo(7);
      }
    }
  }

  @Nested
  @DisplayName("round robin")
  class RoundRobin {

    @Test
    @DisplayName("cycles over every partition in order")
    void cycles() {
      PartitionRouter router = PartitionRouter.of(5);
      List<Integer> seen = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        seen.add(router.roundRobin());
      }
      assertThat(seen).containsExactly(0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1);
    }

    @Test
    @DisplayName("gives every partition the same share under concurrency")
    void fairUnderConcurrency() throws Exception {
      int partitions = 7;
      int threads = 8;
      int callsPerThread = 7_000;
      PartitionRouter router = PartitionRouter.of(partitions);
      AtomicIntegerArray counts = new AtomicIntegerArray(partitions);
      CountDownLatch start = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          done.add(pool.submit(() -> {
            start.await();
            for (int i = 0; i < callsPerThread; i++) {
              counts.incrementAndGet(router.roundRobin());
            }
            return null;
          }));
        }
        start.countDown();
        for (Future<?> f : done) {
          f.get(Duration.ofSeconds(30).toMillis(), TimeUnit.MILLISECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      int expected = threads * callsPerThread / partitions;
      assertThat(IntStream.range(0, partitions).map(counts::get)).containsOnly(expected);
    }

    @Test
    @DisplayName("each router has its own turn")
    void perInstance() {
      PartitionRouter a = PartitionRouter.of(3);
      PartitionRouter b = PartitionRouter.of(3);
      a.roundRobin();
      a.roundRobin();
      assertThat(b.roundRobin()).isZero();
      assertThat(a.roundRobin()).isEqualTo(2);
    }
  }

  @Nested
  @DisplayName("one partition")
  class OnePartition {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.isb.wire.PartitionRouterTest#vectors")
    @DisplayName("every route is partition 0")
    void alwaysZero(Vector vector) {
      PartitionRouter router = PartitionRouter.of(1);
      Message m = keyed(vector.keys());
      assertThat(router.route(m)).isZero();
      assertThat(router.byKeys(m)).isZero();
      assertThat(router.byOffset(withOffset(vector.joined()))).isZero();
      assertThat(router.roundRobin()).isZero();
      assertThat(router.roundRobin()).isZero();
    }
  }

  @Nested
  @DisplayName("arguments")
  class Arguments {

    @ParameterizedTest
    @ValueSource(ints = {0, -1, Integer.MIN_VALUE, 65_536, Integer.MAX_VALUE})
    @DisplayName("a partition count outside 1 to 65535 is rejected, naming the value")
    void badPartitions(int partitions) {
      assertThatThrownBy(() -> PartitionRouter.of(partitions))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("partitions must be between 1 and 65535, was " + partitions);
    }

    @Test
    @DisplayName("the largest partition count is accepted and stays in range")
    void maxPartitions() {
      PartitionRouter router = PartitionRouter.of(PartitionRouter.MAX_PARTITIONS);
      assertThat(router.partitions()).isEqualTo(65_535);
      assertThat(router.route(withOffset("1-0"))).isBetween(0, 65_534);
    }

    @Test
    @DisplayName("a null message is rejected")
    void nullMessage() {
      PartitionRouter router = PartitionRouter.of(2);
      assertThatThrownBy(() -> router.route(null))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("message");
      assertThatThrownBy(() -> router.byKeys(null)).isInstanceOf(NullPointerException.class);
      assertThatThrownBy(() -> router.byOffset(null)).isInstanceOf(NullPointerException.class);
    }
  }
}
