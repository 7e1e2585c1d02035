package io.cwm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.testing.ConnectApi;
import io.cwm.testing.RedisCleanup;
import io.cwm.testing.TestConnector;
import io.cwm.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The issue's test of idempotency: two receivers clustered in this JVM (Hazelcast over loopback,
 * {@code --cluster}) on one shared buffer; 1,000 GitHub deliveries, each sent twice at the same
 * moment, once to each receiver. Every pair is answered 200 with one message id, and the connector
 * gets exactly 1,000 deliveries. Redis (the record in the publish script) and RabbitMQ (the claims
 * in the cluster's shared map); the embedded buffer keeps one store per receiver, so two receivers
 * do not share messages at all and are not a cluster of it.
 */
class DedupClusterTest {
  private static final int EVENTS = 1000;
  private static final String RABBITMQ_URL = System.getenv().getOrDefault("CWM_TEST_RABBITMQ_URL",
      "amqp://guest:guest@" + System.getenv().getOrDefault("CWM_TEST_RABBITMQ_HOST", "127.0.0.1") + ":"
          + System.getenv().getOrDefault("CWM_TEST_RABBITMQ_PORT", "5672") + "/");

  @ParameterizedTest
  @ValueSource(strings = {"redis", "rabbitmq"})
  void eachEventSentTwiceToTwoReceiversIsDeliveredOnce(String backend) throws Exception {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    String channel = "dedup-cluster-" + suffix;
    String webhooks = "{\"gh\": {\"module\": \"webhook_connect\", \"dedup\": \"github\", \"module-config\": "
        + "{\"channel\": \"" + channel + "\", \"channel_token\": \"tok\", \"max_queue_size\": 5000}}}";
    int clusterA = TestServer.freePort();
    int clusterB = TestServer.freePort();
    String members = "127.0.0.1:" + clusterA + ",127.0.0.1:" + clusterB;
    Map<String, String> env = new HashMap<>(backend.equals("redis")
        ? Map.of("WEBHOOK_CONNECT_BUFFER", "redis", "WEBHOOK_CONNECT_REDIS_URL", RedisCleanup.REDIS_URL)
        : Map.of("WEBHOOK_CONNECT_BUFFER", "rabbitmq", "WEBHOOK_CONNECT_RABBITMQ_URL", RABBITMQ_URL));
    env.put("CWM_CLUSTER_HOST", "127.0.0.1");
    env.put("CWM_CLUSTER_MEMBERS", members);
    env.put("CWM_CLUSTER_NAME", "cwm-dedup-" + suffix);
    Map<String, String> envA = new HashMap<>(env);
    envA.put("CWM_CLUSTER_PORT", String.valueOf(clusterA));
    Map<String, String> envB = new HashMap<>(env);
    envB.put("CWM_CLUSTER_PORT", String.valueOf(clusterB));
    Vertx vertx = Vertx.vertx();
    try (TestServer a = TestServer.startClustered(Files.createTempDirectory("cwm-dedup-a"), webhooks, envA);
         TestServer b = TestServer.startClustered(Files.createTempDirectory("cwm-dedup-b"), webhooks, envB);
         TestConnector connector = new TestConnector(vertx).autoAck(true).connect(a.port(), channel, "tok")) {
      long start = System.nanoTime();
      List<String[]> answers = sendEachTwice(a.port(), b.port());
      Set<String> ids = new HashSet<>();
      for (int i = 0; i < EVENTS; i++) {
        assertEquals(answers.get(i)[0], answers.get(i)[1], "both arrivals of event " + i + " name one message");
        ids.add(answers.get(i)[0]);
      }
      assertEquals(EVENTS, ids.size());
      assertTrue(TestConnector.await(30_000, () -> connector.unique().size() == EVENTS),
          () -> "delivered " + connector.unique().size() + " of " + EVENTS);
      JsonObject stats = new ConnectApi(b).awaitStats(channel, "tok",
          s -> s.getLong("messages_delivered", 0L) >= EVENTS && s.getLong("messages_in_flight", 0L) == 0);
      assertEquals(0, stats.getLong("messages_queued"), stats::encode);
      assertEquals(EVENTS, connector.received().size(), "no event was delivered twice");
      assertEquals(ids, connector.unique());
      System.out.printf("dedup cluster %s: %d events x 2 in %d ms, %d request(s) retried after a 503%n", backend,
          EVENTS, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), RETRIED.getAndSet(0));
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      if (backend.equals("redis")) {
        RedisCleanup.deleteKeysContaining(channel);
      } else {
        deleteRabbitQueuesContaining(channel);
      }
    }
  }

  /** The channel's queues (main, DLQ, Java state, counters, dedup journal) on the machine's broker. */
  private static void deleteRabbitQueuesContaining(String part) throws Exception {
    Process list = new ProcessBuilder("rabbitmqctl", "-q", "list_queues", "name").redirectErrorStream(true).start();
    String output = new String(list.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    list.waitFor();
    for (String line : output.split("\n")) {
      String queue = line.trim();
      if (queue.startsWith("webhook_connect.") && queue.contains(part)) {
        new ProcessBuilder("rabbitmqctl", "-q", "delete_queue", queue).redirectErrorStream(true).start().waitFor();
      }
    }
  }

  /** Per event, the message ids answered by receiver A and receiver B (both sent at once; 64 events in flight). */
  private static List<String[]> sendEachTwice(int portA, int portB) throws Exception {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    Semaphore inFlight = new Semaphore(64);
    List<CompletableFuture<String[]>> pairs = new ArrayList<>();
    for (int i = 0; i < EVENTS; i++) {
      String delivery = UUID.randomUUID().toString();
      String body = new JsonObject().put("event", i).put("delivery", delivery).encode();
      inFlight.acquire();
      CompletableFuture<String> toA = post(client, portA, delivery, body);
      CompletableFuture<String> toB = post(client, portB, delivery, body);
      pairs.add(toA.thenCombine(toB, (idA, idB) -> new String[] {idA, idB})
          .whenComplete((pair, failure) -> inFlight.release()));
    }
    List<String[]> answers = new ArrayList<>();
    for (CompletableFuture<String[]> pair : pairs) {
      answers.add(pair.get(30, TimeUnit.SECONDS));
    }
    return answers;
  }

  /**
   * Posts one delivery; a 503 (the buffer or the first arrival did not settle in time, as on a
   * busy machine) is retried like a provider would, up to 5 times; anything else fails the test.
   */
  private static CompletableFuture<String> post(HttpClient client, int port, String delivery, String body) {
    return post(client, port, delivery, body, 1);
  }

  private static CompletableFuture<String> post(HttpClient client, int port, String delivery, String body,
      int attempt) {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/webhook/gh"))
        .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json")
        .header("X-GitHub-Delivery", delivery).header("X-GitHub-Event", "push")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    return client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenCompose(response -> {
      if (response.statusCode() == 503 && attempt < 5) {
        RETRIED.incrementAndGet();
        return CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS))
            .thenCompose(waited -> post(client, port, delivery, body, attempt + 1));
      }
      if (response.statusCode() != 200) {
        throw new AssertionError("answered " + response.statusCode() + ": " + response.body());
      }
      return CompletableFuture.completedFuture(response.headers().firstValue("x-webhook-message-id").orElseThrow());
    });
  }

  private static final java.util.concurrent.atomic.AtomicInteger RETRIED = new java.util.concurrent.atomic.AtomicInteger();
}
