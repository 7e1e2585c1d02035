package io.cwm.validate;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.cwm.config.Coerce;
import io.cwm.config.ConfigException;
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
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Local JWT check of OAuth 2.0 mode B: the token's {@code alg} must be one of
 * {@code jwt_algorithms} (each from the HS/RS/ES/PS 256/384/512 whitelist), the signature must
 * verify with {@code jwt_secret} (a shared secret, or a PEM public key or certificate for RS, PS
 * and ES), then {@code nbf}, {@code exp} (unless {@code verify_exp} is false), {@code iss} and
 * {@code aud} (when configured) are checked with zero leeway, as PyJWT does.
 *
 * <p>HMAC is computed directly rather than with nimbus' {@code MACVerifier}, which refuses
 * secrets shorter than 256 bits that existing configs may hold. A PEM key is never used as an
 * HMAC secret (the RS/HS key-confusion attack).
 */
final class OAuth2Jwt {
  static final String INVALID = "Invalid OAuth 2.0 JWT token";
  private static final Map<String, String> HMAC = Map.of(
      "HS256", "HmacSHA256", "HS384", "HmacSHA384", "HS512", "HmacSHA512");
  private static final Set<String> WHITELIST = Set.of("HS256", "HS384", "HS512", "RS256", "RS384",
      "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512");
  private static final Pattern PEM = Pattern.compile(
      "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

  /** A failed check (client-safe message) or the verified claims. */
  record Outcome(String failure, JWTClaimsSet claims) {}

  private final Set<String> algorithms;
  private final byte[] sharedSecret;
  private final PublicKey publicKey;
  private final String audience;
  private final String issuer;
  private final boolean verifyExp;
  private final Clock clock;

  private OAuth2Jwt(Set<String> algorithms, byte[] sharedSecret, PublicKey publicKey,
      String audience, String issuer, boolean verifyExp, Clock clock) {
    this.algorithms = algorithms;
    this.sharedSecret = sharedSecret;
    this.publicKey = publicKey;
    this.audience = audience;
    this.issuer = issuer;
    this.verifyExp = verifyExp;
    this.clock = clock;
  }

  static OAuth2Jwt fromConfig(JsonObject config, String secret, Clock clock) {
    Set<String> algorithms = algorithms(config.getValue("jwt_algorithms"));
    byte[] sharedSecret = null;
    PublicKey publicKey = null;
    if (secret.strip().startsWith("-----BEGIN")) {
      publicKey = readPem(secret.strip());
    } else {
      sharedSecret = secret.getBytes(StandardCharsets.UTF_8);
    }
    boolean usable = false;
    for (String algorithm : algorithms) {
      usable |= publicKey == null
          ? algorithm.startsWith("HS")
          : !algorithm.startsWith("HS") && (algorithm.startsWith("ES") == (publicKey instanceof ECPublicKey));
    }
    if (!usable) {
      throw new ConfigException("jwt_algorithms",
          "no listed algorithm can be verified with the configured jwt_secret");
    }
    String audience = blankToNull(Coerce.string(config, "audience", null));
    String issuer = blankToNull(Coerce.string(config, "issuer", null));
    return new OAuth2Jwt(algorithms, sharedSecret, publicKey, audience, issuer,
        Coerce.bool(config, "verify_exp", true), clock);
  }

  private static Set<String> algorithms(Object value) {
    if (value == null) {
      return Set.of("HS256", "RS256");
    }
    if (!(value instanceof JsonArray list) || list.isEmpty()) {
      throw new ConfigException("jwt_algorithms", "OAuth 2.0 JWT algorithms must be a non-empty list");
    }
    Set<String> result = new LinkedHashSet<>();
    for (Object item : list) {
      if (!(item instanceof String text)) {
        throw new ConfigException("jwt_algorithms",
            "OAuth 2.0 JWT algorithm must be a string, got " + Coerce.describe(item));
      }
      String algorithm = text.strip().toUpperCase(Locale.ROOT);
      if (algorithm.isEmpty()) {
        throw new ConfigException("jwt_algorithms", "OAuth 2.0 JWT algorithm cannot be empty");
      }
      if (algorithm.equals("NONE")) {
        throw new ConfigException("jwt_algorithms",
            "OAuth 2.0 JWT algorithm '" + text + "' is explicitly blocked for security reasons");
      }
      if (!WHITELIST.contains(algorithm)) {
        throw new ConfigException("jwt_algorithms",
            "OAuth 2.0 JWT algorithm '" + text + "' is not in the allowed algorithms whitelist");
      }
      result.add(algorithm);
    }
    return Set.copyOf(result);
  }

  /** A {@code PUBLIC KEY} (RSA or EC) or a {@code CERTIFICATE}, read with the JDK alone. */
  private static PublicKey readPem(String pem) {
    Matcher matcher = PEM.matcher(pem);
    if (!matcher.find()) {
      throw new ConfigException("jwt_secret", "is not a readable PEM public key");
    }
    try {
      byte[] der = Base64.getMimeDecoder().decode(matcher.group(2));
      if (matcher.group(1).equals("CERTIFICATE")) {
        return CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(der)).getPublicKey();
      }
      if (matcher.group(1).equals("PUBLIC KEY")) {
        X509EncodedKeySpec spec = new X509EncodedKeySpec(der);
        try {
          return KeyFactory.getInstance("RSA").generatePublic(spec);
        } catch (GeneralSecurityException notRsa) {
          return KeyFactory.getInstance("EC").generatePublic(spec);
        }
      }
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new ConfigException("jwt_secret", "is not a readable PEM public key");
    }
    throw new ConfigException("jwt_secret", "PEM type must be PUBLIC KEY or CERTIFICATE");
  }

  Outcome verify(String token) {
    SignedJWT jwt;
    try {
      jwt = SignedJWT.parse(token);
    } catch (ParseException e) {
      return failed(INVALID);
    }
    String algorithm = jwt.getHeader().getAlgorithm().getName();
    if (!algorithms.contains(algorithm) || !signatureVerifies(jwt, algorithm)) {
      return failed(INVALID);
    }
    JWTClaimsSet claims;
    try {
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      // e.g. "exp" that is not a number
      return failed(INVALID);
    }
    long now = clock.instant().getEpochSecond();
    Date notBefore = claims.getNotBeforeTime();
    if (notBefore != null && notBefore.getTime() / 1000 > now) {
      return failed(INVALID);
    }
    Date expiry = claims.getExpirationTime();
    if (verifyExp && expiry != null && expiry.getTime() / 1000 <= now) {
      return failed("OAuth 2.0 token expired");
    }
    if (issuer != null) {
      if (claims.getClaim("iss") == null) {
        return failed(INVALID);
      }
      if (!issuer.equals(claims.getClaim("iss"))) {
        return failed("OAuth 2.0 token issuer mismatch");
      }
    }
    if (audience != null) {
      if (claims.getClaim("aud") == null) {
        return failed(INVALID);
      }
      if (!claims.getAudience().contains(audience)) {
        return failed("OAuth 2.0 token audience mismatch");
      }
    }
    return new Outcome(null, claims);
  }

  private boolean signatureVerifies(SignedJWT jwt, String algorithm) {
    try {
      if (algorithm.startsWith("HS")) {
        if (sharedSecret == null) {
          return false;
        }
        Mac mac = Mac.getInstance(HMAC.get(algorithm));
        mac.init(new SecretKeySpec(sharedSecret, HMAC.get(algorithm)));
        byte[] expected = mac.doFinal(jwt.getSigningInput());
        return MessageDigest.isEqual(expected, jwt.getSignature().decode());
      }
      JWSVerifier verifier;
      if (publicKey instanceof RSAPublicKey rsa && !algorithm.startsWith("ES")) {
        verifier = new RSASSAVerifier(rsa);
      } else if (publicKey instanceof ECPublicKey ec && algorithm.startsWith("ES")) {
        verifier = new ECDSAVerifier(ec);
      } else {
        return false;
      }
      return jwt.verify(verifier);
    } catch (JOSEException | GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  /** Scopes granted by a {@code scope} value: a space-separated string or a list of strings. */
  static Set<String> scopes(Object value) {
    Set<String> granted = new LinkedHashSet<>();
    if (value instanceof String text) {
      for (String scope : text.strip().split("\\s+")) {
        if (!scope.isEmpty()) {
          granted.add(scope);
        }
      }
    } else if (value instanceof Iterable<?> items) {
      for (Object item : items) {
        if (item instanceof String scope) {
          granted.add(scope);
        }
      }
    }
    return granted;
  }

  /** {@code required_scope}: a list of strings, or one space-separated string. */
  static List<String> requiredScopes(JsonObject config) {
    Object value = config.getValue("required_scope");
    if (value instanceof String) {
      return List.copyOf(scopes(value));
    }
    return new ArrayList<>(Coerce.stringList(config, "required_scope"));
  }

  private static String blankToNull(String text) {
    return text == null || text.isBlank() ? null : text;
  }

  private static Outcome failed(String message) {
    return new Outcome(message, null);
  }
}
