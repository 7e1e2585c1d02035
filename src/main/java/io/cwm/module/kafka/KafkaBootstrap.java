package io.cwm.module.kafka;

import io.cwm.config.Coerce;
import io.cwm.config.ConfigException;
import io.cwm.config.ConnectionRules;
import io.cwm.config.Env;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code bootstrap_servers} of a {@code kafka} connection (connections-json.md §4.6): a
 * comma-separated {@code host:port} list (a JSON list of such strings is accepted too), default
 * {@code localhost:9092}. Every host must pass the shared host rules ({@link ConnectionRules},
 * connections-json.md §3): loopback needs {@code ALLOW_LOCALHOST_FOR_TESTS=true}, private
 * addresses {@code ALLOW_PRIVATE_IP_CONNECTIONS=true}, metadata hosts are refused, and no
 * connection is made to a list with a refused host.
 */
public final class KafkaBootstrap {
  static final String DEFAULT = "localhost:9092";

  private KafkaBootstrap() {}

  /**
   * The checked list as the producer's {@code bootstrap.servers} value; throws ConfigException
   * (key {@code bootstrap_servers}). Public so the config loader can run it at load time.
   */
  public static String check(JsonObject connection, Env env) {
    List<String> entries = entries(connection == null ? new JsonObject() : connection);
    if (entries.isEmpty()) {
      throw new ConfigException("bootstrap_servers", "must list at least one host:port");
    }
    List<String> checked = new ArrayList<>(entries.size());
    for (String entry : entries) {
      int colon = entry.lastIndexOf(':');
      String host = colon < 0 ? "" : entry.substring(0, colon).trim();
      String port = colon < 0 ? "" : entry.substring(colon + 1).trim();
      if (host.isEmpty() || port.isEmpty() || (host.contains(":") && !host.startsWith("["))) {
        throw new ConfigException("bootstrap_servers", "each entry must be host:port ([v6]:port for IPv6)");
      }
      try {
        ConnectionRules.check(new JsonObject().put("type", "rabbitmq").put("host", host).put("port", port), env);
      } catch (ConfigException e) {
        throw new ConfigException("bootstrap_servers", e.key() + ": " + e.getMessage());
      }
      checked.add(host + ":" + Integer.parseInt(port));
    }
    return String.join(",", checked);
  }

  private static List<String> entries(JsonObject connection) {
    Object value = connection.getValue("bootstrap_servers");
    List<String> raw = new ArrayList<>();
    if (value == null) {
      raw.add(DEFAULT);
    } else if (value instanceof JsonArray list) {
      raw.addAll(Coerce.stringList(connection, "bootstrap_servers"));
      if (list.isEmpty()) {
        return List.of();
      }
    } else {
      raw.add(Coerce.string(connection, "bootstrap_servers", DEFAULT));
    }
    List<String> entries = new ArrayList<>();
    for (String text : raw) {
      for (String part : text.split(",")) {
        if (!part.isBlank()) {
          entries.add(part.trim());
        }
      }
    }
    return entries;
  }
}
