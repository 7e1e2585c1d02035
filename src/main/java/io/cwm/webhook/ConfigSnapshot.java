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
 */
public record ConfigSnapshot(Map<String, WebhookEntry> webhooks, Map<String, JsonObject> connections,
    Map<String, ChannelSpec> channels) {
  public static final String DEFAULT_ID = "default";

  /** The entry serving {@code requestedId}: its own, else the {@code default} entry, else null. */
  public WebhookEntry find(String requestedId) {
    WebhookEntry entry = webhooks.get(requestedId);
    return entry != null ? entry : webhooks.get(DEFAULT_ID);
  }
}
