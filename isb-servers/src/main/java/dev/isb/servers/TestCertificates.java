package dev.isb.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * TLS material generated at test time, for any server the test kit starts: an EC P-256 CA, a server
 * certificate for {@code localhost} and {@code 127.0.0.1}, and a client certificate for mutual TLS,
 * all written as PEM files (keys as PKCS#8 {@code PRIVATE KEY}, the form nats-server and OpenSSL
 * accept). Immutable and thread-safe.
 *
 * <p>Only JDK providers are used (no BouncyCastle provider is registered), so the JVM's security
 * setup is left as it was.
 */
final class TestCertificates {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String SIGNATURE = "SHA256withECDSA";
  private static final char[] KEY_PASSWORD = "isb-test".toCharArray();

  private final Path caCertificate;
  private final Path serverCertificate;
  private final Path serverKey;
  private final Path clientCertificate;
  private final Path clientKey;
  private final SSLContext sslContext;
  private final SSLContext clientSslContext;

  private TestCertificates(Path dir, Issued ca, Issued server, Issued client) throws IOException {
    this.caCertificate = writePem(dir.resolve("ca.pem"), ca.certificate());
    this.serverCertificate = writePem(dir.resolve("server-cert.pem"), server.certificate());
    this.serverKey = writeKey(dir.resolve("server-key.pem"), server.key());
    this.clientCertificate = writePem(dir.resolve("client-cert.pem"), client.certificate());
    this.clientKey = writeKey(dir.resolve("client-key.pem"), client.key());
    this.sslContext = sslContext(ca.certificate(), null);
    this.clientSslContext = sslContext(ca.certificate(), client);
  }

  /** Generates a CA, a server and a client certificate, and writes them as PEM files into {@code dir}. */
  static TestCertificates create(Path dir) {
    try {
      Files.createDirectories(dir);
      Issued ca = newCa();
      Issued server = issue(ca, "localhost", KeyPurposeId.id_kp_serverAuth);
      Issued client = issue(ca, "isb-test-client", KeyPurposeId.id_kp_clientAuth);
      return new TestCertificates(dir, ca, server, client);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write test certificates to " + dir, e);
    }
  }

  /** An SSL context that trusts only a CA of its own, which signed none of these certificates. */
  static SSLContext untrustedSslContext() {
    return Untrusted.CONTEXT;
  }

  /** The CA certificate (PEM). */
  Path caCertificate() {
    return caCertificate;
  }

  /** The server certificate (PEM), with SAN DNS:localhost and IP:127.0.0.1. */
  Path serverCertificate() {
    return serverCertificate;
  }

  /** The server's private key (PKCS#8 PEM, unencrypted). */
  Path serverKey() {
    return serverKey;
  }

  /** The client certificate (PEM), CN=isb-test-client, for mutual TLS. */
  Path clientCertificate() {
    return clientCertificate;
  }

  /** The client's private key (PKCS#8 PEM, unencrypted). */
  Path clientKey() {
    return clientKey;
  }

  /** An SSL context that trusts the CA and presents no certificate. */
  SSLContext sslContext() {
    return sslContext;
  }

  /** An SSL context that trusts the CA and presents the client certificate. */
  SSLContext clientSslContext() {
    return clientSslContext;
  }

  private record Issued(X509Certificate certificate, PrivateKey key) {}

  private static Issued newCa() {
    KeyPair keys = newKeyPair();
    X500Name name = new X500Name("CN=ISB Test CA " + Long.toHexString(RANDOM.nextLong()));
    Instant now = Instant.now();
    try {
      JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
                  name, serial(), notBefore(now), notAfter(now), name, keys.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
              .addExtension(
                  Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
              .addExtension(
                  Extension.subjectKeyIdentifier,
                  false,
                  utils.createSubjectKeyIdentifier(keys.getPublic()));
      return new Issued(sign(builder, keys.getPrivate()), keys.getPrivate());
    } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("could not create a test CA", e);
    }
  }

  private static Issued issue(Issued ca, String commonName, KeyPurposeId purpose) {
    KeyPair keys = newKeyPair();
    Instant now = Instant.now();
    try {
      JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
                  ca.certificate(),
                  serial(),
                  notBefore(now),
                  notAfter(now),
                  new X500Name("CN=" + commonName),
                  keys.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
              .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
              .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose))
              .addExtension(
                  Extension.subjectKeyIdentifier,
                  false,
                  utils.createSubjectKeyIdentifier(keys.getPublic()))
              .addExtension(
                  Extension.authorityKeyIdentifier,
                  false,
                  utils.createAuthorityKeyIdentifier(ca.certificate()));
      if (purpose.equals(KeyPurposeId.id_kp_serverAuth)) {
        builder.addExtension(
            Extension.subjectAlternativeName,
            false,
            new GeneralNames(
                new GeneralName[] {
                  new GeneralName(GeneralName.dNSName, "localhost"),
                  new GeneralName(GeneralName.iPAddress, "127.0.0.1")
                }));
      }
      return new Issued(sign(builder, ca.key()), keys.getPrivate());
    } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("could not issue a test certificate for " + commonName, e);
    }
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey issuerKey)
      throws OperatorCreationException, GeneralSecurityException {
    return new JcaX509CertificateConverter()
        .getCertificate(builder.build(new JcaContentSignerBuilder(SIGNATURE).build(issuerKey)));
  }

  private static KeyPair newKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM cannot generate EC P-256 keys", e);
    }
  }

  private static BigInteger serial() {
    return new BigInteger(64, RANDOM).add(BigInteger.ONE);
  }

  // An hour back for clock skew between the JVM and the server; a day ahead outlasts any test run.
  private static Date notBefore(Instant now) {
    return Date.from(now.minus(Duration.ofHours(1)));
  }

  private static Date notAfter(Instant now) {
    return Date.from(now.plus(Duration.ofDays(1)));
  }

  private static Path writePem(Path file, X509Certificate certificate) throws IOException {
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
        JcaPEMWriter pem = new JcaPEMWriter(out)) {
      pem.writeObject(certificate);
    }
    return file;
  }

  private static Path writeKey(Path file, PrivateKey key) throws IOException {
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
        JcaPEMWriter pem = new JcaPEMWriter(out)) {
      pem.writeObject(new JcaPKCS8Generator(key, null)); // PKCS#8: servers reject "EC PRIVATE KEY"
    }
    return file;
  }

  private static SSLContext sslContext(X509Certificate trusted, Issued identity) {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("ca", trusted);
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      KeyManagerFactory kmf = null;
      if (identity != null) {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry(
            "client", identity.key(), KEY_PASSWORD, new Certificate[] {identity.certificate(), trusted});
        kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, KEY_PASSWORD);
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), RANDOM);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("could not build an SSL context for the test CA", e);
    }
  }

  private static final class Untrusted {
    static final SSLContext CONTEXT = sslContext(newCa().certificate(), null);
  }
}
