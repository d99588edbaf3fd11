package dev.isb.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isb.servers.RedisCluster;
import dev.isb.servers.RedisServer;
import dev.isb.servers.RedisWire;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Redis extension's standalone variants against real redis-server processes, spoken to over raw
 * sockets (RESP) and {@code redis-cli}, so that the test kit needs no Redis client library.
 */
class RedisServerExtensionTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final String PING = "*1\r\n$4\r\nPING\r\n";

  @RegisterExtension static final RedisServerExtension REDIS = RedisServerExtension.standalone();

  @RegisterExtension
  static final RedisServerExtension AUTH =
      RedisServerExtension.standalone()
          .withPassword("s3cret")
          .withAclUser("vertex", "vpass", List.of("isb:*"), List.of("get", "set", "ping"));

  @RegisterExtension
  static final RedisServerExtension SECURE = RedisServerExtension.standalone().withTls();

  @RegisterExtension
  static final RedisServerExtension MUTUAL = RedisServerExtension.standalone().withMutualTls();

  @RegisterExtension
  static final RedisServerExtension DURABLE = RedisServerExtension.standalone().withAppendOnly();

  @Test
  @DisplayName("a server answers PING on a random loopback port, never the system Redis's 6379")
  void answersPing() throws IOException {
    RedisServer server = REDIS.server();

    assertThat(call(server.port(), "PING")).isEqualTo("PONG");
    assertThat(server.port()).isNotEqualTo(6379);
    assertThat(REDIS.uri()).isEqualTo("redis://127.0.0.1:" + server.port()).isEqualTo(REDIS.uris());
    assertThat(server.host()).isEqualTo("127.0.0.1");
    assertThat(server.password()).isEmpty();
    assertThat(Files.readString(server.configFile()))
        .contains("bind 127.0.0.1\n", "save \"\"\n", "appendonly no\n", "protected-mode no\n");
    assertThat(call(server.port(), "CONFIG", "GET", "appendonly"))
        .isEqualTo(List.of("appendonly", "no"));
  }

  @Test
  @DisplayName(
      "a server with a password refuses commands until AUTH, and accepts only that password")
  void passwordIsRequired() throws IOException {
    int port = AUTH.server().port();

    try (RedisWire wire = connect(port)) {
      assertThat(errorCode(wire.call("PING"))).isEqualTo("NOAUTH");
      assertThat(errorCode(wire.call("AUTH", "wrong"))).isEqualTo("WRONGPASS");
      assertThat(wire.call("AUTH", "s3cret")).isEqualTo("OK");
      assertThat(wire.call("PING")).isEqualTo("PONG");
    }
    assertThat(AUTH.password()).contains("s3cret");
    assertThat(AUTH.uri()).doesNotContain("s3cret");
  }

  @Test
  @DisplayName("an ACL user runs its commands on its keys and gets NOPERM for anything else")
  void aclUserIsLimited() throws IOException {
    int port = AUTH.server().port();
    RedisServer.AclUser user = AUTH.aclUsers().get(0);

    try (RedisWire wire = connect(port)) {
      assertThat(wire.call("AUTH", user.name(), user.password())).isEqualTo("OK");
      assertThat(wire.call("SET", "isb:k", "v")).isEqualTo("OK");
      assertThat(wire.call("GET", "isb:k")).isEqualTo("v");
      assertThat(errorCode(wire.call("SET", "other", "v"))).isEqualTo("NOPERM");
      assertThat(errorCode(wire.call("DEL", "isb:k"))).isEqualTo("NOPERM");
    }
    assertThat(user.keyPatterns()).containsExactly("isb:*");
    assertThat(user.toString()).doesNotContain("vpass");
  }

  @Test
  @DisplayName("a TLS server answers over TLS trusted through the test CA, and refuses plain text")
  void tlsServer() throws Exception {
    RedisServer server = SECURE.server();
    int port = server.port();

    assertThat(SECURE.uri()).isEqualTo("rediss://127.0.0.1:" + port);
    assertThat(pingOverTls(port, SECURE.sslContext(), "localhost")).isEqualTo("+PONG");
    assertThat(pingOverTls(port, SECURE.sslContext(), "127.0.0.1")).isEqualTo("+PONG");
    assertThatThrownBy(() -> pingOverTls(port, SECURE.untrustedSslContext(), "localhost"))
        .isInstanceOf(SSLHandshakeException.class);
    assertThatThrownBy(() -> call(port, "PING")).isInstanceOf(IOException.class);
    assertThat(Files.readString(SECURE.caCertificate())).startsWith("-----BEGIN CERTIFICATE-----");
    assertThat(
            redisCli(
                "--tls",
                "--cacert",
                SECURE.caCertificate().toString(),
                "-p",
                Integer.toString(port),
                "PING"))
        .isEqualTo("PONG");
  }

  @Test
  @DisplayName("a mutual-TLS server accepts only clients with a certificate from the test CA")
  void mutualTlsServer() throws IOException {
    int port = MUTUAL.server().port();

    assertThat(MUTUAL.server().mutualTls()).isTrue();
    assertThat(pingOverTls(port, MUTUAL.clientSslContext(), "localhost")).isEqualTo("+PONG");
    assertThatThrownBy(() -> pingOverTls(port, MUTUAL.sslContext(), "localhost"))
        .isInstanceOf(IOException.class);
  }

  @Test
  @DisplayName("a killed server restarts on the same port, without its data when not append-only")
  void killAndRestartKeepThePort() throws IOException {
    RedisServer server = REDIS.server();
    int port = server.port();
    assertThat(call(port, "SET", "volatile", "v")).isEqualTo("OK");

    server.kill();
    assertThat(server.isRunning()).isFalse();
    assertThatThrownBy(() -> call(port, "PING")).isInstanceOf(ConnectException.class);
    server.restart();

    assertThat(server.isRunning()).isTrue();
    assertThat(server.port()).isEqualTo(port);
    assertThat(call(port, "PING")).isEqualTo("PONG");
    assertThat(call(port, "GET", "volatile")).isNull();
  }

  @Test
  @DisplayName("a paused server answers nothing, and answers again once resumed")
  void pauseAndResume() throws IOException {
    String answer =
        ServerProbes.answerAfterPauseAndResume(
            REDIS.server(), RedisServerExtensionTest::rawPing, TIMEOUT);

    assertThat(answer).isEqualTo("+PONG");
  }

  @Test
  @DisplayName("an append-only server keeps an acknowledged key across kill -9 and restart")
  void appendOnlySurvivesKill() throws IOException {
    RedisServer server = DURABLE.server();
    assertThat(server.appendOnly()).isTrue();
    assertThat(call(server.port(), "SET", "durable", "kept")).isEqualTo("OK");

    server.kill();
    server.restart();

    assertThat(call(server.port(), "GET", "durable")).isEqualTo("kept");
  }

  @Test
  @DisplayName("invalid settings are refused with the value in the message")
  void validation() {
    assertThatThrownBy(() -> RedisServerExtension.standalone().withPassword("has space"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("was 'has space'");
    assertThatThrownBy(
            () ->
                RedisServerExtension.standalone()
                    .withAclUser("default", "p", List.of("*"), List.of("get")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("was 'default'");
    assertThatThrownBy(
            () ->
                RedisServerExtension.standalone().withAclUser("u", "p", List.of(), List.of("get")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("keyPatterns");
    assertThatThrownBy(
            () ->
                RedisServerExtension.standalone()
                    .withAclUser("u", "p", List.of("*"), List.of("get x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("was 'get x'");
    assertThatThrownBy(
            () ->
                RedisServerExtension.standalone()
                    .withAclUser("u", "p", List.of("*"), List.of("get"))
                    .withAclUser("u", "q", List.of("*"), List.of("get")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'u'");
    assertThatThrownBy(() -> RedisServerExtension.cluster(2, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("was 2");
    assertThatThrownBy(() -> RedisServerExtension.cluster(3, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("was -1");
    assertThatThrownBy(() -> RedisServer.builder().startTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("startTimeout");
  }

  @Test
  @DisplayName("accessors that do not fit the variant say what to use instead")
  void wrongAccessors() {
    assertThatThrownBy(REDIS::cluster).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(REDIS::sentinelSetup).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(REDIS::sslContext)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no TLS");
    assertThatThrownBy(() -> RedisServerExtension.standalone().uri())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not running");
  }

  @Test
  @DisplayName(
      "a server that cannot start fails with the tail of its log and leaves nothing behind")
  void startFailureShowsTheLog(@TempDir Path dir) throws IOException {
    Path fake = ServerProbes.failingBinary(dir, "redis-server");

    ServerProbes.assertStartFailsWithItsLog(() -> RedisServer.builder().binary(fake).start());
    assertThat(leftBehind()).isZero();
  }

  @Nested
  @DisplayName("in a nested class")
  class InANestedClass {
    @Test
    @DisplayName("the outer class's server serves, and keeps running after the nested class")
    void outerServerServes() throws IOException {
      assertThat(call(REDIS.server().port(), "PING")).isEqualTo("PONG");
    }
  }

  @AfterAll
  static void everyServerStillRunsAfterTheTests() {
    // The extensions stop their servers after this method; a nested class must not have done so.
    assertThat(REDIS.server().isRunning()).isTrue();
    assertThat(DURABLE.server().isRunning()).isTrue();
  }

  /** One command over a plain connection with no AUTH. */
  static Object call(int port, String... args) throws IOException {
    try (RedisWire wire = connect(port)) {
      return wire.call(args);
    }
  }

  static RedisWire connect(int port) throws IOException {
    return RedisWire.connect(port, null, TIMEOUT);
  }

  static String errorCode(Object reply) {
    assertThat(reply).isInstanceOf(RedisWire.ErrorReply.class);
    return ((RedisWire.ErrorReply) reply).code();
  }

  /** Writes an inline PING and reads the first reply line, byte by byte. */
  private static String rawPing(int port, Duration timeout) throws IOException {
    try (Socket socket = ServerProbes.connect(port, timeout)) {
      return ping(socket);
    }
  }

  /** PING over TLS, checking that the certificate names {@code host}. */
  private static String pingOverTls(int port, SSLContext context, String host) throws IOException {
    try (Socket plain = ServerProbes.connect(port, TIMEOUT);
        SSLSocket tls = ServerProbes.startTls(plain, context, host, port)) {
      return ping(tls);
    }
  }

  private static String ping(Socket socket) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(PING.getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return ServerProbes.readLine(socket.getInputStream());
  }

  static String redisCli(String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(RedisCluster.findCli(null).orElseThrow().toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      return output.strip();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } finally {
      process.destroyForcibly();
    }
  }

  /** Temp directories of the kit whose server logged the fake binary's complaint. */
  private static long leftBehind() throws IOException {
    try (Stream<Path> entries = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return entries
          .filter(p -> p.getFileName().toString().startsWith("isb-redis-"))
          .map(p -> p.resolve("redis.log"))
          .filter(log -> Files.isRegularFile(log) && readQuietly(log).contains("boom"))
          .count();
    }
  }

  private static String readQuietly(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return ""; // deleted meanwhile
    }
  }
}
