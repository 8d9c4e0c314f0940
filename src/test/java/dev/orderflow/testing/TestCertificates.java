package dev.orderflow.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
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
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away PKI made at test time (BouncyCastle): a CA, a server certificate for 127.0.0.1/localhost and a client
 * certificate, written as PEM files into a folder. {@link #other} makes a second, unrelated CA for "wrong CA" tests.
 */
public record TestCertificates(Path ca, Path serverCert, Path serverKey, Path clientCert, Path clientKey) {

  public static TestCertificates create(Path folder) {
    try {
      Files.createDirectories(folder);
      KeyPair caKeys = keyPair();
      X500Name caName = new X500Name("CN=Orderflow Test CA");
      X509Certificate ca = sign(caName, caKeys, caName, caKeys, true, null, null);
      KeyPair serverKeys = keyPair();
      X509Certificate server = sign(caName, caKeys, new X500Name("CN=localhost"), serverKeys, false,
          KeyPurposeId.id_kp_serverAuth, new GeneralNames(new GeneralName[] {
              new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
      KeyPair clientKeys = keyPair();
      X509Certificate client = sign(caName, caKeys, new X500Name("CN=orderflow"), clientKeys, false,
          KeyPurposeId.id_kp_clientAuth, null);
      TestCertificates pki = new TestCertificates(folder.resolve("ca.pem"), folder.resolve("server-cert.pem"),
          folder.resolve("server-key.pem"), folder.resolve("client-cert.pem"), folder.resolve("client-key.pem"));
      write(pki.ca, ca);
      write(pki.serverCert, server);
      write(pki.serverKey, new JcaPKCS8Generator(serverKeys.getPrivate(), null));
      write(pki.clientCert, client);
      write(pki.clientKey, new JcaPKCS8Generator(clientKeys.getPrivate(), null));
      return pki;
    } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot make the test certificates", e);
    }
  }

  /** Another PKI in a sibling folder: its CA does not trust this one's certificates. */
  public TestCertificates other() {
    return create(ca.getParent().resolveSibling(ca.getParent().getFileName() + "-other"));
  }

  private static KeyPair keyPair() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  private static X509Certificate sign(X500Name issuer, KeyPair issuerKeys, X500Name subject, KeyPair subjectKeys,
      boolean isCa, KeyPurposeId purpose, GeneralNames names)
      throws IOException, GeneralSecurityException, OperatorCreationException {
    Instant now = Instant.now();
    X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(now.toEpochMilli()
        + System.nanoTime() % 1000), Date.from(now.minus(Duration.ofMinutes(5))),
        Date.from(now.plus(Duration.ofDays(1))),
        subject, subjectKeys.getPublic());
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
    builder.addExtension(Extension.keyUsage, true, new KeyUsage(isCa ? KeyUsage.keyCertSign | KeyUsage.cRLSign
        : KeyUsage.digitalSignature | KeyUsage.keyEncipherment | KeyUsage.keyAgreement));
    if (purpose != null) {
      builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
    }
    if (names != null) {
      builder.addExtension(Extension.subjectAlternativeName, false, names);
    }
    return new JcaX509CertificateConverter().getCertificate(
        builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
  }

  private static void write(Path file, Object pem) throws IOException {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      writer.writeObject(pem);
    }
    Files.writeString(file, text.toString());
  }
}
