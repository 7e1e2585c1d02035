package io.cwm.connector;

import static io.cwm.testing.TestConnector.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.testing.LogCapture;
import io.cwm.testing.TestConnectors;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code max_message_bytes} on a real connection of each transport, against a scripted receiver
 * (a real Vert.x server speaking the wire format of spec §3): a message under the limit is
 * delivered and acked; then one over it breaks the link (WebSocket close 1009, SSE stream reset,
 * long-poll poll failed), the connector reconnects and the next message under the limit is
 * delivered. The big message never reaches the deliverer.
 */
class ConnectorMessageLimitTest {
  static final int LIMIT = 64 * 1024;
  static final String SMALL = "msg_small";
  static final String BIG = "msg_big";
  static final String AFTER = "msg_after";

  Vertx vertx;
  HttpServer receiver;
  /** WebSocket or SSE connections, and polls, in the order they arrived (numbered from 1). */
  final AtomicInteger connections = new AtomicInteger();
  final AtomicInteger polls = new AtomicInteger();
  /** Message ids the connector acked (WebSocket frame or POST /connect/ack). */
  final List<String> acked = new CopyOnWriteArrayList<>();
  /** Message ids that reached the deliverer. */
  final List<String> delivered = new CopyOnWriteArrayList<>();
  /**
   * Per connection (or poll) number whose connection ended: the WebSocket close code seen (0: none), or -1
   * for an HTTP connection that closed.
   */
  final Map<Integer, Integer> brokenByClient = new ConcurrentHashMap<>();
  /** Completed when the connector acks {@link #SMALL}: the scripts send the big message only then. */
  final Promise<Void> smallAcked = Promise.promise();
  volatile BiConsumer<Integer, ServerWebSocket> onWebSocket = (n, socket) -> { };
  volatile BiConsumer<Integer, HttpServerRequest> onSse = (n, request) -> { };
  volatile BiConsumer<Integer, HttpServerRequest> onPoll = (n, request) -> { };

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    receiver = vertx.createHttpServer(new HttpServerOptions()
            .setMaxWebSocketFrameSize(4 * LIMIT).setMaxWebSocketMessageSize(4 * LIMIT))
        .webSocketHandler(this::webSocket)
        .requestHandler(this::request);
    receiver.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  // ---- the scripted receiver -------------------------------------------------------------

  private void webSocket(ServerWebSocket socket) {
    int n = connections.incrementAndGet();
    socket.textMessageHandler(text -> {
      JsonObject frame = new JsonObject(text);
      if ("ack".equals(frame.getString("type"))) {
        acked(frame.getString("message_id"));
      }
    });
    socket.closeHandler(closed -> {
      Short code = socket.closeStatusCode();
      brokenByClient.put(n, code == null ? 0 : (int) code);
    });
    socket.writeTextMessage(new JsonObject().put("type", "connected").put("connection_id", "ws_" + n).encode());
    onWebSocket.accept(n, socket);
  }

  private void request(HttpServerRequest request) {
    if (request.path().endsWith("/sse")) {
      int n = connections.incrementAndGet();
      request.connection().closeHandler(closed -> brokenByClient.putIfAbsent(n, -1));
      request.response().setChunked(true).putHeader("Content-Type", "text/event-stream");
      onSse.accept(n, request);
    } else if (request.path().endsWith("/poll")) {
      int n = polls.incrementAndGet();
      request.connection().closeHandler(closed -> brokenByClient.putIfAbsent(n, -1));
      onPoll.accept(n, request);
    } else if (request.path().equals("/connect/ack")) {
      if ("ack".equals(request.getParam("status"))) {
        acked(request.getParam("message_id"));
      }
      request.response().putHeader("Content-Type", "application/json").end("{\"status\":\"ok\"}");
    } else {
      request.response().setStatusCode(404).end();
    }
  }

  private void acked(String messageId) {
    acked.add(messageId);
    if (SMALL.equals(messageId)) {
      smallAcked.tryComplete();
    }
  }

  /** A webhook frame whose encoding is about {@code payloadBytes} long. */
  static JsonObject webhook(String messageId, int payloadBytes) {
    return new JsonObject().put("type", "webhook").put("message_id", messageId).put("webhook_id", "wh")
        .put("headers", new JsonObject().put("content-type", "application/json"))
        .put("payload", new JsonObject().put("blob", "x".repeat(payloadBytes)));
  }

  static String sseEvent(String type, JsonObject data) {
    return "event: " + type + "\ndata: " + data.encode() + "\n\n";
  }

  static String pollAnswer(int n, JsonObject... frames) {
    return new JsonObject().put("messages", new JsonArray(List.of((Object[]) frames)))
        .put("connection_id", "poll_" + n).encode();
  }

  /** Runs {@code then} once {@link #SMALL} is acked: the big message follows a delivered one. */
  private void afterSmallAcked(Runnable then) {
    smallAcked.future().onSuccess(done -> then.run());
  }

  // ---- the connector -----------------------------------------------------------------------

  private void deployConnector(String protocol) throws Exception {
    ConnectorConfig config = TestConnectors.maxMessageBytes(TestConnectors.http(receiver.actualPort(), "limited",
        "tok", protocol, TestConnectors.target("http://127.0.0.1:1/x")), LIMIT);
    vertx.deployVerticle(new ConnectorVerticle(config, v -> recording(), reason -> { })).await(10, TimeUnit.SECONDS);
  }

  private Deliverer recording() {
    return new Deliverer() {
      @Override
      public Future<Outcome> deliver(Delivery delivery) {
        delivered.add(delivery.messageId());
        return Future.succeededFuture(Outcome.ack());
      }

      @Override
      public Future<Void> close() {
        return Future.succeededFuture();
      }
    };
  }

  /** The small message before and the one after the break were delivered and acked, the big one never. */
  private void assertOnlyTheBigMessageWasRefused() throws InterruptedException {
    assertTrue(await(20_000, () -> acked.contains(AFTER)), "acked: " + acked);
    assertTrue(acked.contains(SMALL), "acked: " + acked);
    assertTrue(delivered.containsAll(List.of(SMALL, AFTER)), "delivered: " + delivered);
    assertFalse(delivered.contains(BIG), "the message over max_message_bytes was never delivered");
    assertFalse(acked.contains(BIG));
  }

  /** The connector logged the break naming the limit. */
  private static void assertLoggedTheLimit(LogCapture log) throws InterruptedException {
    assertTrue(await(5_000, () -> log.messages().stream()
        .anyMatch(line -> line.contains("disconnected") && line.contains("max_message_bytes (" + LIMIT + " bytes)"))),
        () -> String.join("\n", log.messages()));
  }

  // ---- the tests -------------------------------------------------------------------------------

  /** One frame over the limit: Netty refuses it, the connection drops. */
  @Test
  void aWebSocketFrameOverTheLimitBreaksTheLinkAndTheConnectorReconnects() throws Exception {
    onWebSocket = (n, socket) -> {
      if (n == 1) {
        socket.writeTextMessage(webhook(SMALL, LIMIT / 4).encode());
        afterSmallAcked(() -> socket.writeTextMessage(webhook(BIG, 2 * LIMIT).encode()));
      } else {
        socket.writeTextMessage(webhook(AFTER, LIMIT / 4).encode());
      }
    };
    try (LogCapture log = LogCapture.of(ConnectorVerticle.class)) {
      deployConnector("websocket");
      assertOnlyTheBigMessageWasRefused();
      assertLoggedTheLimit(log);
    }
    assertTrue(await(5_000, () -> brokenByClient.containsKey(1)), "the first socket ended");
    assertTrue(connections.get() >= 2, "reconnected");
  }

  /**
   * A message of frames each under the limit that add up to more: Vert.x only reports it, the
   * connector closes with 1009 Message Too Big, and the tail is not taken for a message.
   */
  @Test
  void aWebSocketMessageOfSmallFramesOverTheLimitIsClosedWith1009() throws Exception {
    onWebSocket = (n, socket) -> {
      if (n == 1) {
        socket.writeTextMessage(webhook(SMALL, LIMIT / 4).encode());
        afterSmallAcked(() -> writeInFragments(socket, webhook(BIG, 2 * LIMIT).encode(), LIMIT / 4));
      } else {
        socket.writeTextMessage(webhook(AFTER, LIMIT / 4).encode());
      }
    };
    try (LogCapture log = LogCapture.of(ConnectorVerticle.class)) {
      deployConnector("websocket");
      assertOnlyTheBigMessageWasRefused();
      assertLoggedTheLimit(log);
    }
    assertTrue(await(5_000, () -> brokenByClient.containsKey(1)), "the first socket ended");
    assertEquals(1009, brokenByClient.get(1), "closed by the connector: Message Too Big");
    assertEquals(List.of(SMALL, AFTER), delivered);
  }

  /** {@code text} as one message of frames of at most {@code frameBytes}. */
  static void writeInFragments(ServerWebSocket socket, String text, int frameBytes) {
    for (int at = 0; at < text.length(); at += frameBytes) {
      String part = text.substring(at, Math.min(text.length(), at + frameBytes));
      boolean last = at + frameBytes >= text.length();
      socket.writeFrame(at == 0 ? WebSocketFrame.textFrame(part, last) : WebSocketFrame.continuationFrame(
          Buffer.buffer(part), last));
    }
  }

  @Test
  void anSseLineOverTheLimitEndsTheStreamAndTheConnectorReconnects() throws Exception {
    onSse = (n, request) -> {
      HttpServerResponse stream = request.response();
      stream.write(sseEvent("connected", new JsonObject().put("connection_id", "sse_" + n)));
      if (n == 1) {
        stream.write(sseEvent("webhook", webhook(SMALL, LIMIT / 4)));
        afterSmallAcked(() -> stream.write(sseEvent("webhook", webhook(BIG, 2 * LIMIT))));
      } else {
        stream.write(sseEvent("webhook", webhook(AFTER, LIMIT / 4)));
      }
    };
    try (LogCapture log = LogCapture.of(ConnectorVerticle.class)) {
      deployConnector("sse");
      assertOnlyTheBigMessageWasRefused();
      assertLoggedTheLimit(log);
    }
    assertTrue(await(5_000, () -> brokenByClient.containsKey(1)), "the connector reset the first stream");
    assertTrue(connections.get() >= 2, "reconnected");
  }

  /** Many data lines, each under the limit, make one event over it: the same break. */
  @Test
  void anSseEventWhoseDataLinesTogetherExceedTheLimitEndsTheStream() throws Exception {
    onSse = (n, request) -> {
      HttpServerResponse stream = request.response();
      stream.write(sseEvent("connected", new JsonObject().put("connection_id", "sse_" + n)));
      if (n == 1) {
        stream.write(sseEvent("webhook", webhook(SMALL, LIMIT / 4)));
        String line = "data: " + "y".repeat(LIMIT / 8) + "\n";
        afterSmallAcked(() -> stream.write("event: webhook\n" + line.repeat(16) + "\n"));
      } else {
        stream.write(sseEvent("webhook", webhook(AFTER, LIMIT / 4)));
      }
    };
    try (LogCapture log = LogCapture.of(ConnectorVerticle.class)) {
      deployConnector("sse");
      assertTrue(await(20_000, () -> acked.contains(AFTER)), "acked: " + acked);
      assertLoggedTheLimit(log);
    }
    assertEquals(List.of(SMALL, AFTER), delivered);
    assertTrue(await(5_000, () -> brokenByClient.containsKey(1)), "the connector reset the first stream");
  }

  /**
   * Poll 2 answers too much with a Content-Length, poll 3 (after the reconnect) too much chunked
   * (no length: refused as it arrives); both fail the poll, and the connector polls again.
   */
  @Test
  void aLongPollAnswerOverTheLimitFailsThePollAndTheConnectorPollsAgain() throws Exception {
    onPoll = (n, request) -> {
      HttpServerResponse response = request.response().putHeader("Content-Type", "application/json");
      switch (n) {
        case 1 -> response.end(pollAnswer(n, webhook(SMALL, LIMIT / 4)));
        case 2 -> afterSmallAcked(() -> response.end(pollAnswer(n, webhook(BIG, 2 * LIMIT))));
        case 3 -> {
          response.setChunked(true);
          String answer = pollAnswer(n, webhook(BIG, 2 * LIMIT));
          for (int at = 0; at < answer.length(); at += 8192) {
            response.write(answer.substring(at, Math.min(answer.length(), at + 8192)));
          }
          response.end();
        }
        case 4 -> response.end(pollAnswer(n, webhook(AFTER, LIMIT / 4)));
        default -> vertx.setTimer(200, id -> response.setStatusCode(204).end());
      }
    };
    try (LogCapture log = LogCapture.of(ConnectorVerticle.class)) {
      deployConnector("long_poll");
      assertOnlyTheBigMessageWasRefused();
      assertLoggedTheLimit(log);
      List<String> lines = log.messages();
      assertTrue(lines.stream().anyMatch(line -> line.contains("Content-Length")), lines::toString);
      assertTrue(lines.stream().anyMatch(line -> line.contains("poll answer longer than max_message_bytes")
          && !line.contains("Content-Length")), lines::toString);
    }
    assertTrue(await(5_000, () -> brokenByClient.containsKey(2) && brokenByClient.containsKey(3)),
        "the connector reset both polls: " + brokenByClient);
  }
}
