package io.cwm.stream.edge;

import io.cwm.buffer.Envelope;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.UUID;

/** Frames and ids of the streaming protocol (spec §3.2, §3.3). */
final class Frames {
  private Frames() {}

  static String now() {
    return Envelope.format(Instant.now());
  }

  static String connectionId(String prefix) {
    return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12) + "_"
        + Instant.now().getEpochSecond();
  }

  static JsonObject connected(String connectionId, String channel) {
    return new JsonObject().put("type", "connected").put("connection_id", connectionId)
        .put("channel", channel).put("timestamp", now()).put("features", features());
  }

  /** What this receiver understands beyond the Python protocol (issue 16: {@code flow}); Python ignores the field. */
  static io.vertx.core.json.JsonArray features() {
    return new io.vertx.core.json.JsonArray().add(FlowEndpoint.FEATURE);
  }

  static JsonObject heartbeat() {
    String now = now();
    return new JsonObject().put("type", "heartbeat").put("timestamp", now).put("server_time", now);
  }

  /** One SSE event; the JSON is ASCII-only (non-ASCII escaped) so no client splits a UTF-8 character. */
  static String sse(String event, JsonObject data) {
    return "event: " + event + "\ndata: " + ascii(data.encode()) + "\n\n";
  }

  static String ascii(String json) {
    StringBuilder out = null;
    for (int i = 0; i < json.length(); i++) {
      char c = json.charAt(i);
      if (c > 0x7e) {
        if (out == null) {
          out = new StringBuilder(json.length() + 32).append(json, 0, i);
        }
        out.append(String.format("\\u%04x", (int) c));
      } else if (out != null) {
        out.append(c);
      }
    }
    return out == null ? json : out.toString();
  }

  /** JSON truthiness of a nack's {@code retry} (absent = true): false, null, 0, "" mean reject. */
  static boolean truthy(JsonObject frame, String key) {
    if (!frame.containsKey(key)) {
      return true;
    }
    Object value = frame.getValue(key);
    if (value == null || Boolean.FALSE.equals(value)) {
      return false;
    }
    if (value instanceof Number number) {
      return number.doubleValue() != 0;
    }
    if (value instanceof String text) {
      return !text.isEmpty();
    }
    return true;
  }
}
