package io.cwm.stream.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.cwm.testing.ConnectApi;
import io.cwm.testing.Http;
import io.cwm.testing.TestConnector;
import io.cwm.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 16, the receiver's side of a flow request: {@code max_in_flight} 0 pauses a session and
 * hands back what it holds <em>uncounted</em> (the channels allow one delivery per message, so a
 * counted hand-back would dead-letter it), 1 lets one message at a time through, null restores the
 * channel's window; over WebSocket (a {@code flow} frame) and long-poll ({@code POST /connect/flow}).
 */
class FlowRequestTest {
  static TestServer server;
  static Vertx vertx;
  static ConnectApi api;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start("""
        {"ws": {"module": "webhook_connect", "module-config": {"channel": "flow-ws", "channel_token": "tok-ws",
                "max_deliveries": 1, "max_in_flight": 5}},
         "poll": {"module": "webhook_connect", "module-config": {"channel": "flow-poll", "channel_token": "tok-poll",
                "max_deliveries": 1, "max_in_flight": 5}}}""");
    vertx = Vertx.vertx();
    api = new ConnectApi(server);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    server.close();
  }

  private static String flow(Integer max) {
    return new JsonObject().put("type", "flow").put("max_in_flight", max)
        .put("circuits", new JsonArray().add(new JsonObject().put("target", "default_target").put("state", "open")))
        .encode();
  }

  @Test
  void aWebSocketSessionIsPausedProbedAndResumedWithoutSpendingDeliveries() throws Exception {
    try (TestConnector connector = new TestConnector(vertx).connect(server.port(), "flow-ws", "tok-ws")) {
      JsonObject connected = connector.next("connected", 5000);
      assertEquals(List.of("flow"), connected.getJsonArray("features").getList());
      String first = api.post("ws", "{\"n\":1}");
      assertEquals(first, connector.next("webhook", 5000).getString("message_id"));

      connector.send(flow(0)); // paused: the message held goes back, its delivery given back
      String second = api.post("ws", "{\"n\":2}");
      assertNull(connector.next("webhook", 1000), "nothing while paused");

      connector.send(flow(1));
      JsonObject probe = connector.next("webhook", 5000);
      assertNotNull(probe, "one message for the probe");
      assertEquals(first, probe.getString("message_id"), "handed back uncounted: not dead-lettered (max_deliveries 1)");
      assertNull(connector.next("webhook", 500), "one at a time");
      connector.ack(first);
      assertEquals(second, connector.next("webhook", 5000).getString("message_id"));

      connector.send(flow(null)); // the channel's window again: both at once, no ack in between
      String third = api.post("ws", "{\"n\":3}");
      String fourth = api.post("ws", "{\"n\":4}");
      assertEquals(third, connector.next("webhook", 5000).getString("message_id"));
      assertEquals(fourth, connector.next("webhook", 5000).getString("message_id"));
      connector.ack(second);
      connector.ack(third);
      connector.ack(fourth);
      JsonObject stats = api.awaitStats("flow-ws", "tok-ws", s -> s.getLong("messages_delivered") == 4);
      assertEquals(0, stats.getLong("messages_dead_lettered"), stats::encode);
    }
  }

  @Test
  void aPollSessionIsPausedAndResumedByPost() throws Exception {
    String first = api.post("poll", "{\"n\":1}");
    HttpResponse<String> polled = Http.get(server.port(), "/connect/stream/flow-poll/poll?timeout=5&max_messages=5",
        "Authorization", "Bearer tok-poll", "X-Connector-ID", "flow-test");
    assertEquals(200, polled.statusCode(), polled.body());
    assertEquals("flow", polled.headers().firstValue("X-Connect-Features").orElse(null));
    String connection = polled.headers().firstValue("X-Connection-ID").orElseThrow();
    assertEquals(connection, new JsonObject(polled.body()).getString("connection_id"));

    HttpResponse<String> paused = Http.post(server.port(), "/connect/flow", "{\"max_in_flight\": 0}",
        "Content-Type", "application/json", "Authorization", "Bearer tok-poll", "X-Connection-ID", connection);
    assertEquals(200, paused.statusCode(), paused.body());
    assertEquals(1, new JsonObject(paused.body()).getInteger("released"));
    HttpResponse<String> waiting = Http.get(server.port(), "/connect/stream/flow-poll/poll?timeout=1&max_messages=5",
        "Authorization", "Bearer tok-poll", "X-Connector-ID", "flow-test");
    assertEquals(204, waiting.statusCode(), "paused: the poll gets nothing");

    HttpResponse<String> resumed = Http.post(server.port(), "/connect/flow", "{\"max_in_flight\": null}",
        "Content-Type", "application/json", "Authorization", "Bearer tok-poll", "X-Connection-ID", connection);
    assertEquals(200, resumed.statusCode(), resumed.body());
    HttpResponse<String> again = Http.get(server.port(), "/connect/stream/flow-poll/poll?timeout=5&max_messages=5",
        "Authorization", "Bearer tok-poll", "X-Connector-ID", "flow-test");
    assertEquals(200, again.statusCode());
    JsonArray messages = new JsonObject(again.body()).getJsonArray("messages");
    assertEquals(first, messages.getJsonObject(0).getString("message_id"), "handed back uncounted");
  }

  @Test
  void aFlowRequestIsCheckedLikeAnAck() throws Exception {
    HttpResponse<String> badToken = Http.post(server.port(), "/connect/flow", "{\"max_in_flight\": 0}",
        "Content-Type", "application/json", "Authorization", "Bearer wrong", "X-Connection-ID", "x");
    assertEquals(401, badToken.statusCode());
    HttpResponse<String> unknown = Http.post(server.port(), "/connect/flow", "{\"max_in_flight\": 0}",
        "Content-Type", "application/json", "Authorization", "Bearer tok-poll", "X-Connection-ID", "nobody");
    assertEquals(404, unknown.statusCode(), unknown.body());
    HttpResponse<String> bad = Http.post(server.port(), "/connect/flow", "{\"max_in_flight\": -1}",
        "Content-Type", "application/json", "Authorization", "Bearer tok-poll", "X-Connection-ID", "x");
    assertEquals(422, bad.statusCode(), bad.body());
    HttpResponse<String> noConnection = Http.post(server.port(), "/connect/flow", "{\"max_in_flight\": 0}",
        "Content-Type", "application/json", "Authorization", "Bearer tok-poll");
    assertEquals(422, noConnection.statusCode(), noConnection.body());
  }
}
