package io.cwm.module.log;

import io.cwm.config.Coerce;
import io.cwm.config.Env;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders a webhook for the {@code log} module (modules.md §3.1): sensitive keys and headers
 * redacted, CR/LF shown as {@code [NL]} and other control characters as {@code [CTRL]} (so a
 * payload cannot forge log lines), each part capped at 10 000 characters, nesting deeper than 10
 * shown as {@code [Max depth exceeded]}.
 */
public final class LogFormatter {
  static final int MAX_CHARS = 10_000;
  static final int MAX_DEPTH = 10;
  static final String REDACTED = "[REDACTED]";
  private static final List<String> SENSITIVE = List.of("password", "passwd", "pwd", "secret",
      "token", "api_key", "apikey", "access_token", "refresh_token", "authorization", "auth",
      "credential", "credentials", "private_key", "privatekey", "session", "cookie", "ssn",
      "credit_card", "creditcard", "database_url", "db_url", "connection_string", "conn_string",
      "api-key", "private-key", "credit-card");

  private final boolean prettyPrint;
  private final boolean redact;

  public LogFormatter(boolean prettyPrint, boolean redact) {
    this.prettyPrint = prettyPrint;
    this.redact = redact;
  }

  public static LogFormatter fromConfig(JsonObject moduleConfig) {
    return new LogFormatter(Coerce.bool(moduleConfig, "pretty_print", false),
        Coerce.bool(moduleConfig, "redact_sensitive", true));
  }

  public static void checkConfig(JsonObject moduleConfig, JsonObject entry, Env env) {
    fromConfig(moduleConfig);
  }

  /** Verdicts per key name: header names and payload keys repeat from webhook to webhook. */
  private static final java.util.concurrent.ConcurrentHashMap<String, Boolean> VERDICTS =
      new java.util.concurrent.ConcurrentHashMap<>();
  private static final int MAX_VERDICTS = 10_000;

  static boolean sensitive(String key) {
    Boolean known = VERDICTS.get(key);
    if (known != null) {
      return known;
    }
    boolean verdict = computeSensitive(key);
    if (VERDICTS.size() < MAX_VERDICTS) {
      VERDICTS.put(key, verdict);
    }
    return verdict;
  }

  private static boolean computeSensitive(String key) {
    String lower = key.toLowerCase(Locale.ROOT);
    for (String word : SENSITIVE) {
      if (lower.contains(word)) {
        return true;
      }
    }
    return false;
  }

  /** One line (or a pretty block) describing the webhook; never contains raw newlines from input. */
  public String format(String webhookId, Map<String, String> headers, Object payload) {
    Object shownHeaders = renderHeaders(headers);
    Object shownPayload = payload instanceof Buffer blob
        ? "<" + blob.length() + " bytes of binary payload>" : render(payload, 0);
    if (prettyPrint) {
      String bar = "=".repeat(80);
      return "\n" + bar + "\nWEBHOOK RECEIVED: " + clean(webhookId) + "\n" + bar
          + "\nHeaders:\n" + cap(encode(shownHeaders, true))
          + "\nPayload:\n" + cap(encode(shownPayload, true)) + "\n" + bar;
    }
    return "webhook_id=" + clean(webhookId) + " headers=" + cap(encode(shownHeaders, false))
        + " payload=" + cap(encode(shownPayload, false));
  }

  private JsonObject renderHeaders(Map<String, String> headers) {
    JsonObject out = new JsonObject(new java.util.LinkedHashMap<>(headers.size() * 2));
    for (Map.Entry<String, String> header : headers.entrySet()) {
      out.put(clean(header.getKey()), redact && sensitive(header.getKey()) ? REDACTED : clean(header.getValue()));
    }
    return out;
  }

  private Object render(Object value, int depth) {
    if (depth > MAX_DEPTH) {
      return "[Max depth exceeded]";
    }
    if (value instanceof JsonObject object) {
      JsonObject out = new JsonObject();
      for (Map.Entry<String, Object> field : object) {
        String key = clean(field.getKey());
        out.put(key, redact && sensitive(field.getKey()) && !(field.getValue() instanceof JsonObject)
            ? REDACTED : render(field.getValue(), depth + 1));
      }
      return out;
    }
    if (value instanceof JsonArray array) {
      JsonArray out = new JsonArray();
      for (Object element : array) {
        out.add(render(element, depth + 1));
      }
      return out;
    }
    if (value instanceof String text) {
      return clean(text);
    }
    return value;
  }

  private static String encode(Object value, boolean pretty) {
    if (value instanceof JsonObject object) {
      return pretty ? object.encodePrettily() : object.encode();
    }
    if (value instanceof JsonArray array) {
      return pretty ? array.encodePrettily() : array.encode();
    }
    return String.valueOf(value);
  }

  /** Replaces CR/LF with [NL] and other control characters with [CTRL]. */
  static String clean(String text) {
    StringBuilder out = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean newline = c == '\n' || c == '\r' || c == '\u2028' || c == '\u2029';
      boolean control = !newline && (c < 0x20 || (c >= 0x7f && c <= 0x9f));
      if (newline || control) {
        if (out == null) {
          out = new StringBuilder(text.length() + 16).append(text, 0, i);
        }
        out.append(newline ? "[NL]" : "[CTRL]");
      } else if (out != null) {
        out.append(c);
      }
    }
    return out == null ? text : out.toString();
  }

  private static String cap(String text) {
    return text.length() <= MAX_CHARS ? text : text.substring(0, MAX_CHARS) + "... [truncated]";
  }
}
