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
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code GET /connect/stream/{channel}/poll} (spec §3.5, interop points 23–25). */
class LongPollTest {
  static TestServer server;
  static ConnectApi api;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start("""
        {"lp_empty": {"module": "webhook_connect", "module-config": {"channel": "lp-empty", "channel_token": "tok-empty"}},
         "lp_batch": {"module": "webhook_connect", "module-config": {"channel": "lp-batch", "channel_token": "tok-batch"}},
         "lp_ack":   {"module": "webhook_connect", "module-config": {"channel": "lp-ack", "channel_token": "tok-ack"}},
         "lp_gone":  {"module": "webhook_connect", "module-config": {"channel": "lp-gone", "channel_token": "tok-gone"}}}
        """, "{}", Map.of());
    api = new ConnectApi(server);
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  static HttpResponse<String> poll(String channel, String token, String query, String connectorId) throws Exception {
    return Http.get(server.port(), "/connect/stream/" + channel + "/poll?" + query,
        "Authorization", "Bearer " + token, "X-Connector-ID", connectorId);
  }

  static List<String> messageIds(JsonObject body) {
    return body.getJsonArray("messages").stream().map(frame -> ((JsonObject) frame).getString("message_id")).toList();
  }

  /** A poll whose client left mid-wait takes no messages: the next poller gets them at once. */
  @Test
  void aPollerThatLeavesMidWaitIsHandedNothing() throws Exception {
    try (java.net.Socket gone = new java.net.Socket("127.0.0.1", server.port())) {
      gone.getOutputStream().write(("GET /connect/stream/lp-gone/poll?timeout=30 HTTP/1.1\r\nHost: x\r\n"
          + "Authorization: Bearer tok-gone\r\nX-Connector-ID: leaver\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      gone.getOutputStream().flush();
      api.awaitStats("lp-gone", "tok-gone", stats -> stats.getInteger("connected_clients") == 1); // it waits
    } // the client goes away here
    api.awaitStats("lp-gone", "tok-gone", stats -> stats.getInteger("connected_clients") == 0);
    String id = api.post("lp_gone", "{\"n\":1}");
    HttpResponse<String> next = poll("lp-gone", "tok-gone", "timeout=5", "stayer");
    assertEquals(200, next.statusCode(), "the message went to the poller that is still there");
    assertEquals(List.of(id), messageIds(new JsonObject(next.body())));
  }

  @Test
  void emptyChannelAnswers204AfterTheTimeout() throws Exception {
    long started = System.nanoTime();
    HttpResponse<String> polled = poll("lp-empty", "tok-empty", "timeout=1", "lp");
    long tookMillis = (System.nanoTime() - started) / 1_000_000;
    assertEquals(204, polled.statusCode(), polled::body);
    assertEquals("", polled.body());
    assertTrue(tookMillis >= 900 && tookMillis < 5000, "answered after " + tookMillis + " ms");
  }

  @Test
  void returnsUpToMaxMessagesThenTheRest() throws Exception {
    String first = api.post("lp_batch", "{\"n\":1}");
    String second = api.post("lp_batch", "{\"n\":2}");
    String third = api.post("lp_batch", "{\"n\":3}");
    HttpResponse<String> polled = poll("lp-batch", "tok-batch", "timeout=5&max_messages=2", "lp");
    assertEquals(200, polled.statusCode(), polled::body);
    assertEquals("application/json", polled.headers().firstValue("content-type").orElse(""));
    JsonObject body = new JsonObject(polled.body());
    assertEquals(List.of(first, second), messageIds(body));
    assertEquals("lp-batch", body.getString("channel"));
    assertTrue(body.getString("connection_id").startsWith("poll_"), body::encode);
    assertNotNull(Envelope.parse(body.getString("timestamp")), body::encode);
    JsonObject frame = body.getJsonArray("messages").getJsonObject(0);
    assertEquals("webhook", frame.getString("type"));
    assertEquals("lp_batch", frame.getString("webhook_id"));
    assertEquals(new JsonObject().put("n", 1), frame.getJsonObject("payload"));

    HttpResponse<String> next = poll("lp-batch", "tok-batch", "timeout=5&max_messages=2", "lp");
    assertEquals(200, next.statusCode(), next::body);
    assertEquals(List.of(third), messageIds(new JsonObject(next.body())));
  }

  @Test
  void acksWithTheLatestPollsConnectionIdAreAcceptedAndNotDeliveredAgain() throws Exception {
    String first = api.post("lp_ack", "{\"n\":1}");
    String second = api.post("lp_ack", "{\"n\":2}");
    HttpResponse<String> one = poll("lp-ack", "tok-ack", "timeout=5&max_messages=1", "lp-a");
    assertEquals(List.of(first), messageIds(new JsonObject(one.body())));
    // a later poll (here even from another connector id) names the connection the client acks with
    HttpResponse<String> two = poll("lp-ack", "tok-ack", "timeout=5&max_messages=1", "lp-b");
    JsonObject latest = new JsonObject(two.body());
    assertEquals(List.of(second), messageIds(latest));
    String connectionId = latest.getString("connection_id");
    for (String messageId : List.of(first, second)) {
      HttpResponse<String> acked = api.ack(messageId, "ack", connectionId, "tok-ack");
      assertEquals(200, acked.statusCode(), acked::body);
      assertEquals(new JsonObject().put("status", "ok").put("message_id", messageId), new JsonObject(acked.body()));
    }
    assertEquals(204, poll("lp-ack", "tok-ack", "timeout=1", "lp-a").statusCode());
    JsonObject stats = api.stats("lp-ack", "tok-ack");
    assertEquals(2, stats.getLong("messages_delivered"), stats::encode);
    assertEquals(0, stats.getLong("messages_in_flight"), stats::encode);
    assertEquals(0, stats.getLong("messages_queued"), stats::encode);
  }

  @Test
  void outOfRangeParametersAre422() throws Exception {
    for (String query : List.of("timeout=0", "timeout=61", "max_messages=101", "max_messages=0", "timeout=soon")) {
      HttpResponse<String> polled = poll("lp-empty", "tok-empty", query, "lp");
      assertEquals(422, polled.statusCode(), query);
      JsonArray detail = new JsonObject(polled.body()).getJsonArray("detail");
      assertEquals(1, detail.size(), polled::body);
      JsonObject problem = detail.getJsonObject(0);
      assertEquals(new JsonArray().add("query").add(query.substring(0, query.indexOf('='))), problem.getJsonArray("loc"));
      assertTrue(problem.getString("msg") != null && !problem.getString("msg").isEmpty(), polled::body);
    }
  }

  @Test
  void badOrMissingTokenIs401() throws Exception {
    HttpResponse<String> bad = poll("lp-empty", "wrong", "timeout=1", "lp");
    assertEquals(401, bad.statusCode());
    assertEquals(new JsonObject().put("detail", "Invalid channel token"), new JsonObject(bad.body()));
    HttpResponse<String> missing = Http.get(server.port(), "/connect/stream/lp-empty/poll?timeout=1");
    assertEquals(401, missing.statusCode());
    assertEquals(new JsonObject().put("detail", "Missing authorization token"), new JsonObject(missing.body()));
  }
}
