package io.cwm.validate;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import io.cwm.error.CwmException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.CharConversionException;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * Parses a webhook body into Vert.x JSON values in one streaming pass, enforcing the spec's
 * limits as it goes: nesting deeper than {@value #MAX_DEPTH} (root = depth 0, any value
 * counts), string values longer than {@value #MAX_STRING_CHARS} characters. It accepts
 * {@code NaN}/{@code Infinity} and duplicate keys (last wins), as senders may send them.
 *
 * <p>Charset: a {@code charset} parameter naming utf-8, latin-1, iso-8859-1, cp1252, ascii or
 * utf-16(-le/-be) is honoured; anything else is ignored and the bytes are read as UTF-8, falling
 * back to Latin-1 when they are not valid UTF-8.
 */
public final class JsonBodyParser {
  public static final int MAX_DEPTH = 50;
  public static final int MAX_STRING_CHARS = 1_048_576;
  static final String MALFORMED = "Malformed JSON payload";

  private static final JsonFactory FACTORY = JsonFactory.builder()
      .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
      // our own depth check fires at 51; Jackson's own limit only guards the parser itself
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxNestingDepth(MAX_DEPTH + 2)
          .maxStringLength(Integer.MAX_VALUE)
          .build())
      .build();

  private static final Map<String, Charset> CHARSETS = Map.of(
      "utf-8", StandardCharsets.UTF_8, "utf8", StandardCharsets.UTF_8,
      "latin-1", StandardCharsets.ISO_8859_1, "latin1", StandardCharsets.ISO_8859_1,
      "iso-8859-1", StandardCharsets.ISO_8859_1, "ascii", StandardCharsets.US_ASCII,
      "us-ascii", StandardCharsets.US_ASCII, "utf-16", StandardCharsets.UTF_16,
      "utf-16le", StandardCharsets.UTF_16LE, "utf-16be", StandardCharsets.UTF_16BE);

  private JsonBodyParser() {}

  /**
   * Parses {@code body}. Returns a JsonObject, JsonArray, String, Number, Boolean or null.
   *
   * @throws CwmException 400 with the spec's message when the body is not acceptable JSON
   */
  public static Object parse(Buffer body, String contentType) {
    if (body == null || body.length() == 0) {
      throw CwmException.badRequest(MALFORMED);
    }
    Charset declared = declaredCharset(contentType);
    try {
      if (declared == null || declared == StandardCharsets.UTF_8) {
        byte[] bytes = body.getBytes();
        try {
          return parseWith(FACTORY.createParser(bytes));
        } catch (CharConversionException | JsonParseException notUtf8) {
          // Bytes that are not valid UTF-8 are read as Latin-1, which always decodes. JSON that is
          // malformed for other reasons fails again below: its structure characters are ASCII in
          // both encodings.
          return parseWith(FACTORY.createParser(new String(bytes, StandardCharsets.ISO_8859_1)));
        }
      }
      return parseWith(FACTORY.createParser(new String(body.getBytes(), declared)));
    } catch (CwmException limit) {
      throw limit;
    } catch (IOException | RuntimeException malformed) {
      throw CwmException.badRequest(MALFORMED);
    }
  }

  static Charset declaredCharset(String contentType) {
    if (contentType == null) {
      return null;
    }
    int at = contentType.toLowerCase(Locale.ROOT).indexOf("charset=");
    if (at < 0) {
      return null;
    }
    String name = contentType.substring(at + 8).trim();
    int end = name.indexOf(';');
    if (end >= 0) {
      name = name.substring(0, end).trim();
    }
    if (name.length() > 64) {
      return null;
    }
    name = name.replace("\"", "").toLowerCase(Locale.ROOT);
    if (name.equals("cp1252") || name.equals("windows-1252")) {
      return Charset.isSupported("windows-1252") ? Charset.forName("windows-1252") : null;
    }
    return CHARSETS.get(name);
  }

  private static Object parseWith(JsonParser parser) throws IOException {
    try (parser) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        throw CwmException.badRequest(MALFORMED);
      }
      Object value = readValue(parser, first, 0);
      if (parser.nextToken() != null) {
        throw CwmException.badRequest(MALFORMED);
      }
      return value;
    }
  }

  private static Object readValue(JsonParser parser, JsonToken token, int depth) throws IOException {
    if (depth > MAX_DEPTH) {
      throw CwmException.badRequest(
          "JSON too deeply nested: " + depth + " levels (max: " + MAX_DEPTH + ")");
    }
    switch (token) {
      case START_OBJECT: {
        JsonObject object = new JsonObject();
        JsonToken next;
        while ((next = parser.nextToken()) == JsonToken.FIELD_NAME) {
          String name = parser.currentName();
          object.put(name, readValue(parser, parser.nextToken(), depth + 1));
        }
        if (next != JsonToken.END_OBJECT) {
          throw CwmException.badRequest(MALFORMED);
        }
        return object;
      }
      case START_ARRAY: {
        JsonArray array = new JsonArray();
        JsonToken next;
        while ((next = parser.nextToken()) != JsonToken.END_ARRAY) {
          if (next == null) {
            throw CwmException.badRequest(MALFORMED);
          }
          array.add(readValue(parser, next, depth + 1));
        }
        return array;
      }
      case VALUE_STRING: {
        String text = parser.getText();
        if (text.length() > MAX_STRING_CHARS) {
          throw CwmException.badRequest(
              "String too long: " + text.length() + " chars (max: " + MAX_STRING_CHARS + ")");
        }
        return text;
      }
      case VALUE_NUMBER_INT:
        return parser.getNumberValue();
      case VALUE_NUMBER_FLOAT:
        return parser.getDoubleValue();
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_NULL:
        return null;
      default:
        throw CwmException.badRequest(MALFORMED);
    }
  }
}
