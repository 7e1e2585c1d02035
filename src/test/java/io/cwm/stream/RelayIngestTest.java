package io.cwm.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cwm.testing.Http;
import io.cwm.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Ingest into a channel when the buffer cannot take the message. */
class RelayIngestTest {
  static final String RELAY = "{\"relay\": {\"module\": \"webhook_connect\", \"module-config\": "
      + "{\"channel\": \"ch\", \"channel_token\": \"tok\"}}}";

  @Test
  void unreachableBufferAnswers503WithRetryAfter() throws Exception {
    Map<String, String> env = Map.of("WEBHOOK_CONNECT_BUFFER", "redis",
        "WEBHOOK_CONNECT_REDIS_URL", "redis://127.0.0.1:1/0");
    try (TestServer server = TestServer.start(RELAY, "{}", env)) {
      HttpResponse<String> response = Http.post(server.port(), "/webhook/relay", "{\"a\":1}");
      assertEquals(503, response.statusCode(), response::body);
      assertEquals("30", response.headers().firstValue("retry-after").orElse(""));
      assertEquals(new JsonObject().put("detail", "Message buffer unavailable").put("error", "buffer_error"),
          new JsonObject(response.body()));
    }
  }

  /**
   * A buffer behind a network that silently drops packets answers nothing: the webhook gets a
   * 503 after the publish timeout (5 s), not after the sender's own timeout, and once the network
   * heals, webhooks are stored again.
   */
  @Test
  void silentBufferAnswers503AfterThePublishTimeout() throws Exception {
    java.net.URI redis = java.net.URI.create(io.cwm.testing.RedisCleanup.REDIS_URL);
    try (io.cwm.testing.TcpProxy proxy = new io.cwm.testing.TcpProxy(redis.getHost(), redis.getPort());
         TestServer server = TestServer.start(RELAY.replace("\"ch\"", "\"blackhole-" + System.nanoTime() + "\""), "{}",
             Map.of("WEBHOOK_CONNECT_BUFFER", "redis", "WEBHOOK_CONNECT_REDIS_URL",
                 "redis://127.0.0.1:" + proxy.port() + redis.getPath()))) {
      assertEquals(200, post(server.port()).statusCode(), "stored while the network works");
      proxy.blackHole();
      HttpResponse<String> silent = post(server.port());
      assertEquals(503, silent.statusCode(), silent::body);
      assertEquals(new JsonObject().put("detail", "Message buffer unavailable").put("error", "buffer_error"),
          new JsonObject(silent.body()));
      proxy.restore();
      assertEquals(true, io.cwm.testing.TestConnector.await(20_000, () -> post(server.port()).statusCode() == 200),
          "stored again once the network heals");
    }
  }

  /** A POST with a 15 s timeout (a sender's), which the receiver must answer well within. */
  private static HttpResponse<String> post(int port) {
    try {
      return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
          java.net.URI.create("http://127.0.0.1:" + port + "/webhook/relay")).timeout(java.time.Duration.ofSeconds(15))
          .header("Content-Type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"a\":1}"))
          .build(), HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException | InterruptedException noAnswer) {
      throw new AssertionError("no answer within the sender's 15 s: " + noAnswer);
    }
  }

  @Test
  void envelopeOverTenMebibytesIs413() throws Exception {
    try (TestServer server = TestServer.start(RELAY)) {
      // the body fits the 10 MiB HTTP limit (strings under 1 MiB each); the envelope around it,
      // which also carries the headers, does not
      String chunk = "\"" + "x".repeat(1_048_000) + "\"";
      String body = "[" + String.join(",", java.util.Collections.nCopies(10, chunk)) + "]";
      HttpResponse<String> response = Http.post(server.port(), "/webhook/relay", body, "X-Pad", "p".repeat(8000));
      assertEquals(413, response.statusCode(), () -> response.body().substring(0, Math.min(200, response.body().length())));
      assertEquals(new JsonObject().put("detail", "Message too large for channel").put("error", "message_too_large"),
          new JsonObject(response.body()));
    }
  }
}
