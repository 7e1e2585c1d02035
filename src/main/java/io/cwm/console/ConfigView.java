package io.cwm.console;

import io.cwm.module.log.LogFormatter;
import io.cwm.webhook.ConfigSnapshot;
import io.cwm.webhook.WebhookEntry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The loaded configuration as the console shows it: every webhook entry and connection as
 * loaded (variables substituted), with the value of every key that names a secret (the log
 * module's list: password, secret, token, key, auth, ...) replaced by {@value #MASK} and the
 * user:password part of URLs hidden. Computed once: the configuration does not change while the
 * process runs.
 */
final class ConfigView {
  static final String MASK = "***";
  private static final Pattern URL_CREDENTIALS = Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)[^/@\\s]+@");

  private ConfigView() {
  }

  static JsonObject of(ConfigSnapshot config) {
    JsonObject webhooks = new JsonObject();
    for (Map.Entry<String, WebhookEntry> entry : new TreeMap<>(config.webhooks()).entrySet()) {
      webhooks.put(entry.getKey(), mask(entry.getValue().raw()));
    }
    JsonObject connections = new JsonObject();
    for (Map.Entry<String, JsonObject> entry : new TreeMap<>(config.connections()).entrySet()) {
      connections.put(entry.getKey(), mask(entry.getValue()));
    }
    return new JsonObject().put("webhooks", webhooks).put("connections", connections);
  }

  /** A masked copy of {@code value} (a JSON object, array or scalar). */
  static Object mask(Object value) {
    if (value instanceof JsonObject object) {
      JsonObject out = new JsonObject();
      object.forEach(field -> {
        Object child = field.getValue();
        boolean scalar = !(child instanceof JsonObject) && !(child instanceof JsonArray);
        out.put(field.getKey(), scalar && child != null && LogFormatter.sensitive(field.getKey()) ? MASK : mask(child));
      });
      return out;
    }
    if (value instanceof JsonArray array) {
      JsonArray out = new JsonArray();
      array.forEach(item -> out.add(mask(item)));
      return out;
    }
    if (value instanceof String text) {
      return URL_CREDENTIALS.matcher(text).replaceAll("$1" + MASK + "@");
    }
    return value;
  }
}
