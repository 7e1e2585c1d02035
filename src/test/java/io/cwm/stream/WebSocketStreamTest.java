package io.cwm.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.config.PythonFixturesTest;
import io.cwm.testing.Http;
import io.cwm.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** First smoke test of the relay: POST → buffer → WebSocket → ack. */
class WebSocketStreamTest {
  static TestServer server;
  static Vertx client;
  static WebSocketClient sockets;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start("""
        {"relay": {"module": "webhook_connect",
                   "module-config": {"channel": "ch1", "channel_token": "tok-1", "max_in_flight": 5}}}
        """);
    client = Vertx.vertx();
    sockets = client.createWebSocketClient();
  }

  @AfterAll
  static void stop() throws Exception {
    client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    server.close();
  }

  static WebSocket connect(String channel, String token, LinkedBlockingQueue<JsonObject> frames) throws Exception {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(server.port())
        .setURI("/connect/stream/" + channel).addHeader("Authorization", "Bearer " + token)
        .addHeader("X-Connector-Id", "test-connector");
    ClientWebSocket ws = sockets.webSocket();
    ws.textMessageHandler(text -> frames.add(new JsonObject(text)));
    return ws.connect(options).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void webhookIsRelayedToAConnectorAndAcked() throws Exception {
    LinkedBlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
    WebSocket socket = connect("ch1", "tok-1", frames);
    JsonObject connected = frames.poll(10, TimeUnit.SECONDS);
    assertEquals("connected", connected.getString("type"));
    HttpResponse<String> posted = Http.post(server.port(), "/webhook/relay", "{\"n\":1,\"text\":\"ü\"}",
        "Content-Type", "application/json", "Authorization", "Bearer secret");
    assertEquals(200, posted.statusCode(), posted::body);
    String messageId = posted.headers().firstValue("x-webhook-message-id").orElseThrow();
    JsonObject webhook = frames.poll(10, TimeUnit.SECONDS);
    assertEquals("webhook", webhook.getString("type"));
    assertEquals(messageId, webhook.getString("message_id"));
    assertEquals("relay", webhook.getString("webhook_id"));
    assertEquals(new JsonObject().put("n", 1).put("text", "ü"), webhook.getJsonObject("payload"));
    assertEquals("***REDACTED***", webhook.getJsonObject("headers").getString("authorization"));
    socket.writeTextMessage(new JsonObject().put("type", "ack").put("message_id", messageId).encode());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    JsonObject stats = null;
    while (System.nanoTime() < deadline) {
      stats = new JsonObject(Http.get(server.port(), "/connect/status/ch1", "Authorization", "Bearer tok-1").body());
      if (stats.getJsonObject("stats").getLong("messages_delivered") == 1) {
        break;
      }
      TimeUnit.MILLISECONDS.sleep(50); // polling with a deadline
    }
    assertEquals(1, stats.getJsonObject("stats").getLong("messages_delivered"), stats::encode);
    assertEquals(0, stats.getJsonObject("stats").getLong("messages_in_flight"));
    assertEquals(1, stats.getJsonObject("stats").getInteger("connected_clients"));
    socket.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  /**
   * Interop point 42: the channels of a Python-format webhooks.json (the project's
   * {@code python-format/relay-cloud-webhooks.json}) exist at start, before any webhook.
   */
  @Test
  void connectorAttachesToEveryChannelOfAPythonFormatFileBeforeAnyWebhookArrived() throws Exception {
    String webhooks = Files.readString(PythonFixturesTest.projectFile("relay-cloud-webhooks.json"));
    Map<String, String> tokens = new TreeMap<>();
    JsonObject entries = new JsonObject(webhooks);
    for (String id : entries.fieldNames()) {
      JsonObject config = entries.getJsonObject(id).getJsonObject("module-config");
      tokens.put(config.getString("channel"), config.getString("channel_token"));
    }
    assertEquals(Set.of("orders-eu", "orders-us", "burst", "archive"), tokens.keySet());
    try (TestServer cloud = TestServer.start(webhooks)) {
      for (Map.Entry<String, String> channel : tokens.entrySet()) {
        LinkedBlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
        WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(cloud.port())
            .setURI("/connect/stream/" + channel.getKey()).addHeader("Authorization", "Bearer " + channel.getValue());
        ClientWebSocket ws = sockets.webSocket();
        ws.textMessageHandler(text -> frames.add(new JsonObject(text)));
        WebSocket socket = ws.connect(options).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        JsonObject connected = frames.poll(10, TimeUnit.SECONDS);
        assertEquals("connected", connected == null ? null : connected.getString("type"), channel.getKey());
        socket.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void badTokenIsRefusedWith403BeforeTheUpgrade() throws Exception {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(server.port())
        .setURI("/connect/stream/ch1").addHeader("Authorization", "Bearer nope");
    try {
      sockets.connect(options).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      throw new AssertionError("the upgrade must be refused");
    } catch (java.util.concurrent.ExecutionException refused) {
      UpgradeRejectedException rejected = (UpgradeRejectedException) refused.getCause();
      assertEquals(403, rejected.getStatus());
    }
  }
}
