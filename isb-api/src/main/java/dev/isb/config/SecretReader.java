package dev.isb.config;

import static dev.isb.config.ConfigResolver.ENV;
import static dev.isb.config.ConfigResolver.SECRET;

import dev.isb.Redaction;
import dev.isb.config.ConfigEntries.SecretRef;
import dev.isb.config.ConfigResolver.Entry;
import dev.isb.config.ConfigResolver.Place;
import dev.isb.config.ConfigValues.BadValue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reads secret directories (layer {@code SECRET}): each file a Kubernetes Secret's key, named as in
 * {@link #SECRET_FILES}, and the keys other sources refer to, looked up as
 * {@code <dir>/<key>} or {@code <dir>/<name>/<key>}. Single use, not thread-safe.
 */
final class SecretReader extends ResolutionStep {

  /**
   * Secret file names, as Kubernetes mounts a Secret's keys, and the key of the setting each one gives
   * (Numaflow's layout; {@code token}, {@code nkey.seed}, {@code creds.file} and {@code sentinel.password}
   * are the backends' own settings).
   */
  static final Map<String, String> SECRET_FILES;

  static {
    var m = new LinkedHashMap<String, String>();
    m.put("user", ConfigSetting.USER.key);
    m.put("client-auth-user", ConfigSetting.USER.key);
    m.put("password", ConfigSetting.PASSWORD.key);
    m.put("client-auth-password", ConfigSetting.PASSWORD.key);
    m.put("redis-password", ConfigSetting.PASSWORD.key);
    m.put("token", "token");
    m.put("nkey-seed", "nkey.seed");
    m.put("nkey", "nkey.seed");
    m.put("creds", "creds.file");
    m.put("user.creds", "creds.file");
    m.put("ca.crt", ConfigSetting.TLS_CA_FILE.key);
    m.put("ca-cert", ConfigSetting.TLS_CA_FILE.key);
    m.put("tls.crt", ConfigSetting.TLS_CERT_FILE.key);
    m.put("tls.key", ConfigSetting.TLS_KEY_FILE.key);
    m.put("sentinel-password", "sentinel.password");
    SECRET_FILES = Collections.unmodifiableMap(m);
  }

  SecretReader(ConfigEntries c) {
    super(c);
  }

  // ---- 5. secret files ----------------------------------------------------------------------

  void readSecretDir(Place place) {
    Path dir = place.path();
    if (!Files.isDirectory(dir)) {
      if (place.explicit()) {
        sink.problem(place.origin(), place.setting(), dir.toString(), "be an existing directory");
      }
      consulted.add("secret dir " + dir + " (not found, skipped)");
      return;
    }
    String origin = "secret " + dir;
    var found = new LinkedHashMap<Setting, String>();
    int used = 0;
    for (Path file : secretFiles(dir)) {
      String rel = dir.relativize(file).toString().replace('\\', '/');
      String name = file.getFileName().toString();
      String key = SECRET_FILES.get(name);
      if (key == null) {
        String hint = ConfigValues.closest(name, SECRET_FILES.keySet());
        if (hint != null) {
          sink.warning(origin, rel, "is not a known secret file name; it is ignored (did you mean " + hint + "?)");
        }
        continue;
      }
      Setting s = c.setting(key, origin, rel);
      if (s == null) {
        continue;
      }
      if (found.containsKey(s)) {
        sink.problem(origin, rel, s.secret() ? Redaction.REDACTED : file.toString(),
            "be the only file for " + s.key() + " in this directory (" + found.get(s) + " is there too)");
        continue;
      }
      found.put(s, rel);
      used++;
      secretEntry(s, dir, file, rel);
    }
    consulted.add("secret dir " + dir + " (" + used + (used == 1 ? " file" : " files") + " used)");
  }

  private List<Path> secretFiles(Path dir) {
    var out = new ArrayList<Path>();
    try (Stream<Path> list = Files.list(dir)) {
      for (Path p : list.sorted().collect(Collectors.toList())) {
        if (p.getFileName().toString().startsWith(".")) {
          continue; // Kubernetes' ..data links
        }
        if (Files.isRegularFile(p)) {
          out.add(p);
        } else if (Files.isDirectory(p)) {
          try (Stream<Path> sub = Files.list(p)) {
            sub.filter(q -> !q.getFileName().toString().startsWith(".")).filter(Files::isRegularFile).sorted()
                .forEach(out::add);
          }
        }
      }
    } catch (IOException e) {
      sink.problem("secret " + dir, "(directory)", dir.toString(), "be readable");
    }
    return out;
  }

  private void secretEntry(Setting s, Path dir, Path file, String rel) {
    String origin = "secret " + dir;
    Object raw;
    if (s.file()) {
      raw = file;
    } else {
      try {
        raw = Files.readString(file, StandardCharsets.UTF_8);
      } catch (IOException e) {
        sink.problem(origin, rel, null, "be a readable UTF-8 file");
        return;
      }
    }
    try {
      entries.add(new Entry(s, s.parse(raw), SECRET, origin, rel, null, null));
    } catch (BadValue e) {
      unresolved.add(s.key());
      sink.problem(origin, rel, s.secret() ? Redaction.REDACTED : raw instanceof Path ? raw.toString()
          : ConfigValues.shorten(raw.toString()), e.rule());
    }
  }

  void resolveSecretRefs(String backend) {
    for (SecretRef ref : refs) {
      if (ref.scope() != null && !ref.scope().equals(backend)) {
        continue;
      }
      boolean given = entries.stream().anyMatch(e -> e.setting().key().equals(ref.target()) && e.layer() >= ENV
          && (e.scope() == null || e.scope().equals(backend)));
      if (given) {
        continue;
      }
      Path found = null;
      Place foundIn = null;
      for (Place dir : secretDirs) { // a later directory wins, and in one, <name>/<key> beats <key>
        var candidates = new ArrayList<Path>(List.of(dir.path().resolve(ref.key())));
        if (!ref.name().isEmpty()) {
          candidates.add(dir.path().resolve(ref.name()).resolve(ref.key()));
        }
        for (Path candidate : candidates) {
          if (Files.isRegularFile(candidate)) {
            found = candidate;
            foundIn = dir;
          }
        }
      }
      if (found != null) {
        String rel = foundIn.path().relativize(found).toString().replace('\\', '/');
        Setting s = c.setting(ref.target(), "secret " + foundIn.path(), rel);
        if (s != null) {
          secretEntry(s, foundIn.path(), found, rel);
        }
      } else if (!ref.optional()) {
        unresolved.add(ref.target());
        String dirs = secretDirs.isEmpty() ? "no secret directory is configured"
            : "looked in " + secretDirs.stream().map(p -> p.path().toString()).collect(Collectors.joining(", "));
        sink.problem(ref.origin(), ref.path(), ref.name() + "/" + ref.key(), "be found: "
            + (ref.envVar() == null ? "" : "set " + ref.envVar() + " or ")
            + "mount key " + ref.key() + " of secret " + ref.name() + " in a secret directory (" + dirs + ")");
      }
    }
  }
}
