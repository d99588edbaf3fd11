package dev.isb.jetstream;

import io.nats.client.support.NatsUri;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URISyntaxException;
import java.security.KeyManagementException;
import java.security.SecureRandom;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * An SSL context whose sockets check that the server's certificate names the host connected to
 * ("HTTPS" endpoint identification, as a browser does), which jnats does not ask for: with a CA
 * alone, any certificate that CA signed would be accepted for any host.
 *
 * <p>A server that the cluster advertised by IP address (the {@code connect_urls} of its INFO;
 * Numaflow's JetStream advertises its pods' addresses, and its certificate names only the service)
 * is checked against the first host name of the configured URL instead, as the Go client does with
 * its {@code tlsName}. A host name is always checked as itself, configured or advertised.
 *
 * <p>jnats must be told to keep host names (not to resolve them to addresses before the
 * handshake), see {@link JetStreamBackend}. Thread-safe, as the context it wraps.
 */
final class HostVerifyingContext extends SSLContext {

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  /**
   * @param trusting the context that holds the trust and key material, initialized
   * @param servers the configured server URLs, with or without a scheme
   */
  HostVerifyingContext(SSLContext trusting, List<String> servers) {
    super(new Spi(trusting, new ExpectedNames(servers)), trusting.getProvider(), trusting.getProtocol());
  }

  /** Which name a server's certificate must carry, from the configured server URLs. */
  static final class ExpectedNames {
    private final List<String> configuredHosts;
    private final String configuredName;

    ExpectedNames(List<String> servers) {
      List<NatsUri> configured = servers.stream().map(HostVerifyingContext::parsed).filter(u -> u != null).toList();
      this.configuredHosts = configured.stream().map(u -> u.getHost().toLowerCase(Locale.ROOT)).toList();
      this.configuredName = configured.stream().filter(u -> !u.hostIsIpAddress())
          .map(u -> u.getHost().toLowerCase(Locale.ROOT)).findFirst().orElse(null);
    }

    /**
     * The name the certificate of {@code host} must carry: the first configured host name for an
     * address that is not configured itself, otherwise {@code host}.
     */
    String of(String host) {
      boolean advertisedAddress = isAddress(host) && !configuredHosts.contains(host.toLowerCase(Locale.ROOT));
      return advertisedAddress && configuredName != null ? configuredName : host;
    }
  }

  /** A configured server as jnats parses it (the same parser, so the same hosts); null if it cannot. */
  private static NatsUri parsed(String server) {
    try {
      return new NatsUri(server);
    } catch (URISyntaxException notAUri) {
      return null; // jnats refuses it with its own error
    }
  }

  private static boolean isAddress(String host) {
    return host.indexOf(':') >= 0 || host.startsWith("[") || IPV4.matcher(host).matches();
  }

  private static <S> S identifyingServer(S socketOrEngine) {
    if (socketOrEngine instanceof SSLSocket socket) {
      socket.setSSLParameters(identifying(socket.getSSLParameters()));
    } else if (socketOrEngine instanceof SSLEngine engine) {
      engine.setSSLParameters(identifying(engine.getSSLParameters()));
    }
    return socketOrEngine;
  }

  private static SSLParameters identifying(SSLParameters parameters) {
    parameters.setEndpointIdentificationAlgorithm("HTTPS");
    return parameters;
  }

  /** Delegates to the trusting context, making every client socket and engine identify the server. */
  private static final class Spi extends SSLContextSpi {
    private final SSLContext trusting;
    private final ExpectedNames names;

    Spi(SSLContext trusting, ExpectedNames names) {
      this.trusting = trusting;
      this.names = names;
    }

    @Override
    protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom sr) throws KeyManagementException {
      throw new KeyManagementException("this context is initialized by the JetStream backend");
    }

    @Override
    protected SSLSocketFactory engineGetSocketFactory() {
      return new Factory(trusting.getSocketFactory(), names);
    }

    @Override
    protected SSLServerSocketFactory engineGetServerSocketFactory() {
      return trusting.getServerSocketFactory();
    }

    @Override
    protected SSLEngine engineCreateSSLEngine() {
      return identifyingServer(trusting.createSSLEngine());
    }

    @Override
    protected SSLEngine engineCreateSSLEngine(String host, int port) {
      return identifyingServer(trusting.createSSLEngine(names.of(host), port));
    }

    @Override
    protected SSLSessionContext engineGetServerSessionContext() {
      return trusting.getServerSessionContext();
    }

    @Override
    protected SSLSessionContext engineGetClientSessionContext() {
      return trusting.getClientSessionContext();
    }
  }

  /** jnats layers TLS over its connected socket with {@link #createSocket(Socket, String, int, boolean)}. */
  private static final class Factory extends SSLSocketFactory {
    private final SSLSocketFactory trusting;
    private final ExpectedNames names;

    Factory(SSLSocketFactory trusting, ExpectedNames names) {
      this.trusting = trusting;
      this.names = names;
    }

    @Override
    public Socket createSocket(Socket socket, String host, int port, boolean autoClose) throws IOException {
      return identifyingServer(trusting.createSocket(socket, names.of(host), port, autoClose));
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      return identifyingServer(trusting.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
      return identifyingServer(trusting.createSocket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      return identifyingServer(trusting.createSocket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
        throws IOException {
      return identifyingServer(trusting.createSocket(address, port, localAddress, localPort));
    }

    @Override
    public String[] getDefaultCipherSuites() {
      return trusting.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
      return trusting.getSupportedCipherSuites();
    }
  }
}
