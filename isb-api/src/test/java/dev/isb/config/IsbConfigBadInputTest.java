package dev.isb.config;

import static dev.isb.config.ConfigFixture.JS_CREDENTIALS;
import static dev.isb.config.ConfigFixture.problems;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isb.IsbConfigException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A corpus of bad inputs, each with the exact problems it must produce: source, path, value and rule.
 * In the expected lines, {@code {dir}} is the case's temporary directory, {@code {isb}} the resource
 * ({@code {dir}/isbsvc.yaml#default}) and {@code {ctrl}} the controller configuration file.
 */
class IsbConfigBadInputTest {

  @TempDir
  Path tmp;

  private static final String HEAD = "apiVersion: numaflow.numaproj.io/v1alpha1\nkind: InterStepBufferService\n"
      + "metadata:\n  name: default\nspec:\n";
  private static final Map<String, String> NATS = Map.of("NUMAFLOW_ISBSVC_JETSTREAM_URL", "nats://h:4222");
  private static final Map<String, String> NATS_TLS = with(NATS, env("NUMAFLOW_ISBSVC_JETSTREAM_TLS_ENABLED", "true"));
  private static final String NATS_RULE = "be a comma-separated list of NATS addresses such as nats://host:4222 "
      + "or tls://host:4222";
  private static final String REDIS_RULE = "be a comma-separated list of Redis addresses such as host:6379, "
      + "redis://host:6379 or rediss://host:6380";
  private static final String DURATION_RULE = "be a Go duration such as 60s, 1h30m or 500ms";
  private static final String SIZE_RULE = "be a size in bytes such as 1048576, 512Mi, 20Gi, 500M or 1TB";

  /** One bad input: files to write (name to content), variables, builder calls, and the expected problems. */
  record Case(String name, Map<String, String> files, Map<String, String> env, Tweak more, List<String> expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  /** Builder calls of a case, given its temporary directory. */
  interface Tweak {
    IsbConfig.Builder apply(IsbConfig.Builder builder, Path dir);
  }

  /** Reads the case's {@code secrets/} directory. */
  private static final Tweak SECRET_DIR = (b, d) -> b.secretDir(d.resolve("secrets"));

  private static Case bad(String name, Map<String, String> files, Map<String, String> env, String... expected) {
    return new Case(name, files, env, (b, d) -> b, List.of(expected));
  }

  private static Case bad(String name, Map<String, String> files, Map<String, String> env, Tweak more,
      String... expected) {
    return new Case(name, files, env, more, List.of(expected));
  }

  private static Map<String, String> isb(String yaml) {
    return Map.of("isbsvc.yaml", HEAD + yaml);
  }

  private static Map<String, String> js(String yaml) {
    return isb("  jetstream:\n    version: latest\n" + yaml);
  }

  private static Map<String, String> buffer(String yaml) {
    return js("    bufferConfig: |\n" + yaml.indent(6));
  }

  private static Map<String, String> ctrl(String bufferConfig) {
    return Map.of("ctrl.yaml", "isbsvc:\n  jetstream:\n    bufferConfig: |\n" + bufferConfig.indent(6));
  }

  private static Map<String, String> env(String... keyValues) {
    var m = new LinkedHashMap<String, String>();
    for (int i = 0; i < keyValues.length; i += 2) {
      m.put(keyValues[i], keyValues[i + 1]);
    }
    return m;
  }

  private static Map<String, String> with(Map<String, String> a, Map<String, String> b) {
    var m = new LinkedHashMap<>(a);
    m.putAll(b);
    return m;
  }

  private static String vertex(String edgeJson) {
    return ConfigFixture.base64("{\"spec\":{\"toEdges\":[" + edgeJson + "]}}");
  }

  /** A NATS address and a vertex object with this one to-edge. */
  private static Map<String, String> natsAndEdge(String edgeJson) {
    return with(NATS, env("NUMAFLOW_VERTEX_OBJECT", vertex(edgeJson)));
  }

  private static String config(String json) {
    return ConfigFixture.base64(json);
  }

  static Stream<Case> corpus() {
    return Stream.of(
        // ---- the examples
        bad("negative maxMsgs other than -1", ctrl("stream:\n  maxMsgs: -5\n"), NATS,
            "{ctrl}: isbsvc.jetstream.bufferConfig.stream.maxMsgs was '-5' but it must be positive or -1 (unlimited)"),
        bad("ackWait of zero", buffer("consumer:\n  ackWait: 0\n"), JS_CREDENTIALS,
            "{isb}: spec.jetstream.bufferConfig.consumer.ackWait was '0' but it must be positive"),
        bad("usageLimit above 100%", Map.of(),
            natsAndEdge("{\"to\":\"b\",\"toVertexLimits\":{\"bufferUsageLimit\":150}}"),
            "env NUMAFLOW_VERTEX_OBJECT: spec.toEdges[0].toVertexLimits.bufferUsageLimit was '150' but it must be "
                + "a percentage in (0, 100]"),
        bad("usageLimit of 0%", Map.of(),
            natsAndEdge("{\"to\":\"b\",\"toVertexLimits\":{\"bufferUsageLimit\":0}}"),
            "env NUMAFLOW_VERTEX_OBJECT: spec.toEdges[0].toVertexLimits.bufferUsageLimit was '0' but it must be "
                + "a percentage in (0, 100]"),
        bad("replicas above the number of server nodes",
            js("    replicas: 3\n    bufferConfig: |\n      stream:\n        replicas: 5\n"), JS_CREDENTIALS,
            "{isb}: spec.jetstream.bufferConfig.stream.replicas was '5' but it must be at most 3, the number of "
                + "JetStream server nodes ({isb} spec.jetstream.replicas)"),
        bad("a jetstream and a redis block in one resource",
            isb("  jetstream:\n    version: latest\n  redis:\n    external:\n      url: r:6379\n"), JS_CREDENTIALS,
            "{isb}: spec was 'jetstream, redis' but it must hold either a jetstream or a redis block, not both"),
        bad("a malformed NATS URL", Map.of(), env("NUMAFLOW_ISBSVC_JETSTREAM_URL", "nats//host:4222"),
            "env: NUMAFLOW_ISBSVC_JETSTREAM_URL was 'nats//host:4222' but it must " + NATS_RULE),
        bad("a NATS URL with a port out of range", Map.of(), env("NUMAFLOW_ISBSVC_JETSTREAM_URL", "nats://h:99999"),
            "env: NUMAFLOW_ISBSVC_JETSTREAM_URL was 'nats://h:99999' but it must " + NATS_RULE),
        bad("a missing password file", with(js(""), Map.of("secrets/client-auth-user", "u")), Map.of(),
            SECRET_DIR,
            "{isb}: spec.jetstream was 'isbsvc-default-js-client-auth/client-auth-password' but it must be found: "
                + "set NUMAFLOW_ISBSVC_JETSTREAM_PASSWORD or mount key client-auth-password of secret "
                + "isbsvc-default-js-client-auth in a secret directory (looked in {dir}/secrets)"),
        bad("a base64 string that is not base64", Map.of(), env("NUMAFLOW_ISBSVC_CONFIG", "not base64!"),
            "env: NUMAFLOW_ISBSVC_CONFIG was 'not base64!' but it must be base64 (standard alphabet, padded) of JSON"),
        bad("base64 of JSON that is cut short", Map.of(), env("NUMAFLOW_ISBSVC_CONFIG", config("{\"jetstream\": [")),
            "env NUMAFLOW_ISBSVC_CONFIG: line 1, column 16 was '{\"jetstream\": [' but it must be valid YAML "
                + "(expected the node content, but found '<stream end>')"),
        bad("YAML that is not YAML, with line and column",
            Map.of("isbsvc.yaml", HEAD + "  jetstream:\n    version: latest\n   tls: true\n"), JS_CREDENTIALS,
            "{dir}/isbsvc.yaml: line 8, column 4 was 'tls: true' but it must be valid YAML "
                + "(expected <block end>, but found '<block mapping start>')"),
        bad("YAML inside bufferConfig: the position is the file's",
            js("    bufferConfig: |\n      stream:\n        maxMsgs: 5: 6\n"), JS_CREDENTIALS,
            "{isb}: spec.jetstream.bufferConfig at line 10, column 19 was 'maxMsgs: 5: 6' but it must be valid "
                + "YAML (mapping values are not allowed here)"),
        bad("YAML two embeddings deep (ConfigMap, then bufferConfig): still the file's position",
            Map.of("ctrl.yaml", "apiVersion: v1\nkind: ConfigMap\ndata:\n  controller-config.yaml: |\n    isbsvc:\n"
                + "      jetstream:\n        bufferConfig: |\n          stream:\n            maxMsgs: 5: 6\n"), NATS,
            "{ctrl}: isbsvc.jetstream.bufferConfig at line 9, column 23 was 'maxMsgs: 5: 6' but it must be valid "
                + "YAML (mapping values are not allowed here)"),
        bad("a tab in the controller configuration", Map.of("ctrl.yaml", "isbsvc:\n\tjetstream: {}\n"), NATS,
            "{ctrl}: line 2, column 1 was 'jetstream: {}' but it must be valid YAML "
                + "(found character '\\t(TAB)' that cannot start any token. (Do not use \\t(TAB) for indentation))"),

        // ---- formats
        bad("an unknown retention", buffer("stream:\n  retention: Forever\n"), JS_CREDENTIALS,
            "{isb}: spec.jetstream.bufferConfig.stream.retention was 'Forever' but it must be 0 (Limits), "
                + "1 (Interest) or 2 (WorkQueue)"),
        bad("a storage number out of range", buffer("otBucket:\n  storage: 2\n"), JS_CREDENTIALS,
            "{isb}: spec.jetstream.bufferConfig.otBucket.storage was '2' but it must be 0 (File) or 1 (Memory)"),
        bad("a duration without a unit", buffer("stream:\n  maxAge: 72\n"), JS_CREDENTIALS,
            "{isb}: spec.jetstream.bufferConfig.stream.maxAge was '72' but it must " + DURATION_RULE
                + " (a number needs a unit)"),
        bad("a duration in words", ctrl("procBucket:\n  ttl: 3 hours\n"), NATS,
            "{ctrl}: isbsvc.jetstream.bufferConfig.procBucket.ttl was '3 hours' but it must " + DURATION_RULE),
        bad("a negative ttl", ctrl("otBucket:\n  ttl: -1h\n"), NATS,
            "{ctrl}: isbsvc.jetstream.bufferConfig.otBucket.ttl was '-1h' but it must not be negative "
                + "(0 means no limit)"),
        bad("a stream under Limits retention that holds fewer messages than the writer lets pile up",
            buffer("stream:\n  maxMsgs: 20000\n"), JS_CREDENTIALS,
            "{isb}: spec.jetstream.bufferConfig.stream.maxMsgs was '20000' but it must hold what the writer allows: "
                + "stream.maxMsgs 20000 is below writer.maxLength × writer.usageLimit = 30000 × 0.8 = 24000, the "
                + "unacknowledged messages the writer allows: under Limits retention the stream discards its oldest "
                + "messages, read or not, before the writer sees the buffer full (writer.maxLength from default, "
                + "writer.usageLimit from default)"),
        bad("duplicates longer than maxAge", buffer("stream:\n  maxAge: 1m\n  duplicates: 2m\n"), JS_CREDENTIALS,
            "{isb}: spec.jetstream.bufferConfig.stream.duplicates was '2m' but it must be at most stream.maxAge, "
                + "1m ({isb} spec.jetstream.bufferConfig.stream.maxAge)"),
        bad("a lower-case m size", buffer("stream:\n  maxBytes: 512m\n"), JS_CREDENTIALS,
            "{isb}: spec.jetstream.bufferConfig.stream.maxBytes was '512m' but it must " + SIZE_RULE
                + " (a lower-case m is milli in Kubernetes but mega in NATS: write M or Mi)"),
        bad("a size with an unknown unit", buffer("stream:\n  maxBytes: 10XB\n"), JS_CREDENTIALS,
            "{isb}: spec.jetstream.bufferConfig.stream.maxBytes was '10XB' but it must " + SIZE_RULE),
        bad("a fraction of a byte", buffer("otBucket:\n  maxValueSize: 1.5\n"), JS_CREDENTIALS,
            "{isb}: spec.jetstream.bufferConfig.otBucket.maxValueSize was '1.5' but it must be a whole number of "
                + "bytes that fits in 63 bits, such as 512Mi or 20Gi"),
        bad("a history of 0", buffer("otBucket:\n  history: 0\n"), JS_CREDENTIALS,
            "{isb}: spec.jetstream.bufferConfig.otBucket.history was '0' but it must be between 1 and 64"),
        bad("maxAckPending of 0", buffer("consumer:\n  maxAckPending: 0\n"), JS_CREDENTIALS,
            "{isb}: spec.jetstream.bufferConfig.consumer.maxAckPending was '0' but it must be positive"),
        bad("maxMsgs that is not a number", buffer("stream:\n  maxMsgs: lots\n"), JS_CREDENTIALS,
            "{isb}: spec.jetstream.bufferConfig.stream.maxMsgs was 'lots' but it must be a whole number"),
        bad("tlsEnabled that is not a boolean", Map.of(), with(JS_CREDENTIALS, env("NUMAFLOW_ISBSVC_CONFIG",
                config("{\"jetstream\":{\"url\":\"nats://h:4222\",\"tlsEnabled\":\"maybe\"}}"))),
            "env NUMAFLOW_ISBSVC_CONFIG: jetstream.tlsEnabled was 'maybe' but it must be true or false"),
        bad("negative cluster max redirects", Map.of(), env("NUMAFLOW_ISBSVC_REDIS_URL", "r:6379",
                "NUMAFLOW_ISBSVC_REDIS_CLUSTER_MAX_REDIRECTS", "-2"),
            "env: NUMAFLOW_ISBSVC_REDIS_CLUSTER_MAX_REDIRECTS was '-2' but it must be 0 or more"),

        // ---- the resource
        bad("server replicas of 0", js("    replicas: 0\n"), JS_CREDENTIALS,
            "{isb}: spec.jetstream.replicas was '0' but it must be 1 or more (2 means 3)"),
        bad("a missing version", isb("  jetstream:\n    tls: false\n"), JS_CREDENTIALS,
            "{isb}: spec.jetstream.version was not set but it must be set (a version listed in the controller "
                + "configuration)"),
        bad("a version the controller does not list",
            with(isb("  jetstream:\n    version: 2.8.1\n"), Map.of("ctrl.yaml",
                ConfigFixture.resource("controller-config.yaml"))), JS_CREDENTIALS,
            "{isb}: spec.jetstream.version was '2.8.1' but it must be one of the versions in the controller "
                + "configuration: latest, 2.10.29"),
        bad("a volume size that is not a quantity",
            js("    persistence:\n      volumeSize: ten gigs\n"), JS_CREDENTIALS,
            "{isb}: spec.jetstream.persistence.volumeSize was 'ten gigs' but it must " + SIZE_RULE),
        bad("an unknown access mode", js("    persistence:\n      accessMode: ReadWriteSometimes\n"), JS_CREDENTIALS,
            "{isb}: spec.jetstream.persistence.accessMode was 'ReadWriteSometimes' but it must be one of "
                + "ReadWriteOnce, ReadOnlyMany, ReadWriteMany, ReadWriteOncePod"),
        bad("max_payload above 64MB", js("    settings: |\n      max_payload: 100MB\n"), JS_CREDENTIALS,
            "{isb}: spec.jetstream.settings.max_payload was '100MB' but it must be positive and at most 64MB "
                + "(67108864)"),
        bad("no spec", Map.of("isbsvc.yaml", HEAD.replace("spec:\n", "")), JS_CREDENTIALS,
            "{isb}: spec was not set but it must be set, with a jetstream or a redis block"),
        bad("two resources with the same name", Map.of("isbsvc.yaml", HEAD + "  jetstream:\n    version: latest\n"
                + "---\n" + HEAD + "  jetstream:\n    version: latest\n"), JS_CREDENTIALS,
            "{isb}: metadata.name was 'default' but it must name one InterStepBufferService only "
                + "(also in {dir}/isbsvc.yaml)"),
        bad("no resource with the wanted name", Map.of("isbsvc.yaml", HEAD.replace("default", "other")
                + "  jetstream:\n    version: latest\n"), JS_CREDENTIALS,
            "{dir}/isbsvc.yaml: metadata.name was 'other' but it must be 'default' (the ISB service to use; "
                + "choose another with IsbConfig.Builder.isbServiceName or ISB_SERVICE_NAME)"),
        bad("a file with no InterStepBufferService", Map.of("isbsvc.yaml", "kind: ConfigMap\nmetadata:\n  name: x\n"),
            JS_CREDENTIALS,
            "{dir}/isbsvc.yaml: kind was 'ConfigMap' but it must be InterStepBufferService, with one named 'default' "
                + "(the ISB service to use; choose another with IsbConfig.Builder.isbServiceName or ISB_SERVICE_NAME)"),
        bad("a key given twice, ignoring case", buffer("stream:\n  maxMsgs: 50000\n  maxmsgs: 60000\n"), JS_CREDENTIALS,
            "{isb}: spec.jetstream.bufferConfig.stream.maxmsgs was '60000' but it must appear only once (keys match "
                + "ignoring case; maxMsgs is given too)"),
        bad("a section that is not a mapping", buffer("stream: 5\n"), JS_CREDENTIALS,
            "{isb}: spec.jetstream.bufferConfig.stream was '5' but it must be a mapping of settings"),
        bad("a list where one value belongs", buffer("stream:\n  maxMsgs: [1, 2]\n"), JS_CREDENTIALS,
            "{isb}: spec.jetstream.bufferConfig.stream.maxMsgs was '[...]' but it must be a single value"),
        bad("a ConfigMap without the controller-config.yaml key",
            Map.of("ctrl.yaml", "apiVersion: v1\nkind: ConfigMap\ndata:\n  other.yaml: x\n"), NATS,
            "{ctrl}: data.controller-config.yaml was not set but it must be set: the ConfigMap's key that holds the "
                + "controller configuration"),

        // ---- Redis
        bad("a malformed Redis URL", Map.of(), env("NUMAFLOW_ISBSVC_REDIS_URL", "redis//h:6379"),
            "env: NUMAFLOW_ISBSVC_REDIS_URL was 'redis//h:6379' but it must " + REDIS_RULE),
        bad("a sentinel master without sentinels", Map.of(), env("NUMAFLOW_ISBSVC_REDIS_URL", "r:6379",
                "NUMAFLOW_ISBSVC_REDIS_SENTINEL_MASTER", "mymaster"),
            "env: NUMAFLOW_ISBSVC_REDIS_SENTINEL_MASTER was 'mymaster' but it must come with sentinel.url, the "
                + "addresses of the sentinels"),
        bad("sentinels without a master and no url", Map.of(), env("NUMAFLOW_ISBSVC_REDIS_SENTINEL_URL", "s:26379"),
            "env: NUMAFLOW_ISBSVC_REDIS_SENTINEL_URL was 's:26379' but it must come with sentinel.master, the name "
                + "of the master the sentinels watch"),
        bad("native and external Redis together",
            isb("  redis:\n    native:\n      version: 7.0.15\n    external:\n      url: r:6379\n"), Map.of(),
            "{isb}: spec.redis was 'native, external' but it must hold either native or external, not both"),
        bad("an empty redis block", isb("  redis: {}\n"), Map.of(),
            "{isb}: spec.redis was '{}' but it must hold a native or an external block"),

        // ---- the environment
        bad("a jetstream and a redis block in NUMAFLOW_ISBSVC_CONFIG", Map.of(), env("NUMAFLOW_ISBSVC_CONFIG",
                config("{\"jetstream\":{\"url\":\"nats://h:4222\"},\"redis\":{\"url\":\"r:6379\"}}")),
            "env NUMAFLOW_ISBSVC_CONFIG: (top level) was 'jetstream, redis' but it must hold either a jetstream or "
                + "a redis block, not both"),
        bad("JetStream and Redis variables together", Map.of(), env("NUMAFLOW_ISBSVC_JETSTREAM_URL", "nats://h:4222",
                "NUMAFLOW_ISBSVC_REDIS_URL", "r:6379"),
            "env: NUMAFLOW_ISBSVC_REDIS_URL was 'r:6379' but it must not be set with a jetstream ISB service "
                + "(env NUMAFLOW_ISBSVC_JETSTREAM_URL)"),
        bad("a secret key that would leave the secret directory", Map.of(), with(JS_CREDENTIALS,
                env("NUMAFLOW_ISBSVC_CONFIG", config("{\"jetstream\":{\"url\":\"nats://h:4222\",\"auth\":{\"basic\":"
                    + "{\"password\":{\"name\":\"s\",\"key\":\"../../etc/passwd\"}}}}}"))),
            "env NUMAFLOW_ISBSVC_CONFIG: jetstream.auth.basic.password.key was '../../etc/passwd' but it must be a "
                + "Kubernetes secret key (letters, digits, '-', '_' and '.')"),
        bad("a to-edge buffer length of 0", Map.of(),
            natsAndEdge("{\"to\":\"b\",\"toVertexLimits\":{\"bufferMaxLength\":0}}"),
            "env NUMAFLOW_VERTEX_OBJECT: spec.toEdges[0].toVertexLimits.bufferMaxLength was '0' but it must be "
                + "positive"),
        bad("an unknown onFull", Map.of(),
            natsAndEdge("{\"to\":\"b\",\"onFull\":\"dropOldest\"}"),
            "env NUMAFLOW_VERTEX_OBJECT: spec.toEdges[0].onFull was 'dropOldest' but it must be retryUntilSuccess "
                + "or discardLatest"),
        bad("no address anywhere", Map.of(), Map.of(),
            "all sources: url was not set but it must be set: by NUMAFLOW_ISBSVC_CONFIG or "
                + "NUMAFLOW_ISBSVC_JETSTREAM_URL, by an InterStepBufferService named 'default', or by "
                + "IsbConfig.Builder.url"),

        // ---- credentials and TLS
        bad("a user without a password", Map.of(), with(NATS, env("NUMAFLOW_ISBSVC_JETSTREAM_USER", "u")),
            "env: NUMAFLOW_ISBSVC_JETSTREAM_USER was 'u' but it must come with a password"),
        bad("a token as well as user and password", Map.of("secrets/token", "t0k3n"), with(NATS, JS_CREDENTIALS),
            SECRET_DIR,
            "secret {dir}/secrets: token was '<redacted>' but it must be the only way to authenticate (user and "
                + "password are set too, by env NUMAFLOW_ISBSVC_JETSTREAM_USER)"),
        bad("two password files in one secret directory",
            Map.of("secrets/password", "a", "secrets/client-auth-password", "b"), NATS,
            (b, d) -> SECRET_DIR.apply(b, d).user("u"),
            "secret {dir}/secrets: password was '<redacted>' but it must be the only file for password in this "
                + "directory (client-auth-password is there too)"),
        bad("a malformed NKey seed", Map.of("secrets/nkey-seed", "SUXYZ"), NATS,
            SECRET_DIR,
            "secret {dir}/secrets: nkey-seed was '<redacted>' but it must be an NKey user seed: 58 characters of "
                + "base32 starting with SU"),
        bad("a creds file without its seed", Map.of("secrets/creds", "-----BEGIN NATS USER JWT-----\nabc\n"), NATS,
            SECRET_DIR,
            "secret {dir}/secrets: creds was '{dir}/secrets/creds' but it must be a NATS .creds file holding a user "
                + "JWT and an NKey seed"),
        bad("a CA file that is not a certificate", Map.of("secrets/ca.crt", "hello"),
            NATS_TLS,
            SECRET_DIR,
            "secret {dir}/secrets: ca.crt was '{dir}/secrets/ca.crt' but it must be a PEM file holding at least one "
                + "X.509 certificate"),
        bad("a client key without its certificate", Map.of("secrets/tls.key", ConfigFixture.resource("tls/tls.key"),
                "secrets/ca.crt", ConfigFixture.resource("tls/ca.crt")),
            NATS_TLS,
            SECRET_DIR,
            "secret {dir}/secrets: tls.key was '{dir}/secrets/tls.key' but it must come with tls.certFile, the "
                + "client certificate"),
        bad("a CA and skipping verification together", Map.of("secrets/ca.crt", ConfigFixture.resource("tls/ca.crt")),
            NATS_TLS,
            (b, d) -> SECRET_DIR.apply(b, d).tlsInsecureSkipVerify(true),
            "builder: tls.insecureSkipVerify was 'true' but it must not be true when tls.caFile is set "
                + "(secret {dir}/secrets/ca.crt)"),

        // ---- locations
        bad("a named controller configuration that is missing", Map.of(), NATS,
            (b, d) -> b.controllerConfig(d.resolve("nope.yaml")),
            "builder: controllerConfig was '{dir}/nope.yaml' but it must be an existing file"),
        bad("a named secret directory that is missing", Map.of(), NATS,
            (b, d) -> b.secretDir(d.resolve("nosecrets")),
            "builder: secretDir was '{dir}/nosecrets' but it must be an existing directory"),
        bad("ISB_CONFIG_DIR that is not a directory", Map.of(), with(NATS, env("ISB_CONFIG_DIR", "{dir}/none")),
            (b, d) -> b.defaultLocations(),
            "env: ISB_CONFIG_DIR was '{dir}/none' but it must be an existing directory"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  @DisplayName("each bad input is reported exactly, with its source, path and value")
  void reportsExactly(Case c) {
    String dir = tmp.toString();
    var f = new ConfigFixture(tmp);
    IsbConfig.Builder builder = IsbConfig.builder();
    for (var file : c.files().entrySet()) {
      Path p = f.write(file.getKey(), file.getValue());
      if (file.getKey().equals("isbsvc.yaml")) {
        builder.isbServiceFile(p);
      } else if (file.getKey().equals("ctrl.yaml")) {
        builder.controllerConfig(p);
      }
    }
    builder.environment(c.env().entrySet().stream()
        .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().replace("{dir}", dir))));
    IsbConfig.Builder withMore = c.more().apply(builder, tmp);
    List<String> expected = c.expected().stream().map(line -> line.replace("{isb}", "{dir}/isbsvc.yaml#default")
        .replace("{ctrl}", "{dir}/ctrl.yaml").replace("{dir}", dir)).collect(Collectors.toList());

    assertThatThrownBy(withMore::build)
        .isInstanceOfSatisfying(IsbConfigException.class, e -> {
          assertThat(e.problems()).extracting(Object::toString).containsExactlyElementsOf(expected);
          assertThat(e.getMessage()).endsWith(String.join("\n", expected));
          assertThat(e.retryable()).isFalse();
        });
  }

  @Test
  @DisplayName("the corpus has at least 30 bad inputs, all with distinct names")
  void corpusSize() {
    List<String> names = corpus().map(Case::name).collect(Collectors.toList());
    assertThat(names).hasSizeGreaterThanOrEqualTo(30).doesNotHaveDuplicates();
  }

  @Test
  @DisplayName("problems of every source are reported together, in the order the sources are read")
  void everyProblemAtOnce() {
    var f = new ConfigFixture(tmp);
    Path ctrl = f.write("ctrl.yaml", "isbsvc:\n  jetstream:\n    bufferConfig: |\n      stream:\n        maxMsgs: -5\n");
    Path isb = f.write("isbsvc.yaml", HEAD + "  jetstream:\n    version: latest\n    replicas: 0\n"
        + "    bufferConfig: |\n      consumer:\n        ackWait: 0s\n");
    var env = with(JS_CREDENTIALS, env("NUMAFLOW_ISBSVC_JETSTREAM_TLS_ENABLED", "sometimes",
        "NUMAFLOW_VERTEX_OBJECT", vertex("{\"to\":\"b\",\"toVertexLimits\":{\"bufferUsageLimit\":101}}")));
    IsbConfig.Builder builder = IsbConfig.builder().controllerConfig(ctrl).isbServiceFile(isb).environment(env);

    assertThat(problems(builder::build)).containsExactly(
        ctrl + ": isbsvc.jetstream.bufferConfig.stream.maxMsgs was '-5' but it must be positive or -1 "
            + "(unlimited)",
        isb + "#default: spec.jetstream.replicas was '0' but it must be 1 or more (2 means 3)",
        isb + "#default: spec.jetstream.bufferConfig.consumer.ackWait was '0s' but it must be positive",
        "env NUMAFLOW_VERTEX_OBJECT: spec.toEdges[0].toVertexLimits.bufferUsageLimit was '101' but it must "
            + "be a percentage in (0, 100]",
        "env: NUMAFLOW_ISBSVC_JETSTREAM_TLS_ENABLED was 'sometimes' but it must be true or false");
  }
}
