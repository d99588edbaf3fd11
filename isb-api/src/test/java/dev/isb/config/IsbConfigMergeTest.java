package dev.isb.config;

import static dev.isb.config.ConfigFixture.JS_CREDENTIALS;
import static dev.isb.config.ConfigFixture.problems;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isb.BufferConfig;
import dev.isb.IsbConfigException;
import dev.isb.Retention;
import dev.isb.Storage;
import dev.isb.WriterOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sources merge field by field, in Numaflow's order: defaults, controller, resource, env, secrets, builder. */
class IsbConfigMergeTest {

  @TempDir
  Path tmp;

  private Path resource(String spec) {
    return new ConfigFixture(tmp).write("isbsvc.yaml", "apiVersion: numaflow.numaproj.io/v1alpha1\n"
        + "kind: InterStepBufferService\nmetadata:\n  name: default\nspec:\n  jetstream:\n    version: latest\n" + spec);
  }

  private Path controller() {
    return new ConfigFixture(tmp).copy("controller-config.yaml", "controller-config.yaml");
  }

  /** What a resource with {@code spec} and the credentials make together, without a controller configuration. */
  private IsbConfig fromResource(String spec) {
    return IsbConfig.builder().isbServiceFile(resource(spec)).environment(JS_CREDENTIALS).build();
  }

  /** What the sample controller configuration, a resource with {@code spec} and the credentials make together. */
  private IsbConfig fromControllerAndResource(String spec) {
    return IsbConfig.builder().controllerConfig(controller()).isbServiceFile(resource(spec))
        .environment(JS_CREDENTIALS).build();
  }

  private Map<String, String> env(String streamConfig) {
    var env = new HashMap<>(JS_CREDENTIALS);
    env.put("NUMAFLOW_ISBSVC_CONFIG", ConfigFixture.base64(ConfigFixture.jetStreamConfigJson("ns", streamConfig, false)));
    return env;
  }

  /** A builder given the controller's stream configuration in NUMAFLOW_ISBSVC_CONFIG, and the credentials. */
  private IsbConfig.Builder fromEnv() {
    return IsbConfig.builder().environment(env(ConfigFixture.NUMAFLOW_STREAM_CONFIG));
  }

  @Nested
  @DisplayName("field by field")
  class FieldByField {

    @Test
    @DisplayName("overriding only stream.maxMsgs keeps every other default")
    void onlyMaxMsgs() {
      IsbConfig config = fromControllerAndResource("    bufferConfig: |\n      stream:\n        maxMsgs: 50000\n");

      assertThat(config.bufferConfig()).isEqualTo(BufferConfig.defaults().toBuilder()
          .stream(BufferConfig.Stream.defaults().toBuilder().maxMsgs(50_000).build()).build());
    }

    @Test
    @DisplayName("overriding a bucket setting keeps the stream's and the other bucket's settings")
    void bucketOverride() {
      IsbConfig config = fromControllerAndResource("    bufferConfig: |\n      stream:\n        maxAge: 24h\n"
          + "      otBucket:\n        ttl: 1h\n        history: 5\n");

      assertThat(config.bufferConfig().otBucket())
          .isEqualTo(new BufferConfig.Bucket(0, 5, Duration.ofHours(1), 0, Storage.FILE, 3));
      assertThat(config.bufferConfig().stream())
          .isEqualTo(BufferConfig.Stream.defaults().toBuilder().maxAge(Duration.ofHours(24)).build());
      assertThat(config.bufferConfig().procBucket()).isEqualTo(BufferConfig.Bucket.procDefaults());
      assertThat(config.bufferConfig().consumer()).isEqualTo(BufferConfig.Consumer.defaults());
    }

    @Test
    @DisplayName("a controller setting survives when the resource does not mention it")
    void controllerSurvives() {
      Path ctrl = new ConfigFixture(tmp).write("ctrl.yaml",
          "isbsvc:\n  jetstream:\n    bufferConfig: |\n      consumer:\n        maxAckPending: 1234\n");
      IsbConfig config = IsbConfig.builder().controllerConfig(ctrl)
          .isbServiceFile(resource("    bufferConfig: |\n      stream:\n        maxMsgs: 70007\n"))
          .environment(JS_CREDENTIALS).build();

      assertThat(config.bufferConfig().consumer().maxAckPending()).isEqualTo(1234);
      assertThat(config.bufferConfig().stream().maxMsgs()).isEqualTo(70_007);
    }

    @Test
    @DisplayName("keys match ignoring case: maxmsgs == maxMsgs == MAXMSGS, otbucket == otBucket")
    void caseInsensitiveKeys() {
      IsbConfig config = fromResource("    bufferConfig: |\n      STREAM:\n        MAXMSGS: 110011\n"
          + "      otbucket:\n        TTL: 2h\n      Consumer:\n        ackwait: 5s\n");

      assertThat(config.bufferConfig().stream().maxMsgs()).isEqualTo(110_011);
      assertThat(config.bufferConfig().otBucket().ttl()).isEqualTo(Duration.ofHours(2));
      assertThat(config.bufferConfig().consumer().ackWait()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    @DisplayName("a stream under Interest retention that holds fewer messages than the writer lets pile up: a"
        + " warning naming both values (the server would refuse writes); a writer.maxLength that fits clears it")
    void streamRoomUnderInterest() {
      String streamConfig = ConfigFixture.NUMAFLOW_STREAM_CONFIG.replace("maxmsgs: 100000", "maxmsgs: 10000")
          .replace("retention: 0", "retention: 1");
      IsbConfig config = IsbConfig.builder().environment(env(streamConfig)).build();

      assertThat(config.warnings()).containsExactly("env NUMAFLOW_ISBSVC_CONFIG: jetstream.streamConfig.stream.maxmsgs"
          + " stream.maxMsgs 10000 is below writer.maxLength × writer.usageLimit = 30000 × 0.8 = 24000, the"
          + " unacknowledged messages the writer allows: the stream refuses writes (maximum messages exceeded) before"
          + " the writer sees the buffer full (writer.maxLength from default, writer.usageLimit from default)");
      IsbConfig fits = IsbConfig.builder().environment(env(streamConfig)).setting("writer.maxLength", "12000").build();
      assertThat(fits.warnings()).isEmpty();
    }

    @Test
    @DisplayName("NUMAFLOW_ISBSVC_CONFIG's streamConfig, with viper's lower-cased keys, sets every field")
    void lowerCasedStreamConfig() {
      String streamConfig = ConfigFixture.NUMAFLOW_STREAM_CONFIG.replace("maxmsgs: 100000", "maxmsgs: 42042")
          .replace("retention: 0", "retention: 1").replace("maxackpending: 25000", "maxackpending: 99")
          .replace("ttl: 3h", "ttl: 4h");
      IsbConfig config = IsbConfig.builder().environment(env(streamConfig)).build();

      assertThat(config.bufferConfig().stream().maxMsgs()).isEqualTo(42_042);
      assertThat(config.bufferConfig().stream().retention()).isEqualTo(Retention.INTEREST);
      assertThat(config.bufferConfig().consumer().maxAckPending()).isEqualTo(99);
      assertThat(config.bufferConfig().otBucket().ttl()).isEqualTo(Duration.ofHours(4));
      assertThat(config.url()).isEqualTo("nats://isbsvc-default-js-svc.ns.svc:4222");
      assertThat(config.warnings()).isEmpty();
    }
  }

  @Nested
  @DisplayName("precedence")
  class Precedence {

    @Test
    @DisplayName("the resource beats the controller configuration")
    void resourceBeatsController() {
      IsbConfig config = fromControllerAndResource("    bufferConfig: |\n      stream:\n        duplicates: 2m\n");

      assertThat(config.bufferConfig().stream().duplicates()).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    @DisplayName("env beats files: streamConfig over bufferConfig, the URL variable over the derived address")
    void envBeatsFiles() {
      var env = env(ConfigFixture.NUMAFLOW_STREAM_CONFIG.replace("maxmsgs: 100000", "maxmsgs: 70000"));
      env.put("NUMAFLOW_ISBSVC_JETSTREAM_URL", "nats://elsewhere:4222");
      IsbConfig config = IsbConfig.builder().controllerConfig(controller())
          .isbServiceFile(resource("    bufferConfig: |\n      stream:\n        maxMsgs: 50000\n"))
          .environment(env).build();

      assertThat(config.bufferConfig().stream().maxMsgs()).isEqualTo(70_000);
      assertThat(config.url()).isEqualTo("nats://elsewhere:4222");
      assertThat(config.describe()).contains("= 70000  (env NUMAFLOW_ISBSVC_CONFIG jetstream.streamConfig.stream.maxmsgs)");
    }

    @Test
    @DisplayName("a specific variable beats NUMAFLOW_ISBSVC_CONFIG's JSON")
    void variableBeatsJson() {
      var env = env(ConfigFixture.NUMAFLOW_STREAM_CONFIG);
      env.put("NUMAFLOW_ISBSVC_JETSTREAM_TLS_ENABLED", "true");
      IsbConfig config = IsbConfig.builder().environment(env).tlsInsecureSkipVerify(true).build();

      assertThat(config.tls()).isTrue();
      assertThat(config.toIsbOptions().properties()).containsEntry("tls", "true")
          .containsEntry("tls.insecureSkipVerify", "true");
    }

    @Test
    @DisplayName("secret files beat env, and the builder beats both")
    void secretsThenBuilder() {
      var f = new ConfigFixture(tmp);
      f.write("secrets/password", "from-file\n");
      f.write("secrets/user", "file-user");
      IsbConfig fromFile = fromEnv().secretDir(tmp.resolve("secrets")).build();
      IsbConfig fromBuilder = fromEnv().secretDir(tmp.resolve("secrets")).user("code-user").password("from-code")
          .build();

      assertThat(fromFile.toIsbOptions().properties()).containsEntry("password", "from-file")
          .containsEntry("user", "file-user");
      assertThat(fromBuilder.toIsbOptions().properties()).containsEntry("password", "from-code")
          .containsEntry("user", "code-user");
    }

    @Test
    @DisplayName("the builder beats env, field by field, and says so in describe")
    void builderBeatsEnv() {
      IsbConfig config = fromEnv().setting("stream.maxAge", "1h30m").setting("STREAM.RETENTION", "workqueue")
          .url("nats://mine:4222").maxLength(500).usageLimit(0.5).build();

      assertThat(config.bufferConfig().stream().maxAge()).isEqualTo(Duration.ofMinutes(90));
      assertThat(config.bufferConfig().stream().retention()).isEqualTo(Retention.WORK_QUEUE);
      assertThat(config.bufferConfig().stream().maxMsgs()).as("from env still").isEqualTo(100_000);
      assertThat(config.url()).isEqualTo("nats://mine:4222");
      assertThat(config.writerOptions()).isEqualTo(WriterOptions.builder().maxLength(500).usageLimit(0.5).build());
      assertThat(config.describe()).contains("= 1h30m  (builder)");
    }

    @Test
    @DisplayName("builder bufferConfig(...) sets every buffer field at once")
    void builderBufferConfig() {
      BufferConfig mine = BufferConfig.defaults().toBuilder()
          .stream(BufferConfig.Stream.defaults().toBuilder().replicas(1).maxBytes(1 << 30).build())
          .otBucket(BufferConfig.Bucket.otDefaults().withReplicas(1))
          .procBucket(BufferConfig.Bucket.procDefaults().withReplicas(1)).build();
      IsbConfig config = fromEnv().bufferConfig(mine).build();

      assertThat(config.bufferConfig()).isEqualTo(mine);
    }

    @Test
    @DisplayName("builder setters check their argument at once")
    void builderChecks() {
      assertThatThrownBy(() -> IsbConfig.builder().setting("stream.maxMsgs", "0"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("stream.maxMsgs was '0' but it must be positive or -1 (unlimited)");
      assertThatThrownBy(() -> IsbConfig.builder().setting("stream.maxMsg", "5"))
          .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("key was 'stream.maxMsg' but it must be one of backend, url,");
      assertThatThrownBy(() -> IsbConfig.builder().usageLimit(1.5)).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("writer.usageLimit was '1.5' but it must be in (0, 1]");
      assertThatThrownBy(() -> IsbConfig.builder().password("two\nlines"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("password was '<redacted>' but it must be a single line");
      assertThatThrownBy(() -> IsbConfig.builder().tlsCaFile(tmp.resolve("missing.pem")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("tls.caFile was '" + tmp.resolve("missing.pem") + "' but it must be an existing file");
    }
  }

  @Nested
  @DisplayName("server replicas")
  class ServerReplicas {

    @Test
    @DisplayName("fewer than 3 server replicas (1) force stream and bucket replicas to 1, as Numaflow does")
    void oneNodeForcesOne() {
      IsbConfig config =
          fromControllerAndResource("    replicas: 1\n    bufferConfig: |\n      stream:\n        replicas: 3\n");

      assertThat(config.jetStreamServerReplicas()).hasValue(1);
      assertThat(config.bufferConfig().stream().replicas()).isEqualTo(1);
      assertThat(config.bufferConfig().otBucket().replicas()).isEqualTo(1);
      assertThat(config.bufferConfig().procBucket().replicas()).isEqualTo(1);
      assertThat(config.describe()).contains("forced to 1: fewer than 3 JetStream server nodes");
    }

    @Test
    @DisplayName("2 server replicas mean 3 (no quorum with 2), so replicas of 3 stay")
    void twoMeansThree() {
      IsbConfig config = fromControllerAndResource("    replicas: 2\n");

      assertThat(config.jetStreamServerReplicas()).hasValue(3);
      assertThat(config.bufferConfig().stream().replicas()).isEqualTo(3);
      assertThat(config.describe()).contains("2 means 3");
    }

    @Test
    @DisplayName("unset server replicas mean 3")
    void unsetMeansThree() {
      IsbConfig config = fromResource("");

      assertThat(config.jetStreamServerReplicas()).hasValue(3);
    }

    @Test
    @DisplayName("a later source asking for more replicas than server nodes is reported")
    void envAboveNodes() {
      String isb = tmp.resolve("isbsvc.yaml") + "#default";
      var env = env(ConfigFixture.NUMAFLOW_STREAM_CONFIG);
      Path file = resource("    replicas: 1\n");

      assertThat(problems(() -> IsbConfig.builder().isbServiceFile(file).environment(env).build()))
          .containsExactly(
              "env NUMAFLOW_ISBSVC_CONFIG: jetstream.streamConfig.stream.replicas was '3' but it must be at most 1, "
                  + "the number of JetStream server nodes (" + isb + " spec.jetstream.replicas)",
              "env NUMAFLOW_ISBSVC_CONFIG: jetstream.streamConfig.otbucket.replicas was '3' but it must be at most "
                  + "1, the number of JetStream server nodes (" + isb + " spec.jetstream.replicas)",
              "env NUMAFLOW_ISBSVC_CONFIG: jetstream.streamConfig.procbucket.replicas was '3' but it must be at "
                  + "most 1, the number of JetStream server nodes (" + isb + " spec.jetstream.replicas)");
    }

    @Test
    @DisplayName("the builder can state the server nodes when no resource is mounted")
    void builderNodes() {
      assertThatThrownBy(() -> IsbConfig.builder().url("nats://h:4222").jetStreamServerReplicas(1).build())
          .isInstanceOfSatisfying(IsbConfigException.class, e -> assertThat(e.problems()).hasSize(3)
              .allSatisfy(p -> assertThat(p.rule()).startsWith("be at most 1, the number of JetStream server nodes")));
      assertThat(IsbConfig.builder().url("nats://h:4222").jetStreamServerReplicas(2).build().jetStreamServerReplicas())
          .hasValue(3);
    }
  }

  @Nested
  @DisplayName("backend")
  class Backend {

    @Test
    @DisplayName("the address's scheme picks the backend when nothing names one")
    void schemePicks() {
      assertThat(IsbConfig.builder().url("redis://r:6379").build().backend()).isEqualTo("redis");
      assertThat(IsbConfig.builder().url("rediss://r:6380").build().tls()).isTrue();
      assertThat(IsbConfig.builder().url("tls://n:4222").build().backend()).isEqualTo("jetstream");
      assertThat(IsbConfig.builder().url("n1:4222, n2:4222").build().url()).isEqualTo("n1:4222,n2:4222");
    }

    @Test
    @DisplayName("settings of the other backend are ignored with a warning")
    void otherBackendIgnored() {
      IsbConfig config = IsbConfig.builder().url("nats://n:4222").sentinel("s:26379", "mymaster").backend("jetstream")
          .build();

      assertThat(config.toIsbOptions().properties()).doesNotContainKeys("sentinel.url", "sentinel.master");
      assertThat(config.warnings()).containsExactly(
          "builder: sentinel.url sets sentinel.url, which only a redis ISB service uses; it is ignored",
          "builder: sentinel.master sets sentinel.master, which only a redis ISB service uses; it is ignored");
    }

    @Test
    @DisplayName("a Redis sentinel without a master name is ignored when a url is given")
    void sentinelWithoutMaster() {
      IsbConfig config = IsbConfig.builder().environment(Map.of("NUMAFLOW_ISBSVC_REDIS_URL", "r:6379",
          "NUMAFLOW_ISBSVC_REDIS_SENTINEL_URL", "s:26379")).build();

      assertThat(config.toIsbOptions().properties()).doesNotContainKey("sentinel.url");
      assertThat(config.warnings()).containsExactly("env: NUMAFLOW_ISBSVC_REDIS_SENTINEL_URL sets sentinel.url "
          + "without sentinel.master; it is ignored and url is used");
    }

    @Test
    @DisplayName("unknown keys are warnings with their path and a likely meaning")
    void unknownKeys() {
      IsbConfig config = fromResource("    tlss: true\n    bufferConfig: |\n      stream:\n        maxMsg: 5\n"
          + "      extra:\n        a: 1\n");

      String isb = tmp.resolve("isbsvc.yaml") + "#default";
      assertThat(config.warnings()).containsExactly(
          isb + ": spec.jetstream.tlss is not a known setting; it is ignored (did you mean tls?)",
          isb + ": spec.jetstream.bufferConfig.extra is not a known setting; it is ignored",
          isb + ": spec.jetstream.bufferConfig.stream.maxMsg is not a known setting; it is ignored "
              + "(did you mean maxMsgs?)");
      assertThat(config.bufferConfig().stream().maxMsgs()).isEqualTo(100_000);
    }
  }
}
