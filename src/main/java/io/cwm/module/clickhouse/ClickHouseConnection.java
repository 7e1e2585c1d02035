package io.cwm.module.clickhouse;

import io.cwm.config.Coerce;
import io.cwm.config.ConfigException;
import io.cwm.config.ConnectionRules;
import io.cwm.config.Env;
import io.vertx.core.json.JsonObject;

/**
 * Client settings of a {@code clickhouse} connection (connections-json.md §4.5): {@code host}
 * ({@code localhost}), {@code port} (9000), {@code database} ({@code default}), {@code user}
 * ({@code default}), {@code password} (empty), and two keys of this port: {@code http_port} and
 * {@code max_connections} (32, concurrent inserts of one connection).
 *
 * <p><b>Which port.</b> Python speaks ClickHouse's native TCP protocol (port 9000); the Java
 * client speaks its HTTP interface. {@code http_port}, when given, is the HTTP port. Otherwise
 * {@code port} 9000 (the native default, as in every Python config) means the HTTP default 8123
 * on the same host, 9440 (native over TLS) is refused with a message naming {@code http_port},
 * and any other {@code port} is taken as the HTTP port itself (a config written for this port
 * names 8123 or its own port there). So a Python config loads and runs unchanged against a
 * server with default ports.
 *
 * <p>The host rules of connections-json.md §3 ({@link ConnectionRules}) are applied again here
 * (loopback needs {@code ALLOW_LOCALHOST_FOR_TESTS=true}, private addresses
 * {@code ALLOW_PRIVATE_IP_CONNECTIONS=true}). The database name must be letters, digits and
 * {@code _}: every statement names it ({@code `db`.`table`}), because ClickHouse servers before
 * 19.x ignore the client's database header. No TLS (as Python).
 *
 * @param httpPort the port of ClickHouse's HTTP interface
 */
public record ClickHouseConnection(String host, int httpPort, String database, String user, String password,
    int maxConnections) {
  static final int NATIVE_PORT = 9000;
  static final int NATIVE_TLS_PORT = 9440;
  static final int HTTP_PORT = 8123;

  /** Builds the settings; throws ConfigException naming the connection key that is wrong. */
  public static ClickHouseConnection of(JsonObject connection, Env env) {
    String host = Coerce.string(connection, "host", "localhost").trim();
    int port = (int) Coerce.integer(connection, "port", NATIVE_PORT, 1, 65535);
    try {
      ConnectionRules.check(new JsonObject().put("type", "clickhouse").put("host", host).put("port", port), env);
    } catch (ConfigException e) {
      throw new ConfigException(e.key(), e.getMessage());
    }
    int httpPort;
    if (connection.getValue("http_port") != null) {
      httpPort = (int) Coerce.integer(connection, "http_port", HTTP_PORT, 1, 65535);
    } else if (port == NATIVE_PORT) {
      httpPort = HTTP_PORT;
    } else if (port == NATIVE_TLS_PORT) {
      throw new ConfigException("port", "9440 is ClickHouse's native TLS port; this client speaks HTTP: "
          + "set http_port");
    } else {
      httpPort = port;
    }
    String database = Coerce.string(connection, "database", "default").trim();
    String problem = ClickHouseNames.databaseProblem(database);
    if (problem != null) {
      throw new ConfigException("database", problem);
    }
    String user = Coerce.string(connection, "user", "default").trim();
    if (user.isEmpty()) {
      user = "default";
    }
    String password = Coerce.string(connection, "password", "");
    int maxConnections = (int) Coerce.integer(connection, "max_connections", 32, 1, 512);
    return new ClickHouseConnection(host, httpPort, database, user, password == null ? "" : password, maxConnections);
  }

  /** The HTTP endpoint of the server. */
  String endpoint() {
    String literal = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    return "http://" + literal + ":" + httpPort;
  }
}
