package io.cwm.module.s3;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Renders a JSON value the way Python's {@code json.dumps(value, indent=2)} does, so objects
 * written by the port read the same as the Python version's: two-space indent, one item per line
 * ending in {@code ,} (no trailing space), {@code ": "} after keys, {@code {}} / {@code []} for empty
 * containers, non-ASCII and control characters escaped as {@code \\uXXXX} ({@code ensure_ascii}),
 * floats as Python's {@code repr} ({@code 1.0}, {@code 1e+16}, {@code 1.5e-05}).
 *
 * <p>Floats use Java's shortest-digit text of the double; on Java 17 a few values get one digit
 * more than Python's repr (fixed in Java 19). Key order is the parse order, as in Python.
 */
final class PythonJson {
  private static final String INDENT = "  ";
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private PythonJson() {}

  /** The pretty text of {@code value} (JsonObject, JsonArray, Map, List, or a scalar). */
  static String pretty(Object value) {
    StringBuilder out = new StringBuilder();
    write(out, value, 0);
    return out.toString();
  }

  private static void write(StringBuilder out, Object value, int depth) {
    if (value instanceof JsonObject object) {
      writeObject(out, object.getMap(), depth);
    } else if (value instanceof Map<?, ?> map) {
      writeObject(out, map, depth);
    } else if (value instanceof JsonArray array) {
      writeArray(out, array.getList(), depth);
    } else if (value instanceof List<?> list) {
      writeArray(out, list, depth);
    } else {
      writeScalar(out, value);
    }
  }

  private static void writeObject(StringBuilder out, Map<?, ?> map, int depth) {
    if (map.isEmpty()) {
      out.append("{}");
      return;
    }
    out.append('{');
    Iterator<? extends Map.Entry<?, ?>> entries = map.entrySet().iterator();
    while (entries.hasNext()) {
      Map.Entry<?, ?> entry = entries.next();
      newline(out, depth + 1);
      string(out, String.valueOf(entry.getKey()));
      out.append(": ");
      write(out, entry.getValue(), depth + 1);
      if (entries.hasNext()) {
        out.append(',');
      }
    }
    newline(out, depth);
    out.append('}');
  }

  private static void writeArray(StringBuilder out, List<?> list, int depth) {
    if (list.isEmpty()) {
      out.append("[]");
      return;
    }
    out.append('[');
    for (int i = 0; i < list.size(); i++) {
      newline(out, depth + 1);
      write(out, list.get(i), depth + 1);
      if (i + 1 < list.size()) {
        out.append(',');
      }
    }
    newline(out, depth);
    out.append(']');
  }

  private static void newline(StringBuilder out, int depth) {
    out.append('\n');
    for (int i = 0; i < depth; i++) {
      out.append(INDENT);
    }
  }

  private static void writeScalar(StringBuilder out, Object value) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof Boolean || value instanceof Integer || value instanceof Long
        || value instanceof Short || value instanceof Byte || value instanceof java.math.BigInteger) {
      out.append(value);
    } else if (value instanceof Double || value instanceof Float) {
      out.append(floatRepr(((Number) value).doubleValue()));
    } else if (value instanceof BigDecimal decimal) {
      out.append(decimal.toString());
    } else if (value instanceof Number number) {
      out.append(number);
    } else if (value instanceof byte[] bytes) { // Vert.x JSON encodes binary as base64
      string(out, Base64.getEncoder().encodeToString(bytes));
    } else if (value instanceof Buffer buffer) {
      string(out, Base64.getEncoder().encodeToString(buffer.getBytes()));
    } else if (value instanceof Instant instant) {
      string(out, DateTimeFormatter.ISO_INSTANT.format(instant));
    } else if (value instanceof Enum<?> constant) {
      string(out, constant.name());
    } else {
      string(out, value.toString());
    }
  }

  /** Python's {@code json} string escaping with {@code ensure_ascii=True}. */
  static void string(StringBuilder out, String text) {
    out.append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c >= 0x20 && c <= 0x7e) {
            out.append(c);
          } else { // a supplementary character is two UTF-16 units: two escapes, as in Python
            out.append("\\u").append(HEX[c >> 12 & 0xf]).append(HEX[c >> 8 & 0xf])
                .append(HEX[c >> 4 & 0xf]).append(HEX[c & 0xf]);
          }
        }
      }
    }
    out.append('"');
  }

  /** Python's {@code repr(float)}: shortest digits, fixed for exponents -4..15, else {@code d.ddde±XX}. */
  static String floatRepr(double value) {
    if (Double.isNaN(value)) {
      return "NaN";
    }
    if (Double.isInfinite(value)) {
      return value > 0 ? "Infinity" : "-Infinity";
    }
    String sign = (value < 0 || (value == 0 && 1 / value < 0)) ? "-" : "";
    if (value == 0) {
      return sign + "0.0";
    }
    BigDecimal decimal = new BigDecimal(Double.toString(Math.abs(value))).stripTrailingZeros();
    String digits = decimal.unscaledValue().toString();
    int pointPosition = digits.length() - decimal.scale(); // value = 0.<digits> x 10^pointPosition
    int exponent = pointPosition - 1;
    StringBuilder out = new StringBuilder(sign);
    if (exponent < -4 || exponent >= 16) {
      out.append(digits.charAt(0));
      if (digits.length() > 1) {
        out.append('.').append(digits, 1, digits.length());
      }
      out.append('e').append(exponent < 0 ? '-' : '+');
      int magnitude = Math.abs(exponent);
      if (magnitude < 10) {
        out.append('0');
      }
      out.append(magnitude);
    } else if (pointPosition <= 0) {
      out.append("0.").append("0".repeat(-pointPosition)).append(digits);
    } else if (pointPosition >= digits.length()) {
      out.append(digits).append("0".repeat(pointPosition - digits.length())).append(".0");
    } else {
      out.append(digits, 0, pointPosition).append('.').append(digits, pointPosition, digits.length());
    }
    return out.toString();
  }
}
