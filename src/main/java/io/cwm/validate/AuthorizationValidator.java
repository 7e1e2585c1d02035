package io.cwm.validate;

import io.cwm.config.ConfigException;
import io.cwm.error.CwmException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * {@code "authorization": "Bearer T"} (or any other literal value) compared with the
 * {@code Authorization} header in constant time (spec §5.8).
 */
public final class AuthorizationValidator implements Validator {
  static final int MAX_HEADER_LENGTH = 8192;
  private static final String BEARER = "Bearer ";

  private final String expected;
  private final boolean bearer;

  private AuthorizationValidator(String expected) {
    this.bearer = expected.startsWith(BEARER);
    this.expected = bearer ? expected.substring(BEARER.length()).strip() : expected.strip();
  }

  public static Validator fromConfig(Object block, JsonObject entry, ValidatorContext context) {
    if (block != null && !(block instanceof String)) {
      throw new ConfigException("", "must be a string such as \"Bearer <token>\"");
    }
    String value = (String) block;
    if (value == null || value.isBlank()) {
      return null;
    }
    if (value.startsWith(BEARER) && value.substring(BEARER.length()).isBlank()) {
      throw new ConfigException("", "the Bearer token is empty");
    }
    return new AuthorizationValidator(value);
  }

  @Override
  public String key() {
    return "authorization";
  }

  @Override
  public Future<Void> validate(WebhookRequest request) {
    String header = request.header("authorization");
    if (header == null) {
      return Future.failedFuture(CwmException.unauthorized("Unauthorized"));
    }
    if (header.indexOf('\r') >= 0 || header.indexOf('\n') >= 0 || header.indexOf('\0') >= 0) {
      return Future.failedFuture(
          CwmException.unauthorized("Invalid header format: contains forbidden character"));
    }
    if (header.length() > MAX_HEADER_LENGTH) {
      return Future.failedFuture(CwmException.unauthorized(
          "Header too long: " + header.length() + " characters (max: " + MAX_HEADER_LENGTH + ")"));
    }
    if (!bearer) {
      return ConstantTime.equals(expected, header.strip())
          ? Future.succeededFuture()
          : Future.failedFuture(CwmException.unauthorized("Unauthorized"));
    }
    String received = header.strip();
    if (!received.startsWith(BEARER)) {
      return Future.failedFuture(CwmException.unauthorized(
          "Invalid Bearer token format: Authorization header must start with 'Bearer '"));
    }
    String token = received.substring(BEARER.length());
    if (token.isEmpty()) {
      return Future.failedFuture(
          CwmException.unauthorized("Invalid Bearer token format: token cannot be empty"));
    }
    if (Character.isWhitespace(token.charAt(0))) {
      return Future.failedFuture(CwmException.unauthorized(
          "Invalid Bearer token format: token cannot start with whitespace"));
    }
    return ConstantTime.equals(expected, token)
        ? Future.succeededFuture()
        : Future.failedFuture(CwmException.unauthorized("Unauthorized"));
  }
}
