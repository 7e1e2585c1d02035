package io.cwm.module.log;

import io.cwm.config.Coerce;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.StringWriter;
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

  private static final JsonFactory JSON = new JsonFactory();

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

  /** Verdicts per key name: header names and payload keys repeat from webhook to webhook. */
  private static final java.util.concurrent.ConcurrentHashMap<String, Boolean> VERDICTS =
      new java.util.concurrent.ConcurrentHashMap<>();
  private static final int MAX_VERDICTS = 10_000;

  public static boolean sensitive(String key) {
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
    String shownHeaders = json(generator -> {
      generator.writeStartObject();
      for (Map.Entry<String, String> header : headers.entrySet()) {
        generator.writeFieldName(clean(header.getKey()));
        generator.writeString(redact && sensitive(header.getKey()) ? REDACTED : clean(header.getValue()));
      }
      generator.writeEndObject();
    });
    String shownPayload = payload instanceof Buffer blob
        ? "<" + blob.length() + " bytes of binary payload>" : json(generator -> write(generator, payload, 0));
    if (prettyPrint) {
      String bar = "=".repeat(80);
      return "\n" + bar + "\nWEBHOOK RECEIVED: " + clean(webhookId) + "\n" + bar
          + "\nHeaders:\n" + cap(shownHeaders) + "\nPayload:\n" + cap(shownPayload) + "\n" + bar;
    }
    return "webhook_id=" + clean(webhookId) + " headers=" + cap(shownHeaders) + " payload=" + cap(shownPayload);
  }

  private interface Writer {
    void write(JsonGenerator generator) throws IOException;
  }

  /** Streams the rendering straight into JSON text: no copy of the payload is built. */
  private String json(Writer writer) {
    StringWriter text = new StringWriter(1024);
    try (JsonGenerator generator = JSON.createGenerator(text)) {
      if (prettyPrint) {
        generator.useDefaultPrettyPrinter();
      }
      writer.write(generator);
    } catch (IOException e) {
      return "[unprintable]";
    }
    return text.toString();
  }

  private void write(JsonGenerator generator, Object value, int depth) throws IOException {
    if (depth > MAX_DEPTH) {
      generator.writeString("[Max depth exceeded]");
    } else if (value instanceof JsonObject object) {
      generator.writeStartObject();
      for (Map.Entry<String, Object> field : object) {
        generator.writeFieldName(clean(field.getKey()));
        if (redact && sensitive(field.getKey()) && !(field.getValue() instanceof JsonObject)) {
          generator.writeString(REDACTED);
        } else {
          write(generator, field.getValue(), depth + 1);
        }
      }
      generator.writeEndObject();
    } else if (value instanceof JsonArray array) {
      generator.writeStartArray();
      for (Object element : array) {
        write(generator, element, depth + 1);
      }
      generator.writeEndArray();
    } else if (value instanceof String text) {
      generator.writeString(clean(text));
    } else if (value instanceof Boolean flag) {
      generator.writeBoolean(flag);
    } else if (value instanceof Integer || value instanceof Long || value instanceof Short) {
      generator.writeNumber(((Number) value).longValue());
    } else if (value instanceof java.math.BigInteger big) {
      generator.writeNumber(big);
    } else if (value instanceof java.math.BigDecimal decimal) {
      generator.writeNumber(decimal);
    } else if (value instanceof Number number) {
      generator.writeNumber(number.doubleValue());
    } else if (value == null) {
      generator.writeNull();
    } else {
      generator.writeString(clean(String.valueOf(value)));
    }
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
