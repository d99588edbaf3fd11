package dev.isb.jetstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isb.config.IsbConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The settings JetStreamBackend declares are the rules IsbConfig checks, redacts and describes them by. */
class JetStreamSettingsTest {

  @TempDir
  Path tmp;

  @Test
  @DisplayName("a token or an NKey seed that breaks the backend's rule is refused, and not printed")
  void rules() {
    assertThatThrownBy(() -> IsbConfig.builder().token("two words")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("token was '<redacted>' but it must be a single word with no spaces or line breaks");
    assertThatThrownBy(() -> IsbConfig.builder().nkeySeed("SUnot-a-seed")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("nkey.seed was '<redacted>' but it must be an NKey user seed: 58 characters of base32 starting "
            + "with SU");
  }

  @Test
  @DisplayName("a creds file without a JWT and a seed is refused, naming its path")
  void credsFile() throws Exception {
    Path creds = Files.writeString(tmp.resolve("user.creds"), "not creds");
    assertThatThrownBy(() -> IsbConfig.builder().credsFile(creds)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("creds.file was '" + creds + "' but it must be a NATS .creds file holding a user JWT and an "
            + "NKey seed");
  }

  @Test
  @DisplayName("a token is handed to the backend, and redacted by describe()")
  void token() {
    IsbConfig config = IsbConfig.builder().url("nats://h:4222").token("s3cr3t-token").build();

    assertThat(config.toIsbOptions().properties()).containsEntry("token", "s3cr3t-token");
    assertThat(config.describe()).contains("token ", "= <redacted>  (builder)").doesNotContain("s3cr3t-token");
  }
}
