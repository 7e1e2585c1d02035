package io.cwm.validate;

import static io.cwm.validate.Requests.assertPasses;
import static io.cwm.validate.Requests.assertUnauthorized;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class HmacValidatorTest {
  private static final String SECRET = "whsec_test_secret";
  private static final String BODY = "{\"id\":\"evt_1\",\"type\":\"payment_intent.succeeded\"}";

  static byte[] mac(String algorithm, String secret, String data) throws Exception {
    Mac mac = Mac.getInstance(algorithm);
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), algorithm));
    return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
  }

  static String hex(String algorithm, String secret, String data) throws Exception {
    return HexFormat.of().formatHex(mac(algorithm, secret, data));
  }

  private static Validator validator(String block) {
    return Requests.build("hmac", "{\"hmac\":" + block + "}", Requests.context());
  }

  @Test
  void plainHexSignatureInDefaultHeaderPasses() throws Exception {
    Validator hmac = validator("{\"secret\":\"" + SECRET + "\"}");
    assertPasses(hmac.validate(Requests.post().body(BODY)
        .header("X-HMAC-Signature", hex("HmacSHA256", SECRET, BODY)).build()));
  }

  @Test
  void uppercaseHexAndPrefixedFormPass() throws Exception {
    Validator hmac = validator("{\"secret\":\"" + SECRET + "\"}");
    String signature = hex("HmacSHA256", SECRET, BODY);
    assertPasses(hmac.validate(Requests.post().body(BODY)
        .header("X-HMAC-Signature", signature.toUpperCase()).build()));
    assertPasses(hmac.validate(Requests.post().body(BODY)
        .header("X-HMAC-Signature", "sha256=" + signature).build()));
  }

  @Test
  void sha1AndSha512Work() throws Exception {
    assertPasses(validator("{\"secret\":\"s\",\"algorithm\":\"SHA1\"}").validate(Requests.post()
        .body(BODY).header("X-HMAC-Signature", hex("HmacSHA1", "s", BODY)).build()));
    assertPasses(validator("{\"secret\":\"s\",\"algorithm\":\"sha512\"}").validate(Requests.post()
        .body(BODY).header("X-HMAC-Signature", "sha512=" + hex("HmacSHA512", "s", BODY)).build()));
  }

  @Test
  void githubSignatureHeaderPasses() throws Exception {
    Validator hmac = validator("{\"secret\":\"gh\",\"header\":\"X-Hub-Signature-256\"}");
    String body = "{\"action\":\"opened\",\"author_association\":\"OWNER\"}";
    assertPasses(hmac.validate(Requests.post().body(body)
        .header("X-Hub-Signature-256", "sha256=" + hex("HmacSHA256", "gh", body)).build()));
  }

  @Test
  void shopifyBase64HeaderPasses() throws Exception {
    Validator hmac = validator("{\"secret\":\"shp\",\"header\":\"X-Shopify-Hmac-SHA256\"}");
    String body = "{\"id\":820982911946154508,\"email\":\"jon@example.com\"}";
    String signature = Base64.getEncoder().encodeToString(mac("HmacSHA256", "shp", body));
    assertPasses(hmac.validate(Requests.post().body(body)
        .header("X-Shopify-Hmac-SHA256", signature).build()));
    assertUnauthorized("Invalid HMAC signature", hmac.validate(Requests.post().body(body + " ")
        .header("X-Shopify-Hmac-SHA256", signature).build()));
  }

  @Test
  void stripeSignatureWithinToleranceAndOutside() throws Exception {
    Validator hmac = validator("{\"secret\":\"" + SECRET + "\",\"header\":\"Stripe-Signature\"}");
    long now = Requests.FIXED.instant().getEpochSecond();
    String good = "t=" + now + ",v1=" + hex("HmacSHA256", SECRET, now + "." + BODY) + ",v0=abc";
    assertPasses(hmac.validate(Requests.post().body(BODY).header("Stripe-Signature", good).build()));

    long old = now - 301;
    String stale = "t=" + old + ",v1=" + hex("HmacSHA256", SECRET, old + "." + BODY);
    assertUnauthorized("HMAC signature timestamp outside the tolerance window",
        hmac.validate(Requests.post().body(BODY).header("Stripe-Signature", stale).build()));

    String wrong = "t=" + now + ",v1=" + hex("HmacSHA256", "other", now + "." + BODY);
    assertUnauthorized("Invalid HMAC signature",
        hmac.validate(Requests.post().body(BODY).header("Stripe-Signature", wrong).build()));
  }

  @Test
  void wrongLengthSignatureIsRefused() throws Exception {
    Validator hmac = validator("{\"secret\":\"" + SECRET + "\"}");
    String signature = hex("HmacSHA256", SECRET, BODY);
    assertUnauthorized("Invalid HMAC signature", hmac.validate(Requests.post().body(BODY)
        .header("X-HMAC-Signature", signature.substring(1)).build()));
    assertUnauthorized("Invalid HMAC signature", hmac.validate(Requests.post().body(BODY)
        .header("X-HMAC-Signature", signature + "00").build()));
  }

  @Test
  void hostileSignaturesAreRefused() throws Exception {
    Validator hmac = validator("{\"secret\":\"" + SECRET + "\"}");
    String signature = hex("HmacSHA256", SECRET, BODY);
    String format = "Invalid HMAC signature format (must be hexadecimal)";
    assertUnauthorized(format, hmac.validate(Requests.post().body(BODY)
        .header("X-HMAC-Signature", "sha1=" + signature).build()));
    assertUnauthorized(format, hmac.validate(Requests.post().body(BODY)
        .header("X-HMAC-Signature", "sha256=" + signature + "=extra").build()));
    assertUnauthorized(format, hmac.validate(Requests.post().body(BODY)
        .header("X-HMAC-Signature", Base64.getEncoder().encodeToString(mac("HmacSHA256", SECRET, BODY))).build()));
    assertUnauthorized(format, hmac.validate(Requests.post().body(BODY)
        .header("X-HMAC-Signature", "").build()));
    assertUnauthorized("Missing X-HMAC-Signature header", hmac.validate(Requests.post().body(BODY).build()));
    assertUnauthorized("Invalid HMAC signature", hmac.validate(Requests.post().body(BODY + "x")
        .header("X-HMAC-Signature", signature).build()));
  }

  @Test
  void emptyBodyWithCorrectMacPasses() throws Exception {
    Validator hmac = validator("{\"secret\":\"" + SECRET + "\"}");
    assertPasses(hmac.validate(Requests.post().body("")
        .header("X-HMAC-Signature", hex("HmacSHA256", SECRET, "")).build()));
  }

  @Test
  void invalidConfigIsRefusedAtLoad() {
    assertEquals("hmac.secret: HMAC secret not configured",
        Requests.configProblem("{\"hmac\":{\"algorithm\":\"sha256\"}}"));
    assertEquals("hmac.algorithm: Unsupported HMAC algorithm: md5 (use sha1, sha256 or sha512)",
        Requests.configProblem("{\"hmac\":{\"secret\":\"s\",\"algorithm\":\"md5\"}}"));
  }

  @Test
  void theHeadPartDecidesFromTheSignatureHeaderAloneWithoutABody() throws Exception {
    Validator hmac = validator("{\"secret\":\"" + SECRET + "\",\"header\":\"X-Hub-Signature-256\"}");
    WebhookRequest head = Requests.post().header("X-Hub-Signature-256", "sha256=" + "ab".repeat(32)).build()
        .withBody(null);
    assertEquals(true, hmac.needsBody(head));
    assertPasses(hmac.validateHead(head)); // well formed: the MAC itself waits for the body
    assertUnauthorized("Missing X-Hub-Signature-256 header", hmac.validateHead(Requests.post().build().withBody(null)));
    assertUnauthorized("Invalid HMAC signature format (must be hexadecimal)", hmac.validateHead(Requests.post()
        .header("X-Hub-Signature-256", "sha256=zz").build().withBody(null)));
  }

  @Test
  void aStaleStripeTimestampIsRefusedFromTheHead() {
    Validator hmac = validator("{\"secret\":\"" + SECRET + "\",\"header\":\"Stripe-Signature\"}");
    long stale = System.currentTimeMillis() / 1000 - 3600;
    assertUnauthorized("HMAC signature timestamp outside the tolerance window", hmac.validateHead(Requests.post()
        .header("Stripe-Signature", "t=" + stale + ",v1=" + "ab".repeat(32)).build().withBody(null)));
  }
}
