package io.cwm.validate;

import static io.cwm.validate.DigestAuthValidator.md5;
import static io.cwm.validate.Requests.assertPasses;
import static io.cwm.validate.Requests.assertUnauthorized;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DigestAuthValidatorTest {
  private static final String USER = "hook";
  private static final String PASSWORD = "p@ss word";
  private static final String REALM = "Webhook API";
  private static final String URI = "/webhook/test";
  private static final String NONCE = "dcd98b7102dd2f0e8b11d0f600bfb0c093";
  private static final Validator DIGEST =
      validator("{\"username\":\"" + USER + "\",\"password\":\"" + PASSWORD + "\"}");

  private static Validator validator(String block) {
    return Requests.build("digest_auth", "{\"digest_auth\":" + block + "}", Requests.context());
  }

  /** RFC 2617 qop=auth response, computed independently of the validator's code path. */
  private static String qopAuthResponse(String user, String realm, String password, String method,
      String uri, String nonce, String nc, String cnonce) {
    String ha1 = md5(user + ":" + realm + ":" + password);
    String ha2 = md5(method + ":" + uri);
    return md5(ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":auth:" + ha2);
  }

  private static String header(String... params) {
    return "Digest " + String.join(", ", params);
  }

  private static String goodHeader() {
    String response = qopAuthResponse(USER, REALM, PASSWORD, "POST", URI, NONCE, "00000001", "0a4f113b");
    return header("username=\"" + USER + "\"", "realm=\"" + REALM + "\"", "nonce=\"" + NONCE + "\"",
        "uri=\"" + URI + "\"", "qop=auth", "nc=00000001", "cnonce=\"0a4f113b\"",
        "response=\"" + response + "\"", "algorithm=MD5");
  }

  private static io.vertx.core.Future<Void> send(Validator validator, String authorization) {
    Requests request = Requests.post();
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return validator.validate(request.build());
  }

  @Test
  void md5MatchesTheRfc2617Example() {
    // RFC 2617 §3.5: Mufasa / "Circle Of Life" / GET /dir/index.html
    assertEquals("6629fae49393a05397450978507c4ef1", qopAuthResponse("Mufasa", "testrealm@host.com",
        "Circle Of Life", "GET", "/dir/index.html", "dcd98b7102dd2f0e8b11d0f600bfb0c093",
        "00000001", "0a4f113b"));
  }

  @Test
  void qopAuthResponsePasses() {
    assertPasses(send(DIGEST, goodHeader()));
  }

  @Test
  void uppercaseResponseAndUnquotedValuesPass() {
    String response = qopAuthResponse(USER, REALM, PASSWORD, "POST", URI, NONCE, "00000002", "abc");
    assertPasses(send(DIGEST, header("username=" + USER, "realm=\"" + REALM + "\"", "nonce=" + NONCE,
        "uri=" + URI, "nc=00000002", "cnonce=abc", "response=" + response.toUpperCase())));
  }

  @Test
  void ncDefaultsToOne() {
    String response = qopAuthResponse(USER, REALM, PASSWORD, "POST", URI, NONCE, "00000001", "xyz");
    assertPasses(send(DIGEST, header("username=\"" + USER + "\"", "realm=\"" + REALM + "\"",
        "nonce=\"" + NONCE + "\"", "uri=\"" + URI + "\"", "cnonce=\"xyz\"", "response=\"" + response + "\"")));
  }

  @Test
  void legacyResponseWithoutCnoncePasses() {
    String ha1 = md5(USER + ":" + REALM + ":" + PASSWORD);
    String response = md5(ha1 + ":" + NONCE + ":" + md5("POST:" + URI));
    assertPasses(send(DIGEST, header("username=\"" + USER + "\"", "realm=\"" + REALM + "\"",
        "nonce=\"" + NONCE + "\"", "uri=\"" + URI + "\"", "response=\"" + response + "\"")));
  }

  @Test
  void withoutQopConfiguredOnlyLegacyResponsesPass() {
    Validator legacy = validator("{\"username\":\"" + USER + "\",\"password\":\"" + PASSWORD + "\",\"qop\":\"\"}");
    assertUnauthorized("Invalid digest auth response", send(legacy, goodHeader()));
    String ha1 = md5(USER + ":" + REALM + ":" + PASSWORD);
    String response = md5(ha1 + ":" + NONCE + ":" + md5("POST:" + URI));
    assertPasses(send(legacy, header("username=\"" + USER + "\"", "realm=\"" + REALM + "\"",
        "nonce=\"" + NONCE + "\"", "uri=\"" + URI + "\"", "cnonce=\"c\"", "response=\"" + response + "\"")));
  }

  @Test
  void theRequestMethodIsPartOfTheHash() {
    assertUnauthorized("Invalid digest auth response",
        DIGEST.validate(Requests.post().method("PUT").header("Authorization", goodHeader()).build()));
  }

  @Test
  void customRealmMustMatch() {
    Validator custom = validator("{\"username\":\"u\",\"password\":\"p\",\"realm\":\"Hooks\"}");
    String response = qopAuthResponse("u", "Hooks", "p", "POST", URI, NONCE, "00000001", "c");
    String common = "nonce=\"" + NONCE + "\", uri=\"" + URI + "\", cnonce=\"c\", response=\"" + response + "\"";
    assertPasses(send(custom, "Digest username=\"u\", realm=\"Hooks\", " + common));
    assertUnauthorized("Invalid digest auth realm", send(custom, "Digest username=\"u\", realm=\"hooks\", " + common));
  }

  @Test
  void missingHeaderAndOtherSchemes() {
    assertUnauthorized("Missing Authorization header", send(DIGEST, null));
    assertUnauthorized("Digest authentication required", send(DIGEST, "Basic aG9vazpw"));
    assertUnauthorized("Digest authentication required", send(DIGEST, "digest " + goodHeader().substring(7)));
  }

  @Test
  void eachRequiredParameterIsChecked() {
    for (String name : List.of("username", "realm", "nonce", "uri", "response")) {
      List<String> kept = new ArrayList<>();
      for (String param : goodHeader().substring("Digest ".length()).split(", ")) {
        if (!param.startsWith(name + "=")) {
          kept.add(param);
        }
      }
      assertUnauthorized("Missing required Digest parameter: " + name,
          send(DIGEST, header(kept.toArray(String[]::new))));
    }
  }

  @Test
  void wrongUsernameRealmOrResponseIsRefused() {
    String good = goodHeader();
    assertUnauthorized("Invalid digest auth username", send(DIGEST, good.replace("username=\"hook\"", "username=\"Hook\"")));
    assertUnauthorized("Invalid digest auth username", send(DIGEST, good.replace("username=\"hook\"", "username=\"hoo\"")));
    assertUnauthorized("Invalid digest auth realm", send(DIGEST, good.replace("realm=\"Webhook API\"", "realm=\"Other\"")));
    String response = good.replaceAll(".*response=\"([0-9a-f]+)\".*", "$1");
    char last = response.charAt(response.length() - 1);
    String offByOne = response.substring(0, response.length() - 1) + (last == '0' ? '1' : '0');
    assertUnauthorized("Invalid digest auth response", send(DIGEST, good.replace(response, offByOne)));
    assertUnauthorized("Invalid digest auth response", send(DIGEST, good.replace(response, response.substring(1))));
    assertUnauthorized("Invalid digest auth response", send(DIGEST, good.replace(NONCE, NONCE + "0")));
    assertUnauthorized("Invalid digest auth response", send(DIGEST, good.replace("cnonce=\"0a4f113b\"", "cnonce=\"0a4f113c\"")));
  }

  @Test
  void clientAlgorithmMustMatchTheConfiguredOne() {
    assertPasses(send(DIGEST, goodHeader().replace("algorithm=MD5", "algorithm=md5")));
    assertUnauthorized("Invalid digest auth algorithm: SHA-256",
        send(DIGEST, goodHeader().replace("algorithm=MD5", "algorithm=SHA-256")));
  }

  @Test
  void parserFollowsPython() {
    var params = DigestAuthValidator.parse("USERNAME=\"a b\", Realm='r', nc=00000001, x=\"\", nonce=n1, nonce=n2");
    assertEquals("a b", params.get("username"));
    assertEquals("r", params.get("realm"));
    assertEquals("00000001", params.get("nc"));
    assertEquals("n2", params.get("nonce"));
    assertFalse(params.containsKey("x"), "an empty value is no parameter");
  }

  @Test
  void emptyOrIncompleteConfigIsRefusedAtLoad() {
    assertEquals("digest_auth: Digest auth credentials not configured",
        Requests.configProblem("{\"digest_auth\":{}}"));
    assertEquals("digest_auth.password: Digest auth credentials not configured",
        Requests.configProblem("{\"digest_auth\":{\"username\":\"u\"}}"));
    assertEquals("digest_auth.username: Digest auth credentials not configured",
        Requests.configProblem("{\"digest_auth\":{\"username\":\"\",\"password\":\"p\"}}"));
    assertEquals("digest_auth.algorithm: Unsupported digest auth algorithm: SHA-256 (only MD5 is supported)",
        Requests.configProblem("{\"digest_auth\":{\"username\":\"u\",\"password\":\"p\",\"algorithm\":\"SHA-256\"}}"));
    assertEquals("digest_auth.qop: must be \"auth\" or \"\" (RFC 2069 responses only)",
        Requests.configProblem("{\"digest_auth\":{\"username\":\"u\",\"password\":\"p\",\"qop\":\"auth-int\"}}"));
  }

  @Test
  void nullBlockMeansNoCheck() {
    assertEquals(List.of("digest_auth"), Requests.emptyBlocks("{\"digest_auth\":null}"));
  }
}
