package dev.isb.jetstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.isb.BufferConfig;
import dev.isb.BufferReader;
import dev.isb.BufferWriter;
import dev.isb.IsbBackendException;
import dev.isb.IsbClient;
import dev.isb.IsbOptions;
import dev.isb.Message;
import dev.isb.MessageId;
import dev.isb.ReadMessage;
import dev.isb.ReaderOptions;
import dev.isb.Storage;
import dev.isb.WriteResult;
import dev.isb.servers.NatsServer;
import dev.isb.testkit.Await;
import dev.isb.testkit.LogCapture;
import dev.isb.testkit.NatsServerExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The server's certificate must name the host the client connects to, not only be signed by the
 * trusted CA: each server here has a certificate from the test CA that names one host only, so a
 * client that checked the CA alone would accept every one of them.
 */
@DisplayName("JetStream over TLS: the server's certificate must name the host")
class JetStreamTlsHostNameTest {

  /** A certificate for the name localhost only: no address, so a client that checks an address fails. */
  @RegisterExtension
  static final NatsServerExtension NAMED = NatsServerExtension.single().withTls().withServerNames("localhost");

  /** A certificate from the trusted CA for another host. */
  @RegisterExtension
  static final NatsServerExtension ELSEWHERE =
      NatsServerExtension.single().withTls().withServerNames("isb.example.invalid");

  /** A cluster whose certificate names localhost only; its nodes advertise 127.0.0.1 to clients. */
  @RegisterExtension
  static final NatsServerExtension CLUSTER = NatsServerExtension.cluster(3).withTls().withServerNames("localhost");

  /** A cluster whose certificate names 127.0.0.1 only, and whose nodes advertise the name localhost. */
  @RegisterExtension
  static final NatsServerExtension ADVERTISING_NAMES = NatsServerExtension.cluster(3).withTls()
      .withServerNames("127.0.0.1").withClientAdvertise("localhost");

  /** Three replicas: the buffer outlives the node the client is connected to. */
  private static final BufferConfig REPLICATED = StreamConfigs.withStream(3, Storage.MEMORY);

  private LogCapture logs;

  @BeforeEach
  void captureLogs() {
    logs = LogCapture.start();
  }

  @AfterEach
  void stopCapture() {
    logs.close();
  }

  private static IsbOptions options(NatsServerExtension nats, String host, int port) {
    return IsbOptions.builder().backend("jetstream").url("tls://" + host + ":" + port)
        .property("tls.caFile", nats.caCertificate().toString()).build();
  }

  @Test
  @DisplayName("tls://localhost with a certificate for localhost: accepted, checked against the name (jnats would"
      + " otherwise resolve it to 127.0.0.1 first, which this certificate does not name)")
  void rightNameAccepted() {
    try (IsbClient client = IsbClient.open(options(NAMED, "localhost", NAMED.server().port()))) {
      RoundTrip.assertRoundTrip(client, "to the named host");
    }
  }

  @Test
  @DisplayName("tls://127.0.0.1 with a certificate for localhost only: refused, the error names the address and"
      + " says what the certificate must name")
  void addressNotOnTheCertificateRefused() {
    Throwable failure = catchThrowable(() -> IsbClient.open(options(NAMED, "127.0.0.1", NAMED.server().port())));

    assertThat(failure).isInstanceOf(IsbBackendException.class)
        .hasMessageContaining("127.0.0.1 found")
        .hasMessageContaining("name the host of the URL");
  }

  @Test
  @DisplayName("a certificate from the trusted CA for another host: refused with a clear error naming the host")
  void wrongNameRefused() {
    Throwable failure = catchThrowable(() -> IsbClient.open(options(ELSEWHERE, "localhost",
        ELSEWHERE.server().port())));

    assertThat(failure).isInstanceOf(IsbBackendException.class)
        .hasMessageContaining("No subject alternative DNS name matching localhost found")
        .hasMessageContaining("name the host of the URL");
    assertThat(logs.textSince(0)).contains("NATS TLS handshake refused");
  }

  @Test
  @DisplayName("tls.insecureSkipVerify=true, the explicit way out: connects to the wrongly named server, with a"
      + " warning that neither certificate nor host name is verified")
  void skipIsExplicitAndWarned() {
    IsbOptions options = IsbOptions.builder().backend("jetstream")
        .url("tls://localhost:" + ELSEWHERE.server().port()).property("tls.insecureSkipVerify", "true").build();
    try (IsbClient client = IsbClient.open(options)) {
      RoundTrip.assertRoundTrip(client, "unverified");
    }
    assertThat(logs.textSince(0)).contains("neither the server's certificate nor its host name is verified");
  }

  @Test
  @DisplayName("a reconnect to an address the cluster advertised (127.0.0.1, not on the certificate) is checked"
      + " against the URL's host name, as Numaflow's certificate names the service and not its pods: the client"
      + " fails over while its server is down, and its writer and reader go on")
  void advertisedAddressCheckedAgainstTheUrlName() {
    NatsServer first = CLUSTER.cluster().nodes().get(0);
    String buffer = "ns-pl-tls" + UUID.randomUUID().toString().substring(0, 8) + "-0";
    try (IsbClient client = IsbClient.open(options(CLUSTER, "localhost", first.port()))) {
      client.admin().createBuffers(List.of(buffer), REPLICATED);
      try (BufferWriter writer = client.writer(buffer);
          BufferReader reader = client.reader(buffer, ReaderOptions.defaults())) {
        writeReadAck(writer, reader, "before");
        int mark = logs.mark();
        first.kill();
        Await.until(Duration.ofSeconds(30), "a reconnect to an advertised address",
            () -> logs.textSince(mark).contains("NATS reconnected to tls://127.0.0.1:"));
        assertThat(logs.textSince(mark)).doesNotContain("NATS TLS handshake refused");
        writeReadAck(writer, reader, "after a reconnect to an advertised address");
      }
    } finally {
      first.restart();
    }
  }

  /**
   * Writes one message, reads it back and acks it, within 30 s: after the kill the stream may be
   * electing a leader, during which a write fails retryably (503, no responders) and, as the writer's
   * contract asks of its callers, is written again; its id makes the retry safe. (One run saw 503s
   * for 6 s after the new stream leader was logged, 11 s after the kill, on this 2-core machine.)
   */
  private static void writeReadAck(BufferWriter writer, BufferReader reader, String payload) {
    Message sent = Message.data(new MessageId("in", payload, 0), payload.getBytes(StandardCharsets.UTF_8));
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    WriteResult result = writer.write(sent);
    while (result instanceof WriteResult.Failed f && f.retryable() && System.nanoTime() - deadline < 0) {
      LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
      result = writer.write(sent);
    }
    assertThat(result.isStored()).as("stored (written, or a duplicate of a write whose answer was lost): %s", result)
        .isTrue();
    List<ReadMessage> read = new ArrayList<>();
    while (read.isEmpty() && System.nanoTime() - deadline < 0) {
      read.addAll(reader.read(1, Duration.ofSeconds(1)));
    }
    assertThat(read).singleElement().satisfies(m -> assertThat(m.message()).isEqualTo(sent));
    reader.ack(read.get(0).offset());
  }

  @Test
  @DisplayName("a reconnect to a host name the cluster advertised that the certificate does not name: refused,"
      + " each attempt logged as a refused handshake naming the host, and the client stays disconnected")
  void advertisedNameNotOnTheCertificateRefused() {
    NatsServer first = ADVERTISING_NAMES.cluster().nodes().get(0);
    try (IsbClient client = IsbClient.open(options(ADVERTISING_NAMES, "127.0.0.1", first.port()))) {
      RoundTrip.assertRoundTrip(client, "before");
      int mark = logs.mark();
      first.kill();
      Await.until(Duration.ofSeconds(30), "refused handshakes with two advertised nodes",
          () -> logs.textSince(mark).split("No name matching localhost found", -1).length > 2);
      assertThat(logs.textSince(mark)).contains("NATS connection lost").doesNotContain("NATS reconnected");
    } finally {
      first.restart();
    }
  }
}
