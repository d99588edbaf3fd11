package dev.isb.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isb.IsbException;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * How lettuce's failures become the library's. After a sentinel fail-over lettuce closes the connection
 * to the old master and cancels the commands still queued on it (seen in {@link RedisSentinelFaultsTest}).
 */
class RedisErrorsTest {

  @Test
  @DisplayName("a write lettuce cancelled because it closed the connection (as after a sentinel fail-over) is a"
      + " retryable failure, so a writer retries the batch instead of giving its messages up")
  void cancelledCommandIsRetryable() {
    IsbException e = RedisErrors.translate("buf-0", "writing", new CancellationException());

    assertThat(e.retryable()).isTrue();
    assertThat(e).hasMessageContaining("buf-0").hasMessageContaining("cancelled")
        .hasCauseInstanceOf(CancellationException.class);
  }

  @Test
  @DisplayName("a read or ack lettuce cancelled that way throws a retryable IsbException, not the bare"
      + " CancellationException (an IllegalStateException, which callers take for misuse and which killed the"
      + " reading thread)")
  void cancelledCallIsNotMisuse() {
    assertThatThrownBy(() -> RedisErrors.call("buf-0", "reading", () -> {
      throw new CancellationException();
    })).isInstanceOfSatisfying(IsbException.class, e -> assertThat(e.retryable()).isTrue())
        .hasCauseInstanceOf(CancellationException.class);
  }
}
