package io.cwm.module.mysql;

import io.cwm.config.Coerce;
import io.cwm.config.Env;
import io.cwm.module.sql.SqlConnections;
import io.vertx.core.json.JsonObject;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.mysqlclient.SslMode;
import io.vertx.sqlclient.PoolOptions;

/**
 * Client settings of a {@code mysql} connection (connections-json.md §4.4; the type {@code mariadb}
 * reads the same keys): {@code host} ({@code localhost}), {@code port} (3306), {@code database}
 * ({@code mysql}), {@code user} ({@code root}), {@code password} (empty), {@code ssl},
 * {@code ssl_ca_cert}, {@code ssl_cert}, {@code ssl_key}, {@code pool_max_size} (10);
 * {@code pool_min_size} is accepted and unused (the Vert.x pool opens connections on demand).
 * Numbers and booleans may be substituted strings.
 *
 * <p>The host rules of connections-json.md §3 apply to the host ({@link SqlConnections#checkHost}).
 *
 * <p>{@code ssl: true} means TLS or no connection: with {@code ssl_ca_cert} (PEM) the server's
 * chain is checked against it ({@link SslMode#VERIFY_CA}), without it against the JVM's trusted CAs
 * ({@link SslMode#REQUIRED}); the host name is not checked (as the MySQL client's
 * {@code --ssl-mode=VERIFY_CA}). {@code ssl_cert} + {@code ssl_key} (PEM) present a client
 * certificate. Without {@code ssl} the connection is plain (no silent fallback either way).
 *
 * <p>Sessions use utf8mb4 and cache their prepared INSERT, so each webhook is one round trip.
 */
record MySqlConnection(MySQLConnectOptions connectOptions, PoolOptions poolOptions) {

  /** Builds the settings; throws ConfigException naming the connection key that is wrong. */
  static MySqlConnection of(JsonObject connection, Env env) {
    String host = Coerce.string(connection, "host", "localhost").trim();
    int port = (int) Coerce.integer(connection, "port", 3306, 1, 65535);
    SqlConnections.checkHost("mysql", "host", host, port, env);
    MySQLConnectOptions options = new MySQLConnectOptions()
        .setHost(host)
        .setPort(port)
        .setDatabase(Coerce.string(connection, "database", "mysql"))
        .setUser(Coerce.string(connection, "user", "root"))
        .setPassword(Coerce.string(connection, "password", ""))
        .setCharset("utf8mb4")
        .setCachePreparedStatements(true)
        .setReconnectAttempts(0);
    if (Coerce.bool(connection, "ssl", false)) {
      boolean ca = SqlConnections.nonBlank(connection, "ssl_ca_cert") != null;
      options.setSslMode(ca ? SslMode.VERIFY_CA : SslMode.REQUIRED)
          .setSslOptions(SqlConnections.sslOptions(connection));
    } else {
      options.setSslMode(SslMode.DISABLED);
    }
    return new MySqlConnection(options, SqlConnections.poolOptions(connection, "cwm-mysql"));
  }
}
