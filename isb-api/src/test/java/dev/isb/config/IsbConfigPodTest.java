package dev.isb.config;

import static dev.isb.config.ConfigFixture.problems;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isb.BufferConfig;
import dev.isb.Compression;
import dev.isb.IsbConfigException;
import dev.isb.IsbOptions;
import dev.isb.NumaflowVersion;
import dev.isb.OnFull;
import dev.isb.Retention;
import dev.isb.WriterOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A vertex pod's mounts and variables, end to end, through the default locations and their override. */
class IsbConfigPodTest {

  @TempDir
  Path tmp;

  private static final String VERTEX_OBJECT = "{\"metadata\":{\"name\":\"demo-cat\",\"namespace\":\"demo\"},"
      + "\"spec\":{\"name\":\"cat\",\"pipelineName\":\"demo\",\"interStepBufferServiceName\":\"\","
      + "\"toEdges\":["
      + "{\"from\":\"cat\",\"to\":\"out\",\"toVertexType\":\"Sink\",\"toVertexPartitionCount\":1,"
      + "\"toVertexLimits\":{\"readBatchSize\":500,\"readTimeout\":\"1s\",\"bufferMaxLength\":30000,"
      + "\"bufferUsageLimit\":80}},"
      + "{\"from\":\"cat\",\"to\":\"audit\",\"onFull\":\"discardLatest\",\"toVertexPartitionCount\":2,"
      + "\"toVertexLimits\":{\"bufferMaxLength\":10000,\"bufferUsageLimit\":90}}]}}";

  /** A JetStream pod: ConfigMap and resource mounted under ISB_CONFIG_DIR, the CA mounted from the server secret. */
  private Map<String, String> jetStreamPod(ConfigFixture f) {
    f.copy("controller-config.yaml", "config/controller-config.yaml");
    f.write("config/isbsvc/isbsvc.yaml", String.join("\n",
        "apiVersion: numaflow.numaproj.io/v1alpha1",
        "kind: InterStepBufferService",
        "metadata:",
        "  name: default",
        "  namespace: demo",
        "spec:",
        "  jetstream:",
        "    version: 2.10.29",
        "    replicas: 3",
        "    tls: true",
        "    bufferConfig: |",
        "      stream:",
        "        maxMsgs: 50000",
        "        retention: WorkQueue",
        "      consumer:",
        "        ackWait: 2m",
        ""));
    f.copy("tls/ca.crt", "config/secrets/isbsvc-default-js-server/ca-cert");
    String merged = ConfigFixture.NUMAFLOW_STREAM_CONFIG.replace("maxmsgs: 100000", "maxmsgs: 50000")
        .replace("retention: 0", "retention: 2").replace("ackwait: 60s", "ackwait: 2m");
    var env = new HashMap<String, String>();
    env.put("ISB_CONFIG_DIR", tmp.resolve("config").toString());
    env.put("NUMAFLOW_NAMESPACE", "demo");
    env.put("NUMAFLOW_PIPELINE_NAME", "demo");
    env.put("NUMAFLOW_VERTEX_NAME", "cat");
    env.put("NUMAFLOW_REPLICA", "0");
    env.put("NUMAFLOW_VERTEX_OBJECT", ConfigFixture.base64(VERTEX_OBJECT));
    env.put("NUMAFLOW_ISBSVC_CONFIG", ConfigFixture.base64(ConfigFixture.jetStreamConfigJson("demo", merged, true)));
    env.put("NUMAFLOW_ISBSVC_JETSTREAM_URL", "nats://isbsvc-default-js-svc.demo.svc:4222");
    env.put("NUMAFLOW_ISBSVC_JETSTREAM_TLS_ENABLED", "true");
    env.put("NUMAFLOW_ISBSVC_JETSTREAM_USER", "kBwPjRcF");
    env.put("NUMAFLOW_ISBSVC_JETSTREAM_PASSWORD", "s3cr3t-Pa55w0rd-x");
    env.put("PATH", "/usr/bin");
    return env;
  }

  /** Asserts the client options {@code config} resolves: its backend, its url, and exactly {@code properties}. */
  private static void assertClientOptions(IsbConfig config, String backend, String url,
      Map<String, String> properties) {
    IsbOptions options = config.toIsbOptions();
    assertThat(options.backend()).isEqualTo(backend);
    assertThat(options.url()).isEqualTo(url);
    assertThat(options.properties()).containsExactlyInAnyOrderEntriesOf(properties);
  }

  @Test
  @DisplayName("a JetStream vertex pod resolves url, credentials, TLS CA, merged buffers and per-edge writer limits")
  void jetStreamPod() {
    var f = new ConfigFixture(tmp);
    Map<String, String> env = jetStreamPod(f);

    IsbConfig config = IsbConfig.builder().environment(env).defaultLocations().build();

    assertClientOptions(config, "jetstream", "nats://isbsvc-default-js-svc.demo.svc:4222", Map.ofEntries(
        Map.entry("user", "kBwPjRcF"),
        Map.entry("password", "s3cr3t-Pa55w0rd-x"),
        Map.entry("tls", "true"),
        Map.entry("tls.caFile", tmp.resolve("config/secrets/isbsvc-default-js-server/ca-cert").toString())));
    assertThat(config.tls()).isTrue();
    assertThat(config.jetStreamServerReplicas()).hasValue(3);

    BufferConfig expected = BufferConfig.defaults().toBuilder()
        .stream(BufferConfig.Stream.defaults().toBuilder().maxMsgs(50_000).retention(Retention.WORK_QUEUE).build())
        .consumer(BufferConfig.Consumer.defaults().withAckWait(Duration.ofMinutes(2)))
        .build();
    assertThat(config.bufferConfig()).isEqualTo(expected);

    assertThat(config.writerOptions("out")).isEqualTo(WriterOptions.defaults());
    assertThat(config.writerOptions("audit")).isEqualTo(WriterOptions.builder().maxLength(10_000).usageLimit(0.9)
        .onFull(OnFull.DISCARD_LATEST).build());
    assertThat(config.writerOptions()).as("the edges differ, so the shared limits stay the defaults")
        .isEqualTo(WriterOptions.defaults());
    assertThatThrownBy(() -> config.writerOptions("nope")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("toVertex was 'nope' but it must be one of [out, audit], the to-edges of NUMAFLOW_VERTEX_OBJECT");
    assertThat(config.warnings()).isEmpty();

    String describe = config.describe();
    assertThat(describe)
        .contains("url ", "= nats://isbsvc-default-js-svc.demo.svc:4222  (env NUMAFLOW_ISBSVC_JETSTREAM_URL)")
        .contains("= <redacted>  (env NUMAFLOW_ISBSVC_JETSTREAM_PASSWORD)")
        .contains("(secret " + tmp.resolve("config/secrets") + "/isbsvc-default-js-server/ca-cert)")
        .contains("stream.maxMsgs ", "= 50000  (env NUMAFLOW_ISBSVC_CONFIG jetstream.streamConfig.stream.maxmsgs)")
        .contains("stream.maxAge ", "= 72h  (env NUMAFLOW_ISBSVC_CONFIG jetstream.streamConfig.stream.maxage)")
        .contains("jetstream.replicas ", "= 3  (" + tmp.resolve("config/isbsvc/isbsvc.yaml")
            + "#default spec.jetstream.replicas)")
        .contains("controller config " + tmp.resolve("config/controller-config.yaml"))
        .contains("audit: maxLength=10000, usageLimit=0.9, onFull=DISCARD_LATEST")
        .doesNotContain("s3cr3t-Pa55w0rd-x");
  }

  /** The JetStream pod, its vertex object with {@code interStepBuffer.compression.type}, and ISB_NUMAFLOW_VERSION. */
  private Map<String, String> podWith(ConfigFixture f, String compression, String release) {
    Map<String, String> env = jetStreamPod(f);
    env.put("NUMAFLOW_VERTEX_OBJECT", ConfigFixture.base64(VERTEX_OBJECT.replace("\"spec\":{",
        "\"spec\":{\"interStepBuffer\":{\"compression\":{\"type\":\"" + compression + "\"}},")));
    env.put("ISB_NUMAFLOW_VERSION", release);
    return env;
  }

  @Test
  @DisplayName("the pipeline's compression comes from the vertex object into every writer; the Numaflow release from ISB_NUMAFLOW_VERSION")
  void compressionAndRelease() {
    var f = new ConfigFixture(tmp);
    Map<String, String> env = podWith(f, "zstd", "v1.7.5");

    IsbConfig config = IsbConfig.builder().environment(env).defaultLocations().build();

    assertThat(config.compression()).isEqualTo(Compression.ZSTD);
    assertThat(config.writerOptions("out").compression()).isEqualTo(Compression.ZSTD);
    assertThat(config.writerOptions("audit").compression()).isEqualTo(Compression.ZSTD);
    assertThat(config.numaflowVersion()).isEqualTo(NumaflowVersion.V1_7);
    assertThat(config.describe())
        .contains("= ZSTD  (env NUMAFLOW_VERTEX_OBJECT spec.interStepBuffer.compression.type)")
        .contains("= V1_7  (env ISB_NUMAFLOW_VERSION)");

    IsbConfig defaults = IsbConfig.builder().environment(jetStreamPod(f)).defaultLocations().build();
    assertThat(defaults.compression()).isEqualTo(Compression.NONE);
    assertThat(defaults.numaflowVersion()).isEqualTo(NumaflowVersion.V1_8);
  }

  @Test
  @DisplayName("a compression type or a release numaflow-core would not accept is refused, naming the field and the value")
  void badCompressionAndRelease() {
    Map<String, String> env = podWith(new ConfigFixture(tmp), "GZIP", "latest");

    assertThatThrownBy(() -> IsbConfig.builder().environment(env).defaultLocations().build())
        .isInstanceOf(IsbConfigException.class)
        .hasMessageContaining("spec.interStepBuffer.compression.type was 'GZIP' but it must be gzip, zstd, lz4 or none")
        .hasMessageContaining("ISB_NUMAFLOW_VERSION was 'latest' but it must be a Numaflow release");
  }

  @Test
  @DisplayName("without the environment, the mounted files alone give the same buffers, and name the missing secrets")
  void filesAloneNeedTheCredentials() {
    var f = new ConfigFixture(tmp);
    Map<String, String> pod = jetStreamPod(f);
    var filesOnly = Map.of("ISB_CONFIG_DIR", pod.get("ISB_CONFIG_DIR"), "NUMAFLOW_NAMESPACE", "demo");
    String isb = tmp.resolve("config/isbsvc/isbsvc.yaml") + "#default";
    String secrets = tmp.resolve("config/secrets").toString();

    assertThat(problems(() -> IsbConfig.builder().environment(filesOnly).defaultLocations().build()))
        .containsExactly(
            isb + ": spec.jetstream was 'isbsvc-default-js-client-auth/client-auth-user' but it must be found: "
                + "set NUMAFLOW_ISBSVC_JETSTREAM_USER or mount key client-auth-user of secret "
                + "isbsvc-default-js-client-auth in a secret directory (looked in " + secrets + ")",
            isb + ": spec.jetstream was 'isbsvc-default-js-client-auth/client-auth-password' but it must be "
                + "found: set NUMAFLOW_ISBSVC_JETSTREAM_PASSWORD or mount key client-auth-password of secret "
                + "isbsvc-default-js-client-auth in a secret directory (looked in " + secrets + ")");

    f.write("config/secrets/isbsvc-default-js-client-auth/client-auth-user", "kBwPjRcF\n");
    f.write("config/secrets/isbsvc-default-js-client-auth/client-auth-password", "s3cr3t-Pa55w0rd-x\n");
    IsbConfig config = IsbConfig.builder().environment(filesOnly).defaultLocations().build();

    assertThat(config.toIsbOptions().url()).isEqualTo("nats://isbsvc-default-js-svc.demo.svc:4222");
    assertThat(config.toIsbOptions().properties()).containsEntry("user", "kBwPjRcF")
        .containsEntry("password", "s3cr3t-Pa55w0rd-x").containsEntry("tls", "true");
    assertThat(config.bufferConfig().stream().maxMsgs()).isEqualTo(50_000);
    assertThat(config.bufferConfig().stream().retention()).isEqualTo(Retention.WORK_QUEUE);
    assertThat(config.bufferConfig().consumer().ackWait()).isEqualTo(Duration.ofMinutes(2));
  }

  @Test
  @DisplayName("a Redis vertex pod: Numaflow's Redis variables and a mounted password")
  void redisPod() {
    var f = new ConfigFixture(tmp);
    f.write("secrets/redis-password", "r3dis-Pa55\n");
    String json = "{\"redis\":{\"url\":\"r1:6379,r2:6379\",\"user\":\"default\","
        + "\"password\":{\"name\":\"my-redis\",\"key\":\"redis-password\"}}}";
    var env = Map.of(
        "NUMAFLOW_ISBSVC_CONFIG", ConfigFixture.base64(json),
        "NUMAFLOW_ISBSVC_REDIS_URL", "r1:6379,r2:6379",
        "NUMAFLOW_ISBSVC_REDIS_USER", "default",
        "NUMAFLOW_ISBSVC_REDIS_CLUSTER_MAX_REDIRECTS", "5",
        "ISB_SECRET_DIRS", tmp.resolve("secrets").toString());

    IsbConfig config = IsbConfig.builder().environment(env).defaultLocations().build();

    assertClientOptions(config, "redis", "r1:6379,r2:6379", Map.ofEntries(
        Map.entry("user", "default"),
        Map.entry("password", "r3dis-Pa55"),
        Map.entry("cluster.maxRedirects", "5"),
        Map.entry("tls", "false")));
    assertThat(config.describe()).contains("(secret " + tmp.resolve("secrets") + "/redis-password)")
        .doesNotContain("r3dis-Pa55");
  }

  @Test
  @DisplayName("a native Redis resource gives Numaflow's sentinel address, master and user; env gives the passwords")
  void nativeRedisPod() {
    var f = new ConfigFixture(tmp);
    Path isb = f.copy("samples/redis-native-persistence.yaml", "isbsvc.yaml");
    var env = Map.of("NUMAFLOW_NAMESPACE", "demo",
        "NUMAFLOW_ISBSVC_REDIS_PASSWORD", "pw1", "NUMAFLOW_ISBSVC_REDIS_SENTINEL_PASSWORD", "pw2");

    IsbConfig config = IsbConfig.builder().isbServiceFile(isb).environment(env).build();

    assertClientOptions(config, "redis", "", Map.ofEntries(
        Map.entry("sentinel.url", "isbsvc-default-redis-svc.demo.svc:26379"),
        Map.entry("sentinel.master", "mymaster"),
        Map.entry("user", "default"),
        Map.entry("password", "pw1"),
        Map.entry("sentinel.password", "pw2"),
        Map.entry("cluster.maxRedirects", "3"),
        Map.entry("tls", "false")));
  }

  @Test
  @DisplayName("ISB_CONTROLLER_CONFIG, ISB_SERVICE_FILES and ISB_SECRET_DIRS name locations that must exist")
  void locationVariables() {
    var f = new ConfigFixture(tmp);
    Path ctrl = f.copy("controller-config.yaml", "a/ctrl.yaml");
    Path isb = f.copy("samples/jetstream-buffer-config.yaml", "b/isb.yaml");
    f.write("c/user", "u");
    f.write("c/password", "p");
    var env = Map.of("ISB_CONTROLLER_CONFIG", ctrl.toString(), "ISB_SERVICE_FILES", isb.toString(),
        "ISB_SECRET_DIRS", tmp.resolve("c").toString());

    IsbConfig config = IsbConfig.builder().environment(env).defaultLocations().build();

    assertThat(config.bufferConfig().stream().maxMsgs()).isEqualTo(50_000);
    assertThat(config.toIsbOptions().properties()).containsEntry("user", "u").containsEntry("password", "p");

    var missing = Map.of("ISB_CONTROLLER_CONFIG", tmp.resolve("nope.yaml").toString(),
        "ISB_SERVICE_FILES", tmp.resolve("none.yaml").toString(), "ISB_SECRET_DIRS", tmp.resolve("gone").toString(),
        "NUMAFLOW_ISBSVC_JETSTREAM_URL", "nats://h:4222");
    assertThat(problems(() -> IsbConfig.builder().environment(missing).defaultLocations().build()))
        .containsExactly(
            "env: ISB_CONTROLLER_CONFIG was '" + tmp.resolve("nope.yaml") + "' but it must be an existing file",
            "env: ISB_SERVICE_FILES was '" + tmp.resolve("none.yaml") + "' but it must be an existing file",
            "env: ISB_SECRET_DIRS was '" + tmp.resolve("gone") + "' but it must be an existing directory");
  }

  @Test
  @DisplayName("missing files under ISB_CONFIG_DIR are skipped, as the default locations are")
  void missingDefaultsAreSkipped() {
    new ConfigFixture(tmp).mkdir("empty");
    var env = Map.of("ISB_CONFIG_DIR", tmp.resolve("empty").toString(),
        "NUMAFLOW_ISBSVC_JETSTREAM_URL", "nats://h:4222");

    IsbConfig config = IsbConfig.builder().environment(env).defaultLocations().build();

    assertThat(config.url()).isEqualTo("nats://h:4222");
    assertThat(config.bufferConfig()).isEqualTo(BufferConfig.defaults());
    assertThat(config.describe()).contains(tmp.resolve("empty/controller-config.yaml") + " (not found, skipped)")
        .contains("stream.maxMsgs ", "= 100000  (default)");
  }

  @Test
  @DisplayName("IsbConfig.open() hands the resolved options to the backend lookup")
  void openUsesTheOptions() {
    IsbConfig config = IsbConfig.builder().backend("memory").build();

    assertThat(config.toIsbOptions()).isEqualTo(IsbOptions.builder().backend("memory").build());
    // isb-api's tests have only the settings-only stand-ins on their class path: the lookup names the configured one.
    assertThatThrownBy(config::open).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("backend was 'memory' but no ISB backend of that name is on the class path");
  }
}
