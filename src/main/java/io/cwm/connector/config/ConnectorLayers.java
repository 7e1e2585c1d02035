package io.cwm.connector.config;

import io.cwm.config.EnvVars;
import io.cwm.config.Env;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The values of one connector, layered: a file's connector object (already substituted), then
 * the {@code CONNECTOR_*} variables (spec §8.4), then the given command-line flags (§8.5). It
 * remembers which variable or flag set a key, so a problem with the value can name where it came
 * from ({@link #label}).
 */
final class ConnectorLayers {
  /** §8.4: variable → field, for the fields a variable simply sets (see the TARGET_* below). */
  static final Map<String, String> VARIABLES = orderedMap(
      EnvVars.CONNECTOR_CLOUD_URL, "cloud_url",
      EnvVars.CONNECTOR_CHANNEL, "channel",
      EnvVars.CONNECTOR_TOKEN, "token",
      EnvVars.CONNECTOR_PROTOCOL, "protocol",
      EnvVars.CONNECTOR_RECONNECT_DELAY, "reconnect_delay",
      EnvVars.CONNECTOR_MAX_RECONNECT_DELAY, "max_reconnect_delay",
      EnvVars.CONNECTOR_HEARTBEAT_TIMEOUT, "heartbeat_timeout",
      EnvVars.CONNECTOR_CONNECTION_TIMEOUT, "connection_timeout",
      EnvVars.CONNECTOR_MAX_CONCURRENT_REQUESTS, "max_concurrent_requests",
      EnvVars.CONNECTOR_ACK_TIMEOUT, "ack_timeout",
      EnvVars.CONNECTOR_LOG_LEVEL, "log_level",
      EnvVars.CONNECTOR_CA_CERT_PATH, "ca_cert_path",
      EnvVars.CONNECTOR_CLIENT_CERT_PATH, "client_cert_path",
      EnvVars.CONNECTOR_CLIENT_KEY_PATH, "client_key_path",
      EnvVars.CONNECTOR_ID, "connector_id",
      EnvVars.CONNECTOR_WEBHOOKS_CONFIG, "webhooks_config",
      EnvVars.CONNECTOR_CONNECTIONS_CONFIG, "connections_config",
      EnvVars.CONNECTOR_ETCD_HOST, "etcd_host",
      EnvVars.CONNECTOR_ETCD_PORT, "etcd_port",
      EnvVars.CONNECTOR_ETCD_PREFIX, "etcd_prefix",
      EnvVars.CONNECTOR_NAMESPACE, "namespace");
  /** This build's extensions (Python has no such variables): variable → field, set like the above. */
  static final Map<String, String> EXTENSION_VARIABLES = orderedMap(
      EnvVars.CONNECTOR_MAX_MESSAGE_BYTES, "max_message_bytes");
  static final String VERIFY_SSL_VARIABLE = EnvVars.CONNECTOR_VERIFY_SSL;
  static final String TARGET_URL_VARIABLE = EnvVars.CONNECTOR_TARGET_URL;
  static final String TARGET_METHOD_VARIABLE = EnvVars.CONNECTOR_TARGET_METHOD;
  static final String TARGET_TIMEOUT_VARIABLE = EnvVars.CONNECTOR_TARGET_TIMEOUT;

  private final JsonObject values;
  /** Where a key's value came from when not from the file: a variable or a flag name. */
  private final Map<String, String> origins = new HashMap<>();
  /** Variables that had nothing to apply to (no problem key). */
  private final List<String> warnings = new ArrayList<>();

  private ConnectorLayers(JsonObject values) {
    this.values = values;
  }

  /** Layers {@code env} and then {@code flags} over {@code fromFile} (changed in place). */
  static ConnectorLayers of(JsonObject fromFile, Env env, ConnectorFlags flags) {
    ConnectorLayers layers = new ConnectorLayers(fromFile);
    layers.applyEnvironment(env);
    layers.applyFlags(flags);
    return layers;
  }

  /** The layered values: the connector object as if the file had said everything. */
  JsonObject values() {
    return values;
  }

  /** Problems of the layering itself (a variable with nothing to apply to), as messages without a key. */
  List<String> warnings() {
    return List.copyOf(warnings);
  }

  /** {@code reconnect_delay (from CONNECTOR_RECONNECT_DELAY)} when a variable or flag set it (or its parent). */
  String label(String key) {
    for (String candidate = key; candidate != null; candidate = parent(candidate)) {
      String origin = origins.get(candidate);
      if (origin != null) {
        return key + " (from " + origin + ")";
      }
    }
    return key;
  }

  /** Whether a variable or flag replaced {@code key} or a value containing it. */
  boolean replaced(String key) {
    return origins.keySet().stream().anyMatch(overridden -> FieldReader.within(key, overridden));
  }

  private void applyEnvironment(Env env) {
    VARIABLES.forEach((variable, field) -> set(field, given(env, variable), variable));
    EXTENSION_VARIABLES.forEach((variable, field) -> set(field, given(env, variable), variable));
    String verifySsl = given(env, VERIFY_SSL_VARIABLE);
    if (verifySsl != null) {
      // true only for "true" in any case; "1" or "yes" turn verification off
      set("verify_ssl", "true".equalsIgnoreCase(verifySsl), VERIFY_SSL_VARIABLE);
    }
    String targetUrl = given(env, TARGET_URL_VARIABLE);
    if (targetUrl != null) {
      // a new target: headers of a file's default_target are not sent to it
      values.put("default_target", new JsonObject().put("url", targetUrl));
      origins.put("default_target", TARGET_URL_VARIABLE);
      origins.put("default_target.url", TARGET_URL_VARIABLE);
    }
    adjustDefaultTarget("method", given(env, TARGET_METHOD_VARIABLE), TARGET_METHOD_VARIABLE);
    adjustDefaultTarget("timeout_seconds", given(env, TARGET_TIMEOUT_VARIABLE), TARGET_TIMEOUT_VARIABLE);
  }

  private void adjustDefaultTarget(String key, String value, String variable) {
    if (value == null) {
      return;
    }
    if (values.getValue("default_target") instanceof JsonObject target) {
      target.put(key, value);
      origins.put("default_target." + key, variable);
    } else {
      warnings.add(variable + " is ignored: there is no default_target (set " + TARGET_URL_VARIABLE + ")");
    }
  }

  private void applyFlags(ConnectorFlags flags) {
    set("cloud_url", flags.cloudUrl(), "--cloud-url");
    set("channel", flags.channel(), "--channel");
    set("token", flags.token(), "--token");
    set("protocol", flags.protocol(), "--protocol");
    set("log_level", flags.logLevel(), "--log-level");
    set("connector_id", flags.connectorId(), "--connector-id");
    set("webhooks_config", flags.webhooksConfig(), "--webhooks-config");
    set("connections_config", flags.connectionsConfig(), "--connections-config");
    if (flags.noVerifySsl()) {
      set("verify_ssl", false, "--no-verify-ssl");
    }
    if (ConnectorFlags.given(flags.targetUrl())) {
      // a target with that URL and every other field at its default
      values.put("default_target", new JsonObject().put("url", flags.targetUrl().trim()));
      origins.keySet().removeIf(key -> key.startsWith("default_target"));
      origins.put("default_target", "--target-url");
      origins.put("default_target.url", "--target-url");
    }
  }

  private void set(String field, Object value, String origin) {
    if (value == null || value instanceof String text && text.isBlank()) {
      return;
    }
    values.put(field, value instanceof String text ? text.trim() : value);
    origins.keySet().removeIf(key -> key.startsWith(field + "."));
    origins.put(field, origin);
  }

  private static String given(Env env, String variable) {
    return env.get(variable, null);
  }

  private static String parent(String key) {
    int dot = key.lastIndexOf('.');
    return dot < 0 ? null : key.substring(0, dot);
  }

  private static Map<String, String> orderedMap(String... pairs) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      map.put(pairs[i], pairs[i + 1]);
    }
    return Collections.unmodifiableMap(map);
  }
}
