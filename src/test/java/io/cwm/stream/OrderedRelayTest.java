package io.cwm.stream;

import static io.cwm.testing.TestConnector.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.connector.ConnectorConfig;
import io.cwm.connector.ConnectorVerticle;
import io.cwm.connector.Deliverer;
import io.cwm.connector.Delivery;
import io.cwm.connector.Outcome;
import io.cwm.testing.TestConnectors;
import io.cwm.testing.TestServer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Issue 16, ordering per key, end to end: 100 keys × 100 messages (each key's messages published
 * one after the other) through a receiver with {@code "ordering": {"key": "/key"}} to our
 * connector, whose target nacks at random (the receiver redelivers after its delay) and which is
 * stopped mid-run and replaced by a new one. At the target, a key's message n is only ever
 * delivered once n - 1 was acked (a duplicate of the last acked one is at-least-once, allowed),
 * never while another message of its key is being delivered, and every message arrives.
 * One subclass per buffer, each over another transport.
 */
public abstract class OrderedRelayTest {
  static final int KEYS = 100;
  static final int PER_KEY = 100;
  static final double NACK_RATE = 0.05;

  protected final String channel = "ordered-" + UUID.randomUUID().toString().substring(0, 8);

  protected abstract Map<String, String> backendEnv();

  /** The connector's transport: websocket, sse or long_poll. */
  protected abstract String protocol();

  /** The target: what it saw of each key. */
  static final class Target {
    /** Per key: how many of its messages were acked so far (all of 0..next-1), and what is being delivered. */
    private final int[] next = new int[KEYS];
    private final int[] inProgress = new int[KEYS];
    final List<String> violations = new CopyOnWriteArrayList<>();
    final AtomicInteger deliveries = new AtomicInteger();
    final AtomicInteger acks = new AtomicInteger();
    final AtomicInteger nacks = new AtomicInteger();
    final AtomicInteger duplicates = new AtomicInteger();

    synchronized boolean start(int key, int n) {
      deliveries.incrementAndGet();
      if (inProgress[key] > 0) {
        violations.add("key " + key + ": message " + n + " delivered while another of its key was");
      }
      if (n > next[key]) {
        violations.add("key " + key + ": message " + n + " before " + next[key] + " was acked");
      } else if (n < next[key] - 1) {
        violations.add("key " + key + ": message " + n + " after " + (next[key] - 1) + " was acked");
      } else if (n == next[key] - 1) {
        duplicates.incrementAndGet();
      }
      inProgress[key]++;
      return true;
    }

    synchronized void end(int key, int n, boolean acked) {
      inProgress[key]--;
      if (acked) {
        acks.incrementAndGet();
        if (n == next[key]) {
          next[key]++;
        }
      } else {
        nacks.incrementAndGet();
      }
    }

    /** A killed connector's deliveries in progress end with it (nothing is acked). */
    synchronized void abandon(Set<Integer> keys) {
      keys.forEach(key -> inProgress[key]--);
    }

    synchronized int complete() {
      int done = 0;
      for (int key = 0; key < KEYS; key++) {
        done += next[key];
      }
      return done;
    }
  }

  /** One connector's view of the target: after {@link #kill} it neither answers nor sees anything. */
  static final class ConnectorTarget implements Deliverer {
    private final Vertx vertx;
    private final Target target;
    private final Map<Integer, Integer> running = new ConcurrentHashMap<>();
    private volatile boolean killed;

    ConnectorTarget(Vertx vertx, Target target) {
      this.vertx = vertx;
      this.target = target;
    }

    @Override
    public Future<Outcome> deliver(Delivery delivery) {
      if (killed) {
        return Promise.<Outcome>promise().future(); // never answered: the process is gone
      }
      JsonObject payload = (JsonObject) delivery.payload();
      int key = payload.getInteger("key");
      int n = payload.getInteger("n");
      target.start(key, n);
      running.merge(key, 1, Integer::sum);
      Promise<Outcome> done = Promise.promise();
      boolean nack = ThreadLocalRandom.current().nextDouble() < NACK_RATE;
      vertx.setTimer(1 + ThreadLocalRandom.current().nextInt(3), id -> {
        if (killed) {
          return;
        }
        running.computeIfPresent(key, (k, count) -> count <= 1 ? null : count - 1);
        target.end(key, n, !nack);
        done.complete(nack ? Outcome.retry("random nack", 0) : Outcome.ack());
      });
      return done.future();
    }

    void kill() {
      killed = true;
      Set<Integer> keys = new HashSet<>();
      running.forEach((key, count) -> {
        for (int i = 0; i < count; i++) {
          keys.add(key);
        }
      });
      target.abandon(keys);
    }

    @Override
    public Future<Void> close() {
      return Future.succeededFuture();
    }
  }

  @Test
  void eachKeyArrivesInPublishOrderDespiteRandomNacksAndAConnectorKill() throws Exception {
    String webhooks = new JsonObject().put("ordered", new JsonObject().put("module", "webhook_connect")
        .put("module-config", new JsonObject().put("channel", channel).put("channel_token", "tok")
            .put("max_in_flight", 100).put("max_queue_size", 20_000).put("ack_timeout_seconds", 5)
            .put("max_deliveries", 50).put("ordering", new JsonObject().put("key", "/key")))).encode();
    try (TestServer server = TestServer.start(webhooks, "{}", backendEnv())) {
      Target target = new Target();
      ConnectorConfig config = config(server.port());
      long started = System.nanoTime();
      Vertx firstVertx = Vertx.vertx();
      ConnectorTarget first = new ConnectorTarget(firstVertx, target);
      deploy(firstVertx, config, first);
      AtomicInteger refused = new AtomicInteger();
      CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> send(server.port(), refused));

      assertTrue(await(60_000, () -> target.complete() >= KEYS * PER_KEY / 3 || !target.violations.isEmpty()),
          "a third delivered");
      assertEquals(List.of(), firstOf(target.violations));
      first.kill(); // the connector dies with deliveries in progress: their acks never come
      firstVertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
      Vertx secondVertx = Vertx.vertx();
      try {
        deploy(secondVertx, config, new ConnectorTarget(secondVertx, target));
        sending.get(120, TimeUnit.SECONDS);
        assertEquals(0, refused.get(), "every webhook was accepted");
        assertTrue(await(90_000, () -> target.complete() == KEYS * PER_KEY || !target.violations.isEmpty()),
            () -> "delivered in order: " + target.complete() + " of " + KEYS * PER_KEY);
        assertEquals(List.of(), firstOf(target.violations));
        System.out.printf("ordered relay (%s): %d messages in %d ms, %d deliveries, %d random nacks, "
                + "%d duplicates after the kill%n", protocol(), KEYS * PER_KEY,
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), target.deliveries.get(), target.nacks.get(),
            target.duplicates.get());
      } finally {
        secondVertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
      }
    }
  }

  private static List<String> firstOf(List<String> violations) {
    return violations.subList(0, Math.min(10, violations.size()));
  }

  private ConnectorConfig config(int port) {
    ConnectorConfig base = TestConnectors.http(port, channel, "tok", protocol(),
        TestConnectors.target("http://127.0.0.1:1/unused"));
    return new ConnectorConfig(base.source(), base.cloudUrl(), base.channel(), base.token(), base.protocol(),
        base.reconnectDelay(), base.maxReconnectDelay(), base.reconnectBackoffMultiplier(), base.heartbeatTimeout(),
        base.connectionTimeout(), 100, base.ackTimeout(), base.connectorId(), base.defaultTarget(), base.targets(),
        base.webhooksConfig(), base.connectionsConfig(), base.verifySsl(), base.caCertPath(), base.clientCertPath(),
        base.clientKeyPath(), base.logLevel(), base.maxRefusedAttempts(), base.allowPrivateTargets(), 0,
        base.maxMessageBytes());
  }

  private static void deploy(Vertx vertx, ConnectorConfig config, Deliverer deliverer) throws Exception {
    vertx.deployVerticle(new ConnectorVerticle(config, v -> deliverer, reason -> { }))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Every key's messages one after the other (the next once the previous was answered), keys in parallel. */
  private static void send(int port, AtomicInteger refused) {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    List<CompletableFuture<Void>> keys = new ArrayList<>();
    for (int key = 0; key < KEYS; key++) {
      keys.add(sendFrom(client, port, key, 0, refused));
    }
    CompletableFuture.allOf(keys.toArray(CompletableFuture[]::new)).join();
  }

  private static CompletableFuture<Void> sendFrom(HttpClient client, int port, int key, int n, AtomicInteger refused) {
    if (n == PER_KEY) {
      return CompletableFuture.completedFuture(null);
    }
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/webhook/ordered"))
        .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"key\":" + key + ",\"n\":" + n + "}")).build();
    return client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).thenCompose(response -> {
      if (response.statusCode() != 200) {
        refused.incrementAndGet();
      }
      return sendFrom(client, port, key, n + 1, refused);
    });
  }
}
