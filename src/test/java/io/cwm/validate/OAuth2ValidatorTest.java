package io.cwm.validate;

import static io.cwm.validate.Requests.assertPasses;
import static io.cwm.validate.Requests.assertUnauthorized;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.cwm.config.Env;
import io.cwm.testing.HostileUrls;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class OAuth2ValidatorTest {
  private static final long NOW = Requests.FIXED.instant().getEpochSecond();
  private static final String ENDPOINT_PREFIX =
      "oauth2.introspection_endpoint: Invalid OAuth 2.0 introspection endpoint: ";

  private int port;
  private final AtomicReference<String> receivedAuthorization = new AtomicReference<>();
  private final AtomicReference<JsonObject> receivedForm = new AtomicReference<>();

  // ---- introspection stub -------------------------------------------------------------------

  @BeforeEach
  void startIntrospectionStub(Vertx vertx, VertxTestContext testContext) {
    vertx.createHttpServer().requestHandler(this::introspection).listen(0, "127.0.0.1")
        .onComplete(testContext.succeeding(server -> {
          port = server.actualPort();
          testContext.completeNow();
        }));
  }

  private void introspection(HttpServerRequest request) {
    request.setExpectMultipart(true);
    request.endHandler(done -> {
      receivedAuthorization.set(request.getHeader("Authorization"));
      JsonObject form = new JsonObject();
      request.formAttributes().forEach(entry -> form.put(entry.getKey(), entry.getValue()));
      form.put("content-type", request.getHeader("Content-Type"));
      receivedForm.set(form);
      String token = request.getFormAttribute("token");
      var response = request.response().putHeader("Content-Type", "application/json");
      switch (token == null ? "" : token) {
        case "active" -> response.end("{\"active\":true,\"scope\":\"read write\",\"client_id\":\"c\"}");
        case "active-list-scope" -> response.end("{\"active\":true,\"scope\":[\"read\",\"write\"]}");
        case "inactive" -> response.end("{\"active\":false}");
        case "string-active" -> response.end("{\"active\":\"true\"}");
        case "garbage" -> response.end("not json at all");
        case "array" -> response.end("[{\"active\":true}]");
        case "server-error" -> response.setStatusCode(500).end("{\"error\":\"boom at 10.1.2.3:5432\"}");
        case "redirect" -> response.setStatusCode(302).putHeader("Location", "http://127.0.0.1:" + port + "/x").end();
        default -> response.setStatusCode(400).end("{\"error\":\"invalid_request\"}");
      }
    });
  }

  private ValidatorContext localContext(Vertx vertx) {
    return ValidatorContext.create(vertx, Requests.FIXED, Env.of(Map.of("ALLOW_LOCALHOST_FOR_TESTS", "true")));
  }

  private Validator introspecting(Vertx vertx, String extra) {
    return Requests.build("oauth2", "{\"oauth2\":{\"introspection_endpoint\":\"http://127.0.0.1:" + port
        + "/introspect\"" + extra + "}}", localContext(vertx));
  }

  private static Future<Void> bearer(Validator validator, String token) {
    return validator.validate(Requests.post().header("Authorization", "Bearer " + token).build());
  }

  // ---- mode A: introspection ------------------------------------------------------------------

  @Test
  void activeTokenPassesAndTheRequestIsAnRfc7662Form(Vertx vertx) {
    Validator oauth2 = introspecting(vertx, ",\"client_id\":\"cwm\",\"client_secret\":\"s3cret\"");
    assertPasses(bearer(oauth2, "active"));
    assertEquals("Basic " + Base64.getEncoder().encodeToString("cwm:s3cret".getBytes(StandardCharsets.UTF_8)),
        receivedAuthorization.get());
    assertEquals("active", receivedForm.get().getString("token"));
    assertEquals("access_token", receivedForm.get().getString("token_type_hint"));
    assertTrue(receivedForm.get().getString("content-type").startsWith("application/x-www-form-urlencoded"));
  }

  @Test
  void clientCredentialsAreSentOnlyWhenBothAreSet(Vertx vertx) {
    assertPasses(bearer(introspecting(vertx, ",\"client_id\":\"cwm\""), "active"));
    assertNull(receivedAuthorization.get());
  }

  @Test
  void requiredScopesFromStringOrListAnswers(Vertx vertx) {
    Validator read = introspecting(vertx, ",\"required_scope\":[\"read\"]");
    assertPasses(bearer(read, "active"));
    assertPasses(bearer(read, "active-list-scope"));
    Validator admin = introspecting(vertx, ",\"required_scope\":[\"read\",\"admin\"]");
    assertUnauthorized("OAuth 2.0 token missing required scopes", bearer(admin, "active"));
    assertUnauthorized("OAuth 2.0 token missing required scopes", bearer(admin, "active-list-scope"));
  }

  @Test
  void inactiveTokensAreRefused(Vertx vertx) {
    Validator oauth2 = introspecting(vertx, "");
    assertUnauthorized("OAuth 2.0 token is not active", bearer(oauth2, "inactive"));
    // RFC 7662 "active" is a boolean; Python's truthiness would accept the string
    assertUnauthorized("OAuth 2.0 token is not active", bearer(oauth2, "string-active"));
  }

  @Test
  void httpErrorsAndRedirectsFail(Vertx vertx) {
    Validator oauth2 = introspecting(vertx, "");
    assertUnauthorized("OAuth 2.0 token introspection failed: HTTP 500", bearer(oauth2, "server-error"));
    assertUnauthorized("OAuth 2.0 token introspection failed: HTTP 400", bearer(oauth2, "unknown"));
    assertUnauthorized("OAuth 2.0 token introspection failed: HTTP 302", bearer(oauth2, "redirect"));
  }

  @Test
  void unreadableAnswersAndNetworkErrorsAreSanitised(Vertx vertx) throws Exception {
    Validator oauth2 = introspecting(vertx, "");
    assertUnauthorized(OAuth2Validator.PROCESSING_ERROR, bearer(oauth2, "garbage"));
    assertUnauthorized(OAuth2Validator.PROCESSING_ERROR, bearer(oauth2, "array"));

    HttpServer closed = vertx.createHttpServer().requestHandler(r -> r.response().end())
        .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    int closedPort = closed.actualPort();
    closed.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    Validator unreachable = Requests.build("oauth2", "{\"oauth2\":{\"introspection_endpoint\":\"http://127.0.0.1:"
        + closedPort + "/introspect\"}}", localContext(vertx));
    assertUnauthorized("Processing error occurred in OAuth 2.0 introspection", bearer(unreachable, "active"));
  }

  @Test
  void validateTokenFalseSkipsIntrospection(Vertx vertx) {
    Validator oauth2 = introspecting(vertx, ",\"validate_token\":\"false\"");
    assertPasses(bearer(oauth2, "anything"));
    assertNull(receivedForm.get());
  }

  // ---- endpoint SSRF check --------------------------------------------------------------------

  @Test
  void hostileIntrospectionEndpointsAreRefusedAtLoad() {
    List<String> hostile = new ArrayList<>(HostileUrls.SECURITY_NOTES);
    hostile.addAll(List.of("http://LOCALHOST./x", "http://sub.localhost/x", "http://0x7f.1/x",
        "http://100.64.0.1/x", "http://user:pw@127.0.0.1/x", "http://instance-data/",
        "http://under_score.example.com/x", "introspect.example.com/x"));
    for (String url : hostile) {
      String problem = Requests.configProblem("{\"oauth2\":{\"introspection_endpoint\":\"" + url + "\"}}");
      assertTrue(problem.startsWith(ENDPOINT_PREFIX), url + " -> " + problem);
    }
  }

  @Test
  void publicIntrospectionEndpointsAreAccepted() {
    for (String url : new String[] {"https://example.com/webhook", "http://EXAMPLE.COM/x",
        "http://example.com:8080/x", "http://8.8.8.8/x", "https://[2606:4700::1111]/introspect"}) {
      Requests.build("oauth2", "{\"oauth2\":{\"introspection_endpoint\":\"" + url + "\"}}", Requests.context());
    }
  }

  @Test
  void testFlagAllowsLoopbackOnly(Vertx vertx) {
    ValidatorContext local = localContext(vertx);
    Requests.build("oauth2", "{\"oauth2\":{\"introspection_endpoint\":\"http://localhost:1/x\"}}", local);
    Requests.build("oauth2", "{\"oauth2\":{\"introspection_endpoint\":\"http://[::1]:1/x\"}}", local);
    for (String url : new String[] {"http://10.0.0.1/x", "http://169.254.169.254/", "http://metadata/"}) {
      JsonObject entry = new JsonObject().put("oauth2", new JsonObject().put("introspection_endpoint", url));
      java.util.List<io.cwm.config.ConfigException> problems = new java.util.ArrayList<>();
      ValidatorFactory.build(entry, local, problems, new java.util.ArrayList<>());
      assertEquals(1, problems.size(), url);
    }
  }

  // ---- header handling ------------------------------------------------------------------------

  @Test
  void authorizationHeaderRules() {
    Validator oauth2 = Requests.build("oauth2", "{\"oauth2\":{\"validate_token\":false}}", Requests.context());
    assertPasses(bearer(oauth2, "opaque-token"));
    assertPasses(bearer(oauth2, "  padded  "));
    assertUnauthorized("Missing Authorization header", oauth2.validate(Requests.post().build()));
    assertUnauthorized("Missing Authorization header",
        oauth2.validate(Requests.post().header("Authorization", "").build()));
    assertUnauthorized("Invalid Authorization header format (newlines not allowed)", bearer(oauth2, "t\nX-Injected: 1"));
    assertUnauthorized("Invalid Authorization header format (newlines not allowed)", bearer(oauth2, "t\r"));
    assertUnauthorized("OAuth 2.0 Bearer token required",
        oauth2.validate(Requests.post().header("Authorization", "bearer t").build()));
    assertUnauthorized("OAuth 2.0 Bearer token required",
        oauth2.validate(Requests.post().header("Authorization", "Basic dTpw").build()));
    assertUnauthorized("Empty OAuth 2.0 token", bearer(oauth2, ""));
    assertUnauthorized("Empty OAuth 2.0 token", bearer(oauth2, "   "));

    Validator custom = Requests.build("oauth2", "{\"oauth2\":{\"validate_token\":false,\"token_type\":\"Token\"}}",
        Requests.context());
    assertPasses(custom.validate(Requests.post().header("Authorization", "Token abc").build()));
    assertUnauthorized("OAuth 2.0 Token token required", bearer(custom, "abc"));
  }

  // ---- mode B: local JWT ----------------------------------------------------------------------

  private static String b64(String text) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  /** An HMAC-signed JWT, built by hand (nimbus' signer refuses short secrets). */
  private static String hmacToken(String alg, String secret, String claims) throws Exception {
    String jca = "Hmac" + Map.of("HS256", "SHA256", "HS384", "SHA384", "HS512", "SHA512").get(alg);
    String signingInput = b64("{\"alg\":\"" + alg + "\",\"typ\":\"JWT\"}") + "." + b64(claims);
    Mac mac = Mac.getInstance(jca);
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), jca));
    return signingInput + "." + Base64.getUrlEncoder().withoutPadding()
        .encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.UTF_8)));
  }

  private static String pem(PublicKey key) {
    return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(key.getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
  }

  private static Validator jwtValidator(String extra) {
    return Requests.build("oauth2", "{\"oauth2\":{\"jwt_secret\":\"short-secret\"" + extra + "}}", Requests.context());
  }

  @Test
  void hmacJwtWithShortSecretPassesAndScopesAreChecked() throws Exception {
    String claims = "{\"sub\":\"u\",\"exp\":" + (NOW + 60) + ",\"scope\":\"read write\"}";
    assertPasses(bearer(jwtValidator(""), hmacToken("HS256", "short-secret", claims)));
    assertPasses(bearer(jwtValidator(",\"required_scope\":\"write read\""), hmacToken("HS256", "short-secret", claims)));
    assertPasses(bearer(jwtValidator(",\"jwt_algorithms\":[\" hs512 \"],\"required_scope\":[\"read\"]"),
        hmacToken("HS512", "short-secret", "{\"scope\":[\"read\"]}")));
    assertUnauthorized("OAuth 2.0 token missing required scopes",
        bearer(jwtValidator(",\"required_scope\":[\"admin\"]"), hmacToken("HS256", "short-secret", claims)));
    assertUnauthorized("OAuth 2.0 token missing required scopes",
        bearer(jwtValidator(",\"required_scope\":[\"admin\"]"), hmacToken("HS256", "short-secret", "{}")));
  }

  @Test
  void jwtTimeClaims() throws Exception {
    Validator oauth2 = jwtValidator("");
    assertUnauthorized("OAuth 2.0 token expired", bearer(oauth2, hmacToken("HS256", "short-secret", "{\"exp\":" + (NOW - 1) + "}")));
    assertUnauthorized("OAuth 2.0 token expired", bearer(oauth2, hmacToken("HS256", "short-secret", "{\"exp\":" + NOW + "}")));
    assertPasses(bearer(jwtValidator(",\"verify_exp\":\"false\""),
        hmacToken("HS256", "short-secret", "{\"exp\":" + (NOW - 1000) + "}")));
    assertUnauthorized(OAuth2Jwt.INVALID, bearer(oauth2, hmacToken("HS256", "short-secret", "{\"nbf\":" + (NOW + 10) + "}")));
    assertUnauthorized(OAuth2Jwt.INVALID, bearer(oauth2, hmacToken("HS256", "short-secret", "{\"exp\":\"" + (NOW + 10) + "\"}")));
  }

  @Test
  void jwtIssuerAndAudience() throws Exception {
    Validator oauth2 = jwtValidator(",\"issuer\":\"https://issuer.example\",\"audience\":\"cwm\"");
    assertPasses(bearer(oauth2, hmacToken("HS256", "short-secret", "{\"iss\":\"https://issuer.example\",\"aud\":[\"x\",\"cwm\"]}")));
    assertPasses(bearer(oauth2, hmacToken("HS256", "short-secret", "{\"iss\":\"https://issuer.example\",\"aud\":\"cwm\"}")));
    assertUnauthorized("OAuth 2.0 token issuer mismatch",
        bearer(oauth2, hmacToken("HS256", "short-secret", "{\"iss\":\"https://ISSUER.example\",\"aud\":\"cwm\"}")));
    assertUnauthorized("OAuth 2.0 token audience mismatch",
        bearer(oauth2, hmacToken("HS256", "short-secret", "{\"iss\":\"https://issuer.example\",\"aud\":\"CWM\"}")));
    assertUnauthorized(OAuth2Jwt.INVALID, bearer(oauth2, hmacToken("HS256", "short-secret", "{\"aud\":\"cwm\"}")));
    assertUnauthorized(OAuth2Jwt.INVALID, bearer(oauth2, hmacToken("HS256", "short-secret", "{\"iss\":\"https://issuer.example\"}")));
  }

  @Test
  void forgedAndMalformedJwtsAreRefused() throws Exception {
    Validator oauth2 = jwtValidator("");
    String good = hmacToken("HS256", "short-secret", "{\"sub\":\"u\"}");
    String[] parts = good.split("\\.");
    String[] bad = {hmacToken("HS256", "other-secret", "{\"sub\":\"u\"}"),
        hmacToken("HS384", "short-secret", "{\"sub\":\"u\"}"),
        b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + parts[1] + ".",
        parts[0] + "." + b64("{\"sub\":\"admin\"}") + "." + parts[2],
        parts[0] + "." + parts[1] + ".", parts[0] + "." + parts[1], good + ".x", "not-a-jwt", "a.b.c"};
    for (String token : bad) {
      assertUnauthorized(OAuth2Jwt.INVALID, bearer(oauth2, token));
    }
  }

  @Test
  void asymmetricJwtsWithPemKeys() throws Exception {
    KeyPairGenerator rsaGenerator = KeyPairGenerator.getInstance("RSA");
    rsaGenerator.initialize(2048);
    KeyPair rsa = rsaGenerator.generateKeyPair();
    KeyPairGenerator ecGenerator = KeyPairGenerator.getInstance("EC");
    ecGenerator.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair ec = ecGenerator.generateKeyPair();
    JWTClaimsSet claims = new JWTClaimsSet.Builder().subject("u").claim("scope", "read").build();

    SignedJWT rs256 = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), claims);
    rs256.sign(new RSASSASigner(rsa.getPrivate()));
    SignedJWT ps384 = new SignedJWT(new JWSHeader(JWSAlgorithm.PS384), claims);
    ps384.sign(new RSASSASigner(rsa.getPrivate()));
    SignedJWT es256 = new SignedJWT(new JWSHeader(JWSAlgorithm.ES256), claims);
    es256.sign(new ECDSASigner((ECPrivateKey) ec.getPrivate()));

    JsonObject rsaConfig = new JsonObject().put("jwt_secret", pem(rsa.getPublic()))
        .put("jwt_algorithms", new io.vertx.core.json.JsonArray().add("RS256").add("PS384").add("HS256"))
        .put("required_scope", new io.vertx.core.json.JsonArray().add("read"));
    Validator rsaValidator = OAuth2Validator.fromConfig(rsaConfig, new JsonObject(), Requests.context());
    assertPasses(bearer(rsaValidator, rs256.serialize()));
    assertPasses(bearer(rsaValidator, ps384.serialize()));
    assertUnauthorized(OAuth2Jwt.INVALID, bearer(rsaValidator, es256.serialize()));
    // key confusion: an HS256 token "signed" with the public key text must not verify
    assertUnauthorized(OAuth2Jwt.INVALID, bearer(rsaValidator, hmacToken("HS256", pem(rsa.getPublic()), "{\"scope\":\"read\"}")));

    JsonObject ecConfig = new JsonObject().put("jwt_secret", pem(ec.getPublic()))
        .put("jwt_algorithms", new io.vertx.core.json.JsonArray().add("ES256"));
    Validator ecValidator = OAuth2Validator.fromConfig(ecConfig, new JsonObject(), Requests.context());
    assertPasses(bearer(ecValidator, es256.serialize()));
    assertUnauthorized(OAuth2Jwt.INVALID, bearer(ecValidator, rs256.serialize()));
  }

  @Test
  void jwtAlgorithmListIsValidatedAtLoad() {
    String prefix = "oauth2.jwt_algorithms: ";
    assertEquals(prefix + "OAuth 2.0 JWT algorithm 'none' is explicitly blocked for security reasons",
        Requests.configProblem("{\"oauth2\":{\"jwt_secret\":\"s\",\"jwt_algorithms\":[\"none\"]}}"));
    assertEquals(prefix + "OAuth 2.0 JWT algorithm 'None' is explicitly blocked for security reasons",
        Requests.configProblem("{\"oauth2\":{\"jwt_secret\":\"s\",\"jwt_algorithms\":[\"HS256\",\"None\"]}}"));
    assertEquals(prefix + "OAuth 2.0 JWT algorithms must be a non-empty list",
        Requests.configProblem("{\"oauth2\":{\"jwt_secret\":\"s\",\"jwt_algorithms\":[]}}"));
    assertEquals(prefix + "OAuth 2.0 JWT algorithms must be a non-empty list",
        Requests.configProblem("{\"oauth2\":{\"jwt_secret\":\"s\",\"jwt_algorithms\":\"HS256\"}}"));
    assertEquals(prefix + "OAuth 2.0 JWT algorithm must be a string, got a number",
        Requests.configProblem("{\"oauth2\":{\"jwt_secret\":\"s\",\"jwt_algorithms\":[123]}}"));
    assertEquals(prefix + "OAuth 2.0 JWT algorithm 'HS1' is not in the allowed algorithms whitelist",
        Requests.configProblem("{\"oauth2\":{\"jwt_secret\":\"s\",\"jwt_algorithms\":[\"HS1\"]}}"));
    assertEquals(prefix + "OAuth 2.0 JWT algorithm cannot be empty",
        Requests.configProblem("{\"oauth2\":{\"jwt_secret\":\"s\",\"jwt_algorithms\":[\" \"]}}"));
    assertEquals(prefix + "no listed algorithm can be verified with the configured jwt_secret",
        Requests.configProblem("{\"oauth2\":{\"jwt_secret\":\"s\",\"jwt_algorithms\":[\"RS256\"]}}"));
    assertEquals("oauth2.jwt_secret: is not a readable PEM public key", Requests.configProblem(
        "{\"oauth2\":{\"jwt_secret\":\"-----BEGIN PUBLIC KEY-----\\nAAAA\\n-----END PUBLIC KEY-----\"}}"));
  }

  // ---- mode selection -------------------------------------------------------------------------

  @Test
  void modeSelectionAndEmptyBlock() throws Exception {
    assertNull(OAuth2Validator.fromConfig(new JsonObject(), new JsonObject(), Requests.context()));
    assertEquals("oauth2: OAuth 2.0 validation not properly configured (missing introspection_endpoint or jwt_secret)",
        Requests.configProblem("{\"oauth2\":{\"token_type\":\"Bearer\"}}"));
    assertEquals("oauth2: OAuth 2.0 validation not properly configured (missing introspection_endpoint or jwt_secret)",
        Requests.configProblem("{\"oauth2\":{\"jwt_secret\":\"  \"}}"));
    // as in Python, a jwt_secret without endpoint is checked even when validate_token is false
    Validator jwt = jwtValidator(",\"validate_token\":false");
    assertUnauthorized(OAuth2Jwt.INVALID, bearer(jwt, "opaque"));
    assertPasses(bearer(jwt, hmacToken("HS256", "short-secret", "{}")));
  }
}
