package dev.isb.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.isb.IsbConfigException;
import dev.isb.IsbOptions;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No secret reaches toString, describe, warnings (which are logged), IsbOptions.toString or an exception
 * message: one test per kind of secret, well-formed and malformed. Every secret value holds "LEAK".
 */
class IsbConfigSecretsTest {

  @TempDir
  Path tmp;

  private static final String SEED = "SULEAKAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
  private static final String CREDS = "-----BEGIN NATS USER JWT-----\neyLEAKjwt\n------END NATS USER JWT------\n\n"
      + "-----BEGIN USER NKEY SEED-----\n" + SEED + "\n------END USER NKEY SEED------\n";

  private static void assertNoLeak(IsbConfig config) {
    assertThat(config.toString()).doesNotContain("LEAK");
    assertThat(config.describe()).doesNotContain("LEAK");
    assertThat(String.join("\n", config.warnings())).doesNotContain("LEAK");
    assertThat(config.toIsbOptions().toString()).doesNotContain("LEAK");
  }

  private static IsbConfigException failure(IsbConfig.Builder builder) {
    IsbConfigException e = catchThrowableOfType(IsbConfigException.class, builder::build);
    assertThat(e).as("the configuration must be refused").isNotNull();
    assertThat(e.getMessage()).doesNotContain("LEAK");
    assertThat(e.problems()).allSatisfy(p -> assertThat(p.toString()).doesNotContain("LEAK"));
    return e;
  }

  private IsbConfig.Builder nats(Map<String, String> extraEnv) {
    var env = new HashMap<>(Map.of("NUMAFLOW_ISBSVC_JETSTREAM_URL", "nats://h:4222"));
    env.putAll(extraEnv);
    return IsbConfig.builder().environment(env).secretDir(tmp.resolve("secrets"));
  }

  /** Writes the file {@code name} into {@code secrets/}, the directory {@link #nats} mounts; returns its path. */
  private Path secret(String name, String content) {
    return new ConfigFixture(tmp).write("secrets/" + name, content);
  }

  @Test
  @DisplayName("password: redacted when used, and when malformed in a file, in env or in the builder")
  void password() {
    secret("password", "LEAK-pw-1\n");
    IsbConfig ok = nats(Map.of("NUMAFLOW_ISBSVC_JETSTREAM_USER", "u")).build();
    assertThat(ok.toIsbOptions().properties()).containsEntry("password", "LEAK-pw-1");
    assertNoLeak(ok);

    secret("password", "LEAK-pw-1\nsecond line\n");
    IsbConfigException e = failure(nats(Map.of("NUMAFLOW_ISBSVC_JETSTREAM_USER", "u")));
    assertThat(e.problems()).extracting(Object::toString).containsExactly("secret " + tmp.resolve("secrets")
        + ": password was '<redacted>' but it must be a single line");

    IsbConfigException env = failure(IsbConfig.builder().environment(Map.of("NUMAFLOW_ISBSVC_JETSTREAM_URL",
        "nats://h:4222", "NUMAFLOW_ISBSVC_JETSTREAM_USER", "u", "NUMAFLOW_ISBSVC_JETSTREAM_PASSWORD", "LEAK\nx")));
    assertThat(env.problems()).extracting(IsbConfigException.Problem::value).containsExactly("<redacted>");
  }

  @Test
  @DisplayName("token: redacted when used and when it has a space")
  void token() {
    secret("token", "LEAK-token");
    assertNoLeak(nats(Map.of()).build());

    secret("token", "LEAK token");
    IsbConfigException e = failure(nats(Map.of()));
    assertThat(e.problems()).extracting(Object::toString).containsExactly("secret " + tmp.resolve("secrets")
        + ": token was '<redacted>' but it must be a single word with no spaces or line breaks");
  }

  @Test
  @DisplayName("NKey seed: redacted when used and when malformed")
  void nkeySeed() {
    secret("nkey-seed", SEED + "\n");
    IsbConfig ok = nats(Map.of()).build();
    assertThat(ok.toIsbOptions().properties()).containsEntry("nkey.seed", SEED);
    assertNoLeak(ok);

    secret("nkey-seed", "SULEAK");
    failure(nats(Map.of()));
    assertThat(catchThrowableOfType(IllegalArgumentException.class, () -> IsbConfig.builder().nkeySeed("SULEAK")))
        .hasMessage("nkey.seed was '<redacted>' but it must be an NKey user seed: 58 characters of base32 "
            + "starting with SU");
  }

  @Test
  @DisplayName("sentinel password: redacted when used and when malformed")
  void sentinelPassword() {
    var env = Map.of("NUMAFLOW_ISBSVC_REDIS_SENTINEL_URL", "s:26379", "NUMAFLOW_ISBSVC_REDIS_SENTINEL_MASTER",
        "mymaster", "NUMAFLOW_ISBSVC_REDIS_SENTINEL_PASSWORD", "LEAK-sentinel");
    IsbConfig ok = IsbConfig.builder().environment(env).build();
    assertThat(ok.toIsbOptions().properties()).containsEntry("sentinel.password", "LEAK-sentinel");
    assertNoLeak(ok);

    var bad = new HashMap<>(env);
    bad.put("NUMAFLOW_ISBSVC_REDIS_SENTINEL_PASSWORD", "LEAK\r\nmore");
    IsbConfigException e = failure(IsbConfig.builder().environment(bad));
    assertThat(e.problems()).extracting(Object::toString).containsExactly(
        "env: NUMAFLOW_ISBSVC_REDIS_SENTINEL_PASSWORD was '<redacted>' but it must be a single line");
  }

  @Test
  @DisplayName("creds file: only its path is ever shown, used or malformed")
  void credsContent() {
    Path creds = secret("creds", CREDS);
    IsbConfig ok = nats(Map.of()).build();
    assertThat(ok.toIsbOptions().properties()).containsEntry("creds.file", creds.toString());
    assertNoLeak(ok);

    secret("creds", "LEAK-not-a-creds-file " + SEED);
    IsbConfigException e = failure(nats(Map.of()));
    assertThat(e.problems()).extracting(IsbConfigException.Problem::value).containsExactly(creds.toString());
  }

  @Test
  @DisplayName("client key: only its path is ever shown, used or malformed")
  void clientKey() {
    secret("ca.crt", ConfigFixture.resource("tls/ca.crt"));
    secret("tls.crt", ConfigFixture.resource("tls/tls.crt"));
    Path key = secret("tls.key", ConfigFixture.resource("tls/tls.key"));
    IsbConfig ok = nats(Map.of("NUMAFLOW_ISBSVC_JETSTREAM_TLS_ENABLED", "true")).build();
    assertThat(ok.toIsbOptions().properties()).containsEntry("tls.keyFile", key.toString())
        .containsEntry("tls.certFile", tmp.resolve("secrets/tls.crt").toString());
    String keyMaterial = ConfigFixture.resource("tls/tls.key").lines().skip(1).findFirst().orElseThrow();
    assertThat(ok.describe() + ok + ok.toIsbOptions()).doesNotContain(keyMaterial);

    secret("tls.key", "LEAK-key-material\n");
    IsbConfigException e = failure(nats(Map.of("NUMAFLOW_ISBSVC_JETSTREAM_TLS_ENABLED", "true")));
    assertThat(e.problems()).extracting(Object::toString).containsExactly("secret " + tmp.resolve("secrets")
        + ": tls.key was '" + key + "' but it must be a PEM file holding a private key");
  }

  @Test
  @DisplayName("a password in an address's user info is redacted, in describe and in errors")
  void addressUserInfo() {
    IsbConfig ok = IsbConfig.builder().url("nats://me:LEAK-pw@h:4222").build();
    assertThat(ok.url()).isEqualTo("nats://me:LEAK-pw@h:4222");
    assertNoLeak(ok);
    assertThat(ok.describe()).contains("nats://me:<redacted>@h:4222");

    IsbConfigException e = failure(IsbConfig.builder()
        .environment(Map.of("NUMAFLOW_ISBSVC_REDIS_URL", "redis://me:LEAK-pw@h:99999")));
    assertThat(e.problems()).extracting(IsbConfigException.Problem::value)
        .containsExactly("redis://me:<redacted>@h:99999");
  }

  @Test
  @DisplayName("a YAML syntax error on a line that looks secret does not quote the line")
  void syntaxErrorLine() {
    Path isb = new ConfigFixture(tmp).write("isbsvc.yaml", "kind: InterStepBufferService\nspec:\n"
        + "  password: LEAK: x\n");
    IsbConfigException e = failure(IsbConfig.builder().isbServiceFile(isb));
    assertThat(e.problems()).extracting(IsbConfigException.Problem::value).containsExactly("<redacted>");
  }

  @Test
  @DisplayName("secrets of the other backend are ignored with a warning that names the file, not the value")
  void ignoredSecretWarning() {
    secret("token", "LEAK-token");
    IsbConfig config = IsbConfig.builder().environment(Map.of("NUMAFLOW_ISBSVC_REDIS_URL", "r:6379"))
        .secretDir(tmp.resolve("secrets")).build();

    assertThat(config.warnings()).isEqualTo(List.of("secret " + tmp.resolve("secrets")
        + ": token sets token, which only a jetstream ISB service uses; it is ignored"));
    assertNoLeak(config);
  }
}
