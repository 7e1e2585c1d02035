package io.cwm.module.sql;

import io.cwm.config.Coerce;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;

/**
 * A schema field's logical column type (modules.md §3.16/§3.17 type map; unknown names are TEXT)
 * and how a payload value becomes a statement parameter of that type. The SQL spelling of each type
 * is the dialect's ({@link SqlDialect#typeSql}).
 *
 * <p>Values are converted where the meaning is unambiguous (numeric strings to numbers,
 * {@code "true"}/{@code "false"} to booleans, ISO-8601 strings and epoch seconds to timestamps, any
 * JSON value to its JSON text for JSON columns or TEXT), and anything else is refused before the
 * database is asked, as a non-retryable validation failure.
 */
public enum ColumnType {
  TEXT,
  BIGINT,
  DOUBLE,
  BOOLEAN,
  /** A moment: {@link OffsetDateTime} parameters (the dialect may store it without zone, in UTC). */
  TIMESTAMP,
  DATE,
  TIME,
  /** Any JSON value, sent as its JSON text. */
  JSON;

  private static final Map<String, ColumnType> BY_NAME = Map.ofEntries(
      Map.entry("string", TEXT), Map.entry("text", TEXT),
      Map.entry("integer", BIGINT), Map.entry("int", BIGINT),
      Map.entry("float", DOUBLE), Map.entry("number", DOUBLE),
      Map.entry("boolean", BOOLEAN), Map.entry("bool", BOOLEAN),
      Map.entry("datetime", TIMESTAMP), Map.entry("timestamp", TIMESTAMP),
      Map.entry("date", DATE), Map.entry("time", TIME), Map.entry("json", JSON));

  /** The configured type name (any case); unknown names map to TEXT. */
  public static ColumnType of(String name) {
    return BY_NAME.getOrDefault(name.trim().toLowerCase(Locale.ROOT), TEXT);
  }

  /**
   * The statement parameter for {@code value} (a JSON value from the payload or the config, or an
   * {@link OffsetDateTime} for {@code CURRENT_TIMESTAMP}); null stays null.
   *
   * @throws IllegalArgumentException saying which type was expected (no value in the text)
   */
  public Object parameter(Object value) {
    if (value == null) {
      return null;
    }
    return switch (this) {
      case TEXT -> text(value);
      case BIGINT -> integer(value);
      case DOUBLE -> floating(value);
      case BOOLEAN -> bool(value);
      case TIMESTAMP -> timestamp(value);
      case DATE -> date(value);
      case TIME -> time(value);
      case JSON -> Json.encode(value instanceof OffsetDateTime moment ? moment.toString() : value);
    };
  }

  private static String text(Object value) {
    if (value instanceof String text) {
      return text;
    }
    if (value instanceof JsonObject || value instanceof JsonArray || value instanceof Map<?, ?>
        || value instanceof java.util.List<?>) {
      return Json.encode(value);
    }
    return value.toString();
  }

  private static long integer(Object value) {
    try {
      if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
        return ((Number) value).longValue();
      }
      if (value instanceof BigInteger big) {
        return big.longValueExact();
      }
      if (value instanceof Number number) {
        return new BigDecimal(number.toString()).longValueExact();
      }
      if (value instanceof String text) {
        return new BigDecimal(text.trim()).longValueExact();
      }
    } catch (ArithmeticException | NumberFormatException e) {
      // fall through to the refusal
    }
    throw new IllegalArgumentException("must be an integer");
  }

  private static double floating(Object value) {
    double result = Coerce.toDouble(value);
    if (!Double.isFinite(result)) {
      throw new IllegalArgumentException("must be a finite number");
    }
    return result;
  }

  private static boolean bool(Object value) {
    if (value instanceof Boolean flag) {
      return flag;
    }
    if (value instanceof String text) {
      String lower = text.trim().toLowerCase(Locale.ROOT);
      if (lower.equals("true") || lower.equals("false")) {
        return lower.equals("true");
      }
    }
    throw new IllegalArgumentException("must be a boolean (true/false)");
  }

  private static OffsetDateTime timestamp(Object value) {
    if (value instanceof OffsetDateTime moment) {
      return moment;
    }
    if (value instanceof Number number && !(value instanceof Double d && !Double.isFinite(d))) {
      BigDecimal seconds = new BigDecimal(number.toString());
      long whole = seconds.longValue();
      long nanos = seconds.subtract(BigDecimal.valueOf(whole)).movePointRight(9).longValue();
      return OffsetDateTime.ofInstant(Instant.ofEpochSecond(whole, nanos), ZoneOffset.UTC);
    }
    if (value instanceof String text) {
      String trimmed = text.trim();
      try {
        return OffsetDateTime.parse(trimmed);
      } catch (DateTimeParseException notOffset) {
        try {
          return LocalDateTime.parse(trimmed).atOffset(ZoneOffset.UTC);
        } catch (DateTimeParseException notLocal) {
          try {
            return LocalDate.parse(trimmed).atStartOfDay().atOffset(ZoneOffset.UTC);
          } catch (DateTimeParseException notDate) {
            // fall through to the refusal
          }
        }
      }
    }
    throw new IllegalArgumentException("must be an ISO-8601 date-time or epoch seconds");
  }

  private static LocalDate date(Object value) {
    if (value instanceof OffsetDateTime moment) {
      return moment.toLocalDate();
    }
    if (value instanceof String text) {
      String trimmed = text.trim();
      try {
        return LocalDate.parse(trimmed);
      } catch (DateTimeParseException notDate) {
        try {
          return timestamp(trimmed).toLocalDate();
        } catch (IllegalArgumentException notTimestamp) {
          // fall through to the refusal
        }
      }
    }
    throw new IllegalArgumentException("must be an ISO-8601 date");
  }

  private static LocalTime time(Object value) {
    if (value instanceof OffsetDateTime moment) {
      return moment.toLocalTime();
    }
    if (value instanceof String text) {
      String trimmed = text.trim();
      try {
        return LocalTime.parse(trimmed);
      } catch (DateTimeParseException notLocal) {
        try {
          return OffsetTime.parse(trimmed).toLocalTime();
        } catch (DateTimeParseException notOffset) {
          // fall through to the refusal
        }
      }
    }
    throw new IllegalArgumentException("must be an ISO-8601 time");
  }
}
