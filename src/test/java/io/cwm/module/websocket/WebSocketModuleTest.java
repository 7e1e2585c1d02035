package io.cwm.module.websocket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.app.Launcher;
import io.cwm.testing.Http;
import io.cwm.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The websocket module through a real receiver against a Vert.x WebSocket server of the test
 * ({@link WebSocketRecorder}) that records what arrives: message formats, handshake headers, one
 * connection per webhook, the reply wait, and the failures (403 / 503 upgrades, close code 1008,
 * no reply, nothing listening).
 */
class WebSocketModuleTest {
  static WebSocketRecorder recorder;
  static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    recorder = new WebSocketRecorder();
    int closedPort = TestServer.freePort(); // nothing listens there
    server = TestServer.start("""
        {
          "json": {"module": "websocket", "module-config": {"url": "ws://127.0.0.1:%1$d/json?key=k1",
                   "allowed_hosts": ["127.0.0.1"], "headers": {"X-Dashboard-Key": "dk_4Tn8", "Host": "evil.example",
                   "Upgrade": "h2c", "X-Split": "a\\r\\nInjected: 1", "Sec-WebSocket-Key": "forged"}}},
          "headers": {"module": "websocket", "module-config": {"url": "ws://127.0.0.1:%1$d/headers",
                      "allowed_hosts": ["127.0.0.1"], "include_headers": true}},
          "raw": {"module": "websocket", "module-config": {"url": "ws://127.0.0.1:%1$d/raw", "format": "raw",
                  "allowed_hosts": ["127.0.0.1"]}},
          "rawblob": {"module": "websocket", "data_type": "blob", "module-config": {"url": "ws://127.0.0.1:%1$d/rawblob",
                      "format": "raw", "allowed_hosts": ["127.0.0.1"]}},
          "jsonblob": {"module": "websocket", "data_type": "blob", "module-config": {"url": "ws://127.0.0.1:%1$d/jsonblob",
                       "allowed_hosts": ["127.0.0.1"]}},
          "reply": {"module": "websocket", "module-config": {"url": "ws://127.0.0.1:%1$d/reply",
                    "allowed_hosts": ["127.0.0.1"], "wait_for_response": true, "timeout": 5}},
          "noreply": {"module": "websocket", "module-config": {"url": "ws://127.0.0.1:%1$d/noreply",
                      "allowed_hosts": ["127.0.0.1"], "wait_for_response": "true", "timeout": "0.5"}},
          "reject": {"module": "websocket", "module-config": {"url": "ws://127.0.0.1:%1$d/reject",
                     "allowed_hosts": ["127.0.0.1"]}},
          "busy": {"module": "websocket", "module-config": {"url": "ws://127.0.0.1:%1$d/busy",
                   "allowed_hosts": ["127.0.0.1"], "max_retries": 2}},
          "policy": {"module": "websocket", "module-config": {"url": "ws://127.0.0.1:%1$d/policy",
                     "allowed_hosts": ["127.0.0.1"], "max_retries": 3}},
          "perhook": {"module": "websocket", "module-config": {"url": "ws://127.0.0.1:%1$d/perhook",
                      "allowed_hosts": ["127.0.0.1"]}},
          "down": {"module": "websocket", "module-config": {"url": "ws://127.0.0.1:%2$d/down",
                   "allowed_hosts": ["127.0.0.1"], "timeout": 2}}
        }
        """.formatted(recorder.port(), closedPort), "{}", Map.of());
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    if (recorder != null) {
      recorder.close();
    }
  }

  private static HttpResponse<String> post(String id, String json) throws Exception {
    return Http.post(server.port(), "/webhook/" + id, json, "Content-Type", "application/json", "X-Event", "push");
  }

  @Test
  void jsonFormatWrapsThePayloadAndConfiguredHeadersAreFiltered() throws Exception {
    HttpResponse<String> response = post("json", "{\"event\":\"push\",\"n\":1}");
    assertEquals(200, response.statusCode(), response::body);
    WebSocketRecorder.Received message = recorder.await(1, "/json").get(0);
    assertEquals(new JsonObject().put("payload", new JsonObject().put("event", "push").put("n", 1)),
        new JsonObject(message.text()));
    Map<String, String> headers = message.headers();
    assertEquals("dk_4Tn8", headers.get("x-dashboard-key"));
    assertEquals("127.0.0.1:" + recorder.port(), headers.get("host"));
    assertEquals("websocket", headers.get("upgrade"));
    assertNull(headers.get("x-split"));
    assertNull(headers.get("injected"));
    assertFalse("forged".equals(headers.get("sec-websocket-key")));
  }

  @Test
  void includeHeadersAddsTheCleanedRequestHeaders() throws Exception {
    HttpResponse<String> response = Http.post(server.port(), "/webhook/headers", "[1,2]", "Content-Type",
        "application/json", "X-Event", "push", "Authorization", "Bearer s3cr3t-token-value");
    assertEquals(200, response.statusCode(), response::body);
    JsonObject message = new JsonObject(recorder.await(1, "/headers").get(0).text());
    assertEquals("[1,2]", message.getJsonArray("payload").encode());
    assertEquals("push", message.getJsonObject("headers").getString("x-event"));
    assertFalse(message.encode().contains("s3cr3t-token-value"), message::encode);
  }

  @Test
  void rawFormatSendsStringsAsTextAndJsonValuesAsJsonText() throws Exception {
    assertEquals(200, post("raw", "\"hello\"").statusCode());
    assertEquals(200, post("raw", "{\"a\":[1]}").statusCode());
    List<WebSocketRecorder.Received> messages = recorder.await(2, "/raw");
    assertEquals(List.of("hello", "{\"a\":[1]}"), messages.stream().map(WebSocketRecorder.Received::text).toList());
  }

  @Test
  void blobIsABinaryMessageInRawFormatAndBase64InJsonFormat() throws Exception {
    byte[] body = new byte[256];
    for (int i = 0; i < body.length; i++) {
      body[i] = (byte) i;
    }
    assertEquals(200, Http.post(server.port(), "/webhook/rawblob", body, "Content-Type", "application/octet-stream")
        .statusCode());
    assertEquals(200, Http.post(server.port(), "/webhook/jsonblob", body, "Content-Type",
        "application/octet-stream").statusCode());
    assertArrayEquals(body, recorder.await(1, "/rawblob").get(0).binary());
    JsonObject json = new JsonObject(recorder.await(1, "/jsonblob").get(0).text());
    assertEquals("base64", json.getString("payload_encoding"));
    assertArrayEquals(body, Base64.getDecoder().decode(json.getString("payload")));
  }

  @Test
  void waitForResponseSucceedsOnTheReply() throws Exception {
    HttpResponse<String> response = post("reply", "{\"a\":1}");
    assertEquals(200, response.statusCode(), response::body);
    recorder.await(1, "/reply");
  }

  @Test
  void noReplyWithinTheTimeoutIsARetryable504() throws Exception {
    long started = System.nanoTime();
    HttpResponse<String> response = post("noreply", "{\"a\":1}");
    assertEquals(504, response.statusCode(), response::body); // TIMEOUT: retryable, the receiver's 504
    assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(5), "took too long");
  }

  @Test
  void anUpgradeRefusedWith403IsAPermanent500TriedOnce() throws Exception {
    HttpResponse<String> response = post("reject", "{\"a\":1}");
    assertEquals(500, response.statusCode(), response::body);
    assertEquals(1, recorder.handshakes("/reject"));
  }

  @Test
  void anUpgradeRefusedWith503IsReattemptedThenARetryable503() throws Exception {
    HttpResponse<String> response = post("busy", "{\"a\":1}");
    assertEquals(503, response.statusCode(), response::body);
    assertTrue(response.headers().firstValue("retry-after").isPresent(), response.headers()::toString);
    assertEquals(2, recorder.handshakes("/busy"));
  }

  @Test
  void aPolicyViolationCloseIsAPermanent500NotReattempted() throws Exception {
    HttpResponse<String> response = post("policy", "{\"a\":1}");
    assertEquals(500, response.statusCode(), response::body);
    assertEquals(1, recorder.handshakes("/policy"));
  }

  @Test
  void everyWebhookOpensItsOwnConnection() throws Exception {
    for (int i = 0; i < 5; i++) {
      assertEquals(200, post("perhook", "{\"i\":" + i + "}").statusCode());
    }
    assertEquals(5, recorder.await(5, "/perhook").size());
    assertEquals(5, recorder.handshakes("/perhook"));
  }

  @Test
  void nothingListeningIsARetryable503() throws Exception {
    HttpResponse<String> response = post("down", "{\"a\":1}");
    assertEquals(503, response.statusCode(), response::body);
    assertTrue(response.headers().firstValue("retry-after").isPresent(), response.headers()::toString);
  }

  private static String loadError(String webhooks) {
    Exception e = assertThrows(Exception.class, () -> TestServer.start(webhooks).close());
    Launcher.ConfigRefused refused = (Launcher.ConfigRefused) (e instanceof Launcher.ConfigRefused ? e : e.getCause());
    return refused.problems().toString();
  }

  @Test
  void aLoopbackUrlWithoutAllowedHostsKeepsTheReceiverFromStarting() {
    String problems = loadError("{\"local\": {\"module\": \"websocket\", \"module-config\": {\"url\": "
        + "\"ws://127.0.0.1:9/feed\"}}}");
    assertTrue(problems.contains("webhook 'local'") && problems.contains("module-config.url")
        && problems.contains("loopback"), problems);
  }
}
