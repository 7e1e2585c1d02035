package io.cwm.module.mqtt;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Base64;

/**
 * The bytes the {@code mqtt} module publishes for one payload (modules.md §3.11).
 *
 * <ul>
 *   <li>Plain, {@code format: json}: objects and arrays as compact JSON, a string as its UTF-8
 *       text, numbers, booleans and null as JSON text ({@code true}, {@code null}).
 *   <li>Plain, {@code format: raw}: a string as its UTF-8 text, anything else as JSON.
 *   <li>Plain, any other format: the payload JSON-encoded (a string in quotes).
 *   <li>Shelly Gen2: {@code {"id": device_id, "source": "webhook", "params": <object payload, or
 *       {"data": payload}>}}; Tasmota: the object payload, or {@code {"data": payload}}.
 *   <li>A blob ({@code data_type: blob}) is published as its raw bytes in every plain format; in the
 *       Shelly and Tasmota envelopes, which are JSON, {@code data} holds it base64-encoded.
 * </ul>
 */
final class MqttMessages {
  private MqttMessages() {}

  static Buffer encode(MqttTarget target, Object payload) {
    return switch (target.style()) {
      case SHELLY -> new JsonObject().put("id", target.deviceId()).put("source", "webhook")
          .put("params", envelope(payload)).toBuffer();
      case TASMOTA -> envelope(payload).toBuffer();
      case PLAIN -> plain(target.format(), payload);
    };
  }

  private static Buffer plain(MqttTarget.Format format, Object payload) {
    if (payload instanceof Buffer blob) {
      return blob;
    }
    if (payload instanceof String text && format != MqttTarget.Format.ENCODED) {
      return Buffer.buffer(text);
    }
    return Json.encodeToBuffer(payload);
  }

  /** An object payload as it is, anything else under {@code data} (a blob base64-encoded). */
  private static JsonObject envelope(Object payload) {
    if (payload instanceof JsonObject object) {
      return object;
    }
    Object data = payload instanceof Buffer blob ? Base64.getEncoder().encodeToString(blob.getBytes())
        : payload instanceof JsonArray array ? array : payload;
    return new JsonObject().put("data", data);
  }
}
