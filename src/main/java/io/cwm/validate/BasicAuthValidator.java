package io.cwm.validate;

import io.cwm.config.ConfigException;
import io.cwm.error.CwmException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * HTTP Basic authentication (spec §5.3) with strict parsing: exact {@code Basic } prefix,
 * standard base64 alphabet only, UTF-8 credentials with a Latin-1 fallback, split at the first
 * colon. Username and password are both always compared in constant time.
 */
public final class BasicAuthValidator implements Validator {
  private static final String PREFIX = "Basic ";
  private static final Pattern BASE64 = Pattern.compile("[A-Za-z0-9+/]*={0,2}");

  private final String username;
  private final String password;

  private BasicAuthValidator(String username, String password) {
    this.username = username;
    this.password = password;
  }

  public static Validator fromConfig(Object block, JsonObject entry, ValidatorContext context) {
    if (ValidatorFactory.isEmpty(block)) {
      return null;
    }
    JsonObject config = ValidatorFactory.requireObject(block);
    return new BasicAuthValidator(credential(config, "username"), credential(config, "password"));
  }

  /** Missing, empty and non-string credentials are a config error. */
  private static String credential(JsonObject config, String key) {
    if (config.getValue(key) instanceof String value && !value.isEmpty()) {
      return value;
    }
    throw new ConfigException(key, "Basic auth credentials not configured");
  }

  @Override
  public String key() {
    return "basic_auth";
  }

  @Override
  public Future<Void> validate(WebhookRequest request) {
    AuthorizationHeader authorization = AuthorizationHeader.read(request, PREFIX, "Basic authentication required");
    if (authorization.problem() != null) {
      return fail(authorization.problem());
    }
    String encoded = authorization.credentials();
    if (encoded.isEmpty()) {
      return fail("Invalid Basic authentication format: missing credentials");
    }
    char afterPrefix = encoded.charAt(0);
    if (afterPrefix == ' ' || afterPrefix == '\t' || afterPrefix == '\r' || afterPrefix == '\n') {
      return fail("Invalid Basic authentication format");
    }
    if (!encoded.equals(encoded.strip())) {
      return fail("Invalid base64 encoding: whitespace not allowed");
    }
    if (!BASE64.matcher(encoded).matches()) {
      return fail("Invalid base64 encoding format");
    }
    // padding is required (strict parsing); Java's decoder would accept it missing
    if (encoded.length() % 4 != 0) {
      return fail("Invalid base64 encoding in Authorization header");
    }
    byte[] decoded;
    try {
      decoded = Base64.getDecoder().decode(encoded);
    } catch (IllegalArgumentException e) {
      return fail("Invalid base64 encoding in Authorization header");
    }
    String credentials = decode(decoded);
    int colon = credentials.indexOf(':');
    if (colon < 0) {
      return fail("Invalid basic auth format");
    }
    // both comparisons always run: no early exit that would tell a valid username apart
    boolean usernameMatches = ConstantTime.equals(username, credentials.substring(0, colon));
    boolean passwordMatches = ConstantTime.equals(password, credentials.substring(colon + 1));
    return usernameMatches & passwordMatches
        ? Future.succeededFuture()
        : fail("Invalid credentials");
  }

  /** UTF-8 when the bytes are valid UTF-8, otherwise Latin-1 (which accepts any byte). */
  private static String decode(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      return new String(bytes, StandardCharsets.ISO_8859_1);
    }
  }

  private static Future<Void> fail(String message) {
    return Future.failedFuture(CwmException.unauthorized(message));
  }
}
