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
import java.util.List;
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
import org.bouncycastle.openssl.jcajce.JcaMiscPEMGenerator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObjectGenerator;

/**
 * TLS material generated at test time, for any server the test kit starts: an EC P-256 CA, a server
 * certificate (for {@code localhost} and {@code 127.0.0.1} unless other names are asked for), and a
 * client certificate for mutual TLS,
 * all written as PEM files (keys as PKCS#8 {@code PRIVATE KEY}, the form nats-server and OpenSSL
 * accept). Immutable and thread-safe.
 *
 * <p>Only JDK providers are used (no BouncyCastle provider is registered), so the JVM's security
 * setup is left as it was.
 *
 * @param caCertificate the CA certificate (PEM)
 * @param serverCertificate the server certificate (PEM), with the asked-for names as SANs
 * @param serverKey the server's private key (PKCS#8 PEM, unencrypted)
 * @param clientCertificate the client certificate (PEM), CN=isb-test-client, for mutual TLS
 * @param clientKey the client's private key (PKCS#8 PEM, unencrypted)
 * @param sslContext trusts the CA and presents no certificate
 * @param clientSslContext trusts the CA and presents the client certificate
 */
public record TestCertificates(
    Path caCertificate,
    Path serverCertificate,
    Path serverKey,
    Path clientCertificate,
    Path clientKey,
    SSLContext sslContext,
    SSLContext clientSslContext) {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String SIGNATURE = "SHA256withECDSA";
  private static final char[] KEY_PASSWORD = "isb-test".toCharArray();

  /**
   * Generates a CA, a server certificate for {@code serverNames} (host names become DNS names, IP
   * literals IP addresses) and a client certificate, and writes them as PEM files into {@code dir}.
   */
  static TestCertificates create(Path dir, List<String> serverNames) {
    try {
      Files.createDirectories(dir);
      Issued ca = newCa();
      Issued server = issue(ca, serverNames.get(0), KeyPurposeId.id_kp_serverAuth, serverNames);
      Issued client = issue(ca, "isb-test-client", KeyPurposeId.id_kp_clientAuth, List.of());
      return new TestCertificates(
          writePem(dir.resolve("ca.pem"), ca.certificate()),
          writePem(dir.resolve("server-cert.pem"), server.certificate()),
          // PKCS#8: servers reject the "EC PRIVATE KEY" form
          writePem(dir.resolve("server-key.pem"), new JcaPKCS8Generator(server.key(), null)),
          writePem(dir.resolve("client-cert.pem"), client.certificate()),
          writePem(dir.resolve("client-key.pem"), new JcaPKCS8Generator(client.key(), null)),
          sslContext(ca.certificate(), null),
          sslContext(ca.certificate(), client));
    } catch (IOException e) {
      throw new UncheckedIOException("could not write test certificates to " + dir, e);
    }
  }

  /** An SSL context that trusts only a CA of its own, which signed none of these certificates. */
  static SSLContext untrustedSslContext() {
    return Untrusted.CONTEXT;
  }

  private record Issued(X509Certificate certificate, PrivateKey key) {}

  /** A self-signed CA with a name of its own, so that no two runs trust each other's. */
  private static Issued newCa() {
    return issue(null, "ISB Test CA " + Long.toHexString(RANDOM.nextLong()), null, List.of());
  }

  /**
   * Issues a certificate for {@code commonName}: signed by {@code ca}, or a self-signed CA when
   * {@code ca} is null, with {@code altNames} (if any) as its subject alternative names.
   */
  private static Issued issue(Issued ca, String commonName, KeyPurposeId purpose, List<String> altNames) {
    KeyPair keys = newKeyPair();
    X500Name subject = new X500Name("CN=" + commonName);
    Instant now = Instant.now();
    try {
      JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder =
          ca == null
              ? new JcaX509v3CertificateBuilder(
                  subject, serial(), notBefore(now), notAfter(now), subject, keys.getPublic())
              : new JcaX509v3CertificateBuilder(
                  ca.certificate(), serial(), notBefore(now), notAfter(now), subject,
                  keys.getPublic());
      builder
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(ca == null))
          .addExtension(
              Extension.keyUsage,
              true,
              new KeyUsage(
                  ca == null ? KeyUsage.keyCertSign | KeyUsage.cRLSign : KeyUsage.digitalSignature));
      if (ca != null) {
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
      }
      builder.addExtension(
          Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(keys.getPublic()));
      if (ca != null) {
        builder.addExtension(
            Extension.authorityKeyIdentifier,
            false,
            utils.createAuthorityKeyIdentifier(ca.certificate()));
      }
      if (!altNames.isEmpty()) {
        builder.addExtension(
            Extension.subjectAlternativeName,
            false,
            new GeneralNames(altNames.stream().map(TestCertificates::generalName).toArray(GeneralName[]::new)));
      }
      PrivateKey signer = ca == null ? keys.getPrivate() : ca.key();
      return new Issued(sign(builder, signer), keys.getPrivate());
    } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("could not issue a test certificate for " + commonName, e);
    }
  }

  private static GeneralName generalName(String name) {
    boolean ip = name.matches("[0-9.]+") || name.contains(":");
    return new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, name);
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
    return writePem(file, new JcaMiscPEMGenerator(certificate));
  }

  private static Path writePem(Path file, PemObjectGenerator pemObject) throws IOException {
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
        JcaPEMWriter pem = new JcaPEMWriter(out)) {
      pem.writeObject(pemObject);
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
