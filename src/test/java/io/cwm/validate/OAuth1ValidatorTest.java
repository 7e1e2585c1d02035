package io.cwm.validate;

import static io.cwm.validate.Requests.assertPasses;
import static io.cwm.validate.Requests.assertUnauthorized;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class OAuth1ValidatorTest {
  private static final String KEY = "consumer-key";
  private static final String SECRET = "consumer secret/+&";
  private static final long NOW = Requests.FIXED.instant().getEpochSecond();
  private static final String CONFIG = "{\"consumer_key\":\"" + KEY + "\",\"consumer_secret\":\"" + SECRET + "\"}";

  private static Validator validator(String block) {
    return validator(block, Requests.context(), new OAuth1Validator.NonceStore(1000));
  }

  private static Validator validator(String block, ValidatorContext context, OAuth1Validator.NonceStore store) {
    return OAuth1Validator.fromConfig(new JsonObject(block), new JsonObject(), context, store);
  }

  /** RFC 3986 encoding, written independently of the validator's. */
  private static String enc(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A").replace("%7E", "~");
  }

  /** Signs like a client would; {@code extra} are query or form parameters that take part. */
  private static String sign(String method, String baseUri, Map<String, String> oauth, List<String[]> extra,
      String consumerSecret, String tokenSecret) throws Exception {
    TreeMap<String, List<String>> sorted = new TreeMap<>();
    oauth.forEach((k, v) -> sorted.computeIfAbsent(enc(k), x -> new ArrayList<>()).add(enc(v)));
    for (String[] pair : extra) {
      sorted.computeIfAbsent(enc(pair[0]), x -> new ArrayList<>()).add(enc(pair[1]));
    }
    List<String> parts = new ArrayList<>();
    sorted.forEach((k, values) -> values.stream().sorted().forEach(v -> parts.add(k + "=" + v)));
    String base = method + "&" + enc(baseUri) + "&" + enc(String.join("&", parts));
    Mac mac = Mac.getInstance("HmacSHA1");
    mac.init(new SecretKeySpec((enc(consumerSecret) + "&" + enc(tokenSecret)).getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
    return Base64.getEncoder().encodeToString(mac.doFinal(base.getBytes(StandardCharsets.UTF_8)));
  }

  private static Map<String, String> oauth(String nonce, long timestamp) {
    Map<String, String> params = new TreeMap<>();
    params.put("oauth_consumer_key", KEY);
    params.put("oauth_signature_method", "HMAC-SHA1");
    params.put("oauth_timestamp", String.valueOf(timestamp));
    params.put("oauth_nonce", nonce);
    params.put("oauth_version", "1.0");
    return params;
  }

  private static String header(Map<String, String> params, String signature) {
    StringBuilder header = new StringBuilder("OAuth realm=\"Example\"");
    params.forEach((k, v) -> header.append(", ").append(k).append("=\"").append(enc(v)).append('"'));
    return header.append(", oauth_signature=\"").append(enc(signature)).append('"').toString();
  }

  /** A correctly signed POST to http://hooks.example.com/webhook/test with a JSON body. */
  private static Requests signed(String nonce, long timestamp) throws Exception {
    Map<String, String> params = oauth(nonce, timestamp);
    String signature = sign("POST", "http://hooks.example.com/webhook/test", params, List.of(), SECRET, "");
    return Requests.post().header("Host", "hooks.example.com").header("Content-Type", "application/json")
        .body("{\"a\":\"x&y=z\"}").header("Authorization", header(params, signature));
  }

  @Test
  void oauthCoreSpecificationExamplePasses() {
    // OAuth Core 1.0a, appendix A.5: the photos.example.net request and its known signature
    Clock then = Clock.fixed(Instant.ofEpochSecond(1191242096), ZoneOffset.UTC);
    Validator oauth1 = validator("{\"consumer_key\":\"dpf43f3p2l4k3l03\",\"consumer_secret\":\"kd94hf93k423kf44\","
        + "\"token_secret\":\"pfkkdhi9sl3r4s00\"}", Requests.context(then), new OAuth1Validator.NonceStore(10));
    WebhookRequest request = Requests.post().method("GET").path("/photos").header("Host", "photos.example.net")
        .query("file", "vacation.jpg").query("size", "original")
        .header("Authorization", "OAuth realm=\"http://photos.example.net/\", oauth_consumer_key=\"dpf43f3p2l4k3l03\", "
            + "oauth_token=\"nnch734d00sl2jdk\", oauth_signature_method=\"HMAC-SHA1\", "
            + "oauth_signature=\"tR3%2BTy81lMeYAr%2FFid0kMTYa%2FWM%3D\", oauth_timestamp=\"1191242096\", "
            + "oauth_nonce=\"kllo9940pd9333jh\", oauth_version=\"1.0\"")
        .build();
    assertPasses(oauth1.validate(request));
    assertUnauthorized("OAuth 1.0 nonce has already been used (replay attack detected)", oauth1.validate(request));
  }

  @Test
  void signedRequestPassesAndBodyThatIsNotAFormIsNotSigned() throws Exception {
    // Python would have parsed this JSON body as a form because it contains & and =
    assertPasses(validator(CONFIG).validate(signed("n-1", NOW).build()));
  }

  @Test
  void sharedNonceStoreIsUsedByDefault() throws Exception {
    Validator oauth1 = OAuth1Validator.fromConfig(new JsonObject(CONFIG), new JsonObject(), Requests.context());
    String nonce = UUID.randomUUID().toString();
    assertPasses(oauth1.validate(signed(nonce, NOW).build()));
    Validator sameKeyOtherWebhook = Requests.build("oauth1", "{\"oauth1\":" + CONFIG + "}", Requests.context());
    assertUnauthorized("OAuth 1.0 nonce has already been used (replay attack detected)",
        sameKeyOtherWebhook.validate(signed(nonce, NOW).build()));
  }

  @Test
  void queryAndFormParametersAreSigned() throws Exception {
    Validator oauth1 = validator(CONFIG);
    Map<String, String> params = oauth("n-q", NOW);
    List<String[]> signedExtras = List.of(new String[] {"b", "2 two"}, new String[] {"a", "x"}, new String[] {"a", "1"},
        new String[] {"c@", ""}, new String[] {"msg", "héllo wörld"});
    String signature = sign("POST", "http://hooks.example.com/webhook/test", params, signedExtras, SECRET, "");
    Requests request = Requests.post().header("Host", "hooks.example.com")
        .query("b", "2 two").query("a", "x")
        .header("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
        .body("a=1&c%40=&msg=h%C3%A9llo+w%C3%B6rld")
        .header("Authorization", header(params, signature));
    assertPasses(oauth1.validate(request.build()));

    Map<String, String> unsigned = oauth("n-q2", NOW);
    String pathOnly = sign("POST", "http://hooks.example.com/webhook/test", unsigned, List.of(), SECRET, "");
    assertUnauthorized("Invalid OAuth 1.0 signature", oauth1.validate(Requests.post().header("Host", "hooks.example.com")
        .query("b", "2").header("Authorization", header(unsigned, pathOnly)).build()));
  }

  @Test
  void baseUriUsesConfiguredSchemeAndDropsTheDefaultPort() throws Exception {
    Validator oauth1 = validator("{\"consumer_key\":\"" + KEY + "\",\"consumer_secret\":\"" + SECRET
        + "\",\"base_url_scheme\":\"https\"}");
    Map<String, String> params = oauth("n-s", NOW);
    String signature = sign("POST", "https://hooks.example.com/webhook/test", params, List.of(), SECRET, "");
    assertPasses(oauth1.validate(Requests.post().header("Host", "Hooks.Example.COM:443")
        .header("Authorization", header(params, signature)).build()));
    Map<String, String> other = oauth("n-s2", NOW);
    String withPort = sign("POST", "https://hooks.example.com:8443/webhook/test", other, List.of(), SECRET, "");
    assertPasses(oauth1.validate(Requests.post().header("Host", "hooks.example.com:8443")
        .header("Authorization", header(other, withPort)).build()));
  }

  @Test
  void plaintextSignatureIsTheKey() {
    Validator oauth1 = validator("{\"consumer_key\":\"k\",\"consumer_secret\":\"s&1\",\"token_secret\":\"t\","
        + "\"signature_method\":\"plaintext\",\"verify_nonce\":false}");
    assertPasses(oauth1.validate(Requests.post().header("Authorization", "OAuth oauth_consumer_key=\"k\", "
        + "oauth_signature_method=\"PLAINTEXT\", oauth_timestamp=\"" + NOW + "\", oauth_signature=\"s%25261%26t\"").build()));
    assertUnauthorized("Invalid OAuth 1.0 signature", oauth1.validate(Requests.post().header("Authorization",
        "OAuth oauth_consumer_key=\"k\", oauth_signature_method=\"PLAINTEXT\", oauth_timestamp=\"" + NOW
            + "\", oauth_signature=\"s%261%26t\"").build()));
  }

  @Test
  void headerAndParameterProblems() throws Exception {
    Validator oauth1 = validator(CONFIG);
    assertUnauthorized("Missing Authorization header", oauth1.validate(Requests.post().build()));
    assertUnauthorized("OAuth 1.0 authentication required",
        oauth1.validate(Requests.post().header("Authorization", "Bearer x").build()));
    assertUnauthorized("OAuth 1.0 authentication required",
        oauth1.validate(Requests.post().header("Authorization", "oauth oauth_consumer_key=\"k\"").build()));
    assertUnauthorized("Missing required OAuth 1.0 parameter: oauth_consumer_key",
        oauth1.validate(Requests.post().header("Authorization", "OAuth ").build()));
    String header = signed("n-h", NOW).build().header("authorization");
    assertUnauthorized("Missing required OAuth 1.0 parameter: oauth_signature", oauth1.validate(Requests.post()
        .header("Authorization", header.replaceAll(", oauth_signature=\"[^\"]*\"", "")).build()));
    assertUnauthorized("Invalid OAuth 1.0 consumer key", oauth1.validate(Requests.post()
        .header("Authorization", header.replace(KEY, "consumer-kez")).build()));
    assertUnauthorized("Invalid OAuth 1.0 consumer key", oauth1.validate(Requests.post()
        .header("Authorization", header.replace(KEY, "consumer-key2")).build()));
    assertUnauthorized("Invalid OAuth 1.0 signature method: RSA-SHA1", oauth1.validate(Requests.post()
        .header("Authorization", header.replace("HMAC-SHA1", "RSA-SHA1")).build()));
    assertUnauthorized("Invalid OAuth 1.0 signature method", oauth1.validate(Requests.post()
        .header("Authorization", header.replace("HMAC-SHA1", "x%0Ay")).build()));
    assertUnauthorized("Missing Host header", oauth1.validate(Requests.post().header("Authorization", header).build()));
  }

  @Test
  void signatureTamperingIsRefused() throws Exception {
    Validator oauth1 = validator(CONFIG);
    Map<String, String> params = oauth("n-t", NOW);
    String signature = sign("POST", "http://hooks.example.com/webhook/test", params, List.of(), SECRET, "");
    char flipped = signature.charAt(5) == 'A' ? 'B' : 'A';
    String[] forgeries = {signature.substring(1), signature.substring(0, signature.length() - 1),
        signature + "00", "", signature.substring(0, 5) + flipped + signature.substring(6),
        sign("POST", "http://hooks.example.com/webhook/test", params, List.of(), "other", "")};
    for (String forged : forgeries) {
      assertUnauthorized("Invalid OAuth 1.0 signature", oauth1.validate(Requests.post()
          .header("Host", "hooks.example.com").header("Authorization", header(params, forged)).build()));
    }
    assertUnauthorized("Invalid OAuth 1.0 signature", oauth1.validate(signed("n-t", NOW).path("/webhook/other").build()));
    assertUnauthorized("Invalid OAuth 1.0 signature", oauth1.validate(signed("n-t", NOW).method("PUT").build()));
    assertUnauthorized("Invalid OAuth 1.0 signature", oauth1.validate(signed("n-t", NOW).header("Host", "evil.example.com").build()));
    // realm is not signed: changing it does not matter
    String header = header(params, signature);
    assertPasses(oauth1.validate(Requests.post().header("Host", "hooks.example.com")
        .header("Authorization", header.replace("realm=\"Example\"", "realm=\"Other\"")).build()));
  }

  @Test
  void timestampWindow() throws Exception {
    Validator oauth1 = validator(CONFIG);
    assertPasses(oauth1.validate(signed("n-w1", NOW - 300).build()));
    assertPasses(oauth1.validate(signed("n-w2", NOW + 300).build()));
    assertUnauthorized("OAuth 1.0 timestamp out of window (diff: 301s, max: 300s)",
        oauth1.validate(signed("n-w3", NOW - 301).build()));
    assertUnauthorized("Invalid OAuth 1.0 timestamp", oauth1.validate(Requests.post().header("Authorization",
        signed("n-w4", NOW).build().header("authorization").replace("oauth_timestamp=\"" + NOW, "oauth_timestamp=\"x")).build()));
    assertUnauthorized("OAuth 1.0 timestamp out of window (diff: " + Long.MAX_VALUE + "s, max: 300s)",
        oauth1.validate(signed("n-w5", Long.MIN_VALUE).build()));
    Validator narrow = validator("{\"consumer_key\":\"" + KEY + "\",\"consumer_secret\":\"" + SECRET
        + "\",\"timestamp_window\":\"10\"}");
    assertUnauthorized("OAuth 1.0 timestamp out of window (diff: 11s, max: 10s)",
        narrow.validate(signed("n-w6", NOW + 11).build()));
  }

  @Test
  void missingTimestampIsRefusedUnlessVerificationIsOff() throws Exception {
    Map<String, String> params = oauth("n-m", NOW);
    params.remove("oauth_timestamp");
    String signature = sign("POST", "http://hooks.example.com/webhook/test", params, List.of(), SECRET, "");
    WebhookRequest request = Requests.post().header("Host", "hooks.example.com")
        .header("Authorization", header(params, signature)).build();
    assertUnauthorized("Missing required OAuth 1.0 parameter: oauth_timestamp", validator(CONFIG).validate(request));
    assertPasses(validator("{\"consumer_key\":\"" + KEY + "\",\"consumer_secret\":\"" + SECRET
        + "\",\"verify_timestamp\":\"false\"}").validate(request));
  }

  @Test
  void nonceRules() throws Exception {
    Validator oauth1 = validator(CONFIG);
    assertPasses(oauth1.validate(signed("n-r", NOW).build()));
    assertUnauthorized("OAuth 1.0 nonce has already been used (replay attack detected)",
        oauth1.validate(signed("n-r", NOW).build()));

    Map<String, String> params = oauth("unused", NOW);
    params.remove("oauth_nonce");
    String signature = sign("POST", "http://hooks.example.com/webhook/test", params, List.of(), SECRET, "");
    WebhookRequest noNonce = Requests.post().header("Host", "hooks.example.com")
        .header("Authorization", header(params, signature)).build();
    assertUnauthorized("Missing required OAuth 1.0 parameter: oauth_nonce", oauth1.validate(noNonce));
    assertPasses(validator("{\"consumer_key\":\"" + KEY + "\",\"consumer_secret\":\"" + SECRET
        + "\",\"verify_nonce\":false}").validate(noNonce));

    assertUnauthorized("Invalid OAuth 1.0 nonce format", oauth1.validate(signed(" ", NOW).build()));
    assertUnauthorized("Invalid OAuth 1.0 nonce format", oauth1.validate(signed("n".repeat(257), NOW).build()));
  }

  @Test
  void badSignatureDoesNotBurnTheNonce() throws Exception {
    Validator oauth1 = validator(CONFIG);
    WebhookRequest good = signed("n-b", NOW).build();
    assertUnauthorized("Invalid OAuth 1.0 signature", oauth1.validate(Requests.post().header("Host", "hooks.example.com")
        .header("Authorization", good.header("authorization").replaceAll("oauth_signature=\"[^\"]*\"", "oauth_signature=\"AAAA\""))
        .build()));
    assertPasses(oauth1.validate(good));
  }

  @Test
  void fullNonceStoreRefusesNewNonces() throws Exception {
    Validator oauth1 = validator(CONFIG, Requests.context(), new OAuth1Validator.NonceStore(1));
    assertPasses(oauth1.validate(signed("first", NOW).build()));
    assertUnauthorized("Server nonce storage full, please retry later", oauth1.validate(signed("second", NOW).build()));
  }

  @Test
  void nonceStoreExpiresAndPurges() {
    OAuth1Validator.NonceStore store = new OAuth1Validator.NonceStore(2);
    assertEquals(OAuth1Validator.NonceStore.Outcome.STORED, store.checkAndStore("a", 100, 0));
    assertEquals(OAuth1Validator.NonceStore.Outcome.STORED, store.checkAndStore("b", 200, 0));
    assertEquals(OAuth1Validator.NonceStore.Outcome.REPLAY, store.checkAndStore("a", 100, 99));
    assertEquals(OAuth1Validator.NonceStore.Outcome.FULL, store.checkAndStore("c", 300, 99));
    // at 100 "a" has expired: it may be used again, and its slot frees up
    assertEquals(OAuth1Validator.NonceStore.Outcome.STORED, store.checkAndStore("c", 300, 100));
    assertEquals(2, store.size());
    assertEquals(OAuth1Validator.NonceStore.Outcome.STORED, store.checkAndStore("b", 400, 200));
    assertEquals(OAuth1Validator.NonceStore.Outcome.REPLAY, store.checkAndStore("b", 400, 399));
  }

  @Test
  void encodingHelpers() {
    assertEquals("a%20b%2Bc%26d%3D~-._%C3%A9%2A", OAuth1Validator.encode("a b+c&d=~-._é*"));
    assertEquals("a+b&c%zz%4", OAuth1Validator.percentDecode("a+b%26c%zz%4"));
    assertEquals("é", OAuth1Validator.percentDecode("%C3%A9"));
    assertEquals(Map.of("a", "", "b_1", "x y"), OAuth1Validator.parseHeader("a=\"\", b_1=\"x%20y\", c=unquoted"));
  }

  @Test
  void invalidConfigIsRefusedAtLoad() {
    String missing = "oauth1: OAuth 1.0 consumer credentials not configured";
    assertEquals(missing, Requests.configProblem("{\"oauth1\":{}}"));
    assertEquals(missing, Requests.configProblem("{\"oauth1\":{\"consumer_key\":\"k\"}}"));
    assertEquals(missing, Requests.configProblem("{\"oauth1\":{\"consumer_key\":\"\",\"consumer_secret\":\"s\"}}"));
    assertEquals("oauth1.signature_method: Unsupported OAuth 1.0 signature method: RSA-SHA1 (use HMAC-SHA1 or PLAINTEXT)",
        Requests.configProblem("{\"oauth1\":{\"consumer_key\":\"k\",\"consumer_secret\":\"s\",\"signature_method\":\"RSA-SHA1\"}}"));
    assertEquals("oauth1.base_url_scheme: must be http or https",
        Requests.configProblem("{\"oauth1\":{\"consumer_key\":\"k\",\"consumer_secret\":\"s\",\"base_url_scheme\":\"ftp\"}}"));
    assertEquals("oauth1.timestamp_window: must be an integer, got a string",
        Requests.configProblem("{\"oauth1\":{\"consumer_key\":\"k\",\"consumer_secret\":\"s\",\"timestamp_window\":\"5m\"}}"));
  }
}
