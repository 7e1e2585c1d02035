package io.cwm.validate;

import static io.cwm.validate.Requests.assertPasses;
import static io.cwm.validate.Requests.assertUnauthorized;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class JwtValidatorTest {
  private static final long NOW = Requests.FIXED.instant().getEpochSecond();
  private static final String SECRET = "a-shared-secret-of-at-least-32-bytes!";
  private static final String CLAIMS = "{\"sub\":\"sender\",\"iat\":" + NOW + ",\"exp\":" + (NOW + 300) + "}";
  private static final KeyPair RSA = keyPair("RSA", null);
  private static final KeyPair OTHER_RSA = keyPair("RSA", null);
  private static final KeyPair P256 = keyPair("EC", "secp256r1");
  private static final KeyPair P384 = keyPair("EC", "secp384r1");
  private static final KeyPair P521 = keyPair("EC", "secp521r1");

  // ---- helpers -------------------------------------------------------------------------------

  private static KeyPair keyPair(String algorithm, String curve) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
      if (curve == null) {
        generator.initialize(2048);
      } else {
        generator.initialize(new ECGenParameterSpec(curve));
      }
      return generator.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String pem(PublicKey key) {
    return "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
  }

  private static String b64(String json) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  /** An HMAC token built by hand, so that any header (alg none, crit, ...) and any secret work. */
  static String hmacToken(String alg, String secret, String header, String claims) {
    try {
      String jca = "Hmac" + "SHA" + alg.substring(2);
      String signingInput = b64(header) + "." + b64(claims);
      Mac mac = Mac.getInstance(jca);
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), jca));
      byte[] signature = mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(signature);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String hs(String alg, String secret, String claims) {
    return hmacToken(alg, secret, "{\"alg\":\"" + alg + "\",\"typ\":\"JWT\"}", claims);
  }

  static String signed(JWSAlgorithm alg, PrivateKey key, String claims) {
    try {
      JWSSigner signer = key instanceof RSAPrivateKey rsa ? new RSASSASigner(rsa) : new ECDSASigner((ECPrivateKey) key);
      SignedJWT jwt = new SignedJWT(new JWSHeader(alg), JWTClaimsSet.parse(claims));
      jwt.sign(signer);
      return jwt.serialize();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static Validator validator(JsonObject block) {
    return Requests.build("jwt", new JsonObject().put("jwt", block).encode(), Requests.context());
  }

  private static Validator hs256() {
    return validator(new JsonObject().put("secret", SECRET));
  }

  private static Future<Void> bearer(Validator validator, String token) {
    return send(validator, "Bearer " + token);
  }

  private static Future<Void> send(Validator validator, String authorization) {
    Requests request = Requests.post();
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return validator.validate(request.build());
  }

  private static String configProblem(JsonObject block) {
    return Requests.configProblem(new JsonObject().put("jwt", block).encode());
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = JwtValidatorTest.class.getResourceAsStream("/jwt/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }
  }

  // ---- valid tokens --------------------------------------------------------------------------

  @Test
  void hmacTokensPass() {
    assertPasses(bearer(hs256(), hs("HS256", SECRET, CLAIMS)));
    for (String alg : List.of("HS384", "HS512")) {
      Validator validator = validator(new JsonObject().put("secret", SECRET).put("algorithm", alg.toLowerCase()));
      assertPasses(bearer(validator, hs(alg, SECRET, CLAIMS)));
    }
  }

  @Test
  void shortHmacSecretsWorkAsInPython() {
    Validator validator = validator(new JsonObject().put("secret", "secret"));
    assertPasses(bearer(validator, hs("HS256", "secret", CLAIMS)));
  }

  @Test
  void tokenWithoutExpiryPasses() {
    assertPasses(bearer(hs256(), hs("HS256", SECRET, "{\"sub\":\"x\"}")));
  }

  @Test
  void trailingWhitespaceAfterTheTokenIsTolerated() {
    assertPasses(bearer(hs256(), hs("HS256", SECRET, CLAIMS) + "  "));
  }

  @Test
  void rsaAndPssTokensPassWithAPemPublicKey() {
    for (JWSAlgorithm alg : List.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
        JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512)) {
      Validator validator = validator(new JsonObject().put("secret", pem(RSA.getPublic())).put("algorithm", alg.getName()));
      assertPasses(bearer(validator, signed(alg, RSA.getPrivate(), CLAIMS)));
    }
  }

  @Test
  void ecdsaTokensPassWithAPemPublicKey() {
    assertPasses(bearer(validator(new JsonObject().put("secret", pem(P256.getPublic())).put("algorithm", "ES256")),
        signed(JWSAlgorithm.ES256, P256.getPrivate(), CLAIMS)));
    assertPasses(bearer(validator(new JsonObject().put("secret", pem(P384.getPublic())).put("algorithm", "ES384")),
        signed(JWSAlgorithm.ES384, P384.getPrivate(), CLAIMS)));
    assertPasses(bearer(validator(new JsonObject().put("secret", pem(P521.getPublic())).put("algorithm", "ES512")),
        signed(JWSAlgorithm.ES512, P521.getPrivate(), CLAIMS)));
  }

  @Test
  void pemCertificateAndOneLinePemWithLiteralNewlinesAreAccepted() throws Exception {
    String keyPem = resource("test-cert-key.pem").replaceAll("-----[A-Z ]+-----|\\s", "");
    PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(
        new PKCS8EncodedKeySpec(Base64.getDecoder().decode(keyPem)));
    Validator fromCertificate = validator(new JsonObject().put("secret", resource("test-cert.pem")).put("algorithm", "RS256"));
    assertPasses(bearer(fromCertificate, signed(JWSAlgorithm.RS256, key, CLAIMS)));

    String oneLine = pem(RSA.getPublic()).replace("\n", "\\n");
    Validator fromOneLine = validator(new JsonObject().put("secret", oneLine).put("algorithm", "RS256"));
    assertPasses(bearer(fromOneLine, signed(JWSAlgorithm.RS256, RSA.getPrivate(), CLAIMS)));
  }

  // ---- algorithm confusion -------------------------------------------------------------------

  @Test
  void unsignedTokenWithAlgNoneIsRefused() {
    String unsigned = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + b64(CLAIMS) + ".";
    assertUnauthorized("Invalid JWT algorithm", bearer(hs256(), unsigned));
    String upper = b64("{\"alg\":\"NONE\"}") + "." + b64(CLAIMS) + ".";
    assertUnauthorized("Invalid JWT algorithm", bearer(hs256(), upper));
  }

  @Test
  void hmacTokenSignedWithThePublicKeyIsRefusedByAnRsaConfig() {
    String publicPem = pem(RSA.getPublic());
    Validator rs256 = validator(new JsonObject().put("secret", publicPem).put("algorithm", "RS256"));
    assertUnauthorized("Invalid JWT algorithm", bearer(rs256, hs("HS256", publicPem, CLAIMS)));
  }

  @Test
  void onlyTheConfiguredAlgorithmIsAccepted() {
    assertUnauthorized("Invalid JWT algorithm", bearer(hs256(), hs("HS512", SECRET, CLAIMS)));
    assertUnauthorized("Invalid JWT algorithm",
        bearer(hs256(), hmacToken("HS256", SECRET, "{\"alg\":\"hs256\"}", CLAIMS)));
    Validator rs256 = validator(new JsonObject().put("secret", pem(RSA.getPublic())).put("algorithm", "RS256"));
    assertUnauthorized("Invalid JWT algorithm", bearer(rs256, signed(JWSAlgorithm.PS256, RSA.getPrivate(), CLAIMS)));
  }

  // ---- signature and format ------------------------------------------------------------------

  @Test
  void tokenSignedWithAnotherKeyIsRefused() {
    assertUnauthorized("Invalid JWT signature", bearer(hs256(), hs("HS256", SECRET + "x", CLAIMS)));
    Validator rs256 = validator(new JsonObject().put("secret", pem(RSA.getPublic())).put("algorithm", "RS256"));
    assertUnauthorized("Invalid JWT signature", bearer(rs256, signed(JWSAlgorithm.RS256, OTHER_RSA.getPrivate(), CLAIMS)));
  }

  @Test
  void tamperedClaimsAreRefused() {
    String token = hs("HS256", SECRET, CLAIMS);
    String[] parts = token.split("\\.");
    String tampered = parts[0] + "." + b64(CLAIMS.replace("sender", "admin")) + "." + parts[2];
    assertUnauthorized("Invalid JWT signature", bearer(hs256(), tampered));
  }

  @Test
  void unknownCriticalHeaderIsRefused() {
    String token = hmacToken("HS256", SECRET, "{\"alg\":\"HS256\",\"crit\":[\"exp\"],\"exp\":1}", CLAIMS);
    assertUnauthorized("Invalid JWT signature", bearer(hs256(), token));
  }

  @Test
  void malformedTokensAreRefused() {
    String token = hs("HS256", SECRET, CLAIMS);
    String[] parts = token.split("\\.");
    String format = "Invalid JWT token format";
    assertUnauthorized(format, bearer(hs256(), parts[0] + "." + parts[1]));
    assertUnauthorized(format, bearer(hs256(), parts[0] + "." + parts[1] + "."));
    assertUnauthorized(format, bearer(hs256(), token + ".extra"));
    assertUnauthorized(format, bearer(hs256(), token + "."));
    assertUnauthorized(format, bearer(hs256(), "." + token));
    assertUnauthorized(format, bearer(hs256(), parts[0] + "." + parts[1] + "!." + parts[2]));
    assertUnauthorized(format, bearer(hs256(), parts[0] + "=." + parts[1] + "." + parts[2]));
    assertUnauthorized(format, bearer(hs256(), "not-a-jwt"));
    assertUnauthorized(format, bearer(hs256(), "a.b.c"));
    assertUnauthorized(format, bearer(hs256(), " " + token));
    assertUnauthorized(format, bearer(hs256(), "   "));
    assertUnauthorized(format, bearer(hs256(), ""));
  }

  @Test
  void hostileHeaderParametersAreFormatErrors() {
    for (String header : List.of("{\"alg\":1}", "{}", "[]", "{\"alg\":\"HS256\",\"crit\":\"x\"}",
        "{\"alg\":\"HS256\",\"jwk\":\"x\"}", "{\"alg\":\"HS256\",\"x5u\":\"::\"}",
        "{\"alg\":\"HS256\",\"kid\":5}", "{\"alg\":\"HS256\",\"b64\":\"no\"}",
        "{\"alg\":\"HS256\",\"typ\":5}", "{\"alg\":\"HS256\",\"enc\":\"A128GCM\"}")) {
      assertUnauthorized("Invalid JWT token format", bearer(hs256(), hmacToken("HS256", SECRET, header, CLAIMS)));
    }
  }

  @Test
  void signedPayloadThatIsNotAClaimsObjectIsRefused() {
    assertUnauthorized("Invalid JWT token format", bearer(hs256(), hs("HS256", SECRET, "[1,2]")));
    assertUnauthorized("Invalid JWT token format", bearer(hs256(), hs("HS256", SECRET, "not json")));
  }

  @Test
  void missingOrNonBearerHeaderIsRefused() {
    String token = hs("HS256", SECRET, CLAIMS);
    assertUnauthorized("Missing Authorization header", send(hs256(), null));
    assertUnauthorized("JWT Bearer token required", send(hs256(), token));
    assertUnauthorized("JWT Bearer token required", send(hs256(), "bearer " + token));
    assertUnauthorized("JWT Bearer token required", send(hs256(), "BEARER " + token));
    assertUnauthorized("JWT Bearer token required", send(hs256(), "Bearer"));
    assertUnauthorized("JWT Bearer token required", send(hs256(), "Basic " + token));
  }

  // ---- claims --------------------------------------------------------------------------------

  @Test
  void expiredTokensAreRefusedWithZeroLeeway() {
    assertUnauthorized("JWT token expired", bearer(hs256(), hs("HS256", SECRET, "{\"exp\":" + (NOW - 3600) + "}")));
    assertUnauthorized("JWT token expired", bearer(hs256(), hs("HS256", SECRET, "{\"exp\":" + NOW + "}")));
    assertPasses(bearer(hs256(), hs("HS256", SECRET, "{\"exp\":" + (NOW + 1) + "}")));
  }

  @Test
  void expiryCheckCanBeTurnedOff() {
    String expired = hs("HS256", SECRET, "{\"exp\":" + (NOW - 3600) + "}");
    assertPasses(bearer(validator(new JsonObject().put("secret", SECRET).put("verify_exp", false)), expired));
    assertPasses(bearer(validator(new JsonObject().put("secret", SECRET).put("verify_exp", "false")), expired));
  }

  @Test
  void nonNumericTimeClaimsAreRefused() {
    assertUnauthorized("Invalid JWT token format",
        bearer(hs256(), hs("HS256", SECRET, "{\"exp\":\"" + (NOW + 300) + "\"}")));
    assertUnauthorized("Invalid JWT token format", bearer(hs256(), hs("HS256", SECRET, "{\"nbf\":\"now\"}")));
  }

  @Test
  void tokensNotYetValidAreRefused() {
    assertUnauthorized("JWT validation failed", bearer(hs256(), hs("HS256", SECRET, "{\"nbf\":" + (NOW + 1) + "}")));
    assertUnauthorized("JWT validation failed", bearer(hs256(), hs("HS256", SECRET, "{\"iat\":" + (NOW + 60) + "}")));
    assertPasses(bearer(hs256(), hs("HS256", SECRET, "{\"nbf\":" + NOW + ",\"iat\":" + NOW + "}")));
  }

  @Test
  void issuerIsCheckedWhenConfigured() {
    Validator validator = validator(new JsonObject().put("secret", SECRET).put("issuer", "https://issuer.example"));
    assertPasses(bearer(validator, hs("HS256", SECRET, "{\"iss\":\"https://issuer.example\"}")));
    assertUnauthorized("Invalid JWT issuer", bearer(validator, hs("HS256", SECRET, "{\"iss\":\"https://evil.example\"}")));
    assertUnauthorized("Invalid JWT issuer", bearer(validator, hs("HS256", SECRET, "{\"iss\":\"https://ISSUER.example\"}")));
    assertUnauthorized("JWT missing required claim: Token is missing the \"iss\" claim",
        bearer(validator, hs("HS256", SECRET, "{\"sub\":\"x\"}")));
  }

  @Test
  void audienceIsCheckedWhenConfigured() {
    Validator validator = validator(new JsonObject().put("secret", SECRET).put("audience", "webhooks"));
    assertPasses(bearer(validator, hs("HS256", SECRET, "{\"aud\":\"webhooks\"}")));
    assertPasses(bearer(validator, hs("HS256", SECRET, "{\"aud\":[\"other\",\"webhooks\"]}")));
    assertUnauthorized("Invalid JWT audience", bearer(validator, hs("HS256", SECRET, "{\"aud\":\"Webhooks\"}")));
    assertUnauthorized("Invalid JWT audience", bearer(validator, hs("HS256", SECRET, "{\"aud\":[\"other\"]}")));
    assertUnauthorized("JWT missing required claim: Token is missing the \"aud\" claim",
        bearer(validator, hs("HS256", SECRET, "{\"sub\":\"x\"}")));
    assertUnauthorized("JWT missing required claim: Token is missing the \"aud\" claim",
        bearer(validator, hs("HS256", SECRET, "{\"aud\":[]}")));
  }

  @Test
  void unconfiguredIssuerAndAudienceAreNotChecked() {
    assertPasses(bearer(validator(new JsonObject().put("secret", SECRET).put("issuer", "").put("audience", "")),
        hs("HS256", SECRET, "{\"iss\":\"anyone\",\"aud\":\"anything\"}")));
  }

  @Test
  void audienceListInConfigAcceptsAnyOfThem() {
    Validator validator = validator(new JsonObject().put("secret", SECRET).put("audience", new io.vertx.core.json.JsonArray().add("a").add("b")));
    assertPasses(bearer(validator, hs("HS256", SECRET, "{\"aud\":\"b\"}")));
    assertUnauthorized("Invalid JWT audience", bearer(validator, hs("HS256", SECRET, "{\"aud\":\"c\"}")));
  }

  // ---- configuration -------------------------------------------------------------------------

  @Test
  void emptyBlockMeansNoCheck() {
    assertEquals(List.of("jwt"), Requests.emptyBlocks("{\"jwt\":{}}"));
  }

  @Test
  void missingOrBlankSecretIsRefusedAtLoad() {
    assertEquals("jwt.secret: JWT secret is required and cannot be empty", configProblem(new JsonObject().put("algorithm", "HS256")));
    assertEquals("jwt.secret: JWT secret is required and cannot be empty", configProblem(new JsonObject().put("secret", "")));
    assertEquals("jwt.secret: JWT secret is required and cannot be empty", configProblem(new JsonObject().put("secret", "   ")));
  }

  @Test
  void blockedAndUnknownAlgorithmsAreRefusedAtLoad() {
    String blocked = "JWT algorithm '%s' is explicitly blocked for security reasons. "
        + "The 'none' algorithm and weak algorithms are not allowed.";
    for (String alg : List.of("none", "None", " none ", "NONE", "HS1", "md5")) {
      assertEquals("jwt.algorithm: JWT algorithm validation failed: " + String.format(blocked, alg),
          configProblem(new JsonObject().put("secret", SECRET).put("algorithm", alg)));
    }
    assertEquals("jwt.algorithm: JWT algorithm validation failed: JWT algorithm 'HS128' is not in the allowed "
        + "algorithms whitelist. Allowed algorithms: ES256, ES384, ES512, HS256, HS384, HS512, PS256, PS384, "
        + "PS512, RS256, RS384, RS512",
        configProblem(new JsonObject().put("secret", SECRET).put("algorithm", "HS128")));
    String nonEmpty = "jwt.algorithm: JWT algorithm validation failed: JWT algorithm must be a non-empty string";
    assertEquals(nonEmpty, configProblem(new JsonObject().put("secret", SECRET).put("algorithm", "")));
    assertEquals(nonEmpty, configProblem(new JsonObject().put("secret", SECRET).put("algorithm", 256)));
    assertEquals(nonEmpty, configProblem(new JsonObject().put("secret", SECRET).putNull("algorithm")));
    assertEquals("jwt.algorithm: JWT algorithm validation failed: JWT algorithm cannot be empty",
        configProblem(new JsonObject().put("secret", SECRET).put("algorithm", "   ")));
  }

  @Test
  void keysThatCannotVerifyTheAlgorithmAreRefusedAtLoad() {
    assertEquals("jwt.secret: JWT secret for RS256 must be a PEM RSA public key (-----BEGIN PUBLIC KEY-----) or certificate",
        configProblem(new JsonObject().put("secret", SECRET).put("algorithm", "RS256")));
    assertEquals("jwt.secret: JWT secret for RS256 must be a PEM RSA public key (-----BEGIN PUBLIC KEY-----) or certificate",
        configProblem(new JsonObject().put("secret", pem(P256.getPublic())).put("algorithm", "RS256")));
    assertEquals("jwt.secret: JWT secret for ES256 must be a PEM EC public key (-----BEGIN PUBLIC KEY-----) or certificate",
        configProblem(new JsonObject().put("secret", pem(RSA.getPublic())).put("algorithm", "ES256")));
    assertEquals("jwt.secret: JWT secret for ES256 is an EC public key on the wrong curve",
        configProblem(new JsonObject().put("secret", pem(P384.getPublic())).put("algorithm", "ES256")));
    assertEquals("jwt.secret: JWT secret for PS256 must be a PEM RSA public key (-----BEGIN PUBLIC KEY-----) or certificate",
        configProblem(new JsonObject().put("secret", "-----BEGIN PUBLIC KEY-----\n!!!not base64!!!\n-----END PUBLIC KEY-----")
            .put("algorithm", "PS256")));
    String privatePem = "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder().encodeToString(RSA.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----";
    String problem = configProblem(new JsonObject().put("secret", privatePem).put("algorithm", "RS256"));
    assertEquals("jwt.secret: JWT secret for RS256 must be a PEM RSA public key (-----BEGIN PUBLIC KEY-----) or certificate", problem);
    assertFalse(problem.contains(Base64.getMimeEncoder().encodeToString(RSA.getPrivate().getEncoded()).substring(0, 20)));
  }

  @Test
  void publicKeyAsHmacSecretIsRefusedAtLoad() {
    assertEquals("jwt.secret: JWT secret for HS256 must be a shared secret, not a PEM key or certificate",
        configProblem(new JsonObject().put("secret", pem(RSA.getPublic()))));
  }
}
