package io.cwm.validate;

import static io.cwm.validate.Requests.assertPasses;
import static io.cwm.validate.Requests.assertUnauthorized;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class StandardWebhooksValidatorTest {
  // The example of the Standard Webhooks / Svix docs
  // (https://docs.svix.com/receiving/verifying-payloads/how-manual, and the standard-webhooks
  // libraries' tests: https://github.com/standard-webhooks/standard-webhooks)
  private static final String VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  private static final String VECTOR_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
  private static final long VECTOR_TIME = 1614265330;
  private static final String VECTOR_BODY = "{\"test\": 2432232314}";
  private static final String VECTOR_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

  private static final String SECRET = "whsec_" + Base64.getEncoder().encodeToString(
      "a test key of 24 bytes!!".getBytes(StandardCharsets.UTF_8));
  private static final String OTHER = "whsec_" + Base64.getEncoder().encodeToString(
      "another key, 24 bytes...".getBytes(StandardCharsets.UTF_8));
  private static final String BODY = "{\"type\":\"invoice.paid\",\"id\":\"evt_1\"}";

  static String sign(String secret, String id, long timestamp, String body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
    byte[] signature = mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
    return "v1," + Base64.getEncoder().encodeToString(signature);
  }

  private static Validator validator(String block, Clock clock) {
    return Requests.build("standard_webhooks", "{\"standard_webhooks\":" + block + "}", Requests.context(clock));
  }

  private static Validator validator(String block) {
    return validator(block, Requests.FIXED);
  }

  private static long now() {
    return Requests.FIXED.instant().getEpochSecond();
  }

  private static Requests request(String body, String id, long timestamp, String signature) {
    return Requests.post().body(body).header("webhook-id", id).header("webhook-timestamp", Long.toString(timestamp))
        .header("webhook-signature", signature);
  }

  /** Head and body checks, as the receiver runs them. */
  private static Future<Void> run(Validator validator, Requests request) {
    return validator.validateHead(request.build()).compose(ok -> validator.validate(request.build()));
  }

  @Test
  void thePublishedExampleVerifies() {
    Clock then = Clock.fixed(Instant.ofEpochSecond(VECTOR_TIME + 10), ZoneOffset.UTC);
    Validator check = validator("{\"secret\":\"" + VECTOR_SECRET + "\"}", then);
    assertPasses(run(check, request(VECTOR_BODY, VECTOR_ID, VECTOR_TIME, VECTOR_SIGNATURE)));
    assertUnauthorized("Invalid webhook signature",
        run(check, request("{\"test\": 2432232315}", VECTOR_ID, VECTOR_TIME, VECTOR_SIGNATURE)));
    // the same vector today is stale
    assertUnauthorized("Webhook timestamp outside the tolerance window (300 s)",
        run(validator("{\"secret\":\"" + VECTOR_SECRET + "\"}"),
            request(VECTOR_BODY, VECTOR_ID, VECTOR_TIME, VECTOR_SIGNATURE)));
  }

  @Test
  void validWrongSecretAndTamperedBody() throws Exception {
    Validator check = validator("{\"secret\":\"" + SECRET + "\"}");
    assertPasses(run(check, request(BODY, "msg_1", now(), sign(SECRET, "msg_1", now(), BODY))));
    assertUnauthorized("Invalid webhook signature",
        run(check, request(BODY, "msg_1", now(), sign(OTHER, "msg_1", now(), BODY))));
    assertUnauthorized("Invalid webhook signature",
        run(check, request(BODY + " ", "msg_1", now(), sign(SECRET, "msg_1", now(), BODY))));
    // the id is signed
    assertUnauthorized("Invalid webhook signature", run(check, request(BODY, "msg_2", now(),
        sign(SECRET, "msg_1", now(), BODY))));
  }

  @Test
  void staleAndFutureTimestampsAreRefusedFromTheHead() throws Exception {
    Validator check = validator("{\"secret\":\"" + SECRET + "\",\"tolerance_seconds\":60}");
    long stale = now() - 61;
    long future = now() + 61;
    assertUnauthorized("Webhook timestamp outside the tolerance window (60 s)",
        check.validateHead(request(BODY, "m", stale, sign(SECRET, "m", stale, BODY)).build()));
    assertUnauthorized("Webhook timestamp outside the tolerance window (60 s)",
        check.validateHead(request(BODY, "m", future, sign(SECRET, "m", future, BODY)).build()));
    assertPasses(run(check, request(BODY, "m", now() - 60, sign(SECRET, "m", now() - 60, BODY))));
  }

  @Test
  void missingOrMalformedHeadersAreRefusedBeforeTheBody() {
    Validator check = validator("{\"secret\":\"" + SECRET + "\"}");
    assertTrue(check.needsBody(Requests.post().build()));
    assertUnauthorized("Missing svix-id header", check.validateHead(Requests.post().build()));
    assertUnauthorized("Missing webhook-signature header", check.validateHead(Requests.post()
        .header("webhook-id", "m").header("webhook-timestamp", Long.toString(now())).build()));
    assertUnauthorized("Invalid webhook-timestamp header (must be unix seconds)", check.validateHead(
        request(BODY, "m", 0, "v1,AAAA").header("webhook-timestamp", "yesterday").build()));
    assertUnauthorized("Invalid webhook-signature header (expected v1,<base64> items)",
        check.validateHead(request(BODY, "m", now(), "v2,AAAA").build()));
  }

  @Test
  void svixHeadersAreReadWhenTheStandardOnesAreAbsent() throws Exception {
    Validator check = validator("{\"secret\":\"" + SECRET + "\"}");
    Requests svix = Requests.post().body(BODY).header("svix-id", "msg_s").header("svix-timestamp",
        Long.toString(now())).header("svix-signature", sign(SECRET, "msg_s", now(), BODY));
    assertPasses(run(check, svix));
  }

  @Test
  void rotationAcceptsEitherSecretAndSeveralSignatures() throws Exception {
    Validator check = validator("{\"secrets\":[\"" + OTHER + "\",\"" + SECRET + "\"]}");
    assertPasses(run(check, request(BODY, "m", now(), sign(SECRET, "m", now(), BODY))));
    assertPasses(run(check, request(BODY, "m", now(), sign(OTHER, "m", now(), BODY))));
    // the sender signs with two secrets during its own rotation; other versions are ignored
    String both = "v1a,ignored " + sign("whsec_" + Base64.getEncoder().encodeToString(new byte[24]), "m", now(), BODY)
        + " " + sign(SECRET, "m", now(), BODY);
    assertPasses(run(validator("{\"secret\":\"" + SECRET + "\"}"), request(BODY, "m", now(), both)));
  }

  @Test
  void aSecretThatIsNotBase64IsRefusedAtLoadWithoutShowingIt() {
    String problem = Requests.configProblem("{\"standard_webhooks\":{\"secret\":\"whsec_not*base64!\"}}");
    assertEquals("standard_webhooks.secret: is not a Standard Webhooks secret: expected \"whsec_\" followed by "
        + "base64 (the text after whsec_ is not valid base64)", problem);
    assertFalse(problem.contains("not*base64!"));
    assertEquals("standard_webhooks.secrets[1]: is not a Standard Webhooks secret: expected \"whsec_\" followed by "
        + "base64 (the text after whsec_ is not valid base64)",
        Requests.configProblem("{\"standard_webhooks\":{\"secrets\":[\"" + SECRET + "\",\"whsec_%%\"]}}"));
    assertEquals("standard_webhooks.secret: is a placeholder (REPLACE_ME…): set the real secret",
        Requests.configProblem("{\"standard_webhooks\":{\"secret\":\"whsec_REPLACE_ME\"}}"));
    assertEquals("standard_webhooks.secret: secret not configured (\"secret\": \"...\", or \"secrets\": [...] during "
        + "a rotation)", Requests.configProblem("{\"standard_webhooks\":{\"tolerance_seconds\":10}}"));
  }

  @Test
  void refusalsNeverContainTheSecret() throws Exception {
    Validator check = validator("{\"secret\":\"" + SECRET + "\"}");
    Throwable failure = Requests.failure(run(check, request(BODY, "m", now(), sign(OTHER, "m", now(), BODY))));
    assertFalse(failure.getMessage().contains(SECRET.substring(6)));
  }
}
