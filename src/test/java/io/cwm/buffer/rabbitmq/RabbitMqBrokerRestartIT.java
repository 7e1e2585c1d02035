package io.cwm.buffer.rabbitmq;

import static io.cwm.testing.TestConnector.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.testing.Http;
import io.cwm.testing.RabbitNode;
import io.cwm.testing.TestConnector;
import io.cwm.testing.TestServer;
import io.vertx.core.Vertx;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 7 point 5: {@code rabbitmqctl stop_app; rabbitmqctl start_app} while webhooks flow. Ingest
 * answers 503 while the broker is away, the receiver reconnects by itself, and every message
 * answered 200 reaches the connector. Runs on a node of its own ({@link RabbitNode}): no test ever
 * stops the machine's shared broker.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RabbitMqBrokerRestartIT {
  private final String suffix = UUID.randomUUID().toString().substring(0, 8);
  private RabbitNode node;

  @BeforeAll
  void startNode() throws Exception {
    Assumptions.assumeTrue(RabbitNode.available(), "no RabbitMQ installation to run a node from");
    node = RabbitNode.start("restart");
  }

  @AfterAll
  void stopNode() throws Exception {
    if (node != null) {
      node.close();
    }
  }

  private void rabbitmqctl(String command) throws Exception {
    node.ctl(command);
  }

  @Test
  void ingestAnswers503WhileTheBrokerIsAwayAndNothingAnswered200IsLost() throws Exception {
    String channel = "restart-" + suffix;
    String webhook = "restart-" + suffix;
    String webhooks = "{\"" + webhook + "\": {\"module\": \"webhook_connect\", \"module-config\": {\"channel\": \""
        + channel + "\", \"channel_token\": \"tok\", \"max_in_flight\": 20}}}";
    Vertx vertx = Vertx.vertx();
    Set<String> accepted = ConcurrentHashMap.newKeySet();
    AtomicInteger refused = new AtomicInteger();
    AtomicInteger other = new AtomicInteger();
    AtomicBoolean posting = new AtomicBoolean(true);
    boolean stopped = false;
    try (TestServer server = TestServer.start(webhooks, "{}",
        Map.of("WEBHOOK_CONNECT_BUFFER", "rabbitmq", "WEBHOOK_CONNECT_RABBITMQ_URL", node.url()));
         TestConnector connector = new TestConnector(vertx).autoAck(true).echoHeartbeats(true)
             .connect(server.port(), channel, "tok")) {
      Thread poster = new Thread(() -> {
        int n = 0;
        while (posting.get()) {
          try {
            HttpResponse<String> response = Http.post(server.port(), "/webhook/" + webhook, "{\"n\":" + n++ + "}",
                "Content-Type", "application/json");
            if (response.statusCode() == 200) {
              accepted.add(response.headers().firstValue("x-webhook-message-id").orElseThrow());
            } else if (response.statusCode() == 503) {
              refused.incrementAndGet();
            } else {
              other.incrementAndGet();
            }
          } catch (Exception e) {
            other.incrementAndGet();
          }
        }
      }, "restart-poster");
      poster.start();
      try {
        assertTrue(await(10_000, () -> accepted.size() >= 50), "webhooks flow before the restart");
        stopped = true;
        rabbitmqctl("stop_app");
        int acceptedWhileStopping = accepted.size();
        assertTrue(await(10_000, () -> refused.get() >= 5), "ingest answers 503 while the broker is away");
        assertTrue(accepted.size() - acceptedWhileStopping <= 1, "no 200 once the broker is gone");
      } finally {
        if (stopped) {
          rabbitmqctl("start_app");
        }
      }
      int refusedWhileAway = refused.get();
      int acceptedBefore = accepted.size();
      assertTrue(await(60_000, () -> accepted.size() >= acceptedBefore + 50),
          "the receiver reconnects by itself and answers 200 again");
      posting.set(false);
      poster.join(10_000);
      assertEquals(0, other.get(), "only 200 or 503");
      assertTrue(refusedWhileAway > 0);
      Set<String> expected = new HashSet<>(accepted);
      assertTrue(await(60_000, () -> connector.unique().containsAll(expected)), () -> {
        Set<String> missing = new HashSet<>(expected);
        missing.removeAll(connector.unique());
        return missing.size() + " of " + expected.size() + " messages answered 200 never arrived";
      });
    } finally {
      posting.set(false);
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
