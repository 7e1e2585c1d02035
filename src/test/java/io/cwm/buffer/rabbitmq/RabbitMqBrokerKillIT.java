package io.cwm.buffer.rabbitmq;

import static io.cwm.testing.TestConnector.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.testing.Http;
import io.cwm.testing.RabbitNode;
import io.cwm.testing.TestConnector;
import io.cwm.testing.TestServer;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 12 point 2.1: kill -9 of the broker, ten times, while webhooks flow. Every link of the
 * RabbitMQ buffer (publish, deliveries, admin) must come back by itself: from the moment the
 * restarted broker accepts connections again to the first 200 of ingest takes at most 5 s each
 * time, and every webhook answered 200 reaches the connector. Runs on a node of its own
 * ({@link RabbitNode}), never on the machine's shared broker.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RabbitMqBrokerKillIT {
  private static final int KILLS = 10;
  private static final long RECOVERY_BOUND_MILLIS = 5_000;
  private static final int POSTERS = 2;

  private RabbitNode node;

  @BeforeAll
  void startNode() throws Exception {
    Assumptions.assumeTrue(RabbitNode.available(), "no RabbitMQ installation to run a node from");
    node = RabbitNode.start("kill");
  }

  @AfterAll
  void stopNode() throws Exception {
    if (node != null) {
      node.close();
    }
  }

  /** One answer of ingest: status, message id of a 200, when it arrived (nanoTime). */
  private record Answer(int status, String messageId, long atNanos) {}

  @Test
  void everyLinkReconnectsWithinFiveSecondsOfTheBrokerComingBackAndNothingAnswered200IsLost() throws Exception {
    String channel = "kill";
    String webhook = "kill";
    String webhooks = "{\"" + webhook + "\": {\"module\": \"webhook_connect\", \"module-config\": {\"channel\": \""
        + channel + "\", \"channel_token\": \"tok\", \"max_in_flight\": 50}}}";
    Vertx vertx = Vertx.vertx();
    ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
    Set<String> accepted = ConcurrentHashMap.newKeySet();
    ConcurrentLinkedQueue<String> other = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<String> transport = new ConcurrentLinkedQueue<>();
    AtomicBoolean posting = new AtomicBoolean(true);
    List<Long> recoveries = new ArrayList<>();
    long began = System.nanoTime();
    try (TestServer server = TestServer.start(webhooks, "{}",
        Map.of("WEBHOOK_CONNECT_BUFFER", "rabbitmq", "WEBHOOK_CONNECT_RABBITMQ_URL", node.url()));
         TestConnector connector = new TestConnector(vertx).autoAck(true).echoHeartbeats(true)
             .connect(server.port(), channel, "tok")) {
      List<Thread> posters = new ArrayList<>();
      for (int p = 0; p < POSTERS; p++) {
        int poster = p;
        Thread thread = new Thread(() -> {
          int n = 0;
          while (posting.get()) {
            try {
              HttpResponse<String> response = Http.post(server.port(), "/webhook/" + webhook,
                  "{\"poster\":" + poster + ",\"n\":" + n++ + "}", "Content-Type", "application/json");
              String id = response.headers().firstValue("x-webhook-message-id").orElse(null);
              if (response.statusCode() == 200) {
                accepted.add(id);
              } else if (response.statusCode() != 503) {
                other.add(response.statusCode() + " " + response.body());
              }
              answers.add(new Answer(response.statusCode(), id, System.nanoTime()));
            } catch (IOException e) {
              transport.add(e.toString()); // the JDK client's, on a reused keep-alive connection: counted apart
            } catch (Exception e) {
              other.add(e.toString());
            }
          }
        }, "kill-poster-" + p);
        thread.start();
        posters.add(thread);
      }
      try {
        for (int kill = 1; kill <= KILLS; kill++) {
          int before = accepted.size();
          assertTrue(await(30_000, () -> accepted.size() >= before + 20), "webhooks flow before kill " + kill);
          node.kill();
          long killedAt = System.nanoTime();
          assertTrue(await(10_000, () -> answers.stream().anyMatch(a -> a.status() == 503 && a.atNanos() > killedAt)),
              "ingest answers 503 while the broker is dead (kill " + kill + ")");
          node.start();
          long acceptsAt = node.acceptedSinceNanos();
          assertTrue(await(30_000, () -> answers.stream().anyMatch(a -> a.status() == 200 && a.atNanos() > acceptsAt)),
              "ingest answers 200 again after kill " + kill);
          long firstOk = answers.stream().filter(a -> a.status() == 200 && a.atNanos() > acceptsAt)
              .mapToLong(Answer::atNanos).min().orElseThrow();
          long recovery = TimeUnit.NANOSECONDS.toMillis(firstOk - acceptsAt);
          recoveries.add(recovery);
          System.out.printf("RabbitMqBrokerKillIT kill %d: first 200 %d ms after the broker accepted connections%n",
              kill, recovery);
        }
      } finally {
        posting.set(false);
        for (Thread thread : posters) {
          thread.join(40_000);
        }
      }
      List<Long> sorted = new ArrayList<>(recoveries);
      sorted.sort(Long::compare);
      System.out.printf("RabbitMqBrokerKillIT recovery after %d kills (ms): min %d, median %d, max %d, all %s; "
              + "%d webhooks answered 200, %d transport errors of the HTTP client %s, loop %d s%n", KILLS, sorted.get(0), sorted.get(sorted.size() / 2),
          sorted.get(sorted.size() - 1), recoveries, accepted.size(), transport.size(), transport,
          TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - began));
      assertTrue(other.isEmpty(), () -> "ingest answers only 200 or 503, not " + other);
      assertTrue(transport.size() <= 3, () -> "transport errors: " + transport);
      for (int i = 0; i < recoveries.size(); i++) {
        int kill = i + 1;
        long recovery = recoveries.get(i);
        assertTrue(recovery <= RECOVERY_BOUND_MILLIS,
            () -> "kill " + kill + ": first 200 only " + recovery + " ms after the broker was back; all: " + recoveries);
      }
      Set<String> expected = new HashSet<>(accepted);
      assertTrue(await(90_000, () -> connector.unique().containsAll(expected)), () -> {
        Set<String> missing = new HashSet<>(expected);
        missing.removeAll(connector.unique());
        return missing.size() + " of " + expected.size() + " messages answered 200 never reached the connector";
      });
    } finally {
      posting.set(false);
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
