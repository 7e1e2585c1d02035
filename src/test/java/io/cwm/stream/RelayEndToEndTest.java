package io.cwm.stream;

import static io.cwm.testing.TestConnector.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.testing.TestConnector;
import io.cwm.testing.TestServer;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * 10,000 webhooks through one receiver to a WebSocket connector that acks each one, with a
 * forced disconnect half-way: every accepted message arrives, none is lost, and duplicates only
 * appear after the disconnect (at most one window of them).
 */
class RelayEndToEndTest {
  static final int MESSAGES = 10_000;
  static final int MAX_IN_FLIGHT = 100;

  @Test
  void tenThousandWebhooksAllDeliveredDuplicatesOnlyAfterAForcedDisconnect() throws Exception {
    try (TestServer server = TestServer.start("{\"relay\": {\"module\": \"webhook_connect\", \"module-config\": "
        + "{\"channel\": \"e2e\", \"channel_token\": \"tok\", \"max_in_flight\": " + MAX_IN_FLIGHT
        + ", \"max_queue_size\": 20000}}}")) {
      Vertx vertx = Vertx.vertx();
      try {
        TestConnector first = new TestConnector(vertx).autoAck(true).connect(server.port(), "e2e", "tok");
        Set<String> accepted = ConcurrentHashMap.newKeySet();
        AtomicInteger refused = new AtomicInteger();
        CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> send(server.port(), accepted, refused));

        assertTrue(await(60_000, () -> first.unique().size() >= MESSAGES / 2), "half delivered");
        assertEquals(0, first.duplicates(), "no duplicate before the disconnect");
        first.close(); // forced disconnect with messages in flight
        TestConnector second = new TestConnector(vertx).autoAck(true).connect(server.port(), "e2e", "tok");

        sending.get(120, TimeUnit.SECONDS);
        assertEquals(0, refused.get(), "every webhook was accepted");
        assertEquals(MESSAGES, accepted.size());
        Set<String> delivered = ConcurrentHashMap.newKeySet();
        assertTrue(await(60_000, () -> {
          delivered.addAll(first.unique());
          delivered.addAll(second.unique());
          return delivered.containsAll(accepted);
        }), () -> "lost: " + (MESSAGES - delivered.size()));
        Set<String> overlap = new HashSet<>(first.unique());
        overlap.retainAll(second.unique());
        int duplicates = overlap.size() + first.duplicates() + second.duplicates();
        System.out.printf("e2e: %d accepted, %d delivered, %d duplicated after the forced disconnect%n",
            accepted.size(), delivered.size(), duplicates);
        assertTrue(duplicates <= MAX_IN_FLIGHT, "at most one window is redelivered: " + duplicates);
        second.close();
      } finally {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    }
  }

  private static void send(int port, Set<String> accepted, AtomicInteger refused) {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    Semaphore window = new Semaphore(32);
    CompletableFuture<?>[] all = new CompletableFuture<?>[MESSAGES];
    for (int i = 0; i < MESSAGES; i++) {
      window.acquireUninterruptibly();
      HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/webhook/relay"))
          .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"n\":" + i + ",\"event\":\"e2e\"}")).build();
      all[i] = client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, failure) -> {
        window.release();
        if (failure == null && response.statusCode() == 200) {
          accepted.add(response.headers().firstValue("x-webhook-message-id").orElseThrow());
        } else {
          refused.incrementAndGet();
        }
      });
    }
    CompletableFuture.allOf(all).join();
  }
}
