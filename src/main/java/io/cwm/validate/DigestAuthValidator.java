package io.cwm.validate;

import io.cwm.config.Coerce;
import io.cwm.config.ConfigException;
import io.cwm.error.CwmException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTTP Digest authentication, MD5 only (spec §5.4): RFC 2617 {@code qop=auth} when the client
 * sends a {@code cnonce}, RFC 2069 otherwise. Every refusal carries a {@code WWW-Authenticate}
 * challenge with a fresh nonce, so challenge-driven clients ({@code curl --digest}) work. Nonces
 * are not tracked (any nonce is accepted, so clients that compute the header with a nonce of their
 * own keep working, and a captured header can be replayed); the response and the username are
 * compared in constant time.
 */
public final class DigestAuthValidator implements Validator {
  private static final String PREFIX = "Digest ";
  /** One parameter: {@code name=value}, quotes optional, values without commas or quotes. */
  private static final Pattern PARAMETER =
      Pattern.compile("(\\w+)=[\"']?([^,\"']+)[\"']?", Pattern.UNICODE_CHARACTER_CLASS);
  private static final SecureRandom NONCES = new SecureRandom();
  private static final List<String> REQUIRED = List.of("username", "realm", "nonce", "uri", "response");

  private final String username;
  private final String password;
  private final String realm;
  private final String algorithm;
  private final boolean qopAuth;

  private DigestAuthValidator(String username, String password, String realm, String algorithm,
      boolean qopAuth) {
    this.username = username;
    this.password = password;
    this.realm = realm;
    this.algorithm = algorithm;
    this.qopAuth = qopAuth;
  }

  public static Validator fromConfig(Object block, JsonObject entry, ValidatorContext context) {
    if (block == null) {
      return null;
    }
    // unlike most validators an empty block is not "no check": it could never pass, so it is refused
    if (ValidatorFactory.isEmpty(block)) {
      throw new ConfigException("", "Digest auth credentials not configured");
    }
    JsonObject config = ValidatorFactory.requireObject(block);
    String username = Coerce.string(config, "username", "");
    String password = Coerce.string(config, "password", "");
    if (username.isEmpty() || password.isEmpty()) {
      throw new ConfigException(username.isEmpty() ? "username" : "password",
          "Digest auth credentials not configured");
    }
    String realm = Coerce.string(config, "realm", "Webhook API");
    // only MD5 is implemented: another configured algorithm is refused, never silently ignored
    String algorithm = Coerce.string(config, "algorithm", "MD5").trim();
    if (!algorithm.equalsIgnoreCase("MD5")) {
      throw new ConfigException("algorithm",
          "Unsupported digest auth algorithm: " + algorithm + " (only MD5 is supported)");
    }
    String qop = Coerce.string(config, "qop", "auth").trim();
    if (!qop.equals("auth") && !qop.isEmpty()) {
      throw new ConfigException("qop", "must be \"auth\" or \"\" (RFC 2069 responses only)");
    }
    return new DigestAuthValidator(username, password, realm, algorithm, qop.equals("auth"));
  }

  @Override
  public String key() {
    return "digest_auth";
  }

  @Override
  public Future<Void> validate(WebhookRequest request) {
    AuthorizationHeader authorization = AuthorizationHeader.read(request, PREFIX, "Digest authentication required");
    if (authorization.problem() != null) {
      return fail(authorization.problem());
    }
    Map<String, String> params = parse(authorization.credentials().strip());
    for (String name : REQUIRED) {
      if (!params.containsKey(name)) {
        return fail("Missing required Digest parameter: " + name);
      }
    }
    if (!ConstantTime.equals(username, params.get("username"))) {
      return fail("Invalid digest auth username");
    }
    if (!realm.equals(params.get("realm"))) {
      return fail("Invalid digest auth realm");
    }
    String ha1 = md5(username + ":" + realm + ":" + password);
    // the client's uri is trusted: it only feeds the hash
    String ha2 = md5(request.method().toUpperCase(Locale.ROOT) + ":" + params.get("uri"));
    String nonce = params.get("nonce");
    String cnonce = params.get("cnonce");
    String expected;
    if (qopAuth && cnonce != null) {
      String nc = params.getOrDefault("nc", "00000001");
      expected = md5(ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":auth:" + ha2);
    } else {
      expected = md5(ha1 + ":" + nonce + ":" + ha2);
    }
    if (!ConstantTime.equals(expected, params.get("response").toLowerCase(Locale.ROOT))) {
      return fail("Invalid digest auth response");
    }
    String clientAlgorithm = params.get("algorithm");
    if (clientAlgorithm != null && !clientAlgorithm.equalsIgnoreCase(algorithm)) {
      return fail("Invalid digest auth algorithm: " + clientAlgorithm);
    }
    return Future.succeededFuture();
  }

  /** Parameter names lower-cased; a repeated parameter keeps its last value. */
  static Map<String, String> parse(String text) {
    Map<String, String> params = new HashMap<>();
    Matcher matcher = PARAMETER.matcher(text);
    while (matcher.find()) {
      params.put(matcher.group(1).toLowerCase(Locale.ROOT), matcher.group(2));
    }
    return params;
  }

  static String md5(String text) {
    try {
      MessageDigest md5 = MessageDigest.getInstance("MD5");
      return HexFormat.of().formatHex(md5.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is required of every JVM", e);
    }
  }

  private Future<Void> fail(String message) {
    return Future.failedFuture(CwmException.unauthorized(message).withHeader("WWW-Authenticate", challenge()));
  }

  /** RFC 7616 challenge: the realm, a fresh random nonce, the qop the validator computes. */
  String challenge() {
    byte[] nonce = new byte[16];
    NONCES.nextBytes(nonce);
    return "Digest realm=\"" + realm.replace("\\", "\\\\").replace("\"", "\\\"") + "\""
        + (qopAuth ? ", qop=\"auth\"" : "") + ", nonce=\"" + HexFormat.of().formatHex(nonce) + "\", algorithm=MD5";
  }
}
