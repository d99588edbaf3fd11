package dev.isb.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.isb.IsbBackendException;
import dev.isb.IsbClient;
import dev.isb.IsbOptions;
import dev.isb.testkit.RedisServerExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A server that requires the {@code default} user's password ({@code requirepass}). */
class RedisConnectionPasswordTest {

  private static final String PASSWORD = "pw-Zq81-secret";
  private static final String WRONG = "pw-Wr0ng-secret";
  private static final String AUTH_PROBLEM = "(?i)WRONGPASS|NOAUTH|authenticat";

  @RegisterExtension
  static final RedisServerExtension REDIS = RedisServerExtension.standalone().withPassword(PASSWORD);

  @Test
  @DisplayName("the right password works end to end")
  void rightPassword() {
    RedisConnectionTlsTest.roundTrip(IsbOptions.builder().backend("redis").url(REDIS.uri())
        .property("password", PASSWORD).build());
  }

  @Test
  @DisplayName("the right password as user 'default' works end to end")
  void rightPasswordAsDefaultUser() {
    RedisConnectionTlsTest.roundTrip(IsbOptions.builder().backend("redis").url(REDIS.uri())
        .property("user", "default").property("password", PASSWORD).build());
  }

  @Test
  @DisplayName("a wrong password fails with an error that says authentication failed and never shows the password")
  void wrongPassword() {
    Throwable e = catchThrowable(() -> IsbClient.open(IsbOptions.builder().backend("redis").url(REDIS.uri())
        .property("password", WRONG).build()).close());
    assertThat(e).isInstanceOf(IsbBackendException.class);
    assertThat(stackTrace(e)).as("the error with its causes and stack").doesNotContain(WRONG);
    RedisConnectionTlsTest.assertSaysWhy(e, AUTH_PROBLEM);
  }

  @Test
  @DisplayName("no password fails with an error that says authentication is required")
  void noPassword() {
    Throwable e = catchThrowable(() -> IsbClient.open(IsbOptions.builder().backend("redis").url(REDIS.uri())
        .build()).close());
    assertThat(e).isInstanceOf(IsbBackendException.class);
    RedisConnectionTlsTest.assertSaysWhy(e, AUTH_PROBLEM);
  }

  private static String stackTrace(Throwable e) {
    var out = new StringWriter();
    e.printStackTrace(new PrintWriter(out));
    return out.toString();
  }
}
