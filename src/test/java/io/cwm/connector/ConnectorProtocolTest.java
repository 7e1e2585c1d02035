package io.cwm.connector;

import static io.cwm.testing.TestConnector.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.testing.TestConnectors;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The connector's WebSocket client against a scripted receiver (a real WebSocket server that
 * sends exactly the frames a test needs): bad frames, big frames, heartbeats, silence, refusals,
 * and the drain on stop. Deliveries go to a recording deliverer: what is tested here is the
 * protocol side.
 */
class ConnectorProtocolTest {
  Vertx vertx;
  HttpServer server;
  int port;
  /** Per accepted socket: what the test does with it. */
  volatile Consumer<ServerWebSocket> script = socket -> { };
  volatile int refuseWith;
  final AtomicInteger handshakes = new AtomicInteger();
  final LinkedBlockingQueue<JsonObject> fromConnector = new LinkedBlockingQueue<>();
  final List<Delivery> delivered = new CopyOnWriteArrayList<>();
  final AtomicReference<Short> closeCode = new AtomicReference<>();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    server = vertx.createHttpServer(new io.vertx.core.http.HttpServerOptions()
            .setMaxWebSocketFrameSize(32 * 1024 * 1024).setMaxWebSocketMessageSize(32 * 1024 * 1024))
        .webSocketHandshakeHandler(handshake -> {
          handshakes.incrementAndGet();
          if (refuseWith != 0) {
            handshake.reject(refuseWith);
          } else {
            handshake.accept();
          }
        })
        .webSocketHandler(socket -> {
          socket.textMessageHandler(text -> fromConnector.add(new JsonObject(text)));
          socket.closeHandler(closed -> closeCode.set(socket.closeStatusCode()));
          script.accept(socket);
        });
    port = server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)
        .actualPort();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  Deliverer recording(long delayMillis) {
    return new Deliverer() {
      @Override
      public Future<Outcome> deliver(Delivery delivery) {
        Promise<Outcome> done = Promise.promise();
        vertx.setTimer(Math.max(1, delayMillis), id -> {
          delivered.add(delivery);
          done.complete(Outcome.ack());
        });
        return done.future();
      }

      @Override
      public Future<Void> close() {
        return Future.succeededFuture();
      }
    };
  }

  String deploy(ConnectorConfig config, Deliverer deliverer, Consumer<String> giveUp) throws Exception {
    return vertx.deployVerticle(new ConnectorVerticle(config, v -> deliverer, giveUp))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  ConnectorConfig config() {
    return TestConnectors.http(port, "scripted", "tok", "websocket", TestConnectors.target("http://127.0.0.1:1/x"));
  }

  static JsonObject webhook(String messageId, Object payload) {
    return new JsonObject().put("type", "webhook").put("message_id", messageId).put("webhook_id", "wh")
        .put("headers", new JsonObject().put("content-type", "application/json")).put("payload", payload);
  }

  /** Frames read while looking for another type: kept, in order, for a later next(). */
  final List<JsonObject> stash = new java.util.ArrayList<>();

  /** The next frame of this type from the connector (10 s deadline), or null; others are kept. */
  JsonObject next(String type) throws InterruptedException {
    for (JsonObject kept : stash) {
      if (type.equals(kept.getString("type"))) {
        stash.remove(kept);
        return kept;
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      JsonObject frame = fromConnector.poll(100, TimeUnit.MILLISECONDS);
      if (frame == null) {
        continue;
      }
      if (type.equals(frame.getString("type"))) {
        return frame;
      }
      stash.add(frame);
    }
    return null;
  }

  @Test
  void badFramesAreIgnoredAndTheStreamGoesOn() throws Exception {
    script = socket -> {
      socket.writeTextMessage(new JsonObject().put("type", "connected").put("connection_id", "c1").encode());
      socket.writeTextMessage("{not json");
      socket.writeTextMessage("[1,2,3]");
      socket.writeBinaryMessage(Buffer.buffer(new byte[] {1, 2, 3}));
      socket.writeTextMessage(new JsonObject().put("type", "surprise").encode());
      socket.writeTextMessage(new JsonObject().put("type", "webhook").put("payload", 1).encode()); // no message_id
      socket.writeTextMessage(webhook("", 1).encode());
      socket.writeTextMessage(webhook("msg_good", new JsonObject().put("ok", true)).encode());
    };
    deploy(config(), recording(0), reason -> { });
    JsonObject ack = next("ack");
    assertNotNull(ack, "the good message is acked");
    assertEquals("msg_good", ack.getString("message_id"));
    assertEquals(1, delivered.size(), "only the message with an id was delivered");
    assertEquals(1, handshakes.get(), "bad frames did not break the connection");
  }

  @Test
  void aTenMegabytePayloadArrivesWhole() throws Exception {
    String big = "x".repeat(10 * 1024 * 1024);
    script = socket -> socket.writeTextMessage(webhook("msg_big", new JsonObject().put("blob", big)).encode());
    deploy(config(), recording(0), reason -> { });
    assertNotNull(next("ack"));
    assertEquals(big.length(), ((JsonObject) delivered.get(0).payload()).getString("blob").length());
  }

  @Test
  void aWebhookBeforeConnectedIsDeliveredAndHeartbeatsAreEchoed() throws Exception {
    script = socket -> {
      socket.writeTextMessage(webhook("msg_early", 1).encode());
      socket.writeTextMessage(new JsonObject().put("type", "connected").put("connection_id", "c1").encode());
      socket.writeTextMessage(new JsonObject().put("type", "heartbeat").put("timestamp", "t").encode());
    };
    deploy(config(), recording(0), reason -> { });
    assertNotNull(next("heartbeat"), "the heartbeat is answered");
    assertEquals("msg_early", next("ack").getString("message_id"));
  }

  @Test
  void aSilentReceiverIsLeftAfterTheHeartbeatTimeoutAndReconnected() throws Exception {
    ConnectorConfig base = config();
    ConnectorConfig quick = new ConnectorConfig(base.source(), base.cloudUrl(), base.channel(), base.token(),
        base.protocol(), 0.1, 0.5, 2, 1.0, 5, 10, 30, base.connectorId(), base.defaultTarget(), base.targets(),
        null, null, true, null, null, null, "INFO", 3, true, 5, base.maxMessageBytes());
    deploy(quick, recording(0), reason -> { });
    assertTrue(await(10_000, () -> handshakes.get() >= 2), "reconnected after the silence");
    assertTrue(await(5_000, () -> closeCode.get() != null));
  }

  @Test
  void persistentRefusalGivesUpAfterTheConfiguredTries() throws Exception {
    refuseWith = 403;
    LinkedBlockingQueue<String> gaveUp = new LinkedBlockingQueue<>();
    deploy(TestConnectors.reconnecting(config(), 0.2, 2, 3), recording(0), gaveUp::add);
    String reason = gaveUp.poll(20, TimeUnit.SECONDS);
    assertNotNull(reason, "gave up");
    assertTrue(reason.contains("403") && reason.contains("scripted"), reason);
    assertEquals(3, handshakes.get(), "max_refused_attempts tries, then nothing more");
  }

  @Test
  void transientRefusalThenAcceptDoesNotGiveUp() throws Exception {
    refuseWith = 403;
    LinkedBlockingQueue<String> gaveUp = new LinkedBlockingQueue<>();
    script = socket -> socket.writeTextMessage(webhook("msg_after", 1).encode());
    deploy(config(), recording(0), gaveUp::add);
    assertTrue(await(10_000, () -> handshakes.get() >= 2));
    refuseWith = 0; // a receiver whose channel appears (Python registers channels lazily)
    assertNotNull(next("ack"));
    assertEquals(0, gaveUp.size());
  }

  @Test
  void stopLetsRunningDeliveriesFinishNacksQueuedOnesAndClosesWith1001() throws Exception {
    ConnectorConfig base = config();
    ConnectorConfig single = new ConnectorConfig(base.source(), base.cloudUrl(), base.channel(), base.token(),
        base.protocol(), 0.2, 2, 2, 60, 5, 1, 30, base.connectorId(), base.defaultTarget(), base.targets(),
        null, null, true, null, null, null, "INFO", 3, true, 5, base.maxMessageBytes());
    script = socket -> {
      socket.writeTextMessage(webhook("msg_running", 1).encode());
      socket.writeTextMessage(webhook("msg_queued", 2).encode());
      // its echo proves both webhooks were read: one running, one queued behind max_concurrent_requests 1
      socket.writeTextMessage(new JsonObject().put("type", "heartbeat").encode());
    };
    String id = deploy(single, recording(1500), reason -> { });
    assertNotNull(next("heartbeat"));
    vertx.undeploy(id).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    JsonObject nack = next("nack");
    assertNotNull(nack);
    assertEquals("msg_queued", nack.getString("message_id"));
    assertTrue(nack.getBoolean("retry"));
    JsonObject ack = next("ack");
    assertNotNull(ack, "the running delivery finished within the grace and was acked");
    assertEquals("msg_running", ack.getString("message_id"));
    assertTrue(await(5_000, () -> closeCode.get() != null));
    assertEquals((short) 1001, closeCode.get());
    assertFalse(delivered.stream().anyMatch(d -> d.messageId().equals("msg_queued")));
  }
}
