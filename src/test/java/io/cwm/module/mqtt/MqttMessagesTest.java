package io.cwm.module.mqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The bytes published for each format and layout, blobs included. */
class MqttMessagesTest {
  private static MqttTarget target(JsonObject config) {
    return MqttTarget.resolve(config.put("topic", "t"), new JsonObject());
  }

  private static String text(MqttTarget target, Object payload) {
    return MqttMessages.encode(target, payload).toString(StandardCharsets.UTF_8);
  }

  @Test
  void jsonFormatSendsContainersAsJsonAndStringsAsText() {
    MqttTarget json = target(new JsonObject());
    assertEquals("{\"a\":1,\"b\":[true,null]}", text(json, new JsonObject().put("a", 1)
        .put("b", new JsonArray().add(true).addNull())));
    assertEquals("h\u00e9llo", text(json, "h\u00e9llo"));
    assertEquals("42", text(json, 42));
    assertEquals("true", text(json, true));
    assertEquals("null", text(json, null));
  }

  @Test
  void rawFormatSendsStringsAsTextAndOtherValuesAsJson() {
    MqttTarget raw = target(new JsonObject().put("format", "raw"));
    assertEquals("plain text", text(raw, "plain text"));
    assertEquals("[1,2]", text(raw, new JsonArray().add(1).add(2)));
  }

  @Test
  void anyOtherFormatJsonEncodesEvenStrings() {
    assertEquals("\"quoted\"", text(target(new JsonObject().put("format", "text")), "quoted"));
  }

  @Test
  void blobIsPublishedAsItsRawBytesInEveryPlainFormat() {
    byte[] bytes = {0, (byte) 0xff, 10, 13, 'x'};
    for (String format : new String[] {"json", "raw", "other"}) {
      assertArrayEquals(bytes, MqttMessages.encode(target(new JsonObject().put("format", format)),
          Buffer.buffer(bytes)).getBytes(), format);
    }
  }

  @Test
  void shellyWrapsObjectsAsParamsAndOtherValuesUnderData() {
    MqttTarget shelly = target(new JsonObject().put("shelly_gen2_format", true).put("device_id", "plug-1"));
    assertEquals(new JsonObject().put("id", "plug-1").put("source", "webhook").put("params", new JsonObject()
        .put("on", true)), new JsonObject(text(shelly, new JsonObject().put("on", true))));
    assertEquals(new JsonObject().put("id", "plug-1").put("source", "webhook").put("params", new JsonObject()
        .put("data", new JsonArray().add(1))), new JsonObject(text(shelly, new JsonArray().add(1))));
  }

  @Test
  void tasmotaSendsObjectsAsTheyAreAndOtherValuesUnderData() {
    MqttTarget tasmota = MqttTarget.resolve(new JsonObject().put("tasmota_format", true), new JsonObject());
    assertEquals(new JsonObject().put("POWER", "ON"), new JsonObject(text(tasmota, new JsonObject()
        .put("POWER", "ON"))));
    assertEquals(new JsonObject().put("data", "ON"), new JsonObject(text(tasmota, "ON")));
  }

  @Test
  void blobInsideAJsonEnvelopeIsBase64() {
    byte[] bytes = {1, 2, 3, (byte) 0xfe};
    MqttTarget tasmota = MqttTarget.resolve(new JsonObject().put("tasmota_format", true), new JsonObject());
    assertEquals(new JsonObject().put("data", Base64.getEncoder().encodeToString(bytes)),
        new JsonObject(text(tasmota, Buffer.buffer(bytes))));
  }
}
