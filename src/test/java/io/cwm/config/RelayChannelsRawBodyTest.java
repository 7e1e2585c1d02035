package io.cwm.config;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code raw_body} of a webhook_connect module-config (per webhook) and {@code data_type: blob} relays. */
class RelayChannelsRawBodyTest {
  static final Env NO_ENV = Env.of(Map.of());

  static JsonObject relay(String extra) {
    return new JsonObject("{\"channel\": \"ch\", \"channel_token\": \"tok\"" + extra + "}");
  }

  @Test
  void rawBodyIsOnByDefaultAndOffPerWebhook() {
    Map<String, JsonObject> configs = new LinkedHashMap<>();
    configs.put("kept", relay(""));
    configs.put("not_kept", relay(", \"raw_body\": false"));
    Map<String, String> conflicts = new HashMap<>();
    ChannelSpec channel = RelayChannels.build(configs, conflicts).get("ch");
    assertTrue(conflicts.isEmpty(), "raw_body is a webhook's own setting, not a channel setting: " + conflicts);
    assertTrue(channel.queue("kept").rawBody());
    assertFalse(channel.queue("not_kept").rawBody());
  }

  @Test
  void aRawBodyThatIsNotABooleanIsRefusedWithItsKey() {
    ConfigException refused = assertThrows(ConfigException.class,
        () -> RelayChannels.checkConfig(relay(", \"raw_body\": \"sometimes\""), new JsonObject(), NO_ENV));
    assertEquals("raw_body", refused.key());
    assertTrue(refused.getMessage().contains("boolean"), refused.getMessage());
  }

  @Test
  void aBlobWebhookMayRelay() {
    assertDoesNotThrow(() -> RelayChannels.checkConfig(relay(""), new JsonObject().put("data_type", "blob"), NO_ENV));
  }
}
