package io.cwm.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads typed values out of substituted config objects. Substitution always yields strings, so
 * {@code "30"} is accepted where a number is expected and {@code "true"}/{@code "false"} (any
 * case) where a boolean is; the string {@code "false"} is false.
 */
public final class Coerce {
  private Coerce() {}

  public static String string(JsonObject config, String key, String fallback) {
    Object value = config.getValue(key);
    if (value == null) {
      return fallback;
    }
    if (value instanceof String text) {
      return text;
    }
    if (value instanceof Number || value instanceof Boolean) {
      return value.toString();
    }
    throw new ConfigException(key, "must be a string");
  }

  /** A required non-blank string. */
  public static String requiredString(JsonObject config, String key) {
    String value = string(config, key, null);
    if (value == null || value.isBlank()) {
      throw new ConfigException(key, "is required and must be a non-empty string");
    }
    return value;
  }

  public static boolean bool(JsonObject config, String key, boolean fallback) {
    Object value = config.getValue(key);
    if (value == null) {
      return fallback;
    }
    if (value instanceof Boolean flag) {
      return flag;
    }
    if (value instanceof String text) {
      String normalised = text.trim().toLowerCase(Locale.ROOT);
      if (normalised.equals("true")) {
        return true;
      }
      if (normalised.equals("false")) {
        return false;
      }
    }
    throw new ConfigException(key, "must be a boolean (true/false), got " + describe(value));
  }

  public static long integer(JsonObject config, String key, long fallback, long min, long max) {
    Object value = config.getValue(key);
    if (value == null) {
      return fallback;
    }
    long result;
    if (value instanceof Number number && number.doubleValue() == Math.rint(number.doubleValue())) {
      result = number.longValue();
    } else if (value instanceof String text) {
      try {
        result = Long.parseLong(text.trim());
      } catch (NumberFormatException e) {
        throw new ConfigException(key, "must be an integer, got " + describe(value));
      }
    } else {
      throw new ConfigException(key, "must be an integer, got " + describe(value));
    }
    if (result < min || result > max) {
      throw new ConfigException(key, "must be between " + min + " and " + max + ", got " + result);
    }
    return result;
  }

  public static double number(JsonObject config, String key, double fallback, double min, double max) {
    Object value = config.getValue(key);
    if (value == null) {
      return fallback;
    }
    double result = toDouble(value);
    if (Double.isNaN(result)) {
      throw new ConfigException(key, "must be a number, got " + describe(value));
    }
    if (result < min || result > max) {
      throw new ConfigException(key, "must be between " + min + " and " + max + ", got " + value);
    }
    return result;
  }

  /** A number, or a string holding one, as a double; NaN for anything else. */
  public static double toDouble(Object value) {
    if (value instanceof Number number) {
      return number.doubleValue();
    }
    if (value instanceof String text) {
      try {
        return Double.parseDouble(text.trim());
      } catch (NumberFormatException e) {
        return Double.NaN;
      }
    }
    return Double.NaN;
  }

  /** Like {@link #number} but values outside [min, max] are clamped instead of refused. */
  public static double clamped(JsonObject config, String key, double fallback, double min, double max) {
    double value = number(config, key, fallback, -Double.MAX_VALUE, Double.MAX_VALUE);
    return Math.max(min, Math.min(max, value));
  }

  public static JsonObject object(JsonObject config, String key) {
    Object value = config.getValue(key);
    if (value == null) {
      return new JsonObject();
    }
    if (value instanceof JsonObject object) {
      return object;
    }
    throw new ConfigException(key, "must be an object, got " + describe(value));
  }

  public static List<String> stringList(JsonObject config, String key) {
    Object value = config.getValue(key);
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof JsonArray array)) {
      throw new ConfigException(key, "must be a list of strings, got " + describe(value));
    }
    List<String> result = new ArrayList<>(array.size());
    for (Object element : array) {
      if (!(element instanceof String text)) {
        throw new ConfigException(key, "must be a list of strings, got an element " + describe(element));
      }
      result.add(text);
    }
    return List.copyOf(result);
  }

  public static String describe(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof String text) {
      return "a string";
    }
    if (value instanceof Number) {
      return "a number";
    }
    if (value instanceof Boolean) {
      return "a boolean";
    }
    if (value instanceof JsonArray) {
      return "a list";
    }
    if (value instanceof JsonObject) {
      return "an object";
    }
    return value.getClass().getSimpleName();
  }
}
