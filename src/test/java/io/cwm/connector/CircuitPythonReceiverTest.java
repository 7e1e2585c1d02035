package io.cwm.connector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.connector.http.HttpDeliverer;
import io.cwm.testing.TestConnector;
import io.cwm.testing.TestConnectors;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 16 against a receiver that speaks only the Python protocol (its {@code connected} frame
 * has no {@code features}): our connector with a real HTTP deliverer, its target answering 503. The
 * connector sends no {@code flow} frame and no nack while the circuit is open (Python would hot-loop
 * a nacked message on RabbitMQ and strand it on Redis); it holds the messages, probes with one of
 * them at the circuit's back-off, and acks everything once the target is back.
 */
class CircuitPythonReceiverTest {
  private Vertx vertx;
  private final List<JsonObject> fromConnector = new CopyOnWriteArrayList<>();
  private final Set<Integer> received = ConcurrentHashMap.newKeySet();
  private final AtomicInteger requests = new AtomicInteger();
  private volatile boolean failing = true;
  private int receiverPort;
  private int targetPort;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    HttpServer receiver = vertx.createHttpServer().webSocketHandler(socket -> {
      socket.textMessageHandler(text -> fromConnector.add(new JsonObject(text)));
      // Python's frames: connected without features, then the messages (its window holds them in flight)
      socket.writeTextMessage(new JsonObject().put("type", "connected").put("connection_id", "py_1")
          .put("channel", "py").encode());
      for (int n = 0; n < 6; n++) {
        socket.writeTextMessage(new JsonObject().put("type", "webhook").put("message_id", "msg_" + n)
            .put("webhook_id", "wh").put("headers", new JsonObject()).put("payload", new JsonObject().put("n", n))
            .encode());
      }
    });
    receiverPort = receiver.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS).actualPort();
    HttpServer target = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      requests.incrementAndGet();
      if (failing) {
        request.response().setStatusCode(503).end();
      } else {
        received.add(body.toJsonObject().getInteger("n"));
        request.response().end();
      }
    }));
    targetPort = target.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS).actualPort();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private long count(String type) {
    return fromConnector.stream().filter(frame -> type.equals(frame.getString("type"))).count();
  }

  @Test
  void messagesAreHeldNotNackedAndAProbeAtEachStepDeliversThemWhenTheTargetIsBack() throws Exception {
    // opens after 2 failures; probes after 0.3 s doubling to 1.2 s; 1 attempt per delivery
    Target target = new Target("http://127.0.0.1:" + targetPort + "/in", "POST", Map.of(), 2, false, 1, 0, 2,
        new CircuitSettings(2, 0.3, 1.2, 2));
    ConnectorConfig config = TestConnectors.http(receiverPort, "py", "tok", "websocket", target);
    vertx.deployVerticle(new ConnectorVerticle(config, v -> new HttpDeliverer(v, config), reason -> { }))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

    // all six tried at once (max_concurrent_requests 10), then only probes: 0.3 + 0.6 + 1.2 + 1.2 s
    long start = System.currentTimeMillis();
    assertTrue(TestConnector.await(10_000, () -> requests.get() >= 6 + 4), () -> "requests: " + requests.get());
    long elapsed = System.currentTimeMillis() - start;
    long probeBound = CircuitOutageCase.probeBound(new CircuitSettings(2, 0.3, 1.2, 2), elapsed);
    assertTrue(requests.get() <= 6 + probeBound, "requests " + requests.get() + " > 6 + " + probeBound);
    assertEquals(0, count("nack"), () -> "no nack while the circuit is open: " + fromConnector);
    assertEquals(0, count("flow"), () -> "no flow frame to a receiver that did not advertise it: " + fromConnector);
    assertEquals(0, count("ack"));

    failing = false;
    assertTrue(TestConnector.await(10_000, () -> count("ack") == 6), () -> "acks: " + fromConnector);
    assertEquals(Set.of(0, 1, 2, 3, 4, 5), received);
    assertEquals(0, count("nack"));
    assertEquals(0, count("flow"));
  }
}
