package io.cwm.connector.http;

import static io.cwm.connector.http.Deliveries.await;
import static io.cwm.connector.http.Deliveries.config;
import static io.cwm.connector.http.Deliveries.ordered;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.connector.Delivery;
import io.cwm.connector.Outcome;
import io.cwm.connector.Signing;
import io.cwm.connector.Target;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The request of a delivery with a raw body, and re-signing: which headers, which body, which signature. */
class RawBodyRequestTest extends RecordingTargetTest {
  static final String XML = "<a>\u00e9</a>\n";

  private RecordingTarget.Received deliverTo(Vertx vertx, Target target, Delivery delivery) throws Exception {
    deliverer = new HttpDeliverer(vertx, config(target, true));
    Outcome outcome = await(deliverer, delivery);
    assertEquals(Outcome.Verdict.ACK, outcome.verdict(), outcome.reason());
    return server.only();
  }

  private static Delivery raw(JsonObject headers, Object payload, String body) {
    return new Delivery("msg_0123456789abcdef", "relay_a", headers, payload, 0, body.getBytes(StandardCharsets.UTF_8));
  }

  private Target target(Map<String, String> headers, Signing sign) {
    return new Target(server.url("/in"), "POST", headers, 10, false, 1, 0.05, 2, sign);
  }

  @Test
  void rawDeliveryForwardsTheOriginalHeadersUnderTheirOwnNamesButNotHostFramingMaskedOrWhatTheTargetSets(Vertx vertx)
      throws Exception {
    JsonObject original = new JsonObject()
        .put("host", "receiver.example:8000")
        .put("content-length", "13")
        .put("connection", "keep-alive")
        .put("expect", "100-continue")
        .put("proxy-authorization", "Basic eA==")
        .put("authorization", "***REDACTED***")
        .put("stripe-signature", "t=1,v1=abc")
        .put("x-custom", "from the sender")
        .put("user-agent", "Stripe/1.0")
        .put("content-type", "application/xml");
    RecordingTarget.Received received = deliverTo(vertx,
        target(ordered("X-Custom", "from the target", "Content-Type", "application/json"), null),
        raw(original, XML, XML));

    assertEquals(XML, received.body(), "the raw bytes");
    assertEquals("t=1,v1=abc", received.header("stripe-signature"));
    assertEquals("Stripe/1.0", received.header("user-agent"));
    assertEquals(java.util.List.of("from the target"), received.all("x-custom"), "the target's header wins, once");
    assertEquals(java.util.List.of("application/xml"), received.all("content-type"), "the original content type");
    assertNull(received.header("authorization"), "a masked value is no credential");
    assertNull(received.header("expect"));
    assertNull(received.header("proxy-authorization"));
    assertEquals("127.0.0.1:" + server.port(), received.header("host"));
    assertEquals(Integer.toString(XML.getBytes(StandardCharsets.UTF_8).length), received.header("content-length"));
    assertEquals("t=1,v1=abc", received.header("X-Original-stripe-signature"), "today's X-Original- headers stay");
    assertEquals("***REDACTED***", received.header("X-Original-authorization"));
    assertEquals("msg_0123456789abcdef", received.header("X-Webhook-Message-ID"));
  }

  /** With cleanup disabled the sender's Authorization is forwarded, but a target URL's user info wins. */
  @Test
  void theTargetUrlsBasicAuthWinsOverAForwardedAuthorization(Vertx vertx) throws Exception {
    Target target = new Target("http://user:pass@127.0.0.1:" + server.port() + "/in", "POST", Map.of(), 10, false, 1,
        0.05, 2);
    RecordingTarget.Received received = deliverTo(vertx, target,
        raw(new JsonObject().put("authorization", "Bearer for-the-cloud"), "x", "x"));
    assertEquals("Basic " + Base64.getEncoder().encodeToString("user:pass".getBytes(StandardCharsets.UTF_8)),
        received.header("authorization"));
  }

  @Test
  void aRawBodyWithoutAnOriginalContentTypeGoesWithoutOneUnlessTheTargetSetsIt(Vertx vertx) throws Exception {
    RecordingTarget.Received received = deliverTo(vertx, target(Map.of(), null), raw(new JsonObject(), "x", "x"));
    assertNull(received.header("content-type"), "no application/json on bytes that may not be JSON");
    assertEquals("x", received.body());
  }

  @Test
  void withoutARawBodyOriginalsGoOnlyAsXOriginalAndTheBodyIsThePayloadAsJson(Vertx vertx) throws Exception {
    JsonObject original = new JsonObject().put("stripe-signature", "t=1,v1=abc").put("content-type", "text/plain");
    RecordingTarget.Received received = deliverTo(vertx, target(Map.of(), null),
        new Delivery("msg_0123456789abcdef", "relay_a", original, new JsonObject().put("b", 2).put("a", 1), 0));
    assertEquals("{\"b\":2,\"a\":1}", received.body());
    assertEquals("application/json", received.header("content-type"));
    assertNull(received.header("stripe-signature"), "a re-encoded body would not match it: not forwarded as itself");
    assertEquals("t=1,v1=abc", received.header("X-Original-stripe-signature"));
  }

  /** The test vector of the Standard Webhooks libraries (and Svix's): same secret, id, timestamp, body. */
  @Test
  void theSignatureMatchesTheStandardWebhooksTestVector() {
    byte[] key = Base64.getDecoder().decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    assertEquals("g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", StandardWebhooks.signature(key,
        "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void aSigningTargetGetsTheThreeHeadersOverTheBytesItReceives(Vertx vertx) throws Exception {
    byte[] key = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    JsonObject original = new JsonObject().put("webhook-signature", "v1,forged").put("content-type", "application/xml");
    long before = System.currentTimeMillis() / 1000;
    RecordingTarget.Received received = deliverTo(vertx, target(Map.of(), new Signing(key)), raw(original, XML, XML));

    String timestamp = received.header("webhook-timestamp");
    assertEquals("msg_0123456789abcdef", received.header("webhook-id"));
    assertTrue(Long.parseLong(timestamp) >= before && Long.parseLong(timestamp) <= before + 5, timestamp);
    assertEquals(java.util.List.of("v1," + StandardWebhooks.signature(key, "msg_0123456789abcdef", timestamp,
        received.body().getBytes(StandardCharsets.UTF_8))), received.all("webhook-signature"),
        "ours replaces the original's");
  }

  /** A Python receiver's message (no raw body) to a signing target: the signature covers the JSON text sent. */
  @Test
  void withoutARawBodyTheSignatureCoversTheJsonTextThatIsSent(Vertx vertx) throws Exception {
    byte[] key = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    RecordingTarget.Received received = deliverTo(vertx, target(Map.of(), new Signing(key)),
        new Delivery("msg_0123456789abcdef", "relay_a", new JsonObject(), new JsonObject().put("n", 1), 0));
    assertEquals("{\"n\":1}", received.body());
    assertEquals("v1," + StandardWebhooks.signature(key, "msg_0123456789abcdef", received.header("webhook-timestamp"),
        "{\"n\":1}".getBytes(StandardCharsets.UTF_8)), received.header("webhook-signature"));
  }

  @Test
  void aSigningKeyIsNeverPrinted() {
    String text = new Target("http://x", "POST", Map.of(), 1, false, 1, 1, 2,
        new Signing("super-secret-signing-key".getBytes(StandardCharsets.UTF_8))).toString();
    assertTrue(!text.contains("super-secret") && !text.contains(Base64.getEncoder().encodeToString(
        "super-secret-signing-key".getBytes(StandardCharsets.UTF_8))), text);
  }
}
