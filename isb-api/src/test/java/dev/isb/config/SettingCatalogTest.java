package dev.isb.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isb.IsbClient;
import dev.isb.IsbOptions;
import dev.isb.spi.BackendSetting;
import dev.isb.spi.IsbBackend;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Which settings IsbConfig knows: its own, and those the backends on the class path declare. */
class SettingCatalogTest {

  @Test
  @DisplayName("without a backend on the class path, a backend's key is unknown; the core keys are known")
  void noBackends() {
    SettingCatalog catalog = SettingCatalog.of(List.of());

    assertThat(catalog.byKey("token")).isEmpty();
    assertThat(catalog.byKey("sentinel.url")).isEmpty();
    assertThat(catalog.byKey("STREAM.MAXMSGS")).contains(ConfigSetting.STREAM_MAX_MSGS);
    assertThat(catalog.all()).containsExactly(ConfigSetting.values());
  }

  @Test
  @DisplayName("a backend's settings follow the shared connection settings, are its own, and cannot replace a core one")
  void declared() {
    SettingCatalog catalog = SettingCatalog.of(List.of(new StandInBackends.JetStream(), new Declaring()));

    List<String> keys = catalog.all().stream().map(Setting::key).toList();
    assertThat(keys).containsSubsequence("tls.insecureSkipVerify", "token", "nkey.seed", "creds.file", "extra",
        "jetstream.replicas");
    assertThat(keys).containsOnlyOnce("user");
    assertThat(catalog.byKey("user")).contains(ConfigSetting.USER);
    Setting token = catalog.byKey("TOKEN").orElseThrow();
    assertThat(token.onlyFor()).containsExactly("jetstream");
    assertThat(token.secret()).isTrue();
    assertThat(SettingCatalog.declared(token)).isTrue();
    assertThat(catalog.byKey("extra").orElseThrow().onlyFor()).containsExactly("other");
  }

  /** Declares a core key (ignored) and one of its own. */
  public static final class Declaring implements IsbBackend {
    @Override
    public String name() {
      return "other";
    }

    @Override
    public List<BackendSetting> settings() {
      return List.of(BackendSetting.of("user", BackendSetting.Kind.SECRET, BackendSetting.ANY),
          BackendSetting.of("extra", BackendSetting.Kind.TEXT, BackendSetting.ANY));
    }

    @Override
    public IsbClient open(IsbOptions options) {
      throw new UnsupportedOperationException();
    }
  }
}
