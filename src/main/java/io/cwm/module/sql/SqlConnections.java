package io.cwm.module.sql;

import io.cwm.config.Coerce;
import io.cwm.config.ConfigException;
import io.cwm.config.ConnectionRules;
import io.cwm.config.Env;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.sqlclient.PoolOptions;
import java.util.concurrent.TimeUnit;

/**
 * The connection keys every SQL connection type shares (connections-json.md §4.3, §4.4): the host
 * rules of §3 applied to the host actually used, the TLS files, and the pool sizes. Numbers and
 * booleans may be substituted strings ({@code "port": "{$DB_PORT:3306}"} gives {@code "3306"}).
 */
public final class SqlConnections {
  /** The TCP connect timeout. */
  public static final int CONNECT_TIMEOUT_MILLIS = 5_000;
  /** How long a call waits for a free pooled connection. */
  public static final int POOL_WAIT_MILLIS = 10_000;
  /** An idle pool gives its sessions back to the server after this. */
  public static final int IDLE_SECONDS = 300;

  private SqlConnections() {}

  /**
   * Applies the host rules of connections-json.md §3 ({@link ConnectionRules}): loopback needs
   * {@code ALLOW_LOCALHOST_FOR_TESTS=true}, private addresses {@code ALLOW_PRIVATE_IP_CONNECTIONS=true}.
   *
   * @param key the connection key a refusal names
   */
  public static void checkHost(String type, String key, String host, int port, Env env) {
    try {
      ConnectionRules.check(new JsonObject().put("type", type).put("host", host).put("port", port), env);
    } catch (ConfigException e) {
      throw new ConfigException(key, e.getMessage());
    }
  }

  /**
   * The TLS options of {@code ssl_ca_cert} (PEM: the server's chain is checked against it instead of
   * the JVM's trusted CAs) and {@code ssl_cert} + {@code ssl_key} (PEM: a client certificate).
   */
  public static ClientSSLOptions sslOptions(JsonObject connection) {
    ClientSSLOptions ssl = new ClientSSLOptions();
    String ca = nonBlank(connection, "ssl_ca_cert");
    if (ca != null) {
      ssl.setTrustOptions(new PemTrustOptions().addCertPath(ca));
    }
    String cert = nonBlank(connection, "ssl_cert");
    String key = nonBlank(connection, "ssl_key");
    if ((cert == null) != (key == null)) {
      throw new ConfigException(cert == null ? "ssl_cert" : "ssl_key", "ssl_cert and ssl_key go together");
    }
    if (cert != null) {
      ssl.setKeyCertOptions(new PemKeyCertOptions().setCertPath(cert).setKeyPath(key));
    }
    return ssl;
  }

  /**
   * {@code pool_max_size} (default 10, 1–1000); {@code pool_min_size} is checked and unused (the
   * Vert.x pool opens connections on demand).
   */
  public static PoolOptions poolOptions(JsonObject connection, String name) {
    int maxSize = (int) Coerce.integer(connection, "pool_max_size", 10, 1, 1000);
    Coerce.integer(connection, "pool_min_size", 2, 0, 1000);
    return new PoolOptions()
        .setMaxSize(maxSize)
        // waiting for a free pooled connection; the TCP connect timeout is CONNECT_TIMEOUT_MILLIS
        .setConnectionTimeout(POOL_WAIT_MILLIS)
        .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS)
        .setIdleTimeout(IDLE_SECONDS)
        .setIdleTimeoutUnit(TimeUnit.SECONDS)
        .setName(name);
  }

  /** The trimmed string at {@code key}, or null when absent or blank. */
  public static String nonBlank(JsonObject connection, String key) {
    String value = Coerce.string(connection, key, null);
    return value == null || value.isBlank() ? null : value.trim();
  }
}
