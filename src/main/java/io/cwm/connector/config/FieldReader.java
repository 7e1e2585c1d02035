package io.cwm.connector.config;

import io.cwm.config.Coerce;
import io.cwm.config.ConfigProblem;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Reads typed fields of one connector's config and records its problems. A field that is absent
 * or JSON null takes its default; a wrong type or a value out of range is an error (and reads as
 * null). Every problem names the source, and the key with where its value came from when a
 * variable or flag set it; an error about a key whose substitution already failed is not repeated.
 */
final class FieldReader {
  private static final Pattern HOST_NAME = Pattern.compile("^[A-Za-z0-9_.-]+$");

  private final String source;
  private final List<ConfigProblem> problems;
  private final UnaryOperator<String> label;
  /** Keys whose substitution failed: already reported, so no second error about them. */
  private final List<String> silenced = new ArrayList<>();

  /**
   * @param problems where problems go (shared by every connector of a load)
   * @param label a key as messages show it (with the variable or flag that set it)
   */
  FieldReader(String source, List<ConfigProblem> problems, UnaryOperator<String> label) {
    this.source = source;
    this.problems = problems;
    this.label = label;
  }

  // ---- typed values -----------------------------------------------------------------------

  String string(JsonObject object, String field, String key, String fallback) {
    Object value = object.getValue(field);
    if (value == null) {
      return fallback;
    }
    if (value instanceof String text) {
      return text;
    }
    error(key, "must be a string, got " + Coerce.describe(value));
    return null;
  }

  String requiredString(JsonObject object, String field, String key) {
    Object value = object.getValue(field);
    if (value == null || value instanceof String text && text.isBlank()) {
      error(key, "is required");
      return null;
    }
    return string(object, field, key, null);
  }

  Double number(JsonObject object, String field, String key, double fallback) {
    Object value = object.getValue(field);
    if (value == null) {
      return fallback;
    }
    if (value instanceof Number number && Double.isFinite(number.doubleValue())) {
      return number.doubleValue();
    }
    if (value instanceof String text) {
      try {
        double parsed = Double.parseDouble(text.trim());
        if (Double.isFinite(parsed)) {
          return parsed;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    error(key, "must be a number, got " + show(value));
    return null;
  }

  Double positive(JsonObject object, String field, String key, double fallback) {
    Double value = number(object, field, key, fallback);
    if (value != null && value <= 0) {
      error(key, "must be greater than 0");
      return null;
    }
    return value;
  }

  Double atLeast(JsonObject object, String field, String key, double fallback, double minimum) {
    Double value = number(object, field, key, fallback);
    if (value != null && value < minimum) {
      error(key, "must be at least " + (minimum == Math.rint(minimum) ? String.valueOf((long) minimum) : minimum));
      return null;
    }
    return value;
  }

  Integer integer(JsonObject object, String field, String key, int fallback, int minimum) {
    Object value = object.getValue(field);
    if (value == null) {
      return fallback;
    }
    Long parsed = null;
    if (value instanceof Number number && number.doubleValue() == Math.rint(number.doubleValue())) {
      parsed = number.longValue();
    } else if (value instanceof String text) {
      try {
        parsed = Long.parseLong(text.trim());
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    if (parsed == null) {
      error(key, "must be an integer, got " + show(value));
      return null;
    }
    if (parsed < minimum) {
      error(key, "must be at least " + minimum);
      return null;
    }
    return (int) Math.min(parsed, Integer.MAX_VALUE);
  }

  Boolean bool(JsonObject object, String field, String key, boolean fallback) {
    Object value = object.getValue(field);
    if (value == null) {
      return fallback;
    }
    if (value instanceof Boolean flag) {
      return flag;
    }
    if (value instanceof String text
        && (text.trim().equalsIgnoreCase("true") || text.trim().equalsIgnoreCase("false"))) {
      return text.trim().equalsIgnoreCase("true");
    }
    error(key, "must be true or false, got " + show(value));
    return null;
  }

  // ---- problems --------------------------------------------------------------------------

  void error(String key, String message) {
    if (key != null && silenced.stream().anyMatch(failed -> within(key, failed))) {
      return;
    }
    problems.add(new ConfigProblem(ConfigProblem.Severity.ERROR, source, null, null, key == null ? null
        : label.apply(key), message));
  }

  void warning(String key, String message) {
    problems.add(new ConfigProblem(ConfigProblem.Severity.WARNING, source, null, null,
        key == null ? null : label.apply(key), message));
  }

  /** A {@code {$VAR}} that could not be substituted in {@code key}: one error, none later about the key. */
  void unresolved(String key, String message) {
    problems.add(new ConfigProblem(ConfigProblem.Severity.ERROR, source, null, null, key, message));
    silenced.add(key);
  }

  /** A position in the problems, for {@link #errorsSince}. */
  int mark() {
    return problems.size();
  }

  /** Whether an error was recorded after {@code mark}. */
  boolean errorsSince(int mark) {
    return problems.subList(mark, problems.size()).stream().anyMatch(ConfigProblem::isError);
  }

  // ---- helpers ---------------------------------------------------------------------------

  /** Whether {@code key} is {@code prefix} or inside it ({@code prefix.x}, {@code prefix[0]}). */
  static boolean within(String key, String prefix) {
    return key.equals(prefix) || key.startsWith(prefix + ".") || key.startsWith(prefix + "[");
  }

  /** An absolute URL of one of {@code schemes} with a non-empty host (Docker names with '_' too). */
  static boolean hasSchemeAndHost(String url, List<String> schemes) {
    try {
      URI uri = new URI(url);
      if (uri.getScheme() == null || !schemes.contains(uri.getScheme().toLowerCase(Locale.ROOT))) {
        return false;
      }
      if (uri.getHost() != null) {
        return !uri.getHost().isEmpty();
      }
      // java.net.URI has no host for names with '_' (Docker service names): read the authority
      String authority = uri.getRawAuthority();
      if (authority == null) {
        return false;
      }
      String host = authority.substring(authority.lastIndexOf('@') + 1).replaceFirst(":[0-9]*$", "");
      return !host.isEmpty() && HOST_NAME.matcher(host).matches();
    } catch (URISyntaxException e) {
      return false;
    }
  }

  /** A value for a message: quoted and shortened when it is a string, its type otherwise. */
  static String show(Object value) {
    return value instanceof String text ? "'" + shorten(text) + "'" : Coerce.describe(value);
  }

  static String shorten(String text) {
    return text.length() > 40 ? text.substring(0, 40) + "…" : text;
  }
}
