package io.cwm.connect;

import static io.cwm.testing.TestConnector.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.testing.Http;
import io.cwm.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** SSE, long-poll, POST /connect/ack and /connect/status over real HTTP (spec §3.3–3.7). */
class ConnectEndpointsTest {
  static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start("""
        {
          "sse": {"module": "webhook_connect", "module-config": {"channel": "sse-ch", "channel_token": "tok-sse",
                  "heartbeat_interval_seconds": 1}},
          "sse-one": {"module": "webhook_connect", "module-config": {"channel": "sse-one", "channel_token": "tok-one",
                  "max_connections": 1}},
          "poll": {"module": "webhook_connect", "module-config": {"channel": "poll-ch", "channel_token": "tok-poll"}},
          "ack": {"module": "webhook_connect", "module-config": {"channel": "ack-ch", "channel_token": "tok-ack"}}
        }
        """);
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  /** A raw SSE reader: the exact bytes, event by event. */
  static final class SseStream implements AutoCloseable {
    final Socket socket;
    final BufferedReader reader;
    final String head;

    SseStream(String channel, String token) throws Exception {
      socket = new Socket("127.0.0.1", server.port());
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET /connect/stream/" + channel + "/sse HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n"
          + (token == null ? "" : "Authorization: Bearer " + token + "\r\n") + "X-Connector-ID: sse-test\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      reader = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      StringBuilder headers = new StringBuilder();
      String line;
      while ((line = reader.readLine()) != null && !line.isEmpty()) {
        headers.append(line).append('\n');
      }
      head = headers.toString();
    }

    /** The next event as {event, data}; chunk-size lines of the chunked encoding are skipped. */
    String[] next() throws Exception {
      String event = null;
      String data = null;
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.startsWith("event: ")) {
          event = line.substring(7);
        } else if (line.startsWith("data: ")) {
          data = line.substring(6);
        } else if (line.isEmpty() && event != null && data != null) {
          return new String[] {event, data};
        }
      }
      return null;
    }

    @Override
    public void close() throws Exception {
      socket.close();
    }
  }

  private static String post(String id, String body) throws Exception {
    HttpResponse<String> response = Http.post(server.port(), "/webhook/" + id, body, "Content-Type", "application/json");
    assertEquals(200, response.statusCode(), response::body);
    return response.headers().firstValue("x-webhook-message-id").orElseThrow();
  }

  private static JsonObject stats(String channel, String token) throws Exception {
    return new JsonObject(Http.get(server.port(), "/connect/status/" + channel, "Authorization", "Bearer " + token)
        .body()).getJsonObject("stats");
  }

  @Test
  void sseStreamDeliversWebhooksAsciiEscapedAndTakesAcksByPost() throws Exception {
    try (SseStream stream = new SseStream("sse-ch", "tok-sse")) {
      assertTrue(stream.head.startsWith("HTTP/1.1 200"), stream.head);
      assertTrue(stream.head.toLowerCase().contains("content-type: text/event-stream; charset=utf-8"), stream.head);
      assertTrue(stream.head.toLowerCase().contains("x-accel-buffering: no"), stream.head);
      String[] connected = stream.next();
      assertEquals("connected", connected[0]);
      String connectionId = new JsonObject(connected[1]).getString("connection_id");
      assertEquals("sse-ch", new JsonObject(connected[1]).getString("channel"));

      String id = post("sse", "{\"text\":\"Grüße 😀\"}");
      String[] webhook = stream.next();
      while ("heartbeat".equals(webhook[0])) {
        webhook = stream.next();
      }
      assertEquals("webhook", webhook[0]);
      assertTrue(webhook[1].chars().allMatch(c -> c < 0x80), "ASCII-only data line: " + webhook[1]);
      JsonObject frame = new JsonObject(webhook[1]);
      assertEquals("webhook", frame.getString("type"));
      assertEquals(id, frame.getString("message_id"));
      assertEquals("Grüße 😀", frame.getJsonObject("payload").getString("text"));

      HttpResponse<String> ack = Http.post(server.port(), "/connect/ack?message_id=" + id + "&status=ack", "",
          "X-Connection-ID", connectionId, "Authorization", "Bearer tok-sse");
      assertEquals(200, ack.statusCode(), ack::body);
      assertEquals(new JsonObject().put("status", "ok").put("message_id", id), new JsonObject(ack.body()));
      assertTrue(await(5000, () -> {
        try {
          return stats("sse-ch", "tok-sse").getLong("messages_delivered") == 1;
        } catch (Exception e) {
          return false;
        }
      }));
    }
  }

  @Test
  void sseHeartbeatsFlowOnATimerEvenUnderSteadyTraffic() throws Exception {
    try (SseStream stream = new SseStream("sse-ch", "tok-sse")) {
      String connectionId = new JsonObject(stream.next()[1]).getString("connection_id");
      long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(3200);
      int heartbeats = 0;
      while (System.nanoTime() < end) {
        post("sse", "{\"n\":1}");
        String[] event = stream.next();
        if (event[0].equals("heartbeat")) {
          heartbeats++;
          assertNotNull(new JsonObject(event[1]).getString("timestamp"));
        } else if (event[0].equals("webhook")) {
          String id = new JsonObject(event[1]).getString("message_id");
          Http.post(server.port(), "/connect/ack?message_id=" + id, "", "X-Connection-ID", connectionId,
              "Authorization", "Bearer tok-sse");
        }
      }
      assertTrue(heartbeats >= 2, "heartbeats under traffic: " + heartbeats);
    }
  }

  @Test
  void sseRefusesMissingAndBadTokensAndSignalsAFullChannelInsideTheStream() throws Exception {
    assertEquals("{\"detail\":\"Missing authorization token\"}",
        Http.get(server.port(), "/connect/stream/sse-ch/sse").body());
    HttpResponse<String> bad = Http.get(server.port(), "/connect/stream/sse-ch/sse", "Authorization", "Bearer nope");
    assertEquals(401, bad.statusCode());
    assertEquals("{\"detail\":\"Invalid channel token\"}", bad.body());
    try (SseStream first = new SseStream("sse-one", "tok-one"); SseStream second = new SseStream("sse-one", "tok-one")) {
      assertEquals("connected", first.next()[0]);
      assertEquals("connected", second.next()[0]);
      String[] error = second.next();
      assertEquals("error", error[0]);
      assertEquals("max_connections_reached", new JsonObject(error[1]).getString("error"));
    }
  }

  @Test
  void nackWithoutRetryThroughAckEndpointDeadLetters() throws Exception {
    String id = post("ack", "{\"n\":1}");
    HttpResponse<String> polled = Http.get(server.port(), "/connect/stream/ack-ch/poll?timeout=5",
        "Authorization", "Bearer tok-ack");
    assertEquals(200, polled.statusCode());
    String connectionId = new JsonObject(polled.body()).getString("connection_id");
    HttpResponse<String> nack = Http.post(server.port(), "/connect/ack?message_id=" + id + "&status=nack&retry=false", "",
        "X-Connection-ID", connectionId, "Authorization", "Bearer tok-ack");
    assertEquals(200, nack.statusCode(), nack::body);
    assertTrue(await(5000, () -> {
      try {
        return stats("ack-ch", "tok-ack").getLong("messages_dead_lettered") == 1;
      } catch (Exception e) {
        return false;
      }
    }));
  }

  @Test
  void longPollReturnsUpToMaxMessagesAndAcceptsAcksOfTheLatestPoll() throws Exception {
    HttpResponse<String> empty = Http.get(server.port(), "/connect/stream/poll-ch/poll?timeout=1",
        "Authorization", "Bearer tok-poll");
    assertEquals(204, empty.statusCode());
    assertEquals("", empty.body());
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(post("poll", "{\"n\":" + i + "}"));
    }
    HttpResponse<String> first = Http.get(server.port(), "/connect/stream/poll-ch/poll?timeout=5&max_messages=2",
        "Authorization", "Bearer tok-poll", "X-Connector-ID", "lp");
    assertEquals(200, first.statusCode());
    JsonObject body = new JsonObject(first.body());
    JsonArray messages = body.getJsonArray("messages");
    assertEquals(2, messages.size());
    assertEquals("poll-ch", body.getString("channel"));
    assertNotNull(body.getString("timestamp"));
    HttpResponse<String> second = Http.get(server.port(), "/connect/stream/poll-ch/poll?timeout=5&max_messages=2",
        "Authorization", "Bearer tok-poll", "X-Connector-ID", "lp");
    JsonObject secondBody = new JsonObject(second.body());
    assertEquals(1, secondBody.getJsonArray("messages").size());
    String latest = secondBody.getString("connection_id");
    List<String> delivered = new ArrayList<>();
    messages.forEach(m -> delivered.add(((JsonObject) m).getString("message_id")));
    delivered.add(secondBody.getJsonArray("messages").getJsonObject(0).getString("message_id"));
    assertEquals(ids, delivered);
    for (String id : ids) { // acked with the connection id of the latest poll
      HttpResponse<String> ack = Http.post(server.port(), "/connect/ack?message_id=" + id, "",
          "X-Connection-ID", latest, "Authorization", "Bearer tok-poll");
      assertEquals(200, ack.statusCode(), ack::body);
    }
    assertEquals(204, Http.get(server.port(), "/connect/stream/poll-ch/poll?timeout=1",
        "Authorization", "Bearer tok-poll", "X-Connector-ID", "lp").statusCode(), "acked messages are not delivered again");
  }

  @Test
  void longPollRefusesOutOfRangeParametersWith422() throws Exception {
    for (String query : List.of("timeout=0", "timeout=61", "max_messages=101", "timeout=abc")) {
      HttpResponse<String> response = Http.get(server.port(), "/connect/stream/poll-ch/poll?" + query,
          "Authorization", "Bearer tok-poll");
      assertEquals(422, response.statusCode(), query);
      JsonObject problem = new JsonObject(response.body()).getJsonArray("detail").getJsonObject(0);
      assertNotNull(problem.getJsonArray("loc"));
      assertNotNull(problem.getString("msg"));
    }
    assertEquals(401, Http.get(server.port(), "/connect/stream/poll-ch/poll?timeout=1",
        "Authorization", "Bearer nope").statusCode());
  }

  @Test
  void ackEndpointValidatesItsInputs() throws Exception {
    assertEquals(422, Http.post(server.port(), "/connect/ack?message_id=msg_1", "", "Authorization", "Bearer tok-ack")
        .statusCode(), "no X-Connection-ID");
    assertEquals(422, Http.post(server.port(), "/connect/ack?message_id=msg_1", "", "X-Connection-ID", "c")
        .statusCode(), "no Authorization");
    assertEquals(422, Http.post(server.port(), "/connect/ack?message_id=msg_1&status=nack&retry=maybe", "",
        "X-Connection-ID", "c", "Authorization", "Bearer tok-ack").statusCode());
    HttpResponse<String> wrongToken = Http.post(server.port(), "/connect/ack?message_id=msg_1", "",
        "X-Connection-ID", "c", "Authorization", "Bearer nope");
    assertEquals(401, wrongToken.statusCode());
    assertEquals("{\"detail\":\"Invalid token\"}", wrongToken.body());
    HttpResponse<String> unknown = Http.post(server.port(), "/connect/ack?message_id=msg_0000000000000000", "",
        "X-Connection-ID", "c", "Authorization", "Bearer tok-ack");
    assertEquals(404, unknown.statusCode());
    assertEquals("{\"detail\":\"Message not in flight\"}", unknown.body());
  }

  @Test
  void ackEndpointAcceptsTheJsonBodyForm() throws Exception {
    String id = post("ack", "{\"n\":2}");
    HttpResponse<String> polled = Http.get(server.port(), "/connect/stream/ack-ch/poll?timeout=5",
        "Authorization", "Bearer tok-ack", "X-Connector-ID", "json-form");
    String connectionId = new JsonObject(polled.body()).getString("connection_id");
    HttpResponse<String> ack = Http.post(server.port(), "/connect/ack",
        new JsonObject().put("message_id", id).put("status", "ack").encode(),
        "Content-Type", "application/json", "X-Connection-ID", connectionId, "Authorization", "Bearer tok-ack");
    assertEquals(200, ack.statusCode(), ack::body);
  }

  @Test
  void statusNeedsTheChannelToken() throws Exception {
    assertEquals(422, Http.get(server.port(), "/connect/status/ack-ch").statusCode());
    HttpResponse<String> bad = Http.get(server.port(), "/connect/status/ack-ch", "Authorization", "Bearer tok-sse");
    assertEquals(401, bad.statusCode());
    assertEquals("{\"detail\":\"Invalid token\"}", bad.body());
    JsonObject ok = new JsonObject(Http.get(server.port(), "/connect/status/ack-ch", "Authorization", "Bearer tok-ack").body());
    assertEquals("ack-ch", ok.getString("channel"));
    assertTrue(ok.getBoolean("connected"));
    assertNotNull(ok.getString("server_time"));
    for (String field : List.of("messages_queued", "messages_in_flight", "messages_delivered", "messages_expired",
        "messages_dead_lettered", "connected_clients")) {
      assertTrue(ok.getJsonObject("stats").containsKey(field), field);
    }
    assertFalse(ok.getJsonObject("stats").isEmpty());
  }
}
