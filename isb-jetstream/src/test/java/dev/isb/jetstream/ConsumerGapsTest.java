package dev.isb.jetstream;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The sequence arithmetic of gaps and stalls, on the numbers a stream and its consumer report. */
@DisplayName("ConsumerGaps: gaps and stalls from stream and consumer sequences")
class ConsumerGapsTest {

  @Test
  @DisplayName("a fresh buffer, an empty one, and one read and acked to the end: nothing to report")
  void healthy() {
    assertThat(ConsumerGaps.of(1, 0, 0, 0, 0, 0, true)).isEqualTo(new ConsumerGaps(0, java.util.List.of()));
    assertThat(ConsumerGaps.of(1, 30, 0, 0, 30, 0, true).warnings()).isEmpty();
    assertThat(ConsumerGaps.of(31, 30, 30, 30, 0, 0, true).warnings()).isEmpty();
    assertThat(ConsumerGaps.of(1, 30, 10, 20, 10, 10, true).warnings()).as("in flight").isEmpty();
  }

  @Test
  @DisplayName("Limits discarded 20 unread messages (the server moves the consumer's delivered sequence past them):"
      + " a gap of 20")
  void discardedUnread() {
    ConsumerGaps gaps = ConsumerGaps.of(21, 30, 0, 20, 10, 0, true);

    assertThat(gaps.lost()).isEqualTo(20);
    assertThat(gaps.warnings()).containsExactly("20 message(s) removed before the consumer acked them: the stream"
        + " starts at sequence 21, the consumer has acked up to 0; under Limits retention the stream discards its"
        + " oldest messages when a limit is reached, read or not");
  }

  @Test
  @DisplayName("messages delivered but not yet acked when they were discarded count as lost too")
  void discardedInFlight() {
    assertThat(ConsumerGaps.of(21, 30, 5, 20, 10, 0, true).lost()).isEqualTo(15);
  }

  @Test
  @DisplayName("a consumer created after its stream removed messages (its ack floor starts at 0) is no gap while"
      + " the stream's first message is older than the consumer")
  void consumerCreatedAfterTheDiscard() {
    assertThat(ConsumerGaps.of(21, 30, 0, 20, 10, 0, false)).isEqualTo(new ConsumerGaps(0, java.util.List.of()));
  }

  @Test
  @DisplayName("a consumer that reports nothing pending while the stream holds undelivered messages is stalled")
  void stalled() {
    ConsumerGaps gaps = ConsumerGaps.of(1, 30, 10, 10, 0, 0, true);

    assertThat(gaps.lost()).isZero();
    assertThat(gaps.warnings()).containsExactly("the consumer reports nothing pending, but the stream holds messages"
        + " up to sequence 30 and the consumer delivered up to 10: it may be stalled (recreating it resumes from its"
        + " ack floor)");
  }
}
