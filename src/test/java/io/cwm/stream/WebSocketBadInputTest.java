package io.cwm.stream;

import static io.cwm.testing.TestConnector.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.connect.ConnectRoutes;
import io.cwm.testing.Http;
import io.cwm.testing.TestConnector;
import io.cwm.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Hostile and broken connectors against the WebSocket endpoint (issue 3, bad input). */
class WebSocketBadInputTest {
  static TestServer server;
  static Vertx vertx;
  static WebSocketClient raw;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start("""
        {
          "a": {"module": "webhook_connect", "module-config": {"channel": "ch-a", "channel_token": "tok-a"}},
          "b": {"module": "webhook_connect", "module-config": {"channel": "ch-b", "channel_token": "tok-b"}},
          "slowpoke": {"module": "webhook_connect", "module-config": {"channel": "ch-slow", "channel_token": "tok-slow",
                       "max_in_flight": 5, "max_queue_size": 1000}},
          "one": {"module": "webhook_connect", "module-config": {"channel": "ch-one", "channel_token": "tok-one",
                  "max_connections": 1}},
          "cycle": {"module": "webhook_connect", "module-config": {"channel": "ch-cycle", "channel_token": "tok-cycle"}}
        }
        """);
    vertx = Vertx.vertx();
    raw = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(16 << 20).setMaxMessageSize(16 << 20));
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    server.close();
  }

  static String post(String id, int n) throws Exception {
    HttpResponse<String> response = Http.post(server.port(), "/webhook/" + id, "{\"n\":" + n + "}");
    assertEquals(200, response.statusCode(), response::body);
    return response.headers().firstValue("x-webhook-message-id").orElseThrow();
  }

  static JsonObject stats(String channel, String token) throws Exception {
    return new JsonObject(Http.get(server.port(), "/connect/status/" + channel, "Authorization", "Bearer " + token)
        .body()).getJsonObject("stats");
  }

  static int refusedStatus(String uri, String authorization) throws Exception {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(server.port()).setURI(uri);
    if (authorization != null) {
      options.addHeader("Authorization", authorization);
    }
    try {
      raw.connect(options).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).close();
      return 101;
    } catch (ExecutionException refused) {
      return ((UpgradeRejectedException) refused.getCause()).getStatus();
    }
  }

  @Test
  void wrongOrMissingTokenIsRefusedAndNothingLeaks() throws Exception {
    post("a", 1);
    assertEquals(403, refusedStatus("/connect/stream/ch-a", "Bearer wrong"));
    assertEquals(403, refusedStatus("/connect/stream/ch-a", null));
    assertEquals(403, refusedStatus("/connect/stream/ch-a", "Bearer tok-b"), "another channel's token");
    assertEquals(403, refusedStatus("/connect/stream/no-such-channel", "Bearer tok-a"));
    JsonObject stats = stats("ch-a", "tok-a");
    assertEquals(0, stats.getLong("messages_in_flight"), "nothing was handed out");
    assertTrue(stats.getLong("messages_queued") >= 1);
  }

  @Test
  void ackForAMessageNotInFlightOnThisSessionIsIgnored() throws Exception {
    TestConnector holder = new TestConnector(vertx).connect(server.port(), "ch-b", "tok-b");
    assertNotNull(holder.next("connected", 5000));
    String id = post("b", 1);
    assertEquals(id, holder.next("webhook", 5000).getString("message_id"));
    TestConnector other = new TestConnector(vertx).connect(server.port(), "ch-b", "tok-b");
    assertNotNull(other.next("connected", 5000));
    other.ack(id); // same channel, different session
    TestConnector stranger = new TestConnector(vertx).connect(server.port(), "ch-a", "tok-a");
    assertNotNull(stranger.next("connected", 5000));
    stranger.ack(id); // another channel's session
    assertFalse(await(1000, () -> inFlight("ch-b", "tok-b") != 1), "still in flight at its own session");
    holder.ack(id);
    assertTrue(await(5000, () -> {
      try {
        return stats("ch-b", "tok-b").getLong("messages_delivered") == 1;
      } catch (Exception e) {
        return false;
      }
    }));
    holder.close();
    other.close();
    stranger.close();
  }

  @Test
  void malformedAndBinaryFramesAreIgnoredAndTheSessionKeepsWorking() throws Exception {
    TestConnector connector = new TestConnector(vertx).connect(server.port(), "ch-a", "tok-a");
    assertNotNull(connector.next("connected", 5000));
    connector.send("not json");
    connector.send("[1,2]");
    connector.send("{\"type\":5}");
    connector.send("{\"type\":\"nack\"}");
    connector.send("{\"type\":\"ack\",\"message_id\":12}");
    connector.send("{\"type\":\"mystery\",\"message_id\":\"x\"}");
    WebSocket socket = raw.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(server.port())
        .setURI("/connect/stream/ch-a").addHeader("Authorization", "Bearer tok-a"))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    socket.writeBinaryMessage(Buffer.buffer(new byte[] {1, 2, 3}));
    socket.close();
    connector.autoAck(true);
    String id = post("a", 7);
    assertTrue(await(5000, () -> connector.received().contains(id)), "still delivering");
    assertTrue(await(5000, () -> {
      try {
        return stats("ch-a", "tok-a").getLong("messages_in_flight") == 0;
      } catch (Exception e) {
        return false;
      }
    }), "and still reading acks");
    connector.close();
  }

  @Test
  void aTenMegabyteFrameClosesThatSocketOnly() throws Exception {
    TestConnector victim = new TestConnector(vertx).connect(server.port(), "ch-a", "tok-a");
    assertNotNull(victim.next("connected", 5000));
    victim.send("{\"type\":\"heartbeat\",\"pad\":\"" + "x".repeat(10 * 1024 * 1024) + "\"}");
    assertTrue(await(10_000, victim::isClosed), "the oversized frame closes the socket");
    TestConnector healthy = new TestConnector(vertx).autoAck(true).connect(server.port(), "ch-a", "tok-a");
    assertNotNull(healthy.next("connected", 5000));
    String id = post("a", 8);
    assertTrue(await(5000, () -> healthy.received().contains(id)), "the server keeps serving");
    healthy.close();
  }

  @Test
  void aClientThatNeverReadsGetsAtMostItsWindow() throws Exception {
    WebSocket silent = raw.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(server.port())
        .setURI("/connect/stream/ch-slow").addHeader("Authorization", "Bearer tok-slow"))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    silent.pause(); // never reads
    for (int i = 0; i < 200; i++) {
      post("slowpoke", i);
    }
    assertTrue(await(5000, () -> {
      try {
        return stats("ch-slow", "tok-slow").getLong("messages_in_flight") == 5;
      } catch (Exception e) {
        return false;
      }
    }));
    assertFalse(await(1000, () -> inFlight("ch-slow", "tok-slow") > 5), "never more than the window");
    JsonObject stats = stats("ch-slow", "tok-slow");
    assertEquals(5, stats.getLong("messages_in_flight"), "bounded by max_in_flight, not buffered");
    assertEquals(195, stats.getLong("messages_queued"), "the rest waits in the buffer");
    silent.close();
  }

  @Test
  void maxConnectionsClosesTheExtraOneWith4003AndFreesTheSlot() throws Exception {
    TestConnector first = new TestConnector(vertx).connect(server.port(), "ch-one", "tok-one");
    assertNotNull(first.next("connected", 5000));
    TestConnector second = new TestConnector(vertx).connect(server.port(), "ch-one", "tok-one");
    assertTrue(await(5000, () -> second.closeCode() != null), "closed by the server");
    assertEquals((short) 4003, second.closeCode());
    assertNull(second.next("connected", 200));
    first.close();
    assertTrue(await(5000, () -> {
      try {
        TestConnector third = new TestConnector(vertx).connect(server.port(), "ch-one", "tok-one");
        boolean in = third.next("connected", 2000) != null && !third.isClosed();
        third.close();
        return in;
      } catch (Exception e) {
        return false;
      }
    }), "the slot is free again");
  }

  @Test
  void thousandConnectDisconnectCyclesLeaveNoSessionBehind() throws Exception {
    int edgeBefore = ConnectRoutes.openSessions();
    int streamBefore = clients();
    for (int i = 0; i < 1000; i++) {
      WebSocket socket = raw.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(server.port())
          .setURI("/connect/stream/ch-cycle").addHeader("Authorization", "Bearer tok-cycle"))
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      socket.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    assertTrue(await(10_000, () -> ConnectRoutes.openSessions() == edgeBefore && clients() == streamBefore),
        () -> "edge sessions " + edgeBefore + " -> " + ConnectRoutes.openSessions() + ", stream sessions "
            + streamBefore + " -> " + clients());
    System.out.printf("1000 cycles: edge sessions %d -> %d, stream sessions %d -> %d%n", edgeBefore,
        ConnectRoutes.openSessions(), streamBefore, clients());
    String id = post("cycle", 1);
    TestConnector after = new TestConnector(vertx).autoAck(true).connect(server.port(), "ch-cycle", "tok-cycle");
    assertTrue(await(5000, () -> after.received().contains(id)), "the channel still works");
    after.close();
  }

  static long inFlight(String channel, String token) {
    try {
      return stats(channel, token).getLong("messages_in_flight");
    } catch (Exception e) {
      return -1;
    }
  }

  static int clients() {
    try {
      return stats("ch-cycle", "tok-cycle").getInteger("connected_clients");
    } catch (Exception e) {
      return -1;
    }
  }
}
