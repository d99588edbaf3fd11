package dev.isb.servers;

import java.nio.file.Path;
import javax.net.ssl.SSLContext;

/**
 * The TLS material a client of the kit's servers uses, from whatever runs them: one server, or a
 * test extension that runs a setup (every server of a setup shares one test CA). Each method throws
 * {@link IllegalStateException} when the servers have no TLS, or when what runs them has not
 * started.
 */
public interface ClientTls {

  /** The certificates the servers were started with. */
  TestCertificates certificates();

  /** The PEM file of the test CA, for clients configured by files. */
  default Path caCertificate() {
    return certificates().caCertificate();
  }

  /** The PEM file of a client certificate signed by the test CA (for mutual TLS). */
  default Path clientCertificate() {
    return certificates().clientCertificate();
  }

  /** The PKCS#8 PEM file of the key of {@link #clientCertificate()}. */
  default Path clientKey() {
    return certificates().clientKey();
  }

  /** An SSL context that trusts the test CA and presents no client certificate. */
  default SSLContext sslContext() {
    return certificates().sslContext();
  }

  /** An SSL context that trusts the test CA and presents the client certificate (mutual TLS). */
  default SSLContext clientSslContext() {
    return certificates().clientSslContext();
  }

  /** An SSL context that trusts only a CA of its own, for tests that a client refuses the servers. */
  default SSLContext untrustedSslContext() {
    certificates();
    return TestCertificates.untrustedSslContext();
  }
}
