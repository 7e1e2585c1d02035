package io.cwm.config.etcd;

import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * The config as etcd holds it, in the shape of the app's {@code ConfigLoader.RawConfig} (whose
 * package this one may not import: only the composition root knows the app): the app turns it
 * into one with the same five fields and validates it like the files.
 *
 * @param webhooksSource names the webhooks' source in problems ({@code etcd host:port prefix})
 * @param webhooks the entries of the settings' namespace by id; the same instance as its value in
 *     {@code namespaces}
 * @param namespaces every namespace with at least one entry, and the settings' own, by namespace
 * @param connectionsSource names the connections' source in problems
 * @param connections the connections by name
 */
public record EtcdConfig(String webhooksSource, JsonObject webhooks, Map<String, JsonObject> namespaces,
    String connectionsSource, JsonObject connections) {
  public EtcdConfig {
    namespaces = Map.copyOf(namespaces);
  }
}
