package dev.isb.jetstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isb.BufferConfig;
import dev.isb.IsbBackendException;
import dev.isb.IsbClient;
import dev.isb.IsbOptions;
import dev.isb.Message;
import dev.isb.MessageId;
import dev.isb.WriteResult;
import dev.isb.testkit.NatsServerExtension;
import io.nats.client.NKey;
import java.security.SecureRandom;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("JetStream with NKey authentication")
class JetStreamNkeyTest {

  private static final NKey USER = newUser();
  private static final NKey STRANGER = newUser();

  @RegisterExtension
  static final NatsServerExtension NATS = NatsServerExtension.single().withNkey(publicKey(USER));

  private static NKey newUser() {
    try {
      return NKey.createUser(new SecureRandom());
    } catch (Exception e) {
      throw new IllegalStateException("cannot create a test NKey", e);
    }
  }

  private static String publicKey(NKey key) {
    try {
      return new String(key.getPublicKey());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String seed(NKey key) {
    try {
      return new String(key.getSeed());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static IsbOptions options(NKey key) {
    return IsbOptions.builder().backend("jetstream").url(NATS.url()).property("nkey.seed", seed(key)).build();
  }

  @Test
  @DisplayName("the user's NKey seed signs in, and buffers can be created and written")
  void seedWorks() {
    String buffer = "nkey-" + UUID.randomUUID().toString().substring(0, 8) + "-0";
    try (IsbClient client = IsbClient.open(options(USER))) {
      client.admin().createBuffers(List.of(buffer), BufferConfig.defaults().toBuilder()
          .stream(BufferConfig.Stream.defaults().toBuilder().replicas(1).build()).build());
      try (var writer = client.writer(buffer)) {
        assertThat(writer.write(Message.data(new MessageId("v", "1", 0), new byte[] {1})))
            .isInstanceOf(WriteResult.Written.class);
      }
      client.admin().deleteBuffers(List.of(buffer));
    }
  }

  @Test
  @DisplayName("another NKey is refused with a clear authorization error that shows no seed")
  void otherSeedIsRefused() {
    String strangerSeed = seed(STRANGER);
    assertThatThrownBy(() -> IsbClient.open(options(STRANGER)))
        .isInstanceOf(IsbBackendException.class)
        .hasMessageContaining("Authorization Violation")
        .satisfies(e -> assertThat(e.toString()).doesNotContain(strangerSeed))
        .satisfies(e -> assertThat(e.getMessage()).contains("nkey.seed=<redacted>"));
  }

  @Test
  @DisplayName("a creds file that cannot be read is a configuration error naming the path")
  void unreadableCredsFile() {
    assertThatThrownBy(() -> IsbClient.open(IsbOptions.builder().backend("jetstream").url(NATS.url())
        .property("creds.file", "/nonexistent/user.creds").build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("creds.file was '/nonexistent/user.creds' but it is not a readable file");
  }
}
