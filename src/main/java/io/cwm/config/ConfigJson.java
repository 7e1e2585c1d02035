package io.cwm.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import java.util.regex.Pattern;

/**
 * Decodes the text of a JSON config file (webhooks.json, connections.json, connector.json,
 * verticles.json). A syntax error says where it is, e.g. {@code invalid JSON at line 12, column 5:
 * Unexpected character ('}' (code 125)): was expecting double-quote to start field name}; the file's
 * content is never quoted (it may hold secrets).
 */
public final class ConfigJson {
  /** Jackson's own location text inside a message, e.g. the start marker of an unclosed object. */
  private static final Pattern SOURCE = Pattern.compile("\\[Source: [^\\]]*?; line: (\\d+), column: (\\d+)\\]");

  private ConfigJson() {}

  /**
   * The decoded value (a {@code JsonObject}, {@code JsonArray}, string, number, boolean or null).
   *
   * @throws ConfigException (key null) naming the line and column of a syntax error
   */
  public static Object decode(String text) {
    if (text.isBlank()) {
      throw new ConfigException(null, "invalid JSON: the file is empty");
    }
    try {
      return Json.decodeValue(text);
    } catch (DecodeException e) {
      throw new ConfigException(null, describe(e));
    }
  }

  static String describe(DecodeException failure) {
    if (!(failure.getCause() instanceof JsonProcessingException jackson)) {
      return "invalid JSON: " + firstLine(failure.getMessage());
    }
    String message = SOURCE.matcher(firstLine(jackson.getOriginalMessage())).replaceAll("line $1, column $2");
    JsonLocation at = jackson.getLocation();
    if (at == null || at.getLineNr() < 1) {
      return "invalid JSON: " + message;
    }
    String where = at.getColumnNr() < 1 ? "line " + at.getLineNr()
        : "line " + at.getLineNr() + ", column " + at.getColumnNr();
    return "invalid JSON at " + where + ": " + message;
  }

  private static String firstLine(String text) {
    if (text == null) {
      return "";
    }
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }
}
