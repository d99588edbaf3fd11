package dev.isb.config;

import static dev.isb.config.ConfigFixture.JS_CREDENTIALS;
import static dev.isb.config.ConfigFixture.problems;
import static org.assertj.core.api.Assertions.assertThat;

import dev.isb.BufferConfig;
import dev.isb.Retention;
import dev.isb.Storage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each YAML sample of reference/inter-step-buffer-service.md, verbatim, parses to what the page says. */
class IsbConfigSamplesTest {

  @TempDir
  Path tmp;

  /** The passwords of a native Redis ISB service. */
  private static final Map<String, String> REDIS_PASSWORDS =
      Map.of("NUMAFLOW_ISBSVC_REDIS_PASSWORD", "x", "NUMAFLOW_ISBSVC_REDIS_SENTINEL_PASSWORD", "y");

  private IsbConfig sample(String name, Map<String, String> env) {
    var f = new ConfigFixture(tmp);
    return IsbConfig.builder()
        .controllerConfig(f.copy("controller-config.yaml", "controller-config.yaml"))
        .isbServiceFile(f.copy("samples/" + name, name))
        .environment(env)
        .build();
  }

  private String file(String name) {
    return tmp.resolve(name).toString();
  }

  @Test
  @DisplayName("the controller configuration alone gives exactly the library's built-in defaults")
  void controllerDefaults() {
    var f = new ConfigFixture(tmp);
    for (String resource : new String[] {"controller-config.yaml", "numaflow-controller-config-configmap.yaml"}) {
      IsbConfig config = IsbConfig.builder().controllerConfig(f.copy(resource, resource)).url("nats://h:4222").build();

      assertThat(config.bufferConfig()).as(resource).isEqualTo(BufferConfig.defaults());
      assertThat(config.warnings()).as(resource).isEmpty();
      assertThat(config.describe()).as(resource)
          .contains("stream.maxMsgs ", "= 100000  (" + file(resource) + " isbsvc.jetstream.bufferConfig.stream.maxMsgs)");
    }
  }

  @Test
  @DisplayName("jetstream with a version only: the default service, 3 nodes, the controller's buffers")
  void jetStream() {
    IsbConfig config = sample("jetstream.yaml", JS_CREDENTIALS);

    assertThat(config.backend()).isEqualTo("jetstream");
    assertThat(config.url()).isEqualTo("nats://isbsvc-default-js-svc:4222");
    assertThat(config.jetStreamServerReplicas()).hasValue(3);
    assertThat(config.tls()).isFalse();
    assertThat(config.bufferConfig()).isEqualTo(BufferConfig.defaults());
    assertThat(config.warnings()).isEmpty();
  }

  @Test
  @DisplayName("a Pipeline naming interStepBufferServiceName selects that resource, by builder or vertex object")
  void namedService() {
    assertThat(problems(() -> sample("pipeline-and-named-isbsvc.yaml", JS_CREDENTIALS)))
        .containsExactly(file("pipeline-and-named-isbsvc.yaml") + ": metadata.name was 'different-name' but it "
            + "must be 'default' (the ISB service to use; choose another with IsbConfig.Builder.isbServiceName "
            + "or ISB_SERVICE_NAME)");

    var f = new ConfigFixture(tmp);
    Path file = f.copy("samples/pipeline-and-named-isbsvc.yaml", "p.yaml");
    IsbConfig byName = IsbConfig.builder().isbServiceFile(file).isbServiceName("different-name")
        .environment(JS_CREDENTIALS).build();
    String vertex = ConfigFixture.base64("{\"spec\":{\"interStepBufferServiceName\":\"different-name\"}}");
    var vertexEnv = new HashMap<>(JS_CREDENTIALS);
    vertexEnv.put("NUMAFLOW_VERTEX_OBJECT", vertex);
    IsbConfig byVertex = IsbConfig.builder().isbServiceFile(file).environment(vertexEnv).build();

    assertThat(byName.url()).isEqualTo("nats://isbsvc-different-name-js-svc:4222");
    assertThat(byVertex.url()).isEqualTo("nats://isbsvc-different-name-js-svc:4222");
    assertThat(byName.describe()).contains("InterStepBufferService 'different-name'");
  }

  @Test
  @DisplayName("replicas gives the number of server nodes")
  void replicas() {
    IsbConfig config = sample("jetstream-replicas.yaml", JS_CREDENTIALS);

    assertThat(config.jetStreamServerReplicas()).hasValue(5);
    assertThat(config.bufferConfig().stream().replicas()).isEqualTo(3);
  }

  @Test
  @DisplayName("persistence (storage class, access mode, 10Gi) is accepted and leaves the buffers alone")
  void persistence() {
    IsbConfig config = sample("jetstream-persistence.yaml", JS_CREDENTIALS);

    assertThat(config.bufferConfig()).isEqualTo(BufferConfig.defaults());
    assertThat(config.warnings()).isEmpty();
  }

  @Test
  @DisplayName("JetStream settings (max_memory_store -1, max_file_store 1TB) are accepted")
  void settings() {
    IsbConfig config = sample("jetstream-settings.yaml", JS_CREDENTIALS);

    assertThat(config.warnings()).isEmpty();
    assertThat(config.bufferConfig()).isEqualTo(BufferConfig.defaults());
  }

  @Test
  @DisplayName("the bufferConfig sample merges over the controller's defaults field by field")
  void bufferConfig() {
    IsbConfig config = sample("jetstream-buffer-config.yaml", JS_CREDENTIALS);

    assertThat(config.bufferConfig().stream()).isEqualTo(new BufferConfig.Stream(Retention.INTEREST, 50_000,
        Duration.ofHours(168), -1, 3, Duration.ofSeconds(60), Storage.FILE));
    assertThat(config.bufferConfig().consumer()).isEqualTo(new BufferConfig.Consumer(Duration.ofSeconds(60), 20_000));
    assertThat(config.bufferConfig().otBucket()).isEqualTo(BufferConfig.Bucket.otDefaults());
    assertThat(config.bufferConfig().procBucket()).isEqualTo(BufferConfig.Bucket.procDefaults());
  }

  @Test
  @DisplayName("the same bufferConfig sample works in the controller configuration")
  void bufferConfigInController() {
    var f = new ConfigFixture(tmp);
    String block = ConfigFixture.resource("samples/jetstream-buffer-config.yaml");
    Path ctrl = f.write("ctrl.yaml", "isbsvc:\n  jetstream:\n" + block.substring(block.indexOf("    bufferConfig: |")));

    IsbConfig config = IsbConfig.builder().controllerConfig(ctrl).url("nats://h:4222").build();

    assertThat(config.bufferConfig().stream().retention()).isEqualTo(Retention.INTEREST);
    assertThat(config.bufferConfig().stream().maxMsgs()).isEqualTo(50_000);
    assertThat(config.bufferConfig().stream().maxAge()).isEqualTo(Duration.ofHours(168));
    assertThat(config.bufferConfig().consumer().maxAckPending()).isEqualTo(20_000);
    assertThat(config.bufferConfig().stream().storage()).as("not in the sample: the default").isEqualTo(Storage.FILE);
  }

  @Test
  @DisplayName("tls: true turns TLS on, and warns that the self-signed CA must be trusted; in a namespace, the URL"
      + " is the name on Numaflow's certificate")
  void tls() {
    var env = new HashMap<>(JS_CREDENTIALS);
    env.put("NUMAFLOW_NAMESPACE", "demo");
    IsbConfig config = sample("jetstream-tls.yaml", env);

    assertThat(config.tls()).isTrue();
    assertThat(config.url()).isEqualTo("nats://isbsvc-default-js-svc.demo.svc:4222");
    assertThat(config.toIsbOptions().properties()).containsEntry("tls", "true");
    assertThat(config.warnings()).containsExactly("all sources: tls is on without tls.caFile: the server's "
        + "certificate must be trusted by the JVM; Numaflow's JetStream uses a self-signed one (its CA is key "
        + "ca-cert of secret isbsvc-default-js-server)");
  }

  @Test
  @DisplayName("tls with no namespace known: the URL's short service name is not on Numaflow's certificate, so a"
      + " warning says the host-name check will refuse it and how to give the namespace")
  void tlsWithoutNamespace() {
    IsbConfig config = sample("jetstream-tls.yaml", JS_CREDENTIALS);

    assertThat(config.url()).isEqualTo("nats://isbsvc-default-js-svc:4222");
    assertThat(config.warnings()).contains(file("jetstream-tls.yaml") + "#default: spec.jetstream names the host"
        + " isbsvc-default-js-svc, which the certificate of Numaflow's JetStream service does not name (it names"
        + " isbsvc-default-js-svc.<namespace>.svc): the TLS host-name check will refuse it; set the resource's"
        + " metadata.namespace or NUMAFLOW_NAMESPACE, or give the URL with the namespace");
  }

  @Test
  @DisplayName("encryption at rest is a server matter: accepted, nothing changes for the client")
  void encryption() {
    IsbConfig config = sample("jetstream-encryption.yaml", JS_CREDENTIALS);

    assertThat(config.toIsbOptions()).isEqualTo(sample("jetstream.yaml", JS_CREDENTIALS).toIsbOptions());
  }

  @Test
  @DisplayName("external Redis: the page's placeholder url is refused; a real one is used with its user")
  void externalRedis() {
    assertThat(problems(() -> sample("redis-external.yaml", Map.of())))
        .containsExactly(file("redis-external.yaml") + "#default: spec.redis.external.url was '<external redis>' "
            + "but it must be a comma-separated list of Redis addresses such as host:6379, redis://host:6379 or "
            + "rediss://host:6380");

    var f = new ConfigFixture(tmp);
    Path real = f.write("real.yaml", ConfigFixture.resource("samples/redis-external.yaml")
        .replace("<external redis>", "redis.example.com:6379"));
    IsbConfig config = IsbConfig.builder().isbServiceFile(real).build();

    assertThat(config.backend()).isEqualTo("redis");
    assertThat(config.url()).isEqualTo("redis.example.com:6379");
    assertThat(config.toIsbOptions().properties()).containsOnly(Map.entry("user", "default"),
        Map.entry("cluster.maxRedirects", "3"), Map.entry("tls", "false"));
  }

  @Test
  @DisplayName("cluster mode: the comma-separated url lists every address")
  void redisCluster() {
    IsbConfig config = sample("redis-cluster.yaml", Map.of());

    assertThat(config.url()).isEqualTo("numaflow-redis-cluster-0.numaflow-redis-cluster-headless:6379,"
        + "numaflow-redis-cluster-1.numaflow-redis-cluster-headless:6379");
    assertThat(config.toIsbOptions().url()).isEqualTo(config.url());
  }

  @Test
  @DisplayName("native Redis with persistence: version 6.2.6 is listed by the controller; sentinel on :26379")
  void nativeRedis() {
    IsbConfig config = sample("redis-native-persistence.yaml", REDIS_PASSWORDS);

    assertThat(config.backend()).isEqualTo("redis");
    assertThat(config.url()).isEmpty();
    assertThat(config.toIsbOptions().properties()).containsEntry("sentinel.url", "isbsvc-default-redis-svc:26379")
        .containsEntry("sentinel.master", "mymaster").containsEntry("user", "default");
  }

  @Test
  @DisplayName("native Redis settings (redis.conf and sentinel text) are accepted as text")
  void nativeRedisSettings() {
    IsbConfig config = sample("redis-native-settings.yaml", REDIS_PASSWORDS);

    assertThat(config.warnings()).isEmpty();
    assertThat(config.toIsbOptions().properties()).containsEntry("password", "x").containsEntry("sentinel.password", "y");
  }
}
