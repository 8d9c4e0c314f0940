package dev.orderflow.messaging.nats;

import dev.orderflow.config.ConfigException;
import dev.orderflow.config.NatsSecurityConfig;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Applies {@link NatsSecurityConfig} to a jnats connection: credentials, and TLS from PEM files. With TLS configured
 * the client requires it, so jnats upgrades the connection before it sends CONNECT (and the credentials in it), and
 * refuses a server that does not offer TLS. Nothing here logs or puts a secret into an exception message.
 */
public final class NatsSecurity {

  private NatsSecurity() {}

  public static Options.Builder apply(Options.Builder options, NatsSecurityConfig config) {
    if (config.password().present()) {
      options.userInfo(config.user().toCharArray(), config.password().reveal().toCharArray());
    } else if (config.token().present()) {
      options.token(config.token().reveal().toCharArray());
    } else if (config.nkeySeed().present()) {
      options.authHandler(Nats.staticCredentials(null, config.nkeySeed().reveal().toCharArray()));
    } else if (!config.credsFile().isEmpty()) {
      if (!Files.isReadable(Path.of(config.credsFile()))) {
        throw new ConfigException("nats.auth.credsFile: cannot read " + config.credsFile());
      }
      options.authHandler(Nats.credentials(config.credsFile()));
    }
    if (config.tlsRequired()) {
      options.sslContext(sslContext(config));
    }
    return options;
  }

  /** What kind of credentials are configured, for messages (never the credentials themselves). */
  public static String describe(NatsSecurityConfig config) {
    String credentials = config.password().present() ? "user " + config.user() + " with the password from "
        + config.password().source()
        : config.token().present() ? "the token from " + config.token().source()
        : config.nkeySeed().present() ? "the nkey seed from " + config.nkeySeed().source()
        : !config.credsFile().isEmpty() ? "the credentials in " + config.credsFile()
        : "no credentials";
    return credentials + (config.tlsRequired() ? ", over TLS" : "");
  }

  private static SSLContext sslContext(NatsSecurityConfig config) {
    try {
      KeyStore trusted = null;
      if (!config.tlsCaFile().isEmpty()) {
        trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        int i = 0;
        for (Certificate ca : certificates(config.tlsCaFile(), "nats.tls.caFile")) {
          trusted.setCertificateEntry("ca-" + i++, ca);
        }
      }
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(trusted); // null: the JVM's own CAs
      KeyManagerFactory keys = null;
      if (!config.tlsCertFile().isEmpty()) {
        char[] password = new char[0];
        KeyStore client = KeyStore.getInstance("PKCS12");
        client.load(null, null);
        client.setKeyEntry("client", privateKey(config.tlsKeyFile()), password,
            certificates(config.tlsCertFile(), "nats.tls.certFile").toArray(Certificate[]::new));
        keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(client, password);
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), new SecureRandom());
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new ConfigException("nats.tls: cannot set up TLS: " + e.getMessage());
    }
  }

  private static Collection<? extends Certificate> certificates(String file, String setting)
      throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(Path.of(file))) {
      Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certificates.isEmpty()) {
        throw new ConfigException(setting + ": no PEM certificate in " + file);
      }
      return certificates;
    } catch (java.nio.file.NoSuchFileException e) {
      throw new ConfigException(setting + ": no file " + file);
    }
  }

  private static PrivateKey privateKey(String file) throws IOException {
    String pem = Files.readString(Path.of(file), StandardCharsets.US_ASCII);
    if (!pem.contains("-----BEGIN PRIVATE KEY-----")) {
      throw new ConfigException("nats.tls.keyFile: " + file + " must hold an unencrypted PKCS#8 PEM key (BEGIN PRIVATE "
          + "KEY); convert one with: openssl pkcs8 -topk8 -nocrypt -in key.pem -out key.pk8.pem");
    }
    String base64 = pem
        .substring(pem.indexOf("-----BEGIN PRIVATE KEY-----") + 27, pem.indexOf("-----END PRIVATE KEY-----"))
        .replaceAll("\\s", "");
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64));
    for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (GeneralSecurityException notThisOne) {
        // try the next algorithm
      }
    }
    throw new ConfigException("nats.tls.keyFile: " + file + " holds no RSA, EC or Ed25519 key");
  }
}
