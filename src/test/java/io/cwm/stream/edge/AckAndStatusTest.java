package io.cwm.stream.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.buffer.Envelope;
import io.cwm.testing.ConnectApi;
import io.cwm.testing.Http;
import io.cwm.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code POST /connect/ack} (spec §3.4) and {@code GET /connect/status/{channel}} (§3.6). */
class AckAndStatusTest {
  static TestServer server;
  static ConnectApi api;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start("""
        {"ack_a":    {"module": "webhook_connect", "module-config": {"channel": "ack-a", "channel_token": "tok-a"}},
         "ack_b":    {"module": "webhook_connect", "module-config": {"channel": "ack-b", "channel_token": "tok-b"}},
         "ack_body": {"module": "webhook_connect", "module-config": {"channel": "ack-body", "channel_token": "tok-body"}},
         "ack_st":   {"module": "webhook_connect", "module-config": {"channel": "ack-st", "channel_token": "tok-st"}}}
        """, "{}", Map.of());
    api = new ConnectApi(server);
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  /** Posts a webhook and takes it with a long-poll: returns {message id, connection id}. */
  static String[] inFlight(String webhookId, String channel, String token) throws Exception {
    String messageId = api.post(webhookId, "{\"n\":1}");
    HttpResponse<String> polled = Http.get(server.port(), "/connect/stream/" + channel + "/poll?timeout=5&max_messages=1",
        "Authorization", "Bearer " + token);
    assertEquals(200, polled.statusCode(), polled::body);
    JsonObject body = new JsonObject(polled.body());
    assertEquals(messageId, body.getJsonArray("messages").getJsonObject(0).getString("message_id"));
    return new String[] {messageId, body.getString("connection_id")};
  }

  static void assertMissing(HttpResponse<String> response, String where, String name) {
    assertEquals(422, response.statusCode(), response::body);
    JsonArray detail = new JsonObject(response.body()).getJsonArray("detail");
    boolean named = detail.stream().map(JsonObject.class::cast)
        .anyMatch(problem -> problem.getJsonArray("loc").equals(new JsonArray().add(where).add(name))
            && problem.getString("msg") != null);
    assertTrue(named, response::body);
  }

  @Test
  void ackWithoutConnectionIdIs422() throws Exception {
    HttpResponse<String> response = Http.post(server.port(), "/connect/ack?message_id=msg_1&status=ack", "",
        "Authorization", "Bearer tok-a");
    assertMissing(response, "header", "x-connection-id");
  }

  @Test
  void ackWithoutAuthorizationIs422() throws Exception {
    HttpResponse<String> response = Http.post(server.port(), "/connect/ack?message_id=msg_1&status=ack", "",
        "X-Connection-ID", "sse_1");
    assertMissing(response, "header", "authorization");
  }

  @Test
  void ackWithoutMessageIdIs422() throws Exception {
    HttpResponse<String> response = Http.post(server.port(), "/connect/ack?status=ack", "",
        "X-Connection-ID", "sse_1", "Authorization", "Bearer tok-a");
    assertMissing(response, "query", "message_id");
  }

  @Test
  void tokenOfNoChannelIs401() throws Exception {
    HttpResponse<String> response = api.ack("msg_0123456789abcdef", "ack", "sse_1", "not-a-token");
    assertEquals(401, response.statusCode());
    assertEquals(new JsonObject().put("detail", "Invalid token"), new JsonObject(response.body()));
  }

  @Test
  void unknownMessageIs404() throws Exception {
    HttpResponse<String> response = api.ack("msg_0123456789abcdef", "ack", "sse_1", "tok-a");
    assertEquals(404, response.statusCode());
    assertEquals(new JsonObject().put("detail", "Message not in flight"), new JsonObject(response.body()));
  }

  @Test
  void tokenOfAnotherChannelCannotSettleThisChannelsMessage() throws Exception {
    String[] delivery = inFlight("ack_a", "ack-a", "tok-a");
    HttpResponse<String> foreign = api.ack(delivery[0], "ack", delivery[1], "tok-b");
    assertEquals(404, foreign.statusCode(), foreign::body);
    assertEquals(1, api.stats("ack-a", "tok-a").getLong("messages_in_flight"));
    assertEquals(200, api.ack(delivery[0], "ack", delivery[1], "tok-a").statusCode());
  }

  @Test
  void jsonBodyFormIsAcceptedToo() throws Exception {
    String[] acked = inFlight("ack_body", "ack-body", "tok-body");
    HttpResponse<String> response = Http.post(server.port(), "/connect/ack",
        new JsonObject().put("message_id", acked[0]).put("status", "ack").encode(),
        "Content-Type", "application/json", "X-Connection-ID", acked[1], "Authorization", "Bearer tok-body");
    assertEquals(200, response.statusCode(), response::body);
    assertEquals(new JsonObject().put("status", "ok").put("message_id", acked[0]), new JsonObject(response.body()));

    String[] rejected = inFlight("ack_body", "ack-body", "tok-body");
    HttpResponse<String> nack = Http.post(server.port(), "/connect/ack",
        new JsonObject().put("message_id", rejected[0]).put("status", "nack").put("retry", false).encode(),
        "Content-Type", "application/json", "X-Connection-ID", rejected[1], "Authorization", "Bearer tok-body");
    assertEquals(200, nack.statusCode(), nack::body);
    JsonObject stats = api.stats("ack-body", "tok-body");
    assertEquals(1, stats.getLong("messages_delivered"), stats::encode);
    assertEquals(1, stats.getLong("messages_dead_lettered"), stats::encode);
    assertEquals(0, stats.getLong("messages_in_flight"), stats::encode);
  }

  @Test
  void unparseableRetryIs422() throws Exception {
    HttpResponse<String> response = Http.post(server.port(), "/connect/ack?message_id=msg_1&status=nack&retry=maybe",
        "", "X-Connection-ID", "sse_1", "Authorization", "Bearer tok-a");
    assertEquals(422, response.statusCode(), response::body);
    JsonObject problem = new JsonObject(response.body()).getJsonArray("detail").getJsonObject(0);
    assertEquals(new JsonArray().add("query").add("retry"), problem.getJsonArray("loc"));
    assertNotNull(problem.getString("msg"));
  }

  @Test
  void statusWithoutAuthorizationIs422() throws Exception {
    assertMissing(Http.get(server.port(), "/connect/status/ack-st"), "header", "authorization");
  }

  @Test
  void statusWithBadTokenIs401() throws Exception {
    for (String channel : new String[] {"ack-st", "no-such-channel"}) {
      HttpResponse<String> response = Http.get(server.port(), "/connect/status/" + channel,
          "Authorization", "Bearer wrong");
      assertEquals(401, response.statusCode());
      assertEquals(new JsonObject().put("detail", "Invalid token"), new JsonObject(response.body()));
    }
  }

  @Test
  void statusWithGoodTokenReportsTheChannel() throws Exception {
    api.post("ack_st", "{\"n\":1}");
    HttpResponse<String> response = Http.get(server.port(), "/connect/status/ack-st", "Authorization", "Bearer tok-st");
    assertEquals(200, response.statusCode(), response::body);
    JsonObject body = new JsonObject(response.body());
    assertEquals(Set.of("channel", "connected", "stats", "server_time"), body.fieldNames());
    assertEquals("ack-st", body.getString("channel"));
    assertEquals(true, body.getBoolean("connected"));
    assertNotNull(Envelope.parse(body.getString("server_time")), body::encode);
    JsonObject stats = body.getJsonObject("stats");
    for (String counter : new String[] {"messages_queued", "messages_in_flight", "messages_delivered",
        "messages_expired", "messages_dead_lettered", "connected_clients"}) {
      assertTrue(stats.getValue(counter) instanceof Number, counter + " in " + stats.encode());
    }
    assertEquals(1, stats.getLong("messages_queued"), stats::encode);
    assertEquals(0, stats.getLong("messages_in_flight"), stats::encode);
    assertEquals(0, stats.getInteger("connected_clients"), stats::encode);
  }
}
