package io.cwm.module.sqs;

import io.cwm.module.Utf8;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * What one webhook becomes in SQS: the message body and its String message attributes.
 *
 * <ul>
 *   <li>Body: a JSON object or array as compact JSON, a string payload as its text, other
 *       scalars as JSON text ({@code 42}, {@code true}, {@code null}); a blob
 *       ({@code data_type: blob}) as the base64 of its bytes with the attribute
 *       {@value #ENCODING_ATTRIBUTE} = {@code base64} (an SQS body must be text).
 *   <li>Attributes: the request headers (lower-case names) in name order, skipping those SQS
 *       would refuse (name not 1–256 of {@code [A-Za-z0-9_.-]}, starting or ending with
 *       {@code .}, containing {@code ..}, or starting with {@code aws.} / {@code amazon.}; value
 *       empty, longer than 256 characters, or with characters SQS does not accept) and any header
 *       named {@value #ENCODING_ATTRIBUTE}; the first {@value #MAX_ATTRIBUTES} are kept (9 for a
 *       blob, whose encoding attribute takes a slot), the rest dropped (Python's send failed).
 * </ul>
 *
 * {@link #size()} is what SQS counts against its limit: the body's UTF-8 bytes plus each
 * attribute's name, data type and value.
 */
record SqsMessage(String body, Map<String, MessageAttributeValue> attributes, int size, int droppedHeaders) {
  /** SQS's limit on the attributes of one message. */
  static final int MAX_ATTRIBUTES = 10;
  /** The longest header value kept (Python's rule). */
  static final int MAX_VALUE_LENGTH = 256;
  static final String ENCODING_ATTRIBUTE = "content-transfer-encoding";
  private static final String STRING = "String";

  static SqsMessage of(Object payload, Map<String, String> headers) {
    boolean blob = payload instanceof Buffer;
    String body = body(payload);
    Map<String, MessageAttributeValue> attributes = new LinkedHashMap<>();
    int size = Utf8.length(body);
    if (blob) {
      attributes.put(ENCODING_ATTRIBUTE, string("base64"));
      size += Utf8.length(ENCODING_ATTRIBUTE) + STRING.length() + "base64".length();
    }
    List<String> names = new ArrayList<>(headers == null ? List.of() : headers.keySet());
    names.sort(null);
    int dropped = 0;
    for (String name : names) {
      String value = headers.get(name);
      if (attributes.size() >= MAX_ATTRIBUTES || !acceptedName(name) || !acceptedValue(value)
          || name.equalsIgnoreCase(ENCODING_ATTRIBUTE)) {
        dropped++;
        continue;
      }
      attributes.put(name, string(value));
      size += Utf8.length(name) + STRING.length() + Utf8.length(value);
    }
    return new SqsMessage(body, attributes, size, dropped);
  }

  static String body(Object payload) {
    if (payload instanceof Buffer bytes) {
      return Base64.getEncoder().encodeToString(bytes.getBytes());
    }
    if (payload instanceof String text) {
      return text;
    }
    if (payload instanceof JsonObject object) {
      return object.encode();
    }
    if (payload instanceof JsonArray array) {
      return array.encode();
    }
    return Json.encode(payload);
  }

  /** 1–256 of {@code [A-Za-z0-9_.-]}, no leading, trailing or double dot, no aws./amazon. prefix (a loop: runs per header). */
  static boolean acceptedName(String name) {
    if (name == null || name.isEmpty() || name.length() > 256 || name.startsWith(".") || name.endsWith(".")
        || name.contains("..") || name.regionMatches(true, 0, "aws.", 0, 4) || name.regionMatches(true, 0, "amazon.", 0, 7)) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'
          || c == '.')) {
        return false;
      }
    }
    return true;
  }

  static boolean acceptedValue(String value) {
    return value != null && !value.isEmpty() && value.length() <= MAX_VALUE_LENGTH && sqsText(value);
  }

  /** SQS's accepted characters: #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD #x10000-#x10FFFF. */
  static boolean sqsText(String text) {
    for (int i = 0; i < text.length(); ) {
      int c = text.codePointAt(i);
      boolean ok = c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD)
          || (c >= 0x10000 && c <= 0x10FFFF);
      if (!ok) {
        return false;
      }
      i += Character.charCount(c);
    }
    return true;
  }

  private static MessageAttributeValue string(String value) {
    return MessageAttributeValue.builder().dataType(STRING).stringValue(value).build();
  }
}
