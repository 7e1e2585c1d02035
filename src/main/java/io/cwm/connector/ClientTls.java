package io.cwm.connector;

import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.net.ClientOptionsBase;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;

/**
 * The connector's TLS settings toward the receiver (spec §8.1): {@code verify_ssl},
 * {@code ca_cert_path}, client certificate. Applied to the stream connection and to the ack
 * POSTs alike.
 */
final class ClientTls {
  private ClientTls() {}

  static HttpClientOptions http(ConnectorConfig config, boolean tls) {
    HttpClientOptions options = new HttpClientOptions();
    apply(options, config, tls);
    if (tls && !config.verifySsl()) {
      options.setVerifyHost(false);
    }
    return options;
  }

  static WebSocketClientOptions webSocket(ConnectorConfig config, boolean tls) {
    WebSocketClientOptions options = new WebSocketClientOptions();
    apply(options, config, tls);
    if (tls && !config.verifySsl()) {
      options.setVerifyHost(false);
    }
    return options;
  }

  private static void apply(ClientOptionsBase options, ConnectorConfig config, boolean tls) {
    options.setConnectTimeout((int) Math.max(1, config.connectionTimeout() * 1000));
    if (!tls) {
      return;
    }
    options.setSsl(true);
    if (!config.verifySsl()) {
      options.setTrustAll(true);
    } else if (config.caCertPath() != null) {
      options.setTrustOptions(new PemTrustOptions().addCertPath(config.caCertPath()));
    }
    if (config.clientCertPath() != null && config.clientKeyPath() != null) {
      options.setKeyCertOptions(new PemKeyCertOptions().setCertPath(config.clientCertPath())
          .setKeyPath(config.clientKeyPath()));
    }
  }
}
