package dev.isb.config;

import dev.isb.IsbClient;
import dev.isb.IsbOptions;
import dev.isb.spi.BackendSetting;
import dev.isb.spi.BackendSetting.Kind;
import dev.isb.spi.IsbBackend;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * isb-api's tests cannot have the real backends on their class path (they depend on isb-api), yet
 * the configuration tests read JetStream and Redis settings. These stand-ins, registered in
 * {@code src/test/resources/META-INF/services}, declare the same settings as {@code JetStreamBackend}
 * and {@code RedisBackend}; they open nothing. The backends' own tests ({@code JetStreamSettingsTest},
 * {@code RedisSettingsTest}) check the real declarations.
 */
public final class StandInBackends {

  private StandInBackends() {}

  /** Declares what {@code JetStreamBackend} declares. */
  public static final class JetStream extends StandIn {
    private static final Pattern SEED = Pattern.compile("SU[A-Z2-7]{56}");

    /** For {@link java.util.ServiceLoader}. */
    public JetStream() {
      super("jetstream", List.of(
          BackendSetting.of("token", Kind.SECRET,
              BackendSetting.rule(t -> !t.isEmpty() && t.chars().noneMatch(Character::isWhitespace),
                  "be a single word with no spaces or line breaks")),
          BackendSetting.of("nkey.seed", Kind.SECRET, BackendSetting.rule(s -> SEED.matcher(s.trim()).matches(),
              "be an NKey user seed: 58 characters of base32 starting with SU")),
          BackendSetting.of("creds.file", Kind.FILE, path -> {
            try {
              String content = Files.readString(Path.of(path), StandardCharsets.ISO_8859_1);
              return content.contains("-----BEGIN NATS USER JWT-----")
                  && content.contains("-----BEGIN USER NKEY SEED-----") ? Optional.empty()
                  : Optional.of("be a NATS .creds file holding a user JWT and an NKey seed");
            } catch (IOException e) {
              return Optional.of("be a readable file");
            }
          })));
    }
  }

  /** Declares what {@code RedisBackend} declares. */
  public static final class Redis extends StandIn {
    /** For {@link java.util.ServiceLoader}. */
    public Redis() {
      super("redis", List.of(
          BackendSetting.of("sentinel.url", Kind.ADDRESSES, BackendSetting.ANY),
          BackendSetting.of("sentinel.master", Kind.TEXT, BackendSetting.ANY),
          BackendSetting.of("sentinel.password", Kind.SECRET, p -> p.isEmpty() ? Optional.of("not be empty")
              : p.indexOf('\n') >= 0 || p.indexOf('\r') >= 0 ? Optional.of("be a single line") : Optional.empty()),
          BackendSetting.of("cluster.maxRedirects", Kind.WHOLE_NUMBER,
              BackendSetting.rule(n -> Long.parseLong(n) >= 0 && Long.parseLong(n) <= Integer.MAX_VALUE,
                  "be 0 or more")).withDefault("3"),
          BackendSetting.of("wait.replicas", Kind.TEXT, BackendSetting.rule(n -> n.matches("\\d+"),
              "be a whole number >= 0")),
          BackendSetting.of("wait.timeoutMillis", Kind.TEXT, BackendSetting.rule(n -> n.matches("0*[1-9]\\d*"),
              "be a positive number of milliseconds"))));
    }
  }

  private abstract static class StandIn implements IsbBackend {
    private final String name;
    private final List<BackendSetting> settings;

    StandIn(String name, List<BackendSetting> settings) {
      this.name = name;
      this.settings = settings;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public List<BackendSetting> settings() {
      return settings;
    }

    @Override
    public IsbClient open(IsbOptions options) {
      throw new UnsupportedOperationException("a stand-in for the " + name + " backend's settings; it opens nothing");
    }
  }
}
