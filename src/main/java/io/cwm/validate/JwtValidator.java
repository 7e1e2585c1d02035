package io.cwm.validate;

import com.nimbusds.jose.Header;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.cwm.config.Coerce;
import io.cwm.config.ConfigException;
import io.cwm.error.CwmException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.time.Clock;
import java.util.Base64;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JWT bearer token (spec §5.5), checked like PyJWT with zero leeway: only the configured algorithm
 * is accepted whatever the token header says; then signature, {@code iat} and {@code nbf} not in
 * the future, {@code exp} (unless {@code verify_exp} is false), {@code iss} and {@code aud} when
 * configured.
 *
 * <p>{@code secret} is the shared secret for HS256/384/512, or a PEM public key or certificate for
 * RS, PS and ES algorithms, parsed once at load. HMAC is computed here rather than by nimbus,
 * whose verifier refuses secrets shorter than the hash: existing short secrets keep working, with a
 * warning.
 */
public final class JwtValidator implements Validator {
  private static final Logger LOG = LoggerFactory.getLogger(JwtValidator.class);
  private static final Set<String> BLOCKED = Set.of("NONE", "HS1", "MD5");
  private static final Map<String, String> HMAC_ALGORITHMS =
      Map.of("HS256", "HmacSHA256", "HS384", "HmacSHA384", "HS512", "HmacSHA512");
  private static final Set<String> RSA_ALGORITHMS =
      Set.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512");
  private static final Set<String> EC_ALGORITHMS = Set.of("ES256", "ES384", "ES512");
  private static final Set<String> ALLOWED = allowed();
  private static final Pattern PEM = Pattern.compile(
      "-----BEGIN (PUBLIC KEY|CERTIFICATE)-----(.*?)-----END \\1-----", Pattern.DOTALL);
  /** One base64url segment; nimbus's decoder would skip stray characters instead of failing. */
  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_-]*");
  private static final String BEARER = "Bearer ";

  private final String algorithm;
  private final ThreadLocal<Mac> hmac;
  private final JWSVerifier verifier;
  private final String issuer;
  private final List<String> audiences;
  private final boolean verifyExpiry;
  private final Clock clock;

  private JwtValidator(String algorithm, ThreadLocal<Mac> hmac, JWSVerifier verifier, String issuer,
      List<String> audiences, boolean verifyExpiry, Clock clock) {
    this.algorithm = algorithm;
    this.hmac = hmac;
    this.verifier = verifier;
    this.issuer = issuer;
    this.audiences = audiences;
    this.verifyExpiry = verifyExpiry;
    this.clock = clock;
  }

  public static Validator fromConfig(Object block, JsonObject entry, ValidatorContext context) {
    if (ValidatorFactory.isEmpty(block)) {
      return null;
    }
    JsonObject config = ValidatorFactory.requireObject(block);
    String secret = Coerce.string(config, "secret", null);
    if (secret == null || secret.isBlank()) {
      throw new ConfigException("secret", "JWT secret is required and cannot be empty");
    }
    String algorithm = algorithm(config);
    String issuer = Coerce.string(config, "issuer", "");
    List<String> audiences = audiences(config);
    boolean verifyExpiry = Coerce.bool(config, "verify_exp", true);
    ThreadLocal<Mac> hmac = null;
    JWSVerifier verifier = null;
    if (HMAC_ALGORITHMS.containsKey(algorithm)) {
      hmac = hmac(algorithm, secret);
    } else {
      verifier = verifier(algorithm, publicKey(algorithm, secret));
    }
    return new JwtValidator(algorithm, hmac, verifier, issuer.isEmpty() ? null : issuer,
        audiences, verifyExpiry, context.clock());
  }

  /** Sorted, as the error message lists them. */
  private static Set<String> allowed() {
    Set<String> all = new TreeSet<>(HMAC_ALGORITHMS.keySet());
    all.addAll(RSA_ALGORITHMS);
    all.addAll(EC_ALGORITHMS);
    return Collections.unmodifiableSet(all);
  }

  /** The algorithm whitelist check, at load time, with the spec's messages. */
  private static String algorithm(JsonObject config) {
    if (!config.containsKey("algorithm")) {
      return "HS256";
    }
    Object value = config.getValue("algorithm");
    if (!(value instanceof String raw) || raw.isEmpty()) {
      throw algorithmProblem("JWT algorithm must be a non-empty string");
    }
    String normalised = raw.strip().toUpperCase(Locale.ROOT);
    if (normalised.isEmpty()) {
      throw algorithmProblem("JWT algorithm cannot be empty");
    }
    if (BLOCKED.contains(normalised)) {
      throw algorithmProblem("JWT algorithm '" + raw + "' is explicitly blocked for security "
          + "reasons. The 'none' algorithm and weak algorithms are not allowed.");
    }
    if (!ALLOWED.contains(normalised)) {
      throw algorithmProblem("JWT algorithm '" + raw + "' is not in the allowed algorithms "
          + "whitelist. Allowed algorithms: " + String.join(", ", ALLOWED));
    }
    return normalised;
  }

  private static ConfigException algorithmProblem(String reason) {
    return new ConfigException("algorithm", "JWT algorithm validation failed: " + reason);
  }

  /** {@code audience}: one string or a list of strings (PyJWT accepts both); blank = no check. */
  private static List<String> audiences(JsonObject config) {
    if (config.getValue("audience") instanceof JsonArray) {
      return Coerce.stringList(config, "audience");
    }
    String audience = Coerce.string(config, "audience", "");
    return audience.isEmpty() ? List.of() : List.of(audience);
  }

  private static ThreadLocal<Mac> hmac(String algorithm, String secret) {
    if (secret.contains("-----BEGIN ")) {
      // PyJWT refuses this too: a public key used as an HMAC secret enables key confusion
      throw new ConfigException("secret",
          "JWT secret for " + algorithm + " must be a shared secret, not a PEM key or certificate");
    }
    byte[] key = secret.getBytes(StandardCharsets.UTF_8);
    int recommended = Integer.parseInt(algorithm.substring(2)) / 8;
    if (key.length < recommended) {
      LOG.warn("jwt: the {} secret is shorter than the {} bytes RFC 7518 requires", algorithm,
          recommended);
    }
    SecretKeySpec spec = new SecretKeySpec(key, HMAC_ALGORITHMS.get(algorithm));
    return ThreadLocal.withInitial(() -> {
      try {
        Mac mac = Mac.getInstance(spec.getAlgorithm());
        mac.init(spec);
        return mac;
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  /** The public key of a PEM {@code PUBLIC KEY} (SPKI) or {@code CERTIFICATE}. */
  static PublicKey publicKey(String algorithm, String pem) {
    String family = RSA_ALGORITHMS.contains(algorithm) ? "RSA" : "EC";
    String problem = "JWT secret for " + algorithm + " must be a PEM " + family
        + " public key (-----BEGIN PUBLIC KEY-----) or certificate";
    // env substitution may leave literal "\n" sequences in a one-line value
    Matcher matcher = PEM.matcher(pem.replace("\\n", "\n"));
    if (!matcher.find()) {
      throw new ConfigException("secret", problem);
    }
    try {
      byte[] der = Base64.getMimeDecoder().decode(matcher.group(2).strip());
      PublicKey key = matcher.group(1).equals("CERTIFICATE")
          ? CertificateFactory.getInstance("X.509")
              .generateCertificate(new ByteArrayInputStream(der)).getPublicKey()
          : KeyFactory.getInstance(family).generatePublic(new X509EncodedKeySpec(der));
      boolean fits = family.equals("RSA") ? key instanceof RSAPublicKey : key instanceof ECPublicKey;
      if (!fits) {
        throw new ConfigException("secret", problem);
      }
      return key;
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new ConfigException("secret", problem);
    }
  }

  private static JWSVerifier verifier(String algorithm, PublicKey key) {
    try {
      if (key instanceof RSAPublicKey rsa) {
        return new RSASSAVerifier(rsa);
      }
      ECDSAVerifier ec = new ECDSAVerifier((ECPublicKey) key);
      if (!ec.supportedJWSAlgorithms().contains(JWSAlgorithm.parse(algorithm))) {
        throw new ConfigException("secret",
            "JWT secret for " + algorithm + " is an EC public key on the wrong curve");
      }
      return ec;
    } catch (JOSEException e) {
      throw new ConfigException("secret", "JWT secret for " + algorithm + " is not a usable key");
    }
  }

  @Override
  public String key() {
    return "jwt";
  }

  @Override
  public Future<Void> validate(WebhookRequest request) {
    AuthorizationHeader authorization = AuthorizationHeader.read(request, BEARER, "JWT Bearer token required");
    if (authorization.problem() != null) {
      return fail(authorization.problem());
    }
    return check(authorization.credentials().stripTrailing());
  }

  private Future<Void> check(String token) {
    String[] segments = token.split("\\.", -1);
    if (segments.length != 3 || !SEGMENT.matcher(segments[0]).matches()
        || !SEGMENT.matcher(segments[1]).matches() || !SEGMENT.matcher(segments[2]).matches()) {
      return fail("Invalid JWT token format");
    }
    SignedJWT jwt;
    try {
      // the header is read on its own first so that "alg": "none" is an algorithm failure
      if (!Header.parse(new Base64URL(segments[0])).getAlgorithm().getName().equals(algorithm)) {
        return fail("Invalid JWT algorithm");
      }
      jwt = SignedJWT.parse(token);
    } catch (ParseException e) {
      return fail("Invalid JWT token format");
    }
    if (!signatureValid(jwt)) {
      return fail("Invalid JWT signature");
    }
    JWTClaimsSet claims;
    try {
      // nimbus refuses non-numeric exp/nbf/iat and non-string iss here
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      return fail("Invalid JWT token format");
    }
    return checkClaims(claims);
  }

  private boolean signatureValid(SignedJWT jwt) {
    if (hmac == null) {
      try {
        return verifier.verify(jwt.getHeader(), jwt.getSigningInput(), jwt.getSignature());
      } catch (JOSEException e) {
        return false;
      }
    }
    // as nimbus's verifiers do: critical header parameters we do not understand fail the token
    Set<String> critical = jwt.getHeader().getCriticalParams();
    if (critical != null && !critical.isEmpty()) {
      return false;
    }
    byte[] expected = hmac.get().doFinal(jwt.getSigningInput());
    return MessageDigest.isEqual(expected, jwt.getSignature().decode());
  }

  /** PyJWT's order and comparisons, zero leeway, times in whole seconds. */
  private Future<Void> checkClaims(JWTClaimsSet claims) {
    long now = clock.instant().getEpochSecond();
    if (after(claims.getIssueTime(), now) || after(claims.getNotBeforeTime(), now)) {
      return fail("JWT validation failed");
    }
    Date expiry = claims.getExpirationTime();
    if (verifyExpiry && expiry != null && seconds(expiry) <= now) {
      return fail("JWT token expired");
    }
    if (issuer != null) {
      if (claims.getIssuer() == null) {
        return fail("JWT missing required claim: Token is missing the \"iss\" claim");
      }
      if (!issuer.equals(claims.getIssuer())) {
        return fail("Invalid JWT issuer");
      }
    }
    if (!audiences.isEmpty()) {
      List<String> tokenAudiences = claims.getAudience();
      if (tokenAudiences.isEmpty()) {
        return fail("JWT missing required claim: Token is missing the \"aud\" claim");
      }
      if (audiences.stream().noneMatch(tokenAudiences::contains)) {
        return fail("Invalid JWT audience");
      }
    }
    return Future.succeededFuture();
  }

  private static boolean after(Date time, long now) {
    return time != null && seconds(time) > now;
  }

  private static long seconds(Date time) {
    return Math.floorDiv(time.getTime(), 1000);
  }

  private static Future<Void> fail(String message) {
    return Future.failedFuture(CwmException.unauthorized(message));
  }
}
