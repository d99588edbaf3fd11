package dev.isb.config;

import static dev.isb.config.ConfigEntries.checkBool;
import dev.isb.config.ConfigEntries.SecretRef;
import dev.isb.config.ConfigTree.Fields;
import dev.isb.config.ConfigTree.YNode;
import dev.isb.config.ConfigValues.BadValue;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads the shapes Numaflow uses in more than one source: its {@code bufferConfig} (in the controller
 * configuration, the resource and {@code NUMAFLOW_ISBSVC_CONFIG}), the NATS server settings, its
 * {@code RedisConfig} and Kubernetes' {@code SecretKeySelector}. Each value becomes an entry of the
 * layer the caller names. Single use, not thread-safe.
 */
final class NumaflowShapes extends ResolutionStep {

  private static final Pattern SECRET_KEY = Pattern.compile("[-._a-zA-Z0-9]+");

  NumaflowShapes(ConfigEntries c) {
    super(c);
  }

  void readBufferConfig(YNode root, int layer) {
    if (root == null) {
      return;
    }
    Fields top = root.fields("stream", "consumer", "otBucket", "procBucket");
    if (top == null) {
      return;
    }
    section(top.get("stream"), "stream", layer,
        "retention", "maxMsgs", "maxAge", "maxBytes", "storage", "replicas", "duplicates");
    section(top.get("consumer"), "consumer", layer, "ackWait", "maxAckPending");
    for (String bucket : List.of("otBucket", "procBucket")) {
      section(top.get(bucket), bucket, layer, "maxValueSize", "history", "ttl", "maxBytes", "storage", "replicas");
    }
  }

  void section(YNode node, String prefix, int layer, String... keys) {
    Fields f = node == null ? null : node.fields(keys);
    if (f == null) {
      return;
    }
    for (String k : keys) {
      c.addFrom(f.get(k), ConfigSetting.byKey(prefix + "." + k).orElseThrow(), layer, null, null);
    }
  }

  /** NATS server settings: only checked, since they configure the server, not the client. */
  void readNatsSettings(YNode root) {
    Fields f = root == null ? null : root.fields("max_payload", "max_memory_store", "max_file_store");
    if (f == null) {
      return;
    }
    for (String key : List.of("max_payload", "max_memory_store", "max_file_store")) {
      YNode n = f.get(key);
      if (n == null || !n.isScalar()) {
        continue;
      }
      try {
        long v = ConfigValues.quantity(n.text());
        if (key.equals("max_payload") && (v <= 0 || v > 64L * 1024 * 1024)) {
          n.problem(n.text(), "be positive and at most 64MB (67108864)");
        } else if (!key.equals("max_payload") && v <= 0 && v != -1) {
          n.problem(n.text(), "be positive or -1 (no limit)");
        }
      } catch (BadValue e) {
        n.problem(ConfigValues.shorten(n.text()), e.rule());
      }
    }
  }

  /** Numaflow's {@code RedisConfig}: {@code spec.redis.external} and the Redis part of the config JSON. */
  void readRedisConfig(YNode node, int layer, String scope, String passwordVar, String sentinelPasswordVar) {
    Fields f = node.fields("url", "sentinelUrl", "masterName", "user", "password", "sentinelPassword");
    if (f == null) {
      return;
    }
    c.addFrom(f.get("url"), ConfigSetting.URL, layer, scope, null);
    c.addFrom(f.get("sentinelUrl"), ConfigChecks.SENTINEL_URL, layer, scope, null);
    c.addFrom(f.get("masterName"), ConfigChecks.SENTINEL_MASTER, layer, scope, null);
    c.addFrom(f.get("user"), ConfigSetting.USER, layer, scope, null);
    secretRef(f.get("password"), ConfigSetting.PASSWORD.key,
        passwordVar == null ? "NUMAFLOW_ISBSVC_REDIS_PASSWORD" : passwordVar, scope);
    secretRef(f.get("sentinelPassword"), "sentinel.password",
        sentinelPasswordVar == null ? "NUMAFLOW_ISBSVC_REDIS_SENTINEL_PASSWORD" : sentinelPasswordVar, scope);
  }

  /** A Kubernetes {@code SecretKeySelector}: {@code {name, key, optional}}, for the setting with key {@code target}. */
  void secretRef(YNode node, String target, String envVar, String scope) {
    if (node == null) {
      return;
    }
    Fields f = node.fields("name", "key", "optional");
    if (f == null) {
      return;
    }
    String name = f.text("name");
    String key = f.text("key");
    // Both become file names under a secret dir: Kubernetes' key syntax keeps them inside it.
    if (key == null || !SECRET_KEY.matcher(key).matches() || key.matches("\\.+")) {
      sink.problem(node.source().origin, node.path() + ".key", key == null ? null : ConfigValues.shorten(key),
          "be a Kubernetes secret key (letters, digits, '-', '_' and '.')");
      return;
    }
    if (name != null && (!SECRET_KEY.matcher(name).matches() || name.matches("\\.+"))) {
      sink.problem(node.source().origin, node.path() + ".name", ConfigValues.shorten(name),
          "be a Kubernetes secret name (letters, digits, '-', '_' and '.')");
      return;
    }
    boolean optional = false;
    if (f.get("optional") != null) {
      optional = checkBool(f.get("optional"));
    }
    refs.add(new SecretRef(target, name == null ? "" : name, key, optional, node.source().origin, node.path(), envVar,
        scope));
  }
}
