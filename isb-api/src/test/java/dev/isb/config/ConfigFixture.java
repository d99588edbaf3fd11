package dev.isb.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.isb.IsbConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/**
 * Writes configuration files into a test's temporary directory and reads the test resources; holds the
 * credentials and the check of refused configurations that the configuration tests share.
 */
final class ConfigFixture {

  /** The JetStream credentials Numaflow injects into every vertex pod. */
  static final Map<String, String> JS_CREDENTIALS =
      Map.of("NUMAFLOW_ISBSVC_JETSTREAM_USER", "u", "NUMAFLOW_ISBSVC_JETSTREAM_PASSWORD", "p");

  final Path dir;

  ConfigFixture(Path dir) {
    this.dir = dir;
  }

  /** Writes a file (creating its directories) and returns its path. */
  Path write(String relative, String content) {
    Path file = dir.resolve(relative);
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, content, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  /** Copies a resource under {@code config/} to a file here and returns its path. */
  Path copy(String resource, String relative) {
    return write(relative, resource(resource));
  }

  /** Creates a directory here and returns its path. */
  Path mkdir(String relative) {
    try {
      return Files.createDirectories(dir.resolve(relative));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The text of a resource under {@code config/}. */
  static String resource(String name) {
    try (InputStream in = ConfigFixture.class.getResourceAsStream("/config/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource config/" + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The problems, as text, of the {@link IsbConfigException} that {@code build} throws. */
  static List<String> problems(ThrowingCallable build) {
    IsbConfigException e = catchThrowableOfType(IsbConfigException.class, build);
    assertThat(e).as("the configuration must be refused").isNotNull();
    return e.problems().stream().map(Object::toString).toList();
  }

  static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  /** The merged stream config as Numaflow's controller writes it: viper's keys, lower-cased and sorted. */
  static final String NUMAFLOW_STREAM_CONFIG = String.join("\n",
      "consumer:",
      "    ackwait: 60s",
      "    maxackpending: 25000",
      "otbucket:",
      "    history: 1",
      "    maxbytes: 0",
      "    maxvaluesize: 0",
      "    replicas: 3",
      "    storage: 0",
      "    ttl: 3h",
      "procbucket:",
      "    history: 1",
      "    maxbytes: 0",
      "    maxvaluesize: 0",
      "    replicas: 3",
      "    storage: 0",
      "    ttl: 72h",
      "stream:",
      "    duplicates: 60s",
      "    maxage: 72h",
      "    maxbytes: -1",
      "    maxmsgs: 100000",
      "    replicas: 3",
      "    retention: 0",
      "    storage: 0",
      "");

  /** NUMAFLOW_ISBSVC_CONFIG's JSON for a JetStream ISB service, as the controller writes it. */
  static String jetStreamConfigJson(String namespace, String streamConfig, boolean tls) {
    return "{\"jetstream\":{\"url\":\"nats://isbsvc-default-js-svc." + namespace + ".svc:4222\","
        + "\"auth\":{\"basic\":{\"user\":{\"name\":\"isbsvc-default-js-client-auth\",\"key\":\"client-auth-user\"},"
        + "\"password\":{\"name\":\"isbsvc-default-js-client-auth\",\"key\":\"client-auth-password\"}}},"
        + "\"streamConfig\":" + jsonString(streamConfig) + (tls ? ",\"tlsEnabled\":true" : "") + "}}";
  }

  static String jsonString(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
  }
}
