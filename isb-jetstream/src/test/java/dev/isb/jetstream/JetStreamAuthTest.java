package dev.isb.jetstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.isb.IsbClient;
import dev.isb.IsbException;
import dev.isb.IsbOptions;
import dev.isb.testkit.NatsServerExtension;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Connecting to a JetStream server that requires a user and password. */
@DisplayName("JetStream with user and password")
class JetStreamAuthTest {

  private static final String USER = "isb-user";
  private static final String PASSWORD = "pw-" + UUID.randomUUID();

  @RegisterExtension
  static final NatsServerExtension NATS = NatsServerExtension.single().withUser(USER, PASSWORD);

  private static IsbOptions.Builder options() {
    return IsbOptions.builder().backend("jetstream").url(NATS.url());
  }

  /** Every message in the chain of a failure, for checks that no secret leaks through a cause. */
  private static String allMessages(Throwable failure) {
    var all = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      all.append(t).append('\n');
    }
    return all.toString();
  }

  @Test
  @DisplayName("the right user and password work end to end")
  void userAndPasswordWork() {
    try (IsbClient client = IsbClient.open(options().property("user", USER).property("password", PASSWORD).build())) {
      RoundTrip.assertRoundTrip(client, "authenticated");
    }
  }

  @Test
  @DisplayName("a wrong password fails open with a clear authorization error that contains no password")
  void wrongPasswordFailsClearly() {
    String wrong = "wrong-" + UUID.randomUUID();
    Throwable failure = catchThrowable(() ->
        IsbClient.open(options().property("user", USER).property("password", wrong).build()).close());

    assertThat(failure).isInstanceOf(IsbException.class);
    assertThat(failure.getMessage().toLowerCase(Locale.ROOT)).containsAnyOf("authorization", "authentication");
    assertThat(allMessages(failure)).doesNotContain(wrong).doesNotContain(PASSWORD);
  }

  @Test
  @DisplayName("a password in the URL's user info works, and the URL is printed redacted when it is wrong")
  void userInfoInUrl() {
    String url = NATS.url().replace("nats://", "nats://" + USER + ":" + PASSWORD + "@");
    try (IsbClient client = IsbClient.open(IsbOptions.builder().backend("jetstream").url(url).build())) {
      assertThat(client.admin().validate(List.of(), List.of(), dev.isb.BucketLayout.OFFSET_TIMELINE).isValid())
          .isTrue();
    }
    String wrong = "bad-" + UUID.randomUUID();
    String wrongUrl = NATS.url().replace("nats://", "nats://" + USER + ":" + wrong + "@");
    Throwable failure = catchThrowable(() ->
        IsbClient.open(IsbOptions.builder().backend("jetstream").url(wrongUrl).build()).close());
    assertThat(failure).isInstanceOf(IsbException.class);
    assertThat(allMessages(failure)).doesNotContain(wrong);
  }
}
