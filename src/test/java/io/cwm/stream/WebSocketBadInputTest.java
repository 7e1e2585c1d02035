package io.cwm.stream;

import io.cwm.testing.Futures;
import static io.cwm.testing.Futures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.cwm.stream.edge.ConnectRoutes;
import io.cwm.testing.ConnectApi;
import io.cwm.testing.TestServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a misbehaving or hostile WebSocket client can do to {@code /connect/stream/{channel}}
 * (spec §3.2): refused handshakes leak nothing, stray acks and malformed frames are ignored,
 * oversized frames close only that socket, a non-reading client gets no more than its window,
 * and churn leaves no session behind.
 */
class WebSocketBadInputTest {
  static final int BIG_FRAME = 10 * 1024 * 1024;
  static TestServer server;
  static ConnectApi api;
  // Vert.x 5 closes an unreferenced client: keep both in fields (STACK.md pitfall 4)
  static Vertx client;
  static WebSocketClient sockets;
  static WebSocketClient bigFrameSockets;

  @BeforeAll
  static void start() throws Exception {
    StringBuilder webhooks = new StringBuilder("{");
    String[][] channels = {
        {"refused", ""}, {"stray", ""}, {"cross-x", ""}, {"cross-y", ""}, {"hint", ""}, {"malformed", ""},
        {"big", ""}, {"fragments", ""}, {"slow", ", \"max_in_flight\": 5"}, {"churn", ", \"heartbeat_interval_seconds\": 1"},
        {"single", ", \"max_connections\": 1"}};
    for (String[] channel : channels) {
      webhooks.append(webhooks.length() > 1 ? ",\n" : "").append('"').append(webhookId(channel[0]))
          .append("\": {\"module\": \"webhook_connect\", \"module-config\": {\"channel\": \"").append(channel[0])
          .append("\", \"channel_token\": \"").append(token(channel[0])).append('"').append(channel[1]).append("}}");
    }
    // fsync off: the slow-reader test publishes 200 messages
    server = TestServer.start(webhooks.append('}').toString(), "{}", Map.of("WEBHOOK_CONNECT_EMBEDDED_FSYNC", "false"));
    api = new ConnectApi(server);
    client = Vertx.vertx();
    sockets = client.createWebSocketClient();
    bigFrameSockets = client.createWebSocketClient(new WebSocketClientOptions()
        .setMaxFrameSize(16 * 1024 * 1024).setMaxMessageSize(16 * 1024 * 1024));
  }

  @AfterAll
  static void stop() throws Exception {
    client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    server.close();
  }

  static String webhookId(String channel) {
    return "ws_" + channel.replace('-', '_');
  }

  static String token(String channel) {
    return "tok-" + channel;
  }

  /** A test connector: the frames it received and how its socket closed. */
  record Connector(WebSocket socket, LinkedBlockingQueue<JsonObject> frames, CompletableFuture<Short> closed) {
    JsonObject next() throws InterruptedException {
      return frames.poll(10, TimeUnit.SECONDS);
    }

    /** The next frame of this type (heartbeats and others skipped). */
    JsonObject next(String type) throws InterruptedException {
      for (JsonObject frame = next(); frame != null; frame = next()) {
        if (type.equals(frame.getString("type"))) {
          return frame;
        }
      }
      return null;
    }

    void send(JsonObject frame) throws Exception {
      await(socket.writeTextMessage(frame.encode()));
    }

    void close() throws Exception {
      if (!socket.isClosed()) {
        await(socket.close());
      }
    }
  }


  static WebSocketConnectOptions options(String channel, String authorization) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(server.port())
        .setURI("/connect/stream/" + channel);
    return authorization == null ? options : options.addHeader("Authorization", authorization);
  }

  /** Connects; handlers are set before the first frame can be read. */
  static Future<Connector> open(WebSocketClient with, WebSocketConnectOptions options) {
    // handlers go on before the connection exists, so no early frame or close is missed
    ClientWebSocket socket = with.webSocket();
    LinkedBlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
    CompletableFuture<Short> closed = new CompletableFuture<>();
    socket.textMessageHandler(text -> frames.add(new JsonObject(text)));
    socket.closeHandler(done -> closed.complete(socket.closeStatusCode() == null ? (short) -1 : socket.closeStatusCode()));
    socket.exceptionHandler(failure -> { }); // the server may cut a socket mid-write
    return socket.connect(options).map(connected -> new Connector(connected, frames, closed));
  }

  /** Connects with the channel's token and waits for the {@code connected} frame. */
  static Connector connected(String channel) throws Exception {
    Connector connector = await(open(sockets, options(channel, "Bearer " + token(channel))));
    JsonObject first = connector.next();
    assertNotNull(first, "no connected frame");
    assertEquals("connected", first.getString("type"), first::encode);
    return connector;
  }

  static JsonObject ack(String messageId) {
    return new JsonObject().put("type", "ack").put("message_id", messageId);
  }

  static void assertRefused(WebSocketConnectOptions options, int status) throws Exception {
    Throwable refused = Futures.failure(open(sockets, options));
    assertTrue(refused instanceof UpgradeRejectedException, refused::toString);
    assertEquals(status, ((UpgradeRejectedException) refused).getStatus());
  }

  static int streamSessions(String channel) throws Exception {
    return await(new StreamClient(server.running().vertx()).sessions(channel));
  }

  static int sessions(String channel) {
    try {
      return streamSessions(channel);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static void awaitCount(String what, IntSupplier actual, int expected) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (actual.getAsInt() != expected) {
      assertTrue(System.nanoTime() < deadline, what + ": " + actual.getAsInt() + ", expected " + expected);
      TimeUnit.MILLISECONDS.sleep(20); // polling with a deadline
    }
  }

  @Test
  void wrongOrMissingTokenIs403AndTheQueuedMessageStaysQueued() throws Exception {
    api.post(webhookId("refused"), "{\"n\":1}");
    assertRefused(options("refused", "Bearer wrong"), 403);
    assertRefused(options("refused", null), 403);
    assertRefused(options("refused", "Bearer "), 403);
    assertRefused(options("refused", null).setURI("/connect/stream/refused?token=wrong"), 403);
    assertRefused(options("refused", "bearer " + token("refused")), 403); // lower-case prefix is not stripped
    JsonObject stats = api.stats("refused", token("refused"));
    assertEquals(1, stats.getLong("messages_queued"), stats::encode);
    assertEquals(0, stats.getLong("messages_in_flight"), stats::encode);
    assertEquals(0, stats.getInteger("connected_clients"), stats::encode);
  }

  @Test
  void unknownChannelIs403() throws Exception {
    assertRefused(options("no-such-channel", "Bearer " + token("refused")), 403);
  }

  @Test
  void ackForAMessageNotInFlightOnThisSessionIsIgnored() throws Exception {
    Connector connector = connected("stray");
    String first = api.post(webhookId("stray"), "{\"n\":1}");
    String second = api.post(webhookId("stray"), "{\"n\":2}");
    assertEquals(first, connector.next("webhook").getString("message_id"));
    assertEquals(second, connector.next("webhook").getString("message_id"));
    connector.send(ack("msg_0000000000000000"));
    connector.send(new JsonObject().put("type", "nack").put("message_id", "msg_0000000000000001").put("retry", false));
    connector.send(ack(second)); // frames are handled in order: once this one counts, the stray ones were seen
    JsonObject stats = api.awaitStats("stray", token("stray"), s -> s.getLong("messages_delivered") == 1);
    assertEquals(1, stats.getLong("messages_in_flight"), stats::encode);
    assertEquals(0, stats.getLong("messages_dead_lettered"), stats::encode);
    assertEquals(0, stats.getLong("messages_queued"), stats::encode);
    connector.close();
  }

  @Test
  void ackFromASessionOfAnotherChannelIsIgnored() throws Exception {
    Connector onX = connected("cross-x");
    Connector onY = connected("cross-y");
    String messageOfX = api.post(webhookId("cross-x"), "{\"n\":1}");
    String messageOfY = api.post(webhookId("cross-y"), "{\"n\":2}");
    assertEquals(messageOfX, onX.next("webhook").getString("message_id"));
    assertEquals(messageOfY, onY.next("webhook").getString("message_id"));
    onY.send(ack(messageOfX));
    onY.send(ack(messageOfY));
    api.awaitStats("cross-y", token("cross-y"), s -> s.getLong("messages_delivered") == 1);
    JsonObject statsOfX = api.stats("cross-x", token("cross-x"));
    assertEquals(1, statsOfX.getLong("messages_in_flight"), statsOfX::encode);
    assertEquals(0, statsOfX.getLong("messages_delivered"), statsOfX::encode);
    onX.send(ack(messageOfX));
    api.awaitStats("cross-x", token("cross-x"), s -> s.getLong("messages_delivered") == 1);
    onX.close();
    onY.close();
  }

  @Test
  void httpAckNamingThisSessionWithAnotherChannelsTokenLeavesTheSessionIntact() throws Exception {
    Connector connector = await(open(sockets, options("hint", "Bearer " + token("hint"))));
    String connectionId = connector.next().getString("connection_id");
    String messageId = api.post(webhookId("hint"), "{\"n\":1}");
    assertEquals(messageId, connector.next("webhook").getString("message_id"));
    HttpResponse<String> foreign = api.ack(messageId, "ack", connectionId, token("cross-y"));
    assertEquals(404, foreign.statusCode(), foreign::body);
    // the session still owns the message: its own ack frame settles it
    connector.send(ack(messageId));
    JsonObject stats = api.awaitStats("hint", token("hint"), s -> s.getLong("messages_delivered") == 1);
    assertEquals(0, stats.getLong("messages_in_flight"), stats::encode);
    connector.close();
  }

  @Test
  void malformedAndBinaryFramesAreIgnoredAndTheSessionKeepsWorking() throws Exception {
    Connector connector = connected("malformed");
    String first = api.post(webhookId("malformed"), "{\"n\":1}");
    String second = api.post(webhookId("malformed"), "{\"n\":2}");
    assertEquals(first, connector.next("webhook").getString("message_id"));
    assertEquals(second, connector.next("webhook").getString("message_id"));
    for (String bad : List.of("not json", "[1,2]", "\"ack\"", "{\"type\":5}", "{\"type\":\"nack\",\"retry\":false}",
        "{\"type\":\"ack\"}", "{\"type\":\"ack\",\"message_id\":5}", "{\"type\":\"ack\",\"message_id\":\"\"}",
        "{\"type\":\"subscribe\",\"message_id\":\"" + first + "\"}", "{", "")) {
      await(connector.socket().writeTextMessage(bad));
    }
    // a binary frame is ignored even when it carries a valid ack
    await(connector.socket().writeBinaryMessage(Buffer.buffer(ack(first).encode())));
    connector.send(ack(second));
    JsonObject stats = api.awaitStats("malformed", token("malformed"), s -> s.getLong("messages_delivered") == 1);
    assertEquals(1, stats.getLong("messages_in_flight"), stats::encode);
    assertEquals(0, stats.getLong("messages_dead_lettered"), stats::encode);
    assertEquals(1, stats.getInteger("connected_clients"), stats::encode);
    connector.send(ack(first));
    api.awaitStats("malformed", token("malformed"), s -> s.getLong("messages_delivered") == 2);
    connector.close();
  }

  @Test
  void tenMegabyteFrameClosesOnlyThatSocket() throws Exception {
    Connector bystander = connected("big");
    Connector offender = await(open(bigFrameSockets, options("big", "Bearer " + token("big"))));
    assertEquals("connected", offender.next().getString("type"));
    offender.socket().writeTextMessage("{\"type\":\"ack\",\"message_id\":\"" + "x".repeat(BIG_FRAME) + "\"}");
    short code = offender.closed().get(10, TimeUnit.SECONDS);
    // Netty refuses the frame (1009); the client, still writing, usually sees the connection reset
    assertTrue(code == 1009 || code == 1006 || code == -1, "close code " + code);
    api.awaitStats("big", token("big"), s -> s.getInteger("connected_clients") == 1);
    // the other session and ingest are unaffected
    String messageId = api.post(webhookId("big"), "{\"n\":1}");
    assertEquals(messageId, bystander.next("webhook").getString("message_id"));
    bystander.send(ack(messageId));
    api.awaitStats("big", token("big"), s -> s.getLong("messages_delivered") == 1);
    bystander.close();
  }

  @Test
  void fragmentedTenMegabyteMessageIsDroppedAndTheSessionKeepsWorking() throws Exception {
    Connector connector = connected("fragments"); // the default client sends it as 64 KiB frames
    String first = api.post(webhookId("fragments"), "{\"n\":1}");
    String second = api.post(webhookId("fragments"), "{\"n\":2}");
    assertEquals(first, connector.next("webhook").getString("message_id"));
    assertEquals(second, connector.next("webhook").getString("message_id"));
    // over the 1 MiB message limit: dropped while it streams in (never buffered whole), not acted on
    await(connector.socket().writeTextMessage(ack(first).put("pad", "x".repeat(BIG_FRAME)).encode()));
    connector.send(ack(second));
    JsonObject stats = api.awaitStats("fragments", token("fragments"), s -> s.getLong("messages_delivered") == 1);
    assertEquals(1, stats.getLong("messages_in_flight"), stats::encode);
    assertEquals(1, stats.getInteger("connected_clients"), stats::encode);
    connector.send(ack(first));
    api.awaitStats("fragments", token("fragments"), s -> s.getLong("messages_delivered") == 2);
    connector.close();
  }

  @Test
  void aClientThatNeverReadsGetsNoMoreThanItsWindow() throws Exception {
    Connector slow = connected("slow");
    slow.socket().pause();
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    List<CompletableFuture<HttpResponse<String>>> posts = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      posts.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/webhook/"
              + webhookId("slow"))).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"n\":" + i + ",\"pad\":\"" + "p".repeat(2000) + "\"}")).build(),
          HttpResponse.BodyHandlers.ofString()));
    }
    for (CompletableFuture<HttpResponse<String>> post : posts) {
      assertEquals(200, post.get(30, TimeUnit.SECONDS).statusCode());
    }
    JsonObject stats = api.awaitStats("slow", token("slow"),
        s -> s.getLong("messages_queued") + s.getLong("messages_in_flight") == 200 && s.getLong("messages_in_flight") == 5);
    assertEquals(195, stats.getLong("messages_queued"), stats::encode);
    // once it reads, exactly the window is there, and nothing more comes without acks
    slow.socket().resume();
    List<String> received = new ArrayList<>();
    for (JsonObject frame = slow.frames().poll(2, TimeUnit.SECONDS); frame != null;
        frame = slow.frames().poll(500, TimeUnit.MILLISECONDS)) {
      if ("webhook".equals(frame.getString("type"))) {
        received.add(frame.getString("message_id"));
      }
    }
    assertEquals(5, received.size(), received::toString);
    for (String messageId : received) {
      slow.send(ack(messageId));
    }
    for (int i = 0; i < 5; i++) {
      assertNotNull(slow.next("webhook"), "the window refills after acks");
    }
    stats = api.awaitStats("slow", token("slow"), s -> s.getLong("messages_delivered") == 5);
    assertEquals(5, stats.getLong("messages_in_flight"), stats::encode);
    slow.close();
  }

  @Test
  void aThousandConnectDisconnectCyclesLeaveNothingBehind() throws Exception {
    // connectors of earlier tests may still be closing: the baseline is taken once they are gone
    // (an edge stream releases its live count before it closes its session)
    awaitCount("sessions left by earlier tests", () -> sessions(null), 0);
    int streamsBefore = ConnectRoutes.liveStreams();
    // a heartbeat timer left running for a closed socket fails on its next tick (every second here)
    LinkedBlockingQueue<Throwable> unhandled = new LinkedBlockingQueue<>();
    server.running().vertx().exceptionHandler(unhandled::add);
    long started = System.nanoTime();
    for (int i = 0; i < 1000; i++) {
      Connector connector = await(open(sockets, options("churn", "Bearer " + token("churn"))));
      if (i % 2 == 0) { // every other one leaves before its session may even be open
        assertEquals("connected", connector.next().getString("type"));
      }
      connector.close();
    }
    long tookSeconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
    assertTrue(tookSeconds < 40, "1000 cycles took " + tookSeconds + " s");
    awaitCount("edge streams holding a consumer or timer", ConnectRoutes::liveStreams, streamsBefore);
    awaitCount("StreamVerticle sessions of the channel", () -> sessions("churn"), 0);
    Throwable failure = unhandled.poll(1500, TimeUnit.MILLISECONDS);
    server.running().vertx().exceptionHandler(null);
    assertNull(failure, () -> "unhandled on the server after the churn: " + failure);
    // no ghost session takes a message: it waits in the queue for the next real connector
    String messageId = api.post(webhookId("churn"), "{\"n\":1}");
    JsonObject stats = api.stats("churn", token("churn"));
    assertEquals(0, stats.getInteger("connected_clients"), stats::encode);
    assertEquals(0, stats.getLong("messages_in_flight"), stats::encode);
    assertEquals(1, stats.getLong("messages_queued"), stats::encode);
    Connector last = connected("churn");
    assertEquals(messageId, last.next("webhook").getString("message_id"));
    last.close();
  }

  @Test
  void maxConnectionsRefusesTheSecondWith4003UntilTheFirstLeaves() throws Exception {
    Connector first = connected("single");
    Connector second = await(open(sockets, options("single", "Bearer " + token("single"))));
    assertEquals((short) 4003, second.closed().get(10, TimeUnit.SECONDS));
    assertEquals("Max connections reached", second.socket().closeReason());
    assertNull(second.frames().poll(), "a refused connection gets no frame");
    assertEquals(1, api.stats("single", token("single")).getInteger("connected_clients"));
    first.close();
    // each refused try costs a round trip and a close; on a loaded 2-core box that adds up
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      Connector next = await(open(sockets, options("single", "Bearer " + token("single"))));
      JsonObject frame = next.next();
      if (frame != null && "connected".equals(frame.getString("type"))) {
        next.close();
        break;
      }
      assertNotEquals(null, next.closed().get(10, TimeUnit.SECONDS));
      assertTrue(System.nanoTime() < deadline, "the slot was never freed");
    }
  }
}
