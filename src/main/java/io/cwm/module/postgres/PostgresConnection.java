package io.cwm.module.postgres;

import io.cwm.config.Coerce;
import io.cwm.config.ConfigException;
import io.cwm.config.Env;
import io.cwm.module.sql.SqlConnections;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import io.vertx.sqlclient.PoolOptions;

/**
 * Client settings of a {@code postgresql} connection (connections-json.md §4.3): {@code host}
 * ({@code localhost}), {@code port} (5432), {@code database} ({@code postgres}), {@code user}
 * ({@code postgres}), {@code password} (empty) — or a {@code connection_string}
 * ({@code postgresql://} or {@code postgres://}, with {@code user@host}) that replaces them —
 * {@code ssl}, {@code ssl_ca_cert}, {@code ssl_cert}, {@code ssl_key}, {@code pool_max_size} (10).
 * {@code pool_min_size} is accepted and unused (the Vert.x pool opens connections on demand).
 *
 * <p>The host rules of connections-json.md §3 ({@link SqlConnections#checkHost}) are applied to the host
 * actually used, including the one inside a connection string (the load-time check skips it):
 * loopback needs {@code ALLOW_LOCALHOST_FOR_TESTS=true}, private addresses
 * {@code ALLOW_PRIVATE_IP_CONNECTIONS=true}. Credentials are passed as options, never pasted into
 * a URL, so no character in them needs escaping.
 *
 * <p>{@code ssl: true} means {@link SslMode#REQUIRE}: TLS or no connection. The server
 * certificate chain is checked against {@code ssl_ca_cert} when given (PEM), else against the
 * JVM's trusted CAs; the host name is not checked (as libpq's {@code require}/{@code verify-ca}).
 * {@code ssl_cert} + {@code ssl_key} (PEM) present a client certificate.
 */
record PostgresConnection(PgConnectOptions connectOptions, PoolOptions poolOptions) {
  /** Builds the settings; throws ConfigException naming the connection key that is wrong. */
  static PostgresConnection of(JsonObject connection, Env env) {
    PgConnectOptions options;
    String dsn = Coerce.string(connection, "connection_string", null);
    if (dsn != null && !dsn.isBlank()) {
      dsn = dsn.trim();
      if (!(dsn.startsWith("postgresql://") || dsn.startsWith("postgres://")) || !dsn.contains("@")) {
        throw new ConfigException("connection_string", "must be a postgresql:// URL with user@host");
      }
      try {
        options = PgConnectOptions.fromUri(dsn);
      } catch (RuntimeException e) {
        throw new ConfigException("connection_string", "is not a valid PostgreSQL URL");
      }
      if (options.getHost() == null || options.getHost().isBlank()) {
        throw new ConfigException("connection_string", "must name a host");
      }
      checkHost("connection_string", options.getHost(), options.getPort(), env);
    } else {
      String host = Coerce.string(connection, "host", "localhost").trim();
      int port = (int) Coerce.integer(connection, "port", 5432, 1, 65535);
      checkHost("host", host, port, env);
      options = new PgConnectOptions()
          .setHost(host)
          .setPort(port)
          .setDatabase(Coerce.string(connection, "database", "postgres"))
          .setUser(Coerce.string(connection, "user", "postgres"))
          .setPassword(Coerce.string(connection, "password", ""));
    }
    if (Coerce.bool(connection, "ssl", false)) {
      options.setSslMode(SslMode.REQUIRE).setSslOptions(SqlConnections.sslOptions(connection));
    } else if (dsn == null || dsn.isBlank()) {
      options.setSslMode(SslMode.DISABLE);
    }
    if ("vertx-pg-client".equals(options.getProperties().get("application_name"))) {
      // names our sessions in pg_stat_activity unless the connection string chose a name
      options.addProperty("application_name", "cwm");
    }
    options.setReconnectAttempts(0);
    return new PostgresConnection(options, SqlConnections.poolOptions(connection, "cwm-postgresql"));
  }

  private static void checkHost(String key, String host, int port, Env env) {
    SqlConnections.checkHost("postgresql", key, host, port, env);
  }
}
