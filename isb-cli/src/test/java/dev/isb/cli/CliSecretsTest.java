package dev.isb.cli;

import static dev.isb.cli.CliRun.args;
import static org.assertj.core.api.Assertions.assertThat;

import dev.isb.cli.CliRun.Result;
import dev.isb.testkit.NatsServerExtension;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Passwords given through the environment or --set never reach the output, whatever happens. */
@DisplayName("isb and secrets")
class CliSecretsTest {

  private static final String PASSWORD = "s3cret-" + UUID.randomUUID();
  private static final String WRONG = "wr0ng-" + UUID.randomUUID();

  @RegisterExtension
  static final NatsServerExtension NATS = NatsServerExtension.single().withUser("isb-admin", PASSWORD);

  private static final List<String> SINGLE_NODE = List.of("--set", "stream.replicas=1");

  @Test
  @DisplayName("a password from the environment works and is never printed, even with --verbose")
  void passwordFromEnvironment() {
    Map<String, String> env = Map.of("NUMAFLOW_ISBSVC_JETSTREAM_URL", NATS.url(),
        "NUMAFLOW_ISBSVC_JETSTREAM_USER", "isb-admin", "NUMAFLOW_ISBSVC_JETSTREAM_PASSWORD", PASSWORD);
    String buffer = "t" + UUID.randomUUID().toString().substring(0, 8) + "-pl-v-0";
    for (List<String> command : List.of(List.of("create", "--verbose", buffer),
        List.of("validate", "--verbose", buffer),
        List.of("info", "--verbose", "--output", "json", buffer), List.of("config"),
        List.of("delete", "--yes", "-v", buffer))) {
      Result r = CliRun.run(env, args(command, SINGLE_NODE));
      assertThat(r.exitCode()).as(r.toString()).isZero();
      assertThat(r.all()).as(r.toString()).doesNotContain(PASSWORD);
    }
  }

  @Test
  @DisplayName("a wrong password fails with 4, and neither it nor the one it replaced is printed")
  void wrongPassword() {
    String fromEnvironment = WRONG + "-env";
    Result r = CliRun.run(Map.of("NUMAFLOW_ISBSVC_JETSTREAM_URL", NATS.url(),
            "NUMAFLOW_ISBSVC_JETSTREAM_USER", "isb-admin", "NUMAFLOW_ISBSVC_JETSTREAM_PASSWORD", fromEnvironment),
        "validate", "--set", "password=" + WRONG, "--verbose", "ns-pl-v-0");
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.BACKEND);
    assertThat(r.err()).contains("isb validate: the ISB service failed")
        .containsPattern("password +=  ?<redacted>  \\(builder\\)");
    assertThat(r.all()).doesNotContain(WRONG).doesNotContain(PASSWORD);
  }
}
