package io.cwm.config;

import java.util.Map;
import java.util.Optional;

/**
 * The one place that reads environment variables. Tests pass their own map instead of mutating
 * the process environment.
 */
public final class Env {
  private static final Env SYSTEM = new Env(System.getenv());
  private final Map<String, String> values;

  public Env(Map<String, String> values) {
    this.values = Map.copyOf(values);
  }

  public static Env system() {
    return SYSTEM;
  }

  public static Env of(Map<String, String> values) {
    return new Env(values);
  }

  /** This environment with {@code name} set to {@code value} (replacing any value it had). */
  public Env with(String name, String value) {
    Map<String, String> changed = new java.util.HashMap<>(values);
    changed.put(name, value);
    return new Env(changed);
  }

  /** Every variable whose name starts with {@code prefix} (for example {@code OTEL_}), by name. */
  public Map<String, String> startingWith(String prefix) {
    Map<String, String> found = new java.util.TreeMap<>();
    values.forEach((name, value) -> {
      if (name.startsWith(prefix)) {
        found.put(name, value);
      }
    });
    return found;
  }

  public Optional<String> get(String name) {
    return Optional.ofNullable(values.get(name));
  }

  /** The value, or {@code fallback} when unset or blank. */
  public String get(String name, String fallback) {
    String value = values.get(name);
    return value == null || value.isBlank() ? fallback : value.trim();
  }

  public boolean flag(String name) {
    return "true".equalsIgnoreCase(get(name, "false"));
  }

  /** Integer value clamped to [min, max]; unset or invalid values give the default. */
  public int intInRange(String name, int fallback, int min, int max) {
    try {
      int value = Integer.parseInt(get(name, String.valueOf(fallback)));
      return value < min || value > max ? fallback : value;
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  /** Number value clamped to [min, max]; unset or invalid values give the default. */
  public double doubleInRange(String name, double fallback, double min, double max) {
    try {
      double value = Double.parseDouble(get(name, String.valueOf(fallback)));
      return Double.isNaN(value) || value < min || value > max ? fallback : value;
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  Map<String, String> asMap() {
    return values;
  }
}
