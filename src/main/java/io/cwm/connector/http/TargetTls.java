package io.cwm.connector.http;

import io.cwm.connector.ConnectorConfig;
import io.vertx.core.VertxException;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.TrustOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * TLS toward HTTP targets from the connector config (spec §8.1): {@code verify_ssl: false} trusts
 * any certificate and skips the host name check; {@code ca_cert_path} adds its PEM certificates to
 * the JDK's default trust; {@code client_cert_path} + {@code client_key_path} present a client
 * certificate (mTLS).
 */
final class TargetTls {
  private TargetTls() {}

  /** Applies the TLS settings; throws when a file cannot be read. */
  static HttpClientOptions apply(HttpClientOptions options, ConnectorConfig config) {
    if (!config.verifySsl()) {
      options.setTrustAll(true).setVerifyHost(false);
    } else {
      options.setVerifyHost(true);
      if (config.caCertPath() != null && !config.caCertPath().isBlank()) {
        options.setTrustOptions(TrustOptions.wrap(defaultTrustPlus(Path.of(config.caCertPath()))));
      }
    }
    if (config.clientCertPath() != null && !config.clientCertPath().isBlank()) {
      PemKeyCertOptions keyCert = new PemKeyCertOptions().setCertPath(config.clientCertPath());
      // without client_key_path the key is read from the certificate file (one PEM holding both)
      String keyPath = config.clientKeyPath() == null || config.clientKeyPath().isBlank()
          ? config.clientCertPath() : config.clientKeyPath();
      options.setKeyCertOptions(keyCert.setKeyPath(keyPath));
    }
    return options;
  }

  /** A trust manager that accepts the JDK's default CAs and the certificates of a PEM file. */
  static TrustManagerFactory defaultTrustPlus(Path pemFile) {
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int index = 0;
      for (X509Certificate authority : defaultTrustManager().getAcceptedIssuers()) {
        store.setCertificateEntry("default-" + index++, authority);
      }
      Collection<? extends Certificate> extra;
      try (InputStream in = Files.newInputStream(pemFile)) {
        extra = CertificateFactory.getInstance("X.509").generateCertificates(in);
      }
      if (extra.isEmpty()) {
        throw new VertxException("ca_cert_path " + pemFile + " holds no certificate", true);
      }
      index = 0;
      for (Certificate certificate : extra) {
        store.setCertificateEntry("ca-cert-path-" + index++, certificate);
      }
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      return factory;
    } catch (IOException | GeneralSecurityException e) {
      throw new VertxException("cannot read ca_cert_path " + pemFile + ": " + e.getMessage(), true);
    }
  }

  private static X509TrustManager defaultTrustManager() throws GeneralSecurityException {
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init((KeyStore) null);
    for (TrustManager manager : factory.getTrustManagers()) {
      if (manager instanceof X509TrustManager x509) {
        return x509;
      }
    }
    throw new GeneralSecurityException("no default X509 trust manager");
  }
}
