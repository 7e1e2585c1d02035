package io.cwm.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.testing.SseClient;
import io.cwm.testing.TestConnector;
import io.cwm.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A receiver that stops (SIGTERM, a rolling restart) ends its connector streams at once and
 * says so, instead of holding its shutdown until the grace runs out: a WebSocket gets close
 * 1001, an SSE stream an {@code error} event with code 1001, a waiting long-poll a 204; each
 * connector then reconnects, through its balancer, to a receiver that is up.
 */
class GracefulStopTest {
  private static final String CHANNELS = """
      {"ws": {"module": "webhook_connect", "module-config": {"channel": "stop-ws", "channel_token": "tok"}},
       "sse": {"module": "webhook_connect", "module-config": {"channel": "stop-sse", "channel_token": "tok"}},
       "poll": {"module": "webhook_connect", "module-config": {"channel": "stop-poll", "channel_token": "tok"}}}""";

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void closeVertx() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void stoppingEndsEveryStreamSayingSo() throws Exception {
    TestServer server = TestServer.start(CHANNELS);
    TestConnector webSocket = new TestConnector(vertx).connect(server.port(), "stop-ws", "tok");
    try (SseClient sse = SseClient.open(server.port(), "/connect/stream/stop-sse/sse", "Authorization", "Bearer tok")) {
      assertEquals(200, sse.status());
      assertEquals("connected", sse.next(5_000).event());
      CompletableFuture<HttpResponse<String>> poll = HttpClient.newHttpClient().sendAsync(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + server.port() + "/connect/stream/stop-poll/poll?timeout=30"))
          .header("Authorization", "Bearer tok").timeout(Duration.ofSeconds(40)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      assertTrue(TestConnector.await(5_000, () -> stats(server).getInteger("connected_clients", 0) == 1),
          "the poll is waiting");

      server.close(); // graceful: what SIGTERM runs

      assertTrue(TestConnector.await(5_000, () -> Short.valueOf((short) 1001).equals(webSocket.closeCode())),
          "WebSocket closed with 1001: " + webSocket.closeCode());
      SseClient.Event error = sse.next("error", 5_000);
      assertEquals(1001, new JsonObject(error.data()).getInteger("code"), error::data);
      assertEquals(204, poll.get(5, TimeUnit.SECONDS).statusCode(), "the waiting poll answered at once");
    }
  }

  private static JsonObject stats(TestServer server) {
    try {
      HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + server.port() + "/connect/status/stop-poll"))
          .header("Authorization", "Bearer tok").GET().build(), HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? new JsonObject(response.body()).getJsonObject("stats") : new JsonObject();
    } catch (Exception notNow) {
      return new JsonObject();
    }
  }
}
