package io.cwm.webhook;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import io.cwm.config.ChannelSpec;

/**
 * The loaded, validated configuration: immutable, shared by every verticle of the process.
 *
 * @param webhooks entries by id
 * @param connections connections.json entries (substituted) by name
 * @param channels Webhook Connect channels defined by webhook_connect entries, by name
 * @param namespaces with the etcd backend, the entries of every namespace (the default one
 *     included, whose entries are also {@code webhooks}); empty with files, where
 *     {@code /webhook/{namespace}/{id}} serves {@code webhooks} whatever the namespace
 */
public record ConfigSnapshot(Map<String, WebhookEntry> webhooks, Map<String, JsonObject> connections,
    Map<String, ChannelSpec> channels, Map<String, Map<String, WebhookEntry>> namespaces) {
  public static final String DEFAULT_ID = "default";

  public ConfigSnapshot(Map<String, WebhookEntry> webhooks, Map<String, JsonObject> connections,
      Map<String, ChannelSpec> channels) {
    this(webhooks, connections, channels, Map.of());
  }

  /**
   * The entry serving {@code requestedId} in {@code namespace} (null: the default one): with
   * namespaces (etcd), that namespace's own entry, else its {@code default} entry, else null;
   * without, as {@link #find(String)}.
   */
  public WebhookEntry find(String namespace, String requestedId) {
    if (namespace == null || namespaces.isEmpty()) {
      return find(requestedId);
    }
    Map<String, WebhookEntry> entries = namespaces.get(namespace);
    if (entries == null) {
      return null;
    }
    WebhookEntry entry = entries.get(requestedId);
    return entry != null ? entry : entries.get(DEFAULT_ID);
  }

  /** The entry serving {@code requestedId}: its own, else the {@code default} entry, else null. */
  public WebhookEntry find(String requestedId) {
    WebhookEntry entry = webhooks.get(requestedId);
    return entry != null ? entry : webhooks.get(DEFAULT_ID);
  }
}
