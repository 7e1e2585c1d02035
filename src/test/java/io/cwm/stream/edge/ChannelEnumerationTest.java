package io.cwm.stream.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.testing.ConnectApi;
import io.cwm.testing.Http;
import io.cwm.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Channel names cannot be enumerated without a token (issue 12, item 1.6): on every streaming
 * endpoint an unknown channel is answered exactly like a known channel with a wrong token (same
 * status, same body), over real HTTP and a real WebSocket handshake.
 */
class ChannelEnumerationTest {
  static TestServer server;
  static ConnectApi api;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start("""
        {"enum_known": {"module": "webhook_connect", "module-config": {"channel": "enum-known", "channel_token": "tok-known"}}}
        """, "{}", Map.of());
    api = new ConnectApi(server);
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  /** Status and body of a WebSocket handshake, read off the socket as sent. */
  static String[] handshake(String channel, String authorization) throws Exception {
    String raw = Http.raw(server.port(), "GET /connect/stream/" + channel + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        + "Sec-WebSocket-Version: 13\r\nAuthorization: " + authorization + "\r\n\r\n");
    String statusLine = raw.substring(0, raw.indexOf("\r\n"));
    return new String[] {statusLine, raw.substring(raw.indexOf("\r\n\r\n") + 4)};
  }

  static void assertSameAnswer(HttpResponse<String> wrongToken, HttpResponse<String> unknownChannel, int status) {
    assertEquals(status, wrongToken.statusCode(), wrongToken::body);
    assertEquals(wrongToken.statusCode(), unknownChannel.statusCode(), unknownChannel::body);
    assertEquals(wrongToken.body(), unknownChannel.body());
  }

  @Test
  void webSocketAnswersAnUnknownChannelLikeAWrongToken() throws Exception {
    String[] wrongToken = handshake("enum-known", "Bearer wrong");
    String[] unknownChannel = handshake("enum-unknown", "Bearer wrong");
    String[] unknownWithRealToken = handshake("enum-unknown", "Bearer tok-known");
    assertEquals("HTTP/1.1 403 Forbidden", wrongToken[0]);
    assertEquals(new JsonObject().put("detail", "Invalid channel token"), new JsonObject(wrongToken[1]));
    for (String[] other : new String[][] {unknownChannel, unknownWithRealToken}) {
      assertEquals(wrongToken[0], other[0]);
      assertEquals(wrongToken[1], other[1]);
    }
  }

  @Test
  void sseAnswersAnUnknownChannelLikeAWrongToken() throws Exception {
    HttpResponse<String> wrongToken = Http.get(server.port(), "/connect/stream/enum-known/sse",
        "Authorization", "Bearer wrong");
    HttpResponse<String> unknownChannel = Http.get(server.port(), "/connect/stream/enum-unknown/sse",
        "Authorization", "Bearer wrong");
    assertSameAnswer(wrongToken, unknownChannel, 401);
    assertEquals(new JsonObject().put("detail", "Invalid channel token"), new JsonObject(wrongToken.body()));
  }

  @Test
  void longPollAnswersAnUnknownChannelLikeAWrongToken() throws Exception {
    HttpResponse<String> wrongToken = Http.get(server.port(), "/connect/stream/enum-known/poll?timeout=1",
        "Authorization", "Bearer wrong");
    HttpResponse<String> unknownChannel = Http.get(server.port(), "/connect/stream/enum-unknown/poll?timeout=1",
        "Authorization", "Bearer wrong");
    assertSameAnswer(wrongToken, unknownChannel, 401);
    // query-string tokens take the same path
    assertSameAnswer(Http.get(server.port(), "/connect/stream/enum-known/poll?timeout=1&token=wrong"),
        Http.get(server.port(), "/connect/stream/enum-unknown/poll?timeout=1&token=wrong"), 401);
  }

  @Test
  void statusAnswersAnUnknownChannelLikeAWrongToken() throws Exception {
    HttpResponse<String> wrongToken = Http.get(server.port(), "/connect/status/enum-known",
        "Authorization", "Bearer wrong");
    HttpResponse<String> unknownChannel = Http.get(server.port(), "/connect/status/enum-unknown",
        "Authorization", "Bearer wrong");
    assertSameAnswer(wrongToken, unknownChannel, 401);
    assertEquals(new JsonObject().put("detail", "Invalid token"), new JsonObject(wrongToken.body()));
  }

  /** /connect/ack names no channel: a wrong token learns nothing about connections either. */
  @Test
  void ackWithAWrongTokenRevealsNothingAboutConnections() throws Exception {
    api.post("enum_known", "{\"n\":1}");
    HttpResponse<String> polled = Http.get(server.port(), "/connect/stream/enum-known/poll?timeout=5",
        "Authorization", "Bearer tok-known");
    assertEquals(200, polled.statusCode(), polled::body);
    JsonObject answer = new JsonObject(polled.body());
    String messageId = answer.getJsonArray("messages").getJsonObject(0).getString("message_id");
    String liveConnection = answer.getString("connection_id");
    HttpResponse<String> live = api.ack(messageId, "ack", liveConnection, "wrong");
    HttpResponse<String> madeUp = api.ack(messageId, "ack", "poll_nobody_enum-unknown", "wrong");
    assertSameAnswer(live, madeUp, 401);
    assertEquals(new JsonObject().put("detail", "Invalid token"), new JsonObject(live.body()));
    assertEquals(200, api.ack(messageId, "ack", liveConnection, "tok-known").statusCode());
  }

  /** Spec §3.1: the {@code Bearer } prefix is optional (the Python connector's receivers accept both). */
  @Test
  void aBareTokenWithoutBearerIsAccepted() throws Exception {
    HttpResponse<String> bare = Http.get(server.port(), "/connect/status/enum-known", "Authorization", "tok-known");
    assertEquals(200, bare.statusCode(), bare::body);
    String[] upgrade = handshake("enum-known", "tok-known");
    assertTrue(upgrade[0].startsWith("HTTP/1.1 101"), upgrade[0]);
  }

  /**
   * The unknown channel takes the token-lookup path of a real channel: with the buffer backend
   * unreachable (no token state known yet) both answer 503, where answering an unknown channel
   * at once would tell it apart.
   */
  @Test
  void withTheBackendDownAnUnknownChannelIsAnsweredLikeAKnownOne() throws Exception {
    try (TestServer down = TestServer.start("""
        {"enum_down": {"module": "webhook_connect", "module-config": {"channel": "enum-down", "channel_token": "tok-down"}}}
        """, "{}", Map.of("WEBHOOK_CONNECT_BUFFER", "redis", "WEBHOOK_CONNECT_REDIS_URL",
        "redis://127.0.0.1:" + TestServer.freePort()))) {
      for (String path : new String[] {"/sse", "/poll?timeout=1"}) {
        HttpResponse<String> known = Http.get(down.port(), "/connect/stream/enum-down" + path,
            "Authorization", "Bearer wrong");
        HttpResponse<String> unknown = Http.get(down.port(), "/connect/stream/enum-nowhere" + path,
            "Authorization", "Bearer wrong");
        assertSameAnswer(known, unknown, 503);
      }
    }
  }
}
