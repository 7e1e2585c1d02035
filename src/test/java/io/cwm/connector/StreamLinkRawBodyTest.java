package io.cwm.connector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The {@code raw_body} of a webhook frame as the connector reads it. */
class StreamLinkRawBodyTest {
  static JsonObject frame() {
    return new JsonObject().put("type", "webhook").put("message_id", "msg_1").put("webhook_id", "wh")
        .put("headers", new JsonObject()).put("payload", new JsonObject().put("a", 1));
  }

  @Test
  void aFrameWithARawBodyGivesItsBytes() {
    byte[] raw = "{\"a\":  1}".getBytes(StandardCharsets.UTF_8);
    Delivery delivery = StreamLink.parseWebhook(frame().put("raw_body", Base64.getEncoder().encodeToString(raw)));
    assertArrayEquals(raw, delivery.rawBody());
    assertEquals(new JsonObject().put("a", 1), delivery.payload());
  }

  @Test
  void aPythonFrameOrABadRawBodyGivesNoneAndThePayloadIsDelivered() {
    assertNull(StreamLink.parseWebhook(frame()).rawBody());
    assertNull(StreamLink.parseWebhook(frame().put("raw_body", "%%% not base64")).rawBody());
    assertNull(StreamLink.parseWebhook(frame().put("raw_body", 42)).rawBody());
    assertEquals(new JsonObject().put("a", 1), StreamLink.parseWebhook(frame().put("raw_body", 42)).payload());
  }
}
