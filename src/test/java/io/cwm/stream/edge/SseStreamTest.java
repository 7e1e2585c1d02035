package io.cwm.stream.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.buffer.Envelope;
import io.cwm.testing.ConnectApi;
import io.cwm.testing.Http;
import io.cwm.testing.SseClient;
import io.cwm.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code GET /connect/stream/{channel}/sse} (spec §3.3, interop points 17–21) over a raw socket. */
class SseStreamTest {
  static TestServer server;
  static ConnectApi api;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start("""
        {"sse_basic": {"module": "webhook_connect", "module-config": {"channel": "sse-basic", "channel_token": "tok-basic"}},
         "sse_ascii": {"module": "webhook_connect", "module-config": {"channel": "sse-ascii", "channel_token": "tok-ascii"}},
         "sse_ack":   {"module": "webhook_connect", "module-config": {"channel": "sse-ack", "channel_token": "tok-ack"}},
         "sse_nack":  {"module": "webhook_connect", "module-config": {"channel": "sse-nack", "channel_token": "tok-nack"}},
         "sse_beat":  {"module": "webhook_connect",
                       "module-config": {"channel": "sse-beat", "channel_token": "tok-beat", "heartbeat_interval_seconds": 1}},
         "sse_full":  {"module": "webhook_connect",
                       "module-config": {"channel": "sse-full", "channel_token": "tok-full", "max_connections": 1}}}
        """, "{}", Map.of());
    api = new ConnectApi(server);
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  static SseClient open(String channel, String token) throws Exception {
    return SseClient.open(server.port(), "/connect/stream/" + channel + "/sse", "Authorization", "Bearer " + token,
        "X-Connector-ID", "sse-test");
  }

  /** Opens a stream and returns it once its {@code connected} event arrived. */
  static SseClient connected(String channel, String token) throws Exception {
    SseClient stream = open(channel, token);
    assertEquals(200, stream.status(), stream::errorBody);
    SseClient.Event first = stream.next(10_000);
    assertNotNull(first, "no connected event");
    assertEquals("connected", first.event(), first::data);
    return stream;
  }

  static String connectionId(SseClient stream) {
    String raw = stream.raw();
    int start = raw.indexOf("data: ") + 6;
    return new JsonObject(raw.substring(start, raw.indexOf('\n', start))).getString("connection_id");
  }

  @Test
  void streamOpensWithSseHeadersAndConnectedEventFirst() throws Exception {
    try (SseClient stream = open("sse-basic", "tok-basic")) {
      assertEquals(200, stream.status());
      assertEquals("text/event-stream; charset=utf-8", stream.header("Content-Type"));
      assertEquals("no-cache", stream.header("Cache-Control"));
      assertEquals("keep-alive", stream.header("Connection"));
      assertEquals("no", stream.header("X-Accel-Buffering"));
      assertEquals("chunked", stream.header("Transfer-Encoding"));
      SseClient.Event first = stream.next(10_000);
      assertNotNull(first);
      assertEquals("connected", first.event());
      JsonObject data = new JsonObject(first.data());
      // Python's two fields, and the Java-only "features" (issue 16: flow requests) that Python clients ignore
      assertEquals(Set.of("connection_id", "channel", "features"), data.fieldNames());
      assertEquals(List.of("flow"), data.getJsonArray("features").getList());
      assertEquals("sse-basic", data.getString("channel"));
      assertTrue(data.getString("connection_id").startsWith("sse_"), data::encode);
      // exact framing: event line, one data line, blank line; no id: or retry: lines
      assertTrue(stream.raw().startsWith("event: connected\ndata: {\"connection_id\":"), stream::raw);
      assertTrue(stream.raw().endsWith("}\n\n"), stream::raw);
    }
  }

  @Test
  void tokenInTheQueryOpensTheStreamToo() throws Exception {
    try (SseClient stream = SseClient.open(server.port(), "/connect/stream/sse-basic/sse?token=tok-basic")) {
      assertEquals(200, stream.status(), stream::errorBody);
      assertEquals("connected", stream.next(10_000).event());
    }
  }

  @Test
  void webhookArrivesAsTheFlatFrameWithNonAsciiEscaped() throws Exception {
    try (SseClient stream = connected("sse-ascii", "tok-ascii")) {
      JsonObject payload = new JsonObject().put("text", "ü").put("emoji", "\uD83D\uDE00")
          .put("nested", new JsonArray().add(1).add(new JsonArray().add("é").add(true)));
      String messageId = api.post("sse_ascii", payload.encode());
      SseClient.Event webhook = stream.next("webhook", 10_000);
      assertNotNull(webhook, "no webhook event");
      assertFalse(stream.sawNonAscii(), "SSE body must be ASCII only");
      assertTrue(webhook.data().contains("\\u00fc"), webhook::data);
      assertTrue(webhook.data().toLowerCase().contains("\\ud83d\\ude00"), webhook::data);
      JsonObject frame = new JsonObject(webhook.data());
      assertEquals(payload, frame.getJsonObject("payload"));
      // Python's fields, plus raw_body (on by default; a Python connector ignores it)
      assertEquals(Set.of("type", "message_id", "sequence", "webhook_id", "timestamp", "headers", "payload", "raw_body"),
          frame.fieldNames());
      assertEquals(payload.encode(), new String(java.util.Base64.getDecoder().decode(frame.getString("raw_body")),
          java.nio.charset.StandardCharsets.UTF_8));
      assertEquals("webhook", frame.getString("type"));
      assertEquals(messageId, frame.getString("message_id"));
      assertEquals("sse_ascii", frame.getString("webhook_id"));
      assertEquals(1L, frame.getLong("sequence"));
      assertNotNull(Envelope.parse(frame.getString("timestamp")), frame::encode);
      assertEquals("application/json", frame.getJsonObject("headers").getString("content-type"));
    }
  }

  @Test
  void ackByPostSettlesTheMessage() throws Exception {
    try (SseClient stream = connected("sse-ack", "tok-ack")) {
      String connectionId = connectionId(stream);
      String messageId = api.post("sse_ack", "{\"n\":1}");
      assertNotNull(stream.next("webhook", 10_000));
      api.awaitStats("sse-ack", "tok-ack", stats -> stats.getLong("messages_in_flight") == 1);
      HttpResponse<String> acked = api.ack(messageId, "ack", connectionId, "tok-ack");
      assertEquals(200, acked.statusCode(), acked::body);
      assertEquals(new JsonObject().put("status", "ok").put("message_id", messageId), new JsonObject(acked.body()));
      JsonObject stats = api.stats("sse-ack", "tok-ack");
      assertEquals(0, stats.getLong("messages_in_flight"), stats::encode);
      assertEquals(0, stats.getLong("messages_queued"), stats::encode);
      assertEquals(1, stats.getLong("messages_delivered"), stats::encode);
      assertEquals(404, api.ack(messageId, "ack", connectionId, "tok-ack").statusCode(), "settled only once");
    }
  }

  @Test
  void nackWithoutRetryDeadLettersTheMessage() throws Exception {
    try (SseClient stream = connected("sse-nack", "tok-nack")) {
      String connectionId = connectionId(stream);
      String messageId = api.post("sse_nack", "{\"n\":1}");
      assertNotNull(stream.next("webhook", 10_000));
      HttpResponse<String> nacked = Http.post(server.port(),
          "/connect/ack?message_id=" + messageId + "&status=nack&retry=false", "",
          "X-Connection-ID", connectionId, "Authorization", "Bearer tok-nack");
      assertEquals(200, nacked.statusCode(), nacked::body);
      JsonObject stats = api.stats("sse-nack", "tok-nack");
      assertEquals(1, stats.getLong("messages_dead_lettered"), stats::encode);
      assertEquals(0, stats.getLong("messages_in_flight"), stats::encode);
      assertEquals(0, stats.getLong("messages_queued"), stats::encode);
      assertEquals(0, stats.getLong("messages_delivered"), stats::encode);
    }
  }

  @Test
  void heartbeatsArriveOnTheirTimerEvenUnderSteadyTraffic() throws Exception {
    try (SseClient stream = connected("sse-beat", "tok-beat")) {
      int heartbeats = 0;
      int webhooks = 0;
      int posted = 0;
      long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(3200);
      while (System.nanoTime() < end) {
        api.post("sse_beat", "{\"n\":" + posted++ + "}");
        // drain what arrived, waiting at most 100 ms: this paces the traffic at ~10 webhooks/s
        for (SseClient.Event event = stream.next(100); event != null; event = stream.next(0)) {
          assertFalse(event == SseClient.END, "stream ended");
          if (event.event().equals("heartbeat")) {
            JsonObject data = new JsonObject(event.data());
            assertEquals(Set.of("timestamp"), data.fieldNames());
            assertNotNull(Envelope.parse(data.getString("timestamp")), event::data);
            heartbeats++;
          } else if (event.event().equals("webhook")) {
            webhooks++;
          }
        }
      }
      assertTrue(heartbeats >= 2, "heartbeats under traffic: " + heartbeats);
      assertTrue(webhooks >= 10, "webhooks delivered meanwhile: " + webhooks);
    }
  }

  @Test
  void missingTokenIs401() throws Exception {
    try (SseClient stream = SseClient.open(server.port(), "/connect/stream/sse-basic/sse")) {
      assertEquals(401, stream.status());
      assertEquals(new JsonObject().put("detail", "Missing authorization token"), new JsonObject(stream.errorBody()));
    }
  }

  @Test
  void badTokenAndUnknownChannelAre401() throws Exception {
    try (SseClient stream = open("sse-basic", "wrong")) {
      assertEquals(401, stream.status());
      assertEquals(new JsonObject().put("detail", "Invalid channel token"), new JsonObject(stream.errorBody()));
    }
    try (SseClient stream = open("no-such-channel", "tok-basic")) {
      assertEquals(401, stream.status());
      assertEquals(new JsonObject().put("detail", "Invalid channel token"), new JsonObject(stream.errorBody()));
    }
  }

  @Test
  void maxConnectionsReachedIsAnErrorEventInsideA200Stream() throws Exception {
    try (SseClient first = connected("sse-full", "tok-full"); SseClient second = open("sse-full", "tok-full")) {
      assertEquals(200, second.status());
      assertEquals("text/event-stream; charset=utf-8", second.header("Content-Type"));
      SseClient.Event event = second.next(10_000);
      assertNotNull(event);
      assertEquals("error", event.event(), "a refused stream carries no connected event: " + second.raw());
      assertEquals(new JsonObject().put("error", "max_connections_reached"), new JsonObject(event.data()));
      assertSame(SseClient.END, second.next(10_000), "the stream ends after the error");
      assertEquals(1, api.stats("sse-full", "tok-full").getInteger("connected_clients"));
    }
    // the slot is free again once the first stream went away
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try (SseClient again = open("sse-full", "tok-full")) {
        SseClient.Event event = again.next(10_000);
        if (event != null && event.event().equals("connected")) {
          break;
        }
        assertTrue(System.nanoTime() < deadline, "the slot was never freed");
      }
    }
  }
}
