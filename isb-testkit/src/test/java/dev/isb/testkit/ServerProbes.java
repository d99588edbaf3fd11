package dev.isb.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isb.servers.KitServer;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/**
 * What the NATS and Redis extension tests both do to a server over raw sockets, so that the test kit
 * needs no client library: connect, upgrade to TLS, pause and resume, start a binary that fails.
 */
final class ServerProbes {

  /** Asks a server something on a fresh loopback connection and returns the first line it answers. */
  @FunctionalInterface
  interface Probe {
    String ask(int port, Duration timeout) throws IOException;
  }

  private ServerProbes() {}

  /** A loopback connection to {@code port}; {@code timeout} bounds the connect and every read. */
  static Socket connect(int port, Duration timeout) throws IOException {
    Socket socket = new Socket();
    try {
      socket.connect(
          new InetSocketAddress(InetAddress.getLoopbackAddress(), port), (int) timeout.toMillis());
      socket.setSoTimeout((int) timeout.toMillis());
      return socket;
    } catch (IOException e) {
      socket.close();
      throw e;
    }
  }

  /**
   * Upgrades a connected socket to TLS and completes the handshake, checking that the server's
   * certificate names {@code host}. Closing the returned socket closes {@code plain}.
   */
  static SSLSocket startTls(Socket plain, SSLContext context, String host, int port)
      throws IOException {
    SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, true);
    try {
      SSLParameters parameters = tls.getSSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      tls.setSSLParameters(parameters);
      tls.startHandshake();
      return tls;
    } catch (IOException e) {
      tls.close();
      throw e;
    }
  }

  /**
   * Pauses the server and checks that it answers nothing while paused, then resumes it and returns
   * what {@code probe} gets from it within {@code timeout}.
   */
  static String answerAfterPauseAndResume(KitServer server, Probe probe, Duration timeout)
      throws IOException {
    server.pause();
    try {
      assertThat(server.isPaused()).isTrue();
      assertThatThrownBy(() -> probe.ask(server.port(), Duration.ofMillis(300)))
          .isInstanceOf(SocketTimeoutException.class);
    } finally {
      server.resume();
    }

    assertThat(server.isPaused()).isFalse();
    return probe.ask(server.port(), timeout);
  }

  /** One line, read byte by byte so that nothing past it is consumed (for a TLS upgrade), without its CRLF. */
  static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("connection closed after '" + line + "'");
      }
      if (b == '\n') {
        return line.toString(StandardCharsets.UTF_8).stripTrailing();
      }
      line.write(b);
    }
  }

  /** An executable named {@code name} in {@code dir} that complains "boom: bad configuration" and exits 3. */
  static Path failingBinary(Path dir, String name) throws IOException {
    Path fake = dir.resolve(name);
    Files.writeString(fake, "#!/bin/sh\necho 'boom: bad configuration'\nexit 3\n");
    assertThat(fake.toFile().setExecutable(true)).isTrue();
    return fake;
  }

  /** Checks that {@code start}, run with a {@link #failingBinary}, fails with its exit code and log. */
  static void assertStartFailsWithItsLog(ThrowingCallable start) {
    assertThatThrownBy(start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("exited with code 3")
        .hasMessageContaining("boom: bad configuration");
  }
}
