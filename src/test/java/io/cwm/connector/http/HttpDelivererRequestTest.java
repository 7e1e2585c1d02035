package io.cwm.connector.http;

import static io.cwm.connector.http.Deliveries.await;
import static io.cwm.connector.http.Deliveries.config;
import static io.cwm.connector.http.Deliveries.delivery;
import static io.cwm.connector.http.Deliveries.ordered;
import static io.cwm.connector.http.Deliveries.target;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.connector.Delivery;
import io.cwm.connector.Outcome;
import io.cwm.connector.Target;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** What a target receives: headers (names, values, order), body per payload type, method. */
class HttpDelivererRequestTest extends RecordingTargetTest {

  private RecordingTarget.Received deliverTo(Vertx vertx, Target target, Delivery delivery)
      throws Exception {
    deliverer = new HttpDeliverer(vertx, config(target, true));
    Outcome outcome = await(deliverer, delivery);
    assertEquals(Outcome.Verdict.ACK, outcome.verdict(), outcome.reason());
    return server.only();
  }

  private static Target withHeaders(String url, Map<String, String> headers) {
    return new Target(url, "POST", headers, 10, false, 1, 0.05, 2);
  }

  @Test
  void headersArriveInSpecOrderWithOriginalsAndWebhookHeaders(Vertx vertx) throws Exception {
    Target target = withHeaders(server.url("/hook?x=1"), ordered("Authorization", "Bearer local", "X-Custom", "c"));
    JsonObject original = new JsonObject()
        .put("host", "receiver.example:8000")
        .put("x-stripe-signature", "t=1,v1=abc")
        .put("content-type", "application/json")
        .put("content-length", "22")
        .put("user-agent", "curl/7.88.1");
    RecordingTarget.Received received = deliverTo(vertx, target, delivery("relay_a", original, new JsonObject().put("n", 1)));

    List<String> ours = received.names().stream()
        .filter(name -> !name.equalsIgnoreCase("host") && !name.equalsIgnoreCase("content-length"))
        .toList();
    assertEquals(List.of("Authorization", "X-Custom", "X-Original-host", "X-Original-x-stripe-signature",
        "X-Original-content-type", "X-Original-content-length", "X-Original-user-agent", "Content-Type",
        "X-Webhook-Message-ID", "X-Webhook-ID", "X-Webhook-Attempt", "Accept"), ours);
    assertEquals("Bearer local", received.header("Authorization"));
    assertEquals("c", received.header("X-Custom"));
    assertEquals("receiver.example:8000", received.header("X-Original-host"));
    assertEquals("t=1,v1=abc", received.header("X-Original-x-stripe-signature"));
    assertEquals("22", received.header("X-Original-content-length"));
    assertEquals("application/json", received.header("Content-Type"));
    assertEquals("msg_0123456789abcdef", received.header("X-Webhook-Message-ID"));
    assertEquals("relay_a", received.header("X-Webhook-ID"));
    assertEquals("1", received.header("X-Webhook-Attempt"));
    // the client's own: Host of the URL (not the original), a correct Content-Length
    assertEquals("127.0.0.1:" + server.port(), received.header("Host"));
    assertEquals(List.of("127.0.0.1:" + server.port()), received.all("Host"));
    assertEquals(Integer.toString("{\"n\":1}".length()), received.header("Content-Length"));
    assertEquals("/hook?x=1", received.uri());
    assertEquals("POST", received.method());
  }

  /** As the Python connector's client: {@code Accept: *}{@code /*}, and nothing compressed either way. */
  @Test
  void acceptAnyIsSentAndNothingIsCompressed(Vertx vertx) throws Exception {
    JsonObject payload = new JsonObject().put("text", "x".repeat(4096));
    RecordingTarget.Received received = deliverTo(vertx, target(server.url("/")),
        delivery("relay_a", new JsonObject().put("accept-encoding", "gzip"), payload));

    assertEquals(List.of("*/*"), received.all("Accept"));
    assertEquals(List.of(), received.all("Accept-Encoding"), "no compression negotiated by the client");
    assertEquals(List.of(), received.all("Content-Encoding"), "the body is not compressed");
    assertEquals(payload.encode(), received.body());
    assertEquals(Integer.toString(payload.encode().length()), received.header("Content-Length"));
    assertEquals("gzip", received.header("X-Original-accept-encoding"), "the original header is only relayed");
  }

  @Test
  void targetAcceptHeaderReplacesTheDefaultWhateverItsCase(Vertx vertx) throws Exception {
    Target target = withHeaders(server.url("/"), ordered("accept", "application/xml"));
    RecordingTarget.Received received = deliverTo(vertx, target, delivery(new JsonObject()));

    assertEquals(List.of("application/xml"), received.all("Accept"));
  }

  @Test
  void hopByHopOriginalsAreNotForwarded(Vertx vertx) throws Exception {
    JsonObject original = new JsonObject().put("connection", "keep-alive").put("keep-alive", "timeout=5")
        .put("transfer-encoding", "chunked").put("te", "trailers").put("upgrade", "websocket")
        .put("proxy-authorization", "Basic x").put("x-kept", "yes");
    RecordingTarget.Received received = deliverTo(vertx, target(server.url("/")), delivery("relay_a", original, "x"));

    assertEquals("yes", received.header("X-Original-x-kept"));
    for (String name : received.names()) {
      String lower = RecordingTarget.lower(name);
      assertFalse(lower.startsWith("x-original-") && !lower.equals("x-original-x-kept"), name);
    }
    assertNull(received.header("Transfer-Encoding"));
    assertNull(received.header("Upgrade"));
  }

  @Test
  void exactContentTypeInTargetHeadersReplacesTheDefault(Vertx vertx) throws Exception {
    Target target = withHeaders(server.url("/"), ordered("Content-Type", "text/plain"));
    RecordingTarget.Received received = deliverTo(vertx, target, delivery("hello"));

    assertEquals(List.of("text/plain"), received.all("Content-Type"));
    assertEquals("hello", received.body());
  }

  @Test
  void contentTypeCheckIsCaseSensitiveAndNeverSendsTwo(Vertx vertx) throws Exception {
    Target target = withHeaders(server.url("/"), ordered("content-type", "text/plain"));
    RecordingTarget.Received received = deliverTo(vertx, target, delivery(new JsonObject()));

    assertEquals(List.of("application/json"), received.all("Content-Type"));
  }

  @Test
  void headerValuesWithLineBreaksOrNulAreNotSent(Vertx vertx) throws Exception {
    Target target = withHeaders(server.url("/"),
        ordered("X-Good", "ok", "X-Bad", "a\r\nX-Injected: 1", "X-Nul", "a\u0000b", "Bad Name", "v"));
    JsonObject original = new JsonObject().put("x-evil", "v\r\nX-Injected-Too: 1").put("x-lf", "a\nb")
        .put("x-fine", "fine");
    RecordingTarget.Received received = deliverTo(vertx, target, delivery("relay_a", original, new JsonObject()));

    assertEquals("ok", received.header("X-Good"));
    assertEquals("fine", received.header("X-Original-x-fine"));
    for (String absent : List.of("X-Bad", "X-Nul", "Bad Name", "X-Injected", "X-Injected-Too", "X-Original-x-evil",
        "X-Original-x-lf")) {
      assertNull(received.header(absent), absent);
    }
  }

  @Test
  void targetFramingHeadersAreNotSent(Vertx vertx) throws Exception {
    Target target = withHeaders(server.url("/"), ordered("Content-Length", "999", "Transfer-Encoding", "gzip"));
    RecordingTarget.Received received = deliverTo(vertx, target, delivery("abc"));

    assertEquals("3", received.header("Content-Length"));
    assertEquals("abc", received.body());
  }

  @Test
  void objectPayloadIsSentAsJsonText(Vertx vertx) throws Exception {
    JsonObject payload = new JsonObject().put("event", "push").put("ü", "é").put("n", 1);
    RecordingTarget.Received received = deliverTo(vertx, target(server.url("/")), delivery(payload));

    assertEquals(payload, new JsonObject(received.body()));
    assertEquals(payload.encode(), received.body());
  }

  @Test
  void arrayPayloadIsSentAsJsonText(Vertx vertx) throws Exception {
    RecordingTarget.Received received = deliverTo(vertx, target(server.url("/")),
        delivery(new JsonArray().add(1).add("x").addNull()));
    assertEquals("[1,\"x\",null]", received.body());
  }

  @Test
  void stringPayloadIsSentAsItselfNotQuoted(Vertx vertx) throws Exception {
    RecordingTarget.Received received = deliverTo(vertx, target(server.url("/")), delivery("a \"raw\" ü"));
    assertEquals("a \"raw\" ü", received.body());
  }

  @Test
  void numberPayloadIsSentAsJsonText(Vertx vertx) throws Exception {
    assertEquals("123", deliverTo(vertx, target(server.url("/")), delivery(123)).body());
  }

  @Test
  void decimalPayloadIsSentAsJsonText(Vertx vertx) throws Exception {
    assertEquals("1.5", deliverTo(vertx, target(server.url("/")), delivery(1.5)).body());
  }

  @Test
  void booleanPayloadIsSentAsJsonText(Vertx vertx) throws Exception {
    assertEquals("true", deliverTo(vertx, target(server.url("/")), delivery(true)).body());
  }

  @Test
  void nullPayloadIsSentAsJsonNull(Vertx vertx) throws Exception {
    assertEquals("null", deliverTo(vertx, target(server.url("/")), delivery((Object) null)).body());
  }

  @Test
  void methodComesFromTheTarget(Vertx vertx) throws Exception {
    Target target = new Target(server.url("/put"), "PUT", Map.of(), 10, false, 1, 0.05, 2);
    RecordingTarget.Received received = deliverTo(vertx, target, delivery(new JsonObject().put("a", 1)));
    assertEquals("PUT", received.method());
    assertEquals("{\"a\":1}", received.body());
  }

  @Test
  void userInfoInTheUrlBecomesBasicAuth(Vertx vertx) throws Exception {
    String url = "http://user:p%40ss@127.0.0.1:" + server.port() + "/";
    RecordingTarget.Received received = deliverTo(vertx, target(url), delivery("x"));
    assertEquals("Basic dXNlcjpwQHNz", received.header("Authorization")); // user:p@ss
  }

  @Test
  void ipv6LiteralGetsABracketedHostHeader(Vertx vertx) throws Exception {
    RecordingTarget v6;
    try {
      v6 = RecordingTarget.start(vertx, new HttpServerOptions(), "::1");
    } catch (Exception e) {
      Assumptions.abort("no IPv6 loopback here: " + e);
      return;
    }
    deliverer = new HttpDeliverer(vertx, config(target("http://[::1]:" + v6.port() + "/v6"), true));
    Outcome outcome = await(deliverer, delivery("x"));

    assertEquals(Outcome.Verdict.ACK, outcome.verdict(), outcome.reason());
    assertEquals(List.of("[::1]:" + v6.port()), v6.only().all("Host"));
    assertEquals("/v6", v6.only().uri());
  }

  @Test
  void hostNameUrlKeepsItsHostHeader(Vertx vertx) throws Exception {
    RecordingTarget.Received received = deliverTo(vertx, target("http://localhost:" + server.port() + "/h"),
        delivery("x"));
    assertEquals("localhost:" + server.port(), received.header("Host"));
    assertTrue(received.uri().endsWith("/h"));
  }
}
