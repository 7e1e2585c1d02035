package io.cwm.module.mqtt;

import io.cwm.config.Coerce;
import io.cwm.config.ConfigException;
import io.cwm.config.ConnectionRules;
import io.cwm.config.Env;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.util.Locale;

/**
 * An {@code mqtt} connection of connections.json (connections-json.md §4.10), checked at load
 * ({@link MqttModuleVerticle#TYPE}) and again when its client is built.
 *
 * <ul>
 *   <li>{@code host} (default {@code localhost}), {@code port} (default 1883, also with TLS):
 *       the shared host rules (connections-json.md §3: loopback needs
 *       {@code ALLOW_LOCALHOST_FOR_TESTS=true}, private addresses
 *       {@code ALLOW_PRIVATE_IP_CONNECTIONS=true}, metadata hosts refused).
 *   <li>{@code username} (or {@code user}, as other connection types spell it) and
 *       {@code password}; empty strings mean none; a password needs a user name (MQTT 3.1.1).
 *   <li>{@code client_id}: honoured as given; when absent or empty, {@code webhook-module-} and 8
 *       random characters, new for every client this process builds, so two receivers (or two
 *       connections) never share an id and kick each other off the broker.
 *   <li>{@code keepalive} seconds (default 60, 0 = none).
 *   <li>{@code mqtt_version}: only {@code 3.1.1} (the default) is accepted: the client of this
 *       build (vertx-mqtt 5.0) speaks MQTT 3.1.1 only (protocol level 4); {@code 3.1} and
 *       {@code 5}/{@code 5.0} are refused with that reason rather than silently spoken as 3.1.1.
 *   <li>{@code tls}, {@code tls_insecure} (no chain and no host name check), PEM files
 *       {@code tls_ca_cert_file} (else the JVM's trusted CAs), {@code tls_cert_file} +
 *       {@code tls_key_file} (a client certificate; both or neither). Empty strings mean none.
 * </ul>
 *
 * @param clientId the configured client id, or null to generate one per client
 * @param keepAliveSeconds 0 disables keep-alive pings
 */
record MqttConnection(String host, int port, String username, String password, String clientId,
    int keepAliveSeconds, boolean tls, boolean tlsInsecure, String caCertFile, String certFile, String keyFile) {

  static final String DEFAULT_CLIENT_ID_PREFIX = "webhook-module-";
  private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Parses and checks a connection object; throws ConfigException naming the key. */
  static MqttConnection from(JsonObject connection, Env env) {
    JsonObject config = connection == null ? new JsonObject() : connection;
    version(config);
    String host = Coerce.string(config, "host", "localhost").trim();
    int port = (int) Coerce.integer(config, "port", 1883, 1, 65535);
    ConnectionRules.check(new JsonObject().put("type", "rabbitmq").put("host", host).put("port", port), env);
    String username = optional(config, "username");
    if (username == null) {
      username = optional(config, "user");
    }
    String password = optional(config, "password");
    if (password != null && username == null) {
      throw new ConfigException("password", "needs a username (MQTT 3.1.1 sends no password without a user name)");
    }
    String clientId = optional(config, "client_id");
    if (clientId != null && clientId.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw new ConfigException("client_id", "must not contain control characters");
    }
    int keepAlive = (int) Coerce.integer(config, "keepalive", 60, 0, 65535);
    boolean tls = Coerce.bool(config, "tls", false);
    boolean insecure = Coerce.bool(config, "tls_insecure", false);
    String ca = optional(config, "tls_ca_cert_file");
    String cert = optional(config, "tls_cert_file");
    String key = optional(config, "tls_key_file");
    if ((cert == null) != (key == null)) {
      throw new ConfigException(cert == null ? "tls_cert_file" : "tls_key_file",
          "is required with " + (cert == null ? "tls_key_file" : "tls_cert_file") + " (a client certificate needs both)");
    }
    return new MqttConnection(host, port, username, password, clientId, keepAlive, tls, insecure, ca, cert, key);
  }

  /** The client id for a new client: the configured one, or a new unique default. */
  String newClientId() {
    if (clientId != null) {
      return clientId;
    }
    StringBuilder id = new StringBuilder(DEFAULT_CLIENT_ID_PREFIX);
    for (int i = 0; i < 8; i++) {
      id.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    }
    return id.toString();
  }

  private static void version(JsonObject config) {
    String version = Coerce.string(config, "mqtt_version", "3.1.1").trim().toLowerCase(Locale.ROOT);
    switch (version) {
      case "3.1.1", "" -> { }
      case "3.1" -> throw new ConfigException("mqtt_version", "MQTT 3.1 is not supported by this build: its client"
          + " (vertx-mqtt) speaks MQTT 3.1.1 only; brokers that speak 3.1 speak 3.1.1 too: set \"3.1.1\"");
      case "5", "5.0" -> throw new ConfigException("mqtt_version", "MQTT 5 is not supported by this build: its"
          + " client (vertx-mqtt) speaks MQTT 3.1.1 only; set \"3.1.1\" (brokers that speak 5 speak 3.1.1 too)");
      default -> throw new ConfigException("mqtt_version", "must be \"3.1.1\" (the only version this build speaks)");
    }
  }

  /** A string key; absent, null or empty (after trimming) means none. */
  private static String optional(JsonObject config, String key) {
    String value = Coerce.string(config, key, null);
    return value == null || value.isBlank() ? null : value;
  }

  @Override
  public String toString() {
    return "MqttConnection[" + host + ":" + port + (tls ? " tls" : "") + "]"; // no credentials in logs
  }
}
