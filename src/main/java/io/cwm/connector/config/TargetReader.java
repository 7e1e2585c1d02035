package io.cwm.connector.config;

import io.cwm.config.Coerce;
import io.cwm.config.ConfigException;
import io.cwm.connector.Signing;
import io.cwm.connector.CircuitSettings;
import io.cwm.connector.Target;
import io.cwm.filter.Filter;
import java.util.ArrayList;
import io.vertx.core.json.JsonObject;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads the HTTP-mode targets of a connector (spec §8.2): {@code default_target} and the
 * {@code targets} object of webhook ids, each with its URL, method, headers, timeout and retry
 * settings. A target with an error is left out (the connector is then not built).
 */
final class TargetReader {
  static final List<String> TARGET_KEYS = List.of("url", "method", "headers", "timeout_seconds", "retry_enabled",
      "retry_max_attempts", "retry_delay_seconds", "retry_backoff_multiplier", "filters", "sign",
      "circuit_breaker");
  /** Fewest key bytes a {@code sign.secret} may have (Standard Webhooks recommends 24 to 64). */
  static final int MIN_SIGNING_KEY_BYTES = 16;
  static final List<String> CIRCUIT_KEYS = List.of("enabled", "failure_threshold", "probe_delay_seconds",
      "probe_max_delay_seconds", "probe_backoff_multiplier");
  /** RFC 9110 token: an HTTP method or header name. */
  private static final Pattern TOKEN = Pattern.compile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$");

  private final FieldReader fields;

  TargetReader(FieldReader fields) {
    this.fields = fields;
  }

  /** The {@code targets} object: webhook id → target, in file order (empty when absent). */
  Map<String, Target> targets(Object raw) {
    if (raw == null) {
      return Map.of();
    }
    if (!(raw instanceof JsonObject object)) {
      fields.error("targets", "must be an object of webhook ids to targets, got " + Coerce.describe(raw));
      return Map.of();
    }
    Map<String, Target> result = new LinkedHashMap<>();
    for (String webhookId : object.fieldNames()) {
      String key = "targets." + webhookId;
      if (webhookId.isBlank()) {
        fields.error(key, "the webhook id must not be empty");
        continue;
      }
      Object value = object.getValue(webhookId);
      if (value == null) {
        fields.error(key, "must be a target object, got null");
        continue;
      }
      Target target = target(value, key);
      if (target != null) {
        result.put(webhookId, target);
      }
    }
    return Collections.unmodifiableMap(result);
  }

  /** One target object at {@code key}; null after an error. */
  Target target(Object raw, String key) {
    if (!(raw instanceof JsonObject target)) {
      fields.error(key, "must be an object, got " + Coerce.describe(raw));
      return null;
    }
    int before = fields.mark();
    for (String field : target.fieldNames()) {
      if (!TARGET_KEYS.contains(field)) {
        fields.error(key + "." + field, "unknown key '" + field + "' in a target (known: "
            + String.join(", ", TARGET_KEYS) + ")");
      }
    }
    String url = fields.requiredString(target, "url", key + ".url");
    if (url != null && !FieldReader.hasSchemeAndHost(url, List.of("http", "https"))) {
      fields.error(key + ".url", "must be an http:// or https:// URL with a host");
    }
    String method = fields.string(target, "method", key + ".method", "POST");
    if (method != null && !TOKEN.matcher(method).matches()) {
      fields.error(key + ".method", "must be an HTTP method name, got '" + FieldReader.shorten(method) + "'");
    }
    Map<String, String> headers = headers(target.getValue("headers"), key + ".headers");
    Double timeout = fields.positive(target, "timeout_seconds", key + ".timeout_seconds", 30.0);
    Boolean retryEnabled = fields.bool(target, "retry_enabled", key + ".retry_enabled", true);
    Integer attempts = fields.integer(target, "retry_max_attempts", key + ".retry_max_attempts", 3, 1);
    Double delay = fields.atLeast(target, "retry_delay_seconds", key + ".retry_delay_seconds", 1.0, 0.0);
    Double multiplier = fields.atLeast(target, "retry_backoff_multiplier", key + ".retry_backoff_multiplier", 2.0,
        1.0);
    Filter filters = filters(target.getValue("filters"), key + ".filters");
    Signing sign = sign(target.getValue("sign"), key + ".sign");
    CircuitSettings circuit = circuit(target.getValue("circuit_breaker"), key + ".circuit_breaker");
    if (fields.errorsSince(before)) {
      return null;
    }
    return new Target(url, method.toUpperCase(Locale.ROOT), headers, timeout, retryEnabled, attempts, delay,
        multiplier, filters, sign, circuit);
  }

  /** The target's {@code filters} (null when it has none), each problem under {@code <key>.<rule key>}. */
  private Filter filters(Object raw, String key) {
    List<ConfigException> problems = new ArrayList<>();
    Filter filters = Filter.parse(raw, problems);
    for (ConfigException problem : problems) {
      fields.error(problem.key().isEmpty() ? key : key + "." + problem.key(), problem.getMessage());
    }
    return filters;
  }

  /**
   * {@code "sign": {"secret": "whsec_<base64>"}} (Standard Webhooks; the prefix may be left out):
   * null when absent. Messages never quote the secret.
   */
  private Signing sign(Object raw, String key) {
    if (raw == null) {
      return null;
    }
    if (!(raw instanceof JsonObject sign)) {
      fields.error(key, "must be an object {\"secret\": \"whsec_...\"}, got " + Coerce.describe(raw));
      return null;
    }
    for (String field : sign.fieldNames()) {
      if (!field.equals("secret")) {
        fields.error(key + "." + field, "unknown key '" + field + "' in sign (known: secret)");
      }
    }
    String secret = fields.requiredString(sign, "secret", key + ".secret");
    if (secret == null) {
      return null;
    }
    String encoded = secret.trim();
    if (encoded.startsWith(Signing.SECRET_PREFIX)) {
      encoded = encoded.substring(Signing.SECRET_PREFIX.length());
    }
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(encoded);
    } catch (IllegalArgumentException notBase64) {
      fields.error(key + ".secret", "must be a Standard Webhooks secret: whsec_ followed by base64");
      return null;
    }
    if (bytes.length < MIN_SIGNING_KEY_BYTES) {
      fields.error(key + ".secret", "decodes to " + bytes.length + " bytes; at least " + MIN_SIGNING_KEY_BYTES
          + " are required (24 to 64 recommended)");
      return null;
    }
    return new Signing(bytes);
  }

  /**
   * {@code circuit_breaker}: absent, null or true = the defaults; false = none; an object sets
   * the fields it names ({@code "enabled": false} turns it off too). Null for none (or after an error).
   */
  private CircuitSettings circuit(Object raw, String key) {
    if (raw == null || Boolean.TRUE.equals(raw)) {
      return CircuitSettings.DEFAULT;
    }
    if (Boolean.FALSE.equals(raw)) {
      return null;
    }
    if (!(raw instanceof JsonObject object)) {
      fields.error(key, "must be true, false or an object with " + String.join(", ", CIRCUIT_KEYS) + ", got "
          + Coerce.describe(raw));
      return null;
    }
    for (String field : object.fieldNames()) {
      if (!CIRCUIT_KEYS.contains(field)) {
        fields.error(key + "." + field, "unknown key '" + field + "' in circuit_breaker (known: "
            + String.join(", ", CIRCUIT_KEYS) + ")");
      }
    }
    CircuitSettings defaults = CircuitSettings.DEFAULT;
    Boolean enabled = fields.bool(object, "enabled", key + ".enabled", true);
    Integer threshold = fields.integer(object, "failure_threshold", key + ".failure_threshold",
        defaults.failureThreshold(), 1);
    Double first = fields.positive(object, "probe_delay_seconds", key + ".probe_delay_seconds",
        defaults.probeDelaySeconds());
    Double cap = fields.positive(object, "probe_max_delay_seconds", key + ".probe_max_delay_seconds",
        defaults.probeMaxDelaySeconds());
    Double multiplier = fields.atLeast(object, "probe_backoff_multiplier", key + ".probe_backoff_multiplier",
        defaults.probeBackoffMultiplier(), 1.0);
    if (first != null && cap != null && cap < first) {
      fields.error(key + ".probe_max_delay_seconds", "must be at least probe_delay_seconds (" + first + "), got "
          + cap);
      return null;
    }
    if (enabled == null || threshold == null || first == null || cap == null || multiplier == null) {
      return null;
    }
    return enabled ? new CircuitSettings(threshold, first, cap, multiplier) : null;
  }

  private Map<String, String> headers(Object raw, String key) {
    if (raw == null) {
      return Map.of();
    }
    if (!(raw instanceof JsonObject object)) {
      fields.error(key, "must be an object of header names to string values, got " + Coerce.describe(raw));
      return Map.of();
    }
    Map<String, String> headers = new LinkedHashMap<>();
    for (String name : object.fieldNames()) {
      Object value = object.getValue(name);
      if (!TOKEN.matcher(name).matches()) {
        fields.error(key + "." + name, "is not a valid header name");
      } else if (!(value instanceof String text)) {
        fields.error(key + "." + name, "must be a string, got " + Coerce.describe(value));
      } else if (text.indexOf('\r') >= 0 || text.indexOf('\n') >= 0) {
        fields.error(key + "." + name, "must not contain CR or LF");
      } else {
        headers.put(name, text);
      }
    }
    return Collections.unmodifiableMap(headers);
  }
}
