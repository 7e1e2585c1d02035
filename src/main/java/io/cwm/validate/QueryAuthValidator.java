package io.cwm.validate;

import io.cwm.config.Coerce;
import io.cwm.config.ConfigException;
import io.cwm.error.CwmException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * API key in a query parameter (spec §5.12). Config: {@code api_key} (required),
 * {@code parameter_name} ({@code api_key}), {@code case_sensitive} (false).
 *
 * <p>Control characters (U+0000-U+001F, U+007F-U+009F) are removed from the received value
 * before comparing, so {@code ?api_key=sec%0Aret} matches {@code secret} (on purpose: senders of
 * existing deployments may rely on it).
 */
public final class QueryAuthValidator implements Validator {
  static final int MAX_NAME_LENGTH = 100;
  static final int MAX_VALUE_LENGTH = 1000;
  private static final Pattern NAME = Pattern.compile("^[A-Za-z0-9_.-]+$");

  private final String expected;
  private final String parameterName;
  private final boolean caseSensitive;

  private QueryAuthValidator(String expected, String parameterName, boolean caseSensitive) {
    this.caseSensitive = caseSensitive;
    this.expected = caseSensitive ? expected : expected.toLowerCase(Locale.ROOT);
    this.parameterName = parameterName;
  }

  public static Validator fromConfig(Object block, JsonObject entry, ValidatorContext context) {
    // unlike most validators an empty block is not "no check": it could never pass, so it is refused
    JsonObject config = ValidatorFactory.isEmpty(block) ? new JsonObject() : ValidatorFactory.requireObject(block);
    String apiKey = Coerce.string(config, "api_key", null);
    // a key that is blank after the control-character removal can never match
    if (apiKey == null || apiKey.isBlank()) {
      throw new ConfigException("api_key", "Query auth API key not configured");
    }
    String name = Coerce.string(config, "parameter_name", "api_key");
    String problem = parameterNameProblem(name);
    if (problem != null) {
      throw new ConfigException("parameter_name", "Invalid parameter name configuration: " + problem);
    }
    return new QueryAuthValidator(apiKey, name, Coerce.bool(config, "case_sensitive", false));
  }

  static String parameterNameProblem(String name) {
    if (name == null || name.isEmpty()) {
      return "Parameter name must be a non-empty string";
    }
    if (name.length() > MAX_NAME_LENGTH) {
      return "Parameter name too long: " + name.length() + " characters (max: " + MAX_NAME_LENGTH + ")";
    }
    if (!NAME.matcher(name).matches()) {
      return "Parameter name contains invalid characters. Only alphanumeric, underscore, hyphen, and dot are allowed";
    }
    return null;
  }

  @Override
  public String key() {
    return "query_auth";
  }

  @Override
  public Future<Void> validate(WebhookRequest request) {
    String received = request.queryParam(parameterName);
    if (received == null) {
      return fail("Missing required query parameter: " + parameterName);
    }
    if (received.codePointCount(0, received.length()) > MAX_VALUE_LENGTH) {
      return fail("Invalid query parameter value for: " + parameterName
          + " (too long or contains invalid characters)");
    }
    String cleaned = withoutControlCharacters(received);
    if (cleaned.isBlank()) {
      return fail("Invalid API key in query parameter: " + parameterName);
    }
    String candidate = caseSensitive ? cleaned : cleaned.toLowerCase(Locale.ROOT);
    return ConstantTime.equals(expected, candidate)
        ? Future.succeededFuture()
        : fail("Invalid API key in query parameter: " + parameterName);
  }

  /** Removes C0 controls, DEL and C1 controls (see the class comment). */
  static String withoutControlCharacters(String value) {
    StringBuilder result = new StringBuilder(value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c >= 0x20 && (c < 0x7f || c > 0x9f)) {
        result.append(c);
      }
    }
    return result.toString();
  }

  private static Future<Void> fail(String message) {
    return Future.failedFuture(CwmException.unauthorized(message));
  }
}
