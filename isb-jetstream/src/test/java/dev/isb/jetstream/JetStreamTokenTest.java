package dev.isb.jetstream;

import static dev.isb.jetstream.StreamConfigs.MEMORY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.isb.BufferWriter;
import dev.isb.IsbClient;
import dev.isb.IsbException;
import dev.isb.IsbOptions;
import dev.isb.Message;
import dev.isb.MessageId;
import dev.isb.WriteResult;
import dev.isb.testkit.NatsServerExtension;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Connecting to a JetStream server that requires a token. */
@DisplayName("JetStream with a token")
class JetStreamTokenTest {

  private static final String TOKEN = "tok-" + UUID.randomUUID();

  @RegisterExtension
  static final NatsServerExtension NATS = NatsServerExtension.single().withToken(TOKEN);

  private static IsbOptions.Builder options() {
    return IsbOptions.builder().backend("jetstream").url(NATS.url());
  }

  @Test
  @DisplayName("the right token works: buffers are created and written")
  void tokenWorks() {
    try (IsbClient client = IsbClient.open(options().property("token", TOKEN).build())) {
      String buffer = "ns-pl-k" + UUID.randomUUID().toString().substring(0, 8) + "-0";
      client.admin().createBuffers(List.of(buffer), MEMORY);
      try (BufferWriter writer = client.writer(buffer)) {
        assertThat(writer.write(Message.data(new MessageId("in", "1", 0), new byte[] {1, 2, 3})))
            .isInstanceOf(WriteResult.Written.class);
      }
      assertThat(client.admin().bufferInfo(buffer).totalMessages()).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("a wrong token fails open with a clear authorization error that contains no token")
  void wrongTokenFailsClearly() {
    String wrong = "wrong-" + UUID.randomUUID();
    Throwable failure = catchThrowable(() -> IsbClient.open(options().property("token", wrong).build()).close());

    assertThat(failure).isInstanceOf(IsbException.class);
    assertThat(failure.getMessage().toLowerCase(Locale.ROOT)).containsAnyOf("authorization", "authentication");
    for (Throwable t = failure; t != null; t = t.getCause()) {
      assertThat(String.valueOf(t.getMessage())).doesNotContain(wrong).doesNotContain(TOKEN);
    }
  }
}
