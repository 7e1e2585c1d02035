package io.cwm.validate;

import io.cwm.config.EnvVars;
import io.cwm.config.Coerce;
import io.cwm.config.ConfigException;
import io.cwm.error.CwmException;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OAuth 2.0 access token (spec §5.7). The mode is fixed at load:
 * <ol>
 *   <li>A, {@code introspection_endpoint} set and {@code validate_token} true: RFC 7662
 *       introspection (form POST, HTTP Basic with {@code client_id}/{@code client_secret} when
 *       both are set, 5 s timeout, redirects not followed); {@code active} must be {@code true};
 *   <li>B, no endpoint and {@code jwt_secret} set: local JWT check ({@link OAuth2Jwt}), also when
 *       {@code validate_token} is false;
 *   <li>C, {@code validate_token} false: a token must be present, nothing more.
 * </ol>
 * Anything else can never pass and is refused at load. The endpoint is SSRF-checked at load
 * ({@link IntrospectionEndpoint}). {@code required_scope}: every scope must be granted, else the
 * generic {@code OAuth 2.0 token missing required scopes} (scopes are not listed).
 *
 * <p>Network errors, timeouts and unreadable introspection answers give
 * {@code Processing error occurred in OAuth 2.0 introspection}, JWT errors
 * {@code Invalid OAuth 2.0 JWT token}, never the exception text.
 */
public final class OAuth2Validator implements Validator {
  static final String PROCESSING_ERROR = "Processing error occurred in OAuth 2.0 introspection";
  static final long TIMEOUT_MILLIS = 5_000;
  private static final Logger LOG = LoggerFactory.getLogger(OAuth2Validator.class);

  private final String tokenType;
  private final String endpoint;
  private final String clientId;
  private final String clientSecret;
  private final List<String> requiredScopes;
  private final OAuth2Jwt jwt;
  private final ValidatorContext context;

  private OAuth2Validator(String tokenType, String endpoint, String clientId, String clientSecret,
      List<String> requiredScopes, OAuth2Jwt jwt, ValidatorContext context) {
    this.tokenType = tokenType;
    this.endpoint = endpoint;
    this.clientId = clientId;
    this.clientSecret = clientSecret;
    this.requiredScopes = requiredScopes;
    this.jwt = jwt;
    this.context = context;
  }

  public static Validator fromConfig(Object block, JsonObject entry, ValidatorContext context) {
    if (ValidatorFactory.isEmpty(block)) {
      return null;
    }
    JsonObject config = ValidatorFactory.requireObject(block);
    String tokenType = Coerce.string(config, "token_type", "Bearer").strip();
    if (tokenType.isEmpty() || tokenType.chars().anyMatch(Character::isWhitespace)) {
      throw new ConfigException("token_type", "must be one word such as Bearer");
    }
    String endpoint = blankToNull(Coerce.string(config, "introspection_endpoint", null));
    if (endpoint != null) {
      String problem = IntrospectionEndpoint.problem(endpoint,
          context.env().flag(EnvVars.ALLOW_LOCALHOST_FOR_TESTS));
      if (problem != null) {
        throw new ConfigException("introspection_endpoint",
            "Invalid OAuth 2.0 introspection endpoint: " + problem);
      }
      endpoint = endpoint.strip();
    }
    boolean validateToken = Coerce.bool(config, "validate_token", true);
    String jwtSecret = blankToNull(Coerce.string(config, "jwt_secret", null));
    List<String> scopes = OAuth2Jwt.requiredScopes(config);
    String clientId = blankToNull(Coerce.string(config, "client_id", null));
    String clientSecret = blankToNull(Coerce.string(config, "client_secret", null));
    if (endpoint != null && validateToken) {
      return new OAuth2Validator(tokenType, endpoint, clientId, clientSecret, scopes, null, context);
    }
    if (endpoint == null && jwtSecret != null) {
      OAuth2Jwt jwt = OAuth2Jwt.fromConfig(config, jwtSecret, context.clock());
      return new OAuth2Validator(tokenType, null, null, null, scopes, jwt, context);
    }
    if (!validateToken) {
      return new OAuth2Validator(tokenType, null, null, null, scopes, null, context);
    }
    throw new ConfigException("",
        "OAuth 2.0 validation not properly configured (missing introspection_endpoint or jwt_secret)");
  }

  @Override
  public String key() {
    return "oauth2";
  }

  @Override
  public Future<Void> validate(WebhookRequest request) {
    String header = request.header("authorization");
    if (header == null || header.isEmpty()) {
      return fail("Missing Authorization header");
    }
    if (header.indexOf('\n') >= 0 || header.indexOf('\r') >= 0) {
      return fail("Invalid Authorization header format (newlines not allowed)");
    }
    if (!header.startsWith(tokenType + " ")) {
      return fail("OAuth 2.0 " + tokenType + " token required");
    }
    String token = header.substring(tokenType.length() + 1).strip();
    if (token.isEmpty()) {
      return fail("Empty OAuth 2.0 token");
    }
    if (endpoint != null) {
      return introspect(token);
    }
    if (jwt != null) {
      OAuth2Jwt.Outcome outcome = jwt.verify(token);
      if (outcome.failure() != null) {
        return fail(outcome.failure());
      }
      return checkScopes(outcome.claims().getClaim("scope"));
    }
    return Future.succeededFuture();
  }

  private Future<Void> introspect(String token) {
    MultiMap form = MultiMap.caseInsensitiveMultiMap()
        .add("token", token)
        .add("token_type_hint", "access_token");
    HttpRequest<Buffer> post = context.webClient().postAbs(endpoint)
        .connectTimeout(TIMEOUT_MILLIS)
        .timeout(TIMEOUT_MILLIS)
        // a redirect could point anywhere, past the SSRF check
        .followRedirects(false);
    if (clientId != null && clientSecret != null) {
      post.basicAuthentication(clientId, clientSecret);
    }
    return post.sendForm(form).transform(sent -> {
      if (sent.failed()) {
        // the exception text can name hosts and ports: log its type only, show nothing
        LOG.warn("OAuth 2.0 introspection request failed ({})", sent.cause().getClass().getSimpleName());
        return fail(PROCESSING_ERROR);
      }
      return answer(sent.result());
    });
  }

  private Future<Void> answer(HttpResponse<Buffer> response) {
    int status = response.statusCode();
    if (status < 200 || status > 299) {
      return fail("OAuth 2.0 token introspection failed: HTTP " + status);
    }
    Object parsed;
    try {
      parsed = response.body() == null ? null : Json.decodeValue(response.body());
    } catch (DecodeException e) {
      parsed = null;
    }
    if (!(parsed instanceof JsonObject result)) {
      LOG.warn("OAuth 2.0 introspection answer is not a JSON object");
      return fail(PROCESSING_ERROR);
    }
    // RFC 7662: a boolean; only true counts (never the string "false")
    if (!Boolean.TRUE.equals(result.getValue("active"))) {
      return fail("OAuth 2.0 token is not active");
    }
    return checkScopes(result.getValue("scope"));
  }

  private Future<Void> checkScopes(Object granted) {
    if (requiredScopes.isEmpty() || OAuth2Jwt.scopes(granted).containsAll(requiredScopes)) {
      return Future.succeededFuture();
    }
    return fail("OAuth 2.0 token missing required scopes");
  }

  private static String blankToNull(String text) {
    return text == null || text.isBlank() ? null : text;
  }

  private static Future<Void> fail(String message) {
    return Future.failedFuture(CwmException.unauthorized(message));
  }
}
