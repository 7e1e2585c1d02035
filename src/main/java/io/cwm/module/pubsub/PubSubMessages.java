package io.cwm.module.pubsub;

import io.cwm.module.Utf8;
import com.google.protobuf.ByteString;
import com.google.pubsub.v1.PubsubMessage;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What one webhook becomes in Pub/Sub:
 *
 * <ul>
 *   <li>data: a JSON object or array as compact JSON (UTF-8), a string payload as its UTF-8
 *       text, other scalars as JSON text; a blob ({@code data_type: blob}) as its raw bytes
 *       (Pub/Sub data is bytes).
 *   <li>attributes: the request headers (lower-case names) whose names match
 *       {@code ^[A-Za-z0-9_-]+$} (the spec's rule) and are at most 256 bytes, not starting with
 *       {@code goog} (reserved by Pub/Sub), and whose values are at most 1024 characters and 1024
 *       UTF-8 bytes; in name order, at most {@value #MAX_ATTRIBUTES} (Pub/Sub's limit), the rest
 *       dropped.
 * </ul>
 */
final class PubSubMessages {
  static final int MAX_ATTRIBUTES = 100;
  static final int MAX_VALUE = 1024;
  /** Pub/Sub's largest message (data plus attributes). */
  static final int MAX_MESSAGE_BYTES = 10_000_000;

  private PubSubMessages() {}

  /** The message and how many headers were not sent as attributes. */
  record Built(PubsubMessage message, int size, int droppedHeaders) {}

  static Built of(Object payload, Map<String, String> headers) {
    PubsubMessage.Builder message = PubsubMessage.newBuilder().setData(data(payload));
    int size = message.getData().size();
    List<String> names = new ArrayList<>(headers == null ? List.of() : headers.keySet());
    names.sort(null);
    int dropped = 0;
    int kept = 0;
    for (String name : names) {
      String value = headers.get(name);
      if (kept >= MAX_ATTRIBUTES || !acceptedName(name) || !acceptedValue(value)) {
        dropped++;
        continue;
      }
      message.putAttributes(name, value);
      size += name.length() + Utf8.length(value);
      kept++;
    }
    return new Built(message.build(), size, dropped);
  }

  static ByteString data(Object payload) {
    if (payload instanceof Buffer bytes) {
      return ByteString.copyFrom(bytes.getBytes());
    }
    String text;
    if (payload instanceof String string) {
      text = string;
    } else if (payload instanceof JsonObject object) {
      text = object.encode();
    } else if (payload instanceof JsonArray array) {
      text = array.encode();
    } else {
      text = Json.encode(payload);
    }
    return ByteString.copyFromUtf8(text);
  }

  /** {@code ^[A-Za-z0-9_-]{1,256}$}, not starting with {@code goog} (a loop: it runs for every header). */
  static boolean acceptedName(String name) {
    if (name == null || name.isEmpty() || name.length() > 256 || name.regionMatches(true, 0, "goog", 0, 4)) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) {
        return false;
      }
    }
    return true;
  }

  static boolean acceptedValue(String value) {
    return value != null && value.length() <= MAX_VALUE && Utf8.length(value) <= MAX_VALUE;
  }
}
