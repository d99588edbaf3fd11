package dev.isb.config;

import static dev.isb.config.ConfigResolver.DEFAULT;

import dev.isb.config.ConfigResolver.Entry;
import dev.isb.Retention;
import dev.isb.config.ConfigValues.BadValue;
import dev.isb.spi.BufferFullGate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Decides, once every source is read: which backend is meant, which entry of each setting wins (the
 * highest layer, the last within a layer; values for another backend dropped with a warning), and
 * whether the winners make sense together (addresses, TLS files, one way to authenticate, replicas
 * within the server's nodes). Problems are reported where the value came from. Single use, not
 * thread-safe.
 */
final class ConfigChecks extends ResolutionStep {

  /** The keys of the Redis backend's sentinel settings, which Numaflow's layout pairs (a wire to the backend). */
  static final String SENTINEL_URL = "sentinel.url";
  static final String SENTINEL_MASTER = "sentinel.master";

  ConfigChecks(ConfigEntries c) {
    super(c);
  }

  // ---- resolution and cross-checks ----------------------------------------------------------

  String backend() {
    Entry winner = null;
    for (Entry e : entries) {
      if (e.setting() == ConfigSetting.BACKEND && (winner == null || e.layer() >= winner.layer())) {
        winner = e;
      }
    }
    if (winner != null) {
      return (String) winner.value();
    }
    // Nothing named a backend: only the builder can have given addresses; their scheme decides.
    for (Entry e : entries) {
      if (e.setting().key().equals(SENTINEL_URL) || e.setting().key().equals(SENTINEL_MASTER)) {
        return "redis";
      }
      if (e.setting() == ConfigSetting.URL) {
        String first = ((List<?>) e.value()).get(0).toString().toLowerCase(Locale.ROOT);
        return first.startsWith("redis://") || first.startsWith("rediss://") ? "redis" : "jetstream";
      }
    }
    return "jetstream"; // Numaflow's NUMAFLOW_ISBSVC_TYPE default; the missing url is reported in check()
  }

  Map<Setting, Entry> winners(String backend) {
    Map<Setting, Entry> winners = new HashMap<>();
    for (Entry e : entries) {
      if (e.scope() != null && !e.scope().equals(backend)) {
        if (!backend.equals("memory")) {
          sink.warning(e.origin(), e.path(), "is for a " + e.scope() + " ISB service but the backend is " + backend
              + "; it is ignored");
        }
        continue;
      }
      Entry w = winners.get(e.setting());
      if (w == null || e.layer() >= w.layer()) {
        winners.put(e.setting(), e);
      }
    }
    // In the catalog's order, which describe() keeps.
    var ordered = new LinkedHashMap<Setting, Entry>();
    for (Setting s : in.settings.all()) {
      Entry w = winners.get(s);
      Set<String> only = s.onlyFor();
      if (w != null && !only.isEmpty() && !only.contains(backend)) {
        if (w.layer() != DEFAULT && !backend.equals("memory")) {
          sink.warning(w.origin(), w.path(), "sets " + s.key() + ", which only a " + String.join(" or ", only)
              + " ISB service uses; it is ignored");
        }
      } else if (w != null) {
        ordered.put(s, w);
      }
    }
    winners = ordered;
    if (!backend.equals("memory")) {
      for (ConfigSetting s : List.of(ConfigSetting.TLS_CA_FILE, ConfigSetting.TLS_CERT_FILE,
          ConfigSetting.TLS_KEY_FILE)) {
        Entry w = winners.get(s);
        if (w != null && !tls(winners)) {
          sink.warning(w.origin(), w.path(), "sets " + s.key + " but TLS is off; it is ignored");
          winners.remove(s);
        }
      }
    }
    return winners;
  }

  private static final java.util.regex.Pattern SHORT_SERVICE_HOST =
      java.util.regex.Pattern.compile("isbsvc-.+-js-svc");

  static boolean tls(Map<Setting, Entry> winners) {
    Entry tls = winners.get(ConfigSetting.TLS);
    if (tls != null && (Boolean) tls.value()) {
      return true;
    }
    for (String key : List.of(ConfigSetting.URL.key, SENTINEL_URL)) {
      Entry urls = byKey(winners, key);
      if (urls != null && urls.value() instanceof List<?> list
          && list.stream().anyMatch(u -> ConfigValues.impliesTls(u.toString()))) {
        return true;
      }
    }
    return false;
  }

  /**
   * The stream must hold what the writer lets pile up: a problem under Limits retention (messages
   * would be discarded unread), a warning otherwise (writes would be refused); see {@link
   * BufferFullGate#roomProblem}.
   */
  private void checkStreamRoom(Map<Setting, Entry> w) {
    Entry maxMsgs = w.get(ConfigSetting.STREAM_MAX_MSGS);
    Entry maxLength = w.get(ConfigSetting.WRITER_MAX_LENGTH);
    Entry usageLimit = w.get(ConfigSetting.WRITER_USAGE_LIMIT);
    var retention = (Retention) w.get(ConfigSetting.STREAM_RETENTION).value();
    BufferFullGate.roomProblem(retention, (Long) maxMsgs.value(), (Long) maxLength.value(),
        (Double) usageLimit.value()).ifPresent(why -> {
          String sources = " (writer.maxLength from " + maxLength.describeSource() + ", writer.usageLimit from "
              + usageLimit.describeSource() + ")";
          if (retention == Retention.LIMITS) {
            problemAt(maxMsgs, "hold what the writer allows: " + why + sources);
          } else {
            sink.warning(maxMsgs.origin(), maxMsgs.path() == null ? "stream.maxMsgs" : maxMsgs.path(), why + sources);
          }
        });
  }

  /**
   * Warns of a URL host that is the ISB service's short name ({@code isbsvc-<name>-js-svc}, no
   * namespace): the certificate Numaflow's controller makes names only
   * {@code isbsvc-<name>-js-svc.<namespace>.svc} and {@code ….svc.cluster.local}, so host-name
   * verification refuses the short one.
   */
  private void checkServiceHostNames(Entry url) {
    if (url == null || !(url.value() instanceof List<?> urls)) {
      return;
    }
    for (Object u : urls) {
      String host = ConfigValues.hostOf(u.toString());
      if (host != null && SHORT_SERVICE_HOST.matcher(host).matches()) {
        sink.warning(url.origin(), url.path() == null ? "url" : url.path(), "names the host " + host + ", which the certificate of Numaflow's"
            + " JetStream service does not name (it names " + host + ".<namespace>.svc): the TLS host-name check"
            + " will refuse it; set the resource's metadata.namespace or NUMAFLOW_NAMESPACE, or give the URL with"
            + " the namespace");
      }
    }
  }

  /** The winner of the setting with this key, or null; for the settings a backend declares. */
  static Entry byKey(Map<Setting, Entry> winners, String key) {
    for (Map.Entry<Setting, Entry> e : winners.entrySet()) {
      if (e.getKey().key().equals(key)) {
        return e.getValue();
      }
    }
    return null;
  }

  /** A problem with a resolved value, reported where that value came from. */
  private void problemAt(Entry e, String rule) {
    sink.problem(e.origin(), e.path(), e.setting().display(e.value()), rule);
  }

  void check(String backend, Map<Setting, Entry> w) {
    if (backend.equals("memory")) {
      return;
    }
    Entry url = w.get(ConfigSetting.URL);
    if (backend.equals("jetstream")) {
      if (url == null) {
        if (!sink.unreadable) {
          sink.problem("all sources", "url", null, "be set: by NUMAFLOW_ISBSVC_CONFIG or "
              + "NUMAFLOW_ISBSVC_JETSTREAM_URL, by an InterStepBufferService named '" + c.serviceName
              + "', or by IsbConfig.Builder.url");
        }
      } else {
        addresses(url, true);
      }
    } else {
      Entry sentinel = byKey(w, SENTINEL_URL);
      Entry master = byKey(w, SENTINEL_MASTER);
      if (url != null) {
        addresses(url, false);
      }
      if (sentinel != null) {
        addresses(sentinel, false);
      }
      if (master != null && sentinel == null && !unresolved.contains(SENTINEL_URL)) {
        problemAt(master, "come with sentinel.url, the addresses of the sentinels");
      } else if (sentinel != null && master == null && url == null
          && !unresolved.contains(SENTINEL_MASTER)) {
        problemAt(sentinel, "come with sentinel.master, the name of the master the sentinels watch");
      } else if (sentinel != null && master == null) {
        sink.warning(sentinel.origin(), sentinel.path(), "sets sentinel.url without sentinel.master; "
            + "it is ignored and url is used");
        w.remove(sentinel.setting());
      }
      if (url == null && sentinel == null && !sink.unreadable) {
        sink.problem("all sources", "url", null, "be set: by NUMAFLOW_ISBSVC_CONFIG, NUMAFLOW_ISBSVC_REDIS_URL or "
            + "NUMAFLOW_ISBSVC_REDIS_SENTINEL_URL, by an InterStepBufferService named '" + c.serviceName
            + "', or by IsbConfig.Builder.url");
      }
    }
    Entry ca = w.get(ConfigSetting.TLS_CA_FILE);
    Entry skip = w.get(ConfigSetting.TLS_INSECURE_SKIP_VERIFY);
    if (ca != null && skip != null && (Boolean) skip.value()) {
      problemAt(skip, "not be true when tls.caFile is set (" + ca.describeSource() + ")");
    }
    Entry cert = w.get(ConfigSetting.TLS_CERT_FILE);
    Entry key = w.get(ConfigSetting.TLS_KEY_FILE);
    if (cert != null && key == null && !unresolved.contains(ConfigSetting.TLS_KEY_FILE.key)) {
      problemAt(cert, "come with tls.keyFile, the client certificate's private key");
    } else if (key != null && cert == null && !unresolved.contains(ConfigSetting.TLS_CERT_FILE.key)) {
      problemAt(key, "come with tls.certFile, the client certificate");
    }
    if (tls(w) && ca == null && (skip == null || !(Boolean) skip.value()) && backend.equals("jetstream")) {
      sink.warning("all sources", "tls", "is on without tls.caFile: the server's certificate must be trusted by the "
          + "JVM; Numaflow's JetStream uses a self-signed one (its CA is key ca-cert of secret isbsvc-" + c.serviceName
          + "-js-server)");
    }
    if (backend.equals("jetstream")) {
      checkJetStreamAuth(w);
      checkReplicas(w);
      if (tls(w) && (skip == null || !(Boolean) skip.value())) {
        checkServiceHostNames(url);
      }
    }
    if (backend.equals("jetstream")) {
      checkStreamRoom(w);
    }
    Entry duplicates = w.get(ConfigSetting.STREAM_DUPLICATES);
    Entry maxAge = w.get(ConfigSetting.STREAM_MAX_AGE);
    var age = (java.time.Duration) maxAge.value();
    if (!age.isZero() && ((java.time.Duration) duplicates.value()).compareTo(age) > 0) {
      problemAt(duplicates, "be at most stream.maxAge, " + ConfigValues.formatDuration(age) + " ("
          + maxAge.describeSource() + ")");
    }
  }

  private void addresses(Entry e, boolean nats) {
    if (!(e.value() instanceof List<?> list)) {
      return; // a backend declared the key with another kind: its own rule checked it
    }
    for (Object a : list) {
      try {
        if (nats) {
          ConfigValues.natsAddress(a.toString());
        } else {
          ConfigValues.redisAddress(a.toString());
        }
      } catch (BadValue ex) {
        problemAt(e, ex.rule());
        return;
      }
    }
  }

  private void checkJetStreamAuth(Map<Setting, Entry> w) {
    Entry user = w.get(ConfigSetting.USER);
    Entry password = w.get(ConfigSetting.PASSWORD);
    if (user != null && password == null) {
      if (!unresolved.contains(ConfigSetting.PASSWORD.key)) {
        problemAt(user, "come with a password");
      }
    } else if (password != null && user == null && !unresolved.contains(ConfigSetting.USER.key)) {
      problemAt(password, "come with a user");
    }
    var methods = new ArrayList<Entry>();
    // The JetStream backend's other ways, by their keys: token, NKey seed, creds file.
    for (String key : List.of(ConfigSetting.USER.key, "token", "nkey.seed", "creds.file")) {
      Entry e = byKey(w, key);
      if (e == null && key.equals(ConfigSetting.USER.key)) {
        e = password;
      }
      if (e != null) {
        methods.add(e);
      }
    }
    for (int i = 1; i < methods.size(); i++) {
      Entry first = methods.get(0);
      String what = first.setting() == ConfigSetting.PASSWORD || first.setting() == ConfigSetting.USER
          ? "user and password are" : first.setting().key() + " is";
      problemAt(methods.get(i), "be the only way to authenticate (" + what + " set too, by "
          + first.describeSource() + ")");
    }
  }

  private void checkReplicas(Map<Setting, Entry> w) {
    Entry nodes = w.get(ConfigSetting.JETSTREAM_REPLICAS);
    if (nodes == null) {
      return;
    }
    int n = (Integer) nodes.value();
    for (ConfigSetting s : List.of(ConfigSetting.STREAM_REPLICAS, ConfigSetting.OT_REPLICAS,
        ConfigSetting.PROC_REPLICAS)) {
      Entry e = w.get(s);
      if ((Integer) e.value() > n) {
        problemAt(e, "be at most " + n + ", the number of JetStream server nodes (" + nodes.describeSource() + ")");
      }
    }
  }
}
