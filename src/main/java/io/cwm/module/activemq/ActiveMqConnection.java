package io.cwm.module.activemq;

import io.cwm.config.Coerce;
import io.cwm.config.ConfigException;
import io.cwm.config.ConnectionRules;
import io.cwm.config.Env;
import io.vertx.core.json.JsonObject;

/**
 * An {@code activemq} connection of connections.json (connections-json.md §4.11), read when its
 * link is built: {@code host} ({@code localhost}), {@code port} (61613; a substituted string such
 * as {@code "61613"} is accepted, Python fails on it), {@code user} (or {@code username}, the
 * name the Python docs use and its code ignores) and {@code password}: both non-empty → login,
 * else anonymous. The host follows the project's connection rules ({@link ConnectionRules}):
 * loopback only with {@code ALLOW_LOCALHOST_FOR_TESTS=true}, private addresses only with
 * {@code ALLOW_PRIVATE_IP_CONNECTIONS=true}, metadata hosts never. {@code use_ssl} (documented by
 * Python, never read) is refused when true: this build speaks plain STOMP only.
 *
 * @param login the login, or null for anonymous
 * @param passcode the passcode, or null for anonymous
 */
record ActiveMqConnection(String host, int port, String login, String passcode) {
  static final int DEFAULT_PORT = 61613;

  /** Reads and checks a connection; throws ConfigException naming the key. */
  static ActiveMqConnection from(JsonObject connection, Env env) {
    String host = Coerce.string(connection, "host", "localhost").trim();
    int port = (int) Coerce.integer(connection, "port", DEFAULT_PORT, 1, 65535);
    ConnectionRules.check(new JsonObject().put("type", "rabbitmq").put("host", host).put("port", port), env);
    if (Coerce.bool(connection, "use_ssl", false)) {
      throw new ConfigException("use_ssl", "is not supported: this build connects with plain STOMP");
    }
    String user = Coerce.string(connection, "user", null);
    if (user == null || user.isEmpty()) {
      user = Coerce.string(connection, "username", "");
    }
    String password = Coerce.string(connection, "password", "");
    boolean login = !user.isEmpty() && !password.isEmpty();
    return new ActiveMqConnection(host, port, login ? user : null, login ? password : null);
  }

  @Override
  public String toString() {
    return "ActiveMqConnection[port=" + port + ", login=" + (login != null) + "]";
  }
}
