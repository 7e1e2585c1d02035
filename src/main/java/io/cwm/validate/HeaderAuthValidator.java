package io.cwm.validate;

import io.cwm.config.Coerce;
import io.cwm.config.ConfigException;
import io.cwm.error.CwmException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Locale;

/**
 * API key in a request header (spec §5.13). Config: {@code api_key} (required),
 * {@code header_name} ({@code X-API-Key}, matched case-insensitively), {@code case_sensitive}
 * (false: both sides lower-cased before the constant-time compare).
 */
public final class HeaderAuthValidator implements Validator {
  private final String expected;
  private final String headerName;
  private final String headerLower;
  private final boolean caseSensitive;

  private HeaderAuthValidator(String expected, String headerName, boolean caseSensitive) {
    this.caseSensitive = caseSensitive;
    this.expected = caseSensitive ? expected : expected.toLowerCase(Locale.ROOT);
    this.headerName = headerName;
    this.headerLower = headerName.toLowerCase(Locale.ROOT);
  }

  public static Validator fromConfig(Object block, JsonObject entry, ValidatorContext context) {
    // unlike most validators an empty block is not "no check": it could never pass, so it is refused
    JsonObject config = ValidatorFactory.isEmpty(block) ? new JsonObject() : ValidatorFactory.requireObject(block);
    String apiKey = Coerce.string(config, "api_key", null);
    if (apiKey == null || apiKey.isBlank()) {
      throw new ConfigException("api_key", "Header auth API key not configured");
    }
    String headerName = Coerce.string(config, "header_name", "X-API-Key").strip();
    if (!isToken(headerName)) {
      throw new ConfigException("header_name", "must be a header name");
    }
    return new HeaderAuthValidator(apiKey, headerName, Coerce.bool(config, "case_sensitive", false));
  }

  /** RFC 9110 token characters: anything else could never arrive as a header name. */
  private static boolean isToken(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String key() {
    return "header_auth";
  }

  @Override
  public Future<Void> validate(WebhookRequest request) {
    String received = request.header(headerLower);
    if (received == null) {
      return fail("Missing required header: " + headerName);
    }
    if (received.isBlank()) {
      return fail("Invalid API key in header: " + headerName);
    }
    String candidate = caseSensitive ? received : received.toLowerCase(Locale.ROOT);
    return ConstantTime.equals(expected, candidate)
        ? Future.succeededFuture()
        : fail("Invalid API key in header: " + headerName);
  }

  private static Future<Void> fail(String message) {
    return Future.failedFuture(CwmException.unauthorized(message));
  }
}
