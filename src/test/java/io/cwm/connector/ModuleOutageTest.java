package io.cwm.connector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.testing.ConnectApi;
import io.cwm.testing.TestConnector;
import io.cwm.testing.TestConnectors;
import io.cwm.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxTestContext;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A local service that goes down in the middle of a run and comes back, on the connector path
 * (module mode, http_webhook): while it is down every delivery fails as retryable (the service
 * resets each connection, as a crashing process behind a port does), the connector nacks with
 * retry, the receiver redelivers with back-off, and once the service is back every message
 * arrives; nothing is dead-lettered or lost.
 */
class ModuleOutageTest {
  private Vertx vertx;
  private int targetPort;
  private final Set<Integer> received = ConcurrentHashMap.newKeySet();
  private final AtomicInteger refused = new AtomicInteger();
  /** One checkpoint per phase: flagged once per distinct message of that phase (redeliveries do not count). */
  private final VertxTestContext beforeOutage = new VertxTestContext();
  private final VertxTestContext afterOutage = new VertxTestContext();
  private final Checkpoint firstTwenty = beforeOutage.checkpoint(20);
  private final Checkpoint secondTwenty = afterOutage.checkpoint(20);

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    targetPort = TestServer.freePort();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private HttpServer up() throws Exception {
    return vertx.createHttpServer()
        .requestHandler(request -> request.body().onSuccess(body -> {
          int n = body.toJsonObject().getInteger("n");
          if (received.add(n)) {
            (n < 20 ? firstTwenty : secondTwenty).flag();
          }
          request.response().end();
        }))
        .listen(targetPort, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /**
   * The service while it is down: the port accepts and resets every connection. It runs on its
   * own Vert.x instance, closed as a whole when the service comes back, so the port is free again.
   */
  private NetServer down(Vertx outageVertx) throws Exception {
    return outageVertx.createNetServer()
        .connectHandler(socket -> {
          refused.incrementAndGet();
          socket.close();
        })
        .listen(targetPort, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void messagesSentWhileTheServiceIsDownArriveWhenItIsBack() throws Exception {
    Path dir = Files.createTempDirectory("cwm-outage");
    String webhooks = """
        {"relay": {"module": "webhook_connect", "module-config": {"channel": "outage", "channel_token": "tok"}}}""";
    Path local = dir.resolve("local-webhooks.json");
    Files.writeString(local, """
        {"relay": {"module": "http_webhook",
                   "module-config": {"url": "http://127.0.0.1:%d/in", "allowed_hosts": ["127.0.0.1"], "timeout": 5}}}
        """.formatted(targetPort));
    int port = TestServer.freePort();
    ConnectorConfig connector = TestConnectors.module(port, "outage", "tok", "websocket", local, null);
    try (TestServer server = TestServer.startIn(dir, port, "both", webhooks, "{}",
        Map.of("WEBHOOK_CONNECT_EMBEDDED_FSYNC", "false"), List.of(connector))) {
      ConnectApi api = new ConnectApi(server);
      HttpServer service = up();
      for (int n = 0; n < 20; n++) {
        api.post("relay", "{\"n\":" + n + "}");
      }
      assertTrue(beforeOutage.awaitCompletion(20, TimeUnit.SECONDS), () -> "before the outage: " + received);

      service.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      Vertx outageVertx = Vertx.vertx();
      down(outageVertx);
      for (int n = 20; n < 40; n++) {
        api.post("relay", "{\"n\":" + n + "}"); // accepted by the receiver: the buffer holds them
      }
      // every message of the outage is tried, and most of them a second time after the back-off
      assertTrue(TestConnector.await(30_000, () -> refused.get() >= 30), () -> "attempts: " + refused.get());
      assertEquals(20, received.size(), "nothing arrives while the service is down");

      outageVertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      up();
      assertTrue(afterOutage.awaitCompletion(60, TimeUnit.SECONDS), () -> "after the outage: " + received);
      JsonObject stats = api.awaitStats("outage", "tok", s -> s.getLong("messages_delivered") >= 40
          && s.getLong("messages_queued") == 0 && s.getLong("messages_in_flight") == 0);
      assertEquals(0, stats.getLong("messages_dead_lettered"), stats::encode);
    }
  }
}
