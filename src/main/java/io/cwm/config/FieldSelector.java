package io.cwm.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.pointer.JsonPointer;
import java.util.Locale;
import java.util.Map;

/**
 * Where a value of a webhook is read from, as written in webhooks.json and connector.json
 * ({@code dedup.key}, {@code ordering.key}, filter rules): a header name ({@code X-GitHub-Delivery},
 * matched case-insensitively) or, when it starts with {@code /}, an RFC 6901 JSON pointer into
 * the JSON payload ({@code /data/object/id}). The same selector reads a request at the receiver
 * (headers with lower-case names) and an envelope at the connector (its {@code headers} object,
 * lower-case names as every peer writes them).
 */
public final class FieldSelector {

  /** What {@link #find} answers when the header or the pointed-at value is not there. */
  public static final Object ABSENT = new Object() {
    @Override
    public String toString() {
      return "ABSENT";
    }
  };

  /** Longest selector text accepted. */
  public static final int MAX_LENGTH = 512;

  private final String text;
  private final String header;
  private final JsonPointer pointer;

  private FieldSelector(String text, String header, JsonPointer pointer) {
    this.text = text;
    this.header = header;
    this.pointer = pointer;
  }

  /**
   * Parses a selector; throws {@link IllegalArgumentException} with a message fit for a config
   * problem when it is neither a header name nor a JSON pointer.
   */
  public static FieldSelector parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("must be a header name or a JSON pointer starting with \"/\"");
    }
    String trimmed = text.trim();
    if (trimmed.length() > MAX_LENGTH) {
      throw new IllegalArgumentException("is longer than " + MAX_LENGTH + " characters");
    }
    if (trimmed.startsWith("/")) {
      try {
        return new FieldSelector(trimmed, null, JsonPointer.from(trimmed));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("is not a valid JSON pointer (RFC 6901)");
      }
    }
    for (int i = 0; i < trimmed.length(); i++) {
      if (!tokenChar(trimmed.charAt(i))) {
        throw new IllegalArgumentException("is not a header name (RFC 9110 token) nor a JSON pointer starting with \"/\"");
      }
    }
    return new FieldSelector(trimmed, trimmed.toLowerCase(Locale.ROOT), null);
  }

  private static boolean tokenChar(char c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
  }

  /** True for a header selector, false for a JSON pointer. */
  public boolean isHeader() {
    return header != null;
  }

  /** The header name in lower case, or null for a JSON pointer. */
  public String headerName() {
    return header;
  }

  /**
   * The selected value: a header's text, or the JSON value at the pointer (String, Number,
   * Boolean, JsonObject, JsonArray, or null for a JSON null); {@link #ABSENT} when not there.
   * {@code headers} has lower-case names; a payload that is not JSON (a blob) has no pointer values.
   */
  public Object find(Map<String, String> headers, Object payload) {
    if (header != null) {
      String value = headers == null ? null : headers.get(header);
      return value == null ? ABSENT : value;
    }
    return pointed(payload);
  }

  /** {@link #find} on an envelope's headers object (lower-case names; any case is tried second). */
  public Object find(JsonObject headers, Object payload) {
    if (header != null) {
      if (headers == null) {
        return ABSENT;
      }
      Object value = headers.getValue(header);
      if (value == null) {
        for (Map.Entry<String, Object> entry : headers) {
          if (entry.getKey().equalsIgnoreCase(header)) {
            value = entry.getValue();
            break;
          }
        }
      }
      return value == null ? ABSENT : String.valueOf(value);
    }
    return pointed(payload);
  }

  private Object pointed(Object payload) {
    if (!(payload instanceof JsonObject) && !(payload instanceof JsonArray)) {
      return ABSENT;
    }
    Object value = pointer.queryJson(payload);
    if (value == null) {
      // queryJson answers null both for a JSON null and for a missing value: tell them apart
      // (on a copy: JsonPointer.parent() removes the last token of the pointer it is called on)
      return pointer.copy().parent().queryJson(payload) instanceof JsonObject parent
          && parent.containsKey(lastToken()) ? null : ABSENT;
    }
    return value;
  }

  private String lastToken() {
    String last = text.substring(text.lastIndexOf('/') + 1);
    return last.replace("~1", "/").replace("~0", "~");
  }

  /**
   * The selected value as text (numbers and booleans as JSON writes them, objects and arrays
   * encoded), or null when absent or JSON null: what a dedup or ordering key is.
   */
  public static String text(Object found) {
    if (found == ABSENT || found == null) {
      return null;
    }
    if (found instanceof JsonObject object) {
      return object.encode();
    }
    if (found instanceof JsonArray array) {
      return array.encode();
    }
    return String.valueOf(found);
  }

  /** As written in the config. */
  @Override
  public String toString() {
    return text;
  }

  /** Same text, same selector: a reloaded channel with an unchanged {@code ordering.key} has an equal spec. */
  @Override
  public boolean equals(Object other) {
    return other instanceof FieldSelector selector && text.equals(selector.text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }
}
