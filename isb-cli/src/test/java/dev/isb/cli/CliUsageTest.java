package dev.isb.cli;

import static dev.isb.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.isb.cli.CliRun.Result;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** What the tool says before it reaches any server: help, version, usage and configuration errors. */
@DisplayName("isb command line")
class CliUsageTest {

  private static final Map<String, String> NO_ENV = Map.of();
  private static final String SECRET = "hunter2-do-not-print";

  @Nested
  @DisplayName("help and version")
  class HelpAndVersion {

    @Test
    @DisplayName("--help lists every command and the exit codes, and exits 0")
    void topLevelHelp() {
      Result r = run(NO_ENV, "--help");
      assertThat(r.exitCode()).as(r.toString()).isZero();
      assertThat(r.out()).contains("Usage: isb", "create", "validate", "delete", "info", "config", "Exit codes:")
          .contains("1   validate, info: a buffer or bucket is missing", "2   bad command line",
              "3   bad configuration", "4   the ISB service cannot be reached");
      assertThat(r.err()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"create", "validate", "delete", "info", "config"})
    @DisplayName("each command has --help, with the configuration options and the exit codes")
    void commandHelp(String command) {
      Result r = run(NO_ENV, command, "--help");
      assertThat(r.exitCode()).as(r.toString()).isZero();
      assertThat(r.out()).startsWith("Usage: isb " + command)
          .contains("--url", "--backend", "--config-dir", "--set=KEY=VALUE", "--isbsvc-name", "Exit codes:");
      assertThat(run(NO_ENV, "help", command).out()).isEqualTo(r.out());
    }

    @Test
    @DisplayName("validate --help documents retries and the exit code for missing buffers")
    void validateHelp() {
      assertThat(run(NO_ENV, "validate", "--help").out())
          .contains("--retries=N", "--timeout=DURATION", "--backoff=DURATION", "--max-backoff=DURATION", "--strict",
              "--namespace=NS", "--pipeline=NAME", "--vertex=NAME", "--partitions=N", "--bucket=NAME", "[BUFFER...]",
              "0   success", "1   validate, info: a buffer or bucket is missing");
    }

    @Test
    @DisplayName("--version prints the version and the backends found")
    void version() {
      Result r = run(NO_ENV, "--version");
      assertThat(r.exitCode()).isZero();
      assertThat(r.out()).containsPattern("^isb \\d+\\.\\d+\\.\\d+").contains("jetstream", "redis");
    }

    @Test
    @DisplayName("no command is a usage error")
    void noCommand() {
      Result r = run(NO_ENV);
      assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
      assertThat(r.err()).contains("isb: a command is required", "Try 'isb --help'");
    }
  }

  @Nested
  @DisplayName("bad command lines exit with 2 and name the option and the value")
  class BadUsage {

    @Test
    @DisplayName("an unknown option")
    void unknownOption() {
      Result r = run(NO_ENV, "validate", "--retires", "3", "ns-pl-v-0");
      assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
      assertThat(r.err()).contains("isb validate: unknown option '--retires'", "--retries",
          "Try 'isb validate --help' for more information.");
      assertThat(r.out()).isEmpty();
    }

    @Test
    @DisplayName("an unknown option's value is not echoed: it may be a secret")
    void unknownOptionValueIsNotEchoed() {
      Result spaced = run(NO_ENV, "config", "--password", SECRET);
      Result joined = run(NO_ENV, "create", "--password=" + SECRET, "ns-pl-v-0");
      assertThat(spaced.exitCode()).isEqualTo(ExitCodes.USAGE);
      assertThat(joined.exitCode()).isEqualTo(ExitCodes.USAGE);
      assertThat(spaced.err()).contains("unknown option '--password'");
      assertThat(joined.err()).contains("unknown option '--password'");
      assertThat(spaced.all() + joined.all()).doesNotContain(SECRET);
    }

    /** A command line with a bad value, and what the error must say. */
    record BadValue(String name, List<String> args, List<String> errorSays) {
      @Override
      public String toString() {
        return name;
      }
    }

    static Stream<BadValue> badValues() {
      return Stream.of(
          new BadValue("a bad duration", List.of("validate", "--backoff", "5x", "ns-pl-v-0"),
              List.of("--backoff", "'5x' is not a duration")),
          new BadValue("a bad number", List.of("validate", "--retries", "many", "ns-pl-v-0"),
              List.of("--retries", "'many'")),
          new BadValue("a bad number: a negative one", List.of("validate", "--retries", "-1", "ns-pl-v-0"),
              List.of("--retries must not be negative, was -1")),
          new BadValue("a bad --output", List.of("info", "--output", "xml", "ns-pl-v-0"),
              List.of("--output", "xml")),
          new BadValue("a buffer name no backend accepts", List.of("validate", "ns.pl.v.0"),
              List.of("buffer name 'ns.pl.v.0'", "'.'")),
          new BadValue("derived names without all of --namespace, --pipeline and --vertex",
              List.of("validate", "--namespace", "ns", "--vertex", "v"),
              List.of("--pipeline was not given")),
          new BadValue("derived names with --partitions 0",
              List.of("validate", "--namespace", "ns", "--pipeline", "p", "--vertex", "v", "--partitions", "0"),
              List.of("--partitions must be at least 1, was 0")),
          new BadValue("--set with a bad value names it",
              List.of("config", "--url", "nats://127.0.0.1:4222", "--set", "stream.maxMsgs=0"),
              List.of("--set: stream.maxMsgs was '0' but it must")),
          new BadValue("--set with an unknown key names it and the key meant",
              List.of("config", "--url", "nats://127.0.0.1:4222", "--set", "stream.maxMsg=10"),
              List.of("--set: key was 'stream.maxMsg'", "stream.maxMsgs")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badValues")
    @DisplayName("a bad value")
    void badValue(BadValue line) {
      Result r = run(NO_ENV, line.args());
      assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.USAGE);
      assertThat(r.err()).contains(line.errorSays());
    }

    @ParameterizedTest
    @ValueSource(strings = {"create", "validate", "delete", "info"})
    @DisplayName("no buffer named")
    void noBuffers(String command) {
      Result r = run(NO_ENV, command);
      assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
      assertThat(r.err()).contains("isb " + command + ": no buffer named");
    }

    @Test
    @DisplayName("--set without '=' does not echo its argument")
    void setWithoutEquals() {
      Result r = run(NO_ENV, "config", "--url", "nats://127.0.0.1:4222", "--set", SECRET);
      assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
      assertThat(r.err()).contains("--set takes KEY=VALUE").doesNotContain(SECRET);
    }

    @Test
    @DisplayName("a --config-dir that does not exist")
    void missingConfigDir(@TempDir Path dir) {
      Result r = run(NO_ENV, "config", "--config-dir", dir.resolve("nope").toString());
      assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
      assertThat(r.err())
          .contains("--config-dir was '" + dir.resolve("nope") + "' but it must be an existing directory");
    }

    @Test
    @DisplayName("delete without --yes lists what it would delete and deletes nothing")
    void deleteWithoutYes() {
      Result r = run(NO_ENV, "delete", "ns-pl-v-0", "--bucket", "ns-pl-a-b");
      assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
      assertThat(r.out()).contains("would delete  buffer ns-pl-v-0", "would delete  bucket ns-pl-a-b");
      assertThat(r.err()).contains("nothing deleted: add --yes to delete 1 buffer and 1 bucket");
    }
  }

  @Nested
  @DisplayName("configuration")
  class Configuration {

    @Test
    @DisplayName("config prints every setting with its source, secrets from --set or the environment redacted")
    void configRedactsSecrets() {
      Result r = run(Map.of("NUMAFLOW_ISBSVC_JETSTREAM_URL", "nats://isbsvc-default-js-svc:4222",
              "NUMAFLOW_ISBSVC_JETSTREAM_USER", "vertex", "NUMAFLOW_ISBSVC_JETSTREAM_PASSWORD", SECRET),
          "config", "--verbose", "--set", "password=" + SECRET + "-set", "--set", "stream.maxMsgs=50000");
      assertThat(r.exitCode()).as(r.toString()).isZero();
      assertThat(r.out()).contains("backend jetstream", "env NUMAFLOW_ISBSVC_JETSTREAM_URL", "stream.maxMsgs",
          "50000", "<redacted>");
      assertThat(r.all()).doesNotContain(SECRET);
    }

    @Test
    @DisplayName("invalid configuration sources exit with 3 and list each problem")
    void badSources() {
      Result r = run(Map.of("NUMAFLOW_ISBSVC_CONFIG", "not base64!"), "validate", "ns-pl-v-0");
      assertThat(r.exitCode()).isEqualTo(ExitCodes.CONFIG);
      assertThat(r.err()).contains("isb validate:", "NUMAFLOW_ISBSVC_CONFIG was 'not base64!' but it must be base64")
          .doesNotContain("\tat ");
    }

    @Test
    @DisplayName("create refuses a Limits stream smaller than what the writer lets pile up: exit 3, naming both"
        + " values, before anything is created")
    void createRefusesAStreamTooSmallForTheWriter() {
      Result r = run(Map.of("NUMAFLOW_ISBSVC_JETSTREAM_URL", "nats://127.0.0.1:1"), "create", "--set",
          "stream.maxMsgs=500", "--set", "writer.maxLength=1000", "ns-pl-v-0");
      assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.CONFIG);
      assertThat(r.err()).contains("stream.maxMsgs was '500'", "stream.maxMsgs 500 is below writer.maxLength ×"
          + " writer.usageLimit = 1000 × 0.8 = 800", "discards its oldest messages, read or not");
    }

    @Test
    @DisplayName("a bad controller configuration file exits with 3 and names the path in the file")
    void badControllerConfig(@TempDir Path dir) throws IOException {
      Files.writeString(dir.resolve("controller-config.yaml"), """
          isbsvc:
            jetstream:
              bufferConfig: |
                stream:
                  maxMsgs: -5
          """);
      Result r = run(NO_ENV, "create", "--config-dir", dir.toString(), "--url", "nats://127.0.0.1:4222", "ns-pl-v-0");
      assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.CONFIG);
      assertThat(r.err()).contains("stream.maxMsgs was '-5'");
    }

    @Test
    @DisplayName("the memory backend is refused: its buffers live in another JVM")
    void memoryBackend() {
      Result r = run(NO_ENV, "validate", "--backend", "memory", "ns-pl-v-0");
      assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.CONFIG);
      assertThat(r.err()).contains("'memory'", "--backend jetstream");
    }
  }

  @Nested
  @DisplayName("an unreachable service")
  class Unreachable {

    @Test
    @DisplayName("exits with 4, without a stack trace unless --verbose")
    void exitsWithBackendCode() throws IOException {
      String url = "nats://127.0.0.1:" + closedPort();
      Result r = run(NO_ENV, "validate", "--url", url, "ns-pl-v-0");
      assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.BACKEND);
      assertThat(r.err()).contains("isb validate: the ISB service failed:", "cannot connect").doesNotContain("\tat ");
      Result verbose = run(NO_ENV, "info", "--verbose", "--url", url, "ns-pl-v-0");
      assertThat(verbose.exitCode()).isEqualTo(ExitCodes.BACKEND);
      assertThat(verbose.err()).contains("ISB configuration: backend jetstream", "\tat ");
    }

    @Test
    @DisplayName("validate retries it, then exits with 4")
    void retriesThenFails() throws IOException {
      Result r = run(NO_ENV, "validate", "--url", "nats://127.0.0.1:" + closedPort(), "--retries", "2", "--backoff",
          "10ms", "ns-pl-v-0");
      assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.BACKEND);
      assertThat(r.err()).contains("attempt 1: the ISB service failed", "next attempt in 10ms", "attempt 2:",
          "next attempt in 20ms");
    }

    private int closedPort() throws IOException {
      try (var socket = new ServerSocket(0)) {
        return socket.getLocalPort();
      }
    }
  }
}
