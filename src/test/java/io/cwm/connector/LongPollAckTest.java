package io.cwm.connector;

import static io.cwm.testing.TestConnector.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.connector.http.HttpDeliverer;
import io.cwm.testing.TestConnectors;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The long-poll connector when acks do not go through (issue 12, item 3.2), against a receiver
 * stub that speaks the poll protocol's wire format (spec §3.5, §3.4) and a real local HTTP
 * target, with the real HTTP deliverer.
 */
class LongPollAckTest {
  static final String MESSAGE_ID = "msg_e235e5dd357a4f89";

  Vertx vertx;
  HttpServer receiver;
  HttpServer target;
  /** Arrival times (nanoTime) of the polls and of the ack requests at the stub. */
  final List<Long> polls = new CopyOnWriteArrayList<>();
  final List<Long> acks = new CopyOnWriteArrayList<>();
  final AtomicInteger deliveries = new AtomicInteger();
  volatile BiConsumer<Integer, HttpServerRequest> onPoll;
  volatile BiConsumer<Integer, HttpServerRequest> onAck;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    receiver = vertx.createHttpServer().requestHandler(request -> {
      if (request.path().endsWith("/poll")) {
        polls.add(System.nanoTime());
        onPoll.accept(polls.size(), request);
      } else if (request.path().equals("/connect/ack")) {
        acks.add(System.nanoTime());
        onAck.accept(acks.size(), request);
      } else {
        request.response().setStatusCode(404).end();
      }
    });
    receiver.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    target = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      deliveries.incrementAndGet();
      request.response().end("ok");
    }));
    target.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** A 200 poll answer holding the one message, as a Python receiver sends it. */
  static void answerWithTheMessage(int poll, HttpServerRequest request) {
    JsonObject frame = new JsonObject().put("type", "webhook").put("message_id", MESSAGE_ID).put("sequence", 6)
        .put("webhook_id", "relay_a").put("timestamp", "2026-11-28T22:46:04.393872+00:00")
        .put("headers", new JsonObject().put("content-type", "application/json"))
        .put("payload", new JsonObject().put("n", 200));
    request.response().putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("messages", new JsonArray().add(frame)).put("connection_id", "poll_lp_" + poll)
            .put("channel", "test-channel").put("timestamp", "2026-11-28T22:46:04.908345+00:00").encode());
  }

  void deployConnector() throws Exception {
    // reconnect back-off 0.2 s doubling to 2 s
    ConnectorConfig config = TestConnectors.http(receiver.actualPort(), "test-channel", "tok", "long_poll",
        TestConnectors.target("http://127.0.0.1:" + target.actualPort() + "/hook"));
    vertx.deployVerticle(new ConnectorVerticle(config, v -> new HttpDeliverer(v, config), reason -> { }))
        .await(10, TimeUnit.SECONDS);
  }

  static long millis(long fromNanos, long toNanos) {
    return TimeUnit.NANOSECONDS.toMillis(toNanos - fromNanos);
  }

  /**
   * Python's long-poll requeues what it hands out and answers 404 to every ack: the message comes
   * back on every poll. It reaches the local target once; later copies are acked again, not
   * delivered; polls are spaced by the back-off (0.2 s doubling, capped at 2 s) instead of a hot
   * loop (141 deliveries in 3.4 s before).
   */
  @Test
  void aReceiverThatRefusesAcksGetsNoRedeliveryToTheTargetAndSpacedPolls() throws Exception {
    onPoll = LongPollAckTest::answerWithTheMessage;
    onAck = (n, request) -> request.response().setStatusCode(404).putHeader("Content-Type", "application/json")
        .end("{\"detail\":\"Connection not found\"}");
    deployConnector();

    assertTrue(await(30_000, () -> polls.size() >= 7), "polls: " + polls.size());
    long first = polls.get(0);
    long within3s = polls.stream().filter(at -> millis(first, at) < 3000).count();
    assertEquals(1, deliveries.get(), "delivered to the target once");
    assertTrue(within3s <= 6, within3s + " polls in the first 3 s");
    // from the third poll on each wait is the back-off: ~0.2, 0.4, 0.8, 1.6, then 2 s (+ up to 30 %)
    long[] minimum = {150, 300, 600, 1200, 1500};
    for (int i = 0; i < minimum.length; i++) {
      long gap = millis(polls.get(i + 1), polls.get(i + 2));
      assertTrue(gap >= minimum[i], "gap before poll " + (i + 3) + ": " + gap + " ms, expected >= " + minimum[i]);
    }
    long capped = millis(polls.get(5), polls.get(6));
    assertTrue(capped <= 2600 + 1000, "capped at max_reconnect_delay (2 s + jitter): " + capped + " ms");
    assertTrue(acks.size() >= 3, "each copy handed back is acked again: " + acks.size() + " acks");
    assertEquals(1, deliveries.get(), "still delivered to the target once");
  }

  /** An ack answered 503 is sent again after 0.5 s, then 1 s; once it succeeds polling goes on at once. */
  @Test
  void anAckAnswered5xxIsRetriedWithBackOffAndPollingIsNotSlowedAfterItSucceeds() throws Exception {
    onPoll = (n, request) -> {
      if (n == 1) {
        answerWithTheMessage(n, request);
      } else {
        vertx.setTimer(200, id -> request.response().setStatusCode(204).end()); // nothing more arrived
      }
    };
    onAck = (n, request) -> {
      if (n <= 2) {
        request.response().setStatusCode(503).end("{\"detail\":\"busy\"}");
      } else {
        request.response().putHeader("Content-Type", "application/json")
            .end(new JsonObject().put("status", "ok").put("message_id", MESSAGE_ID).encode());
      }
    };
    deployConnector();

    assertTrue(await(15_000, () -> acks.size() >= 3), "ack attempts: " + acks.size());
    assertTrue(millis(acks.get(0), acks.get(1)) >= 400, "first retry after ~0.5 s");
    assertTrue(millis(acks.get(1), acks.get(2)) >= 800, "second retry after ~1 s");
    int pollsAtSuccess = polls.size();
    assertTrue(await(5_000, () -> polls.size() >= pollsAtSuccess + 4), "polling goes on at its pace (every ~0.2 s)");
    assertEquals(3, acks.size(), "acked once it went through");
    assertEquals(1, deliveries.get());
  }
}
