package io.cwm.app;

import static io.cwm.testing.TestConnector.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.cwm.testing.Http;
import io.cwm.testing.RedisCleanup;
import io.cwm.testing.TestConnector;
import io.cwm.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 12 points 2.2 and 2.3, end to end: kill -9 of a receiver jar that holds leased messages.
 * On the restarted receiver they are ready again within seconds (embedded: everything is ready
 * again after a restart; Redis: the dead process's liveness key expires, ~10 s; RabbitMQ: the
 * broker requeued the unacked deliveries when the connection dropped), not after the 120 s ack
 * timeout; they are delivered, and the channel's messages_delivered is exactly the number of
 * messages once every one was acked.
 */
class ReceiverKillIT {
  private static final int MESSAGES = 100;
  private static final String RABBITMQ_URL = System.getenv().getOrDefault("CWM_TEST_RABBITMQ_URL",
      "amqp://guest:guest@127.0.0.1:5672/");

  private static final HttpClient STATUS_CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir
  Path dir;

  private final String suffix = UUID.randomUUID().toString().substring(0, 8);

  private Process start(String backend, int port) throws IOException {
    ProcessBuilder builder = new ProcessBuilder("java", "-jar", JarIT.JAR.toAbsolutePath().toString(), "receiver",
        "--webhooks", dir.resolve("webhooks.json").toString(), "--data-dir", dir.resolve("data").toString(),
        "--host", "127.0.0.1", "--port", String.valueOf(port))
        .directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("out.log").toFile()));
    Map<String, String> env = builder.environment();
    env.put("WEBHOOK_CONNECT_BUFFER", backend);
    env.put("WEBHOOK_CONNECT_REDIS_URL", RedisCleanup.REDIS_URL);
    env.put("WEBHOOK_CONNECT_RABBITMQ_URL", RABBITMQ_URL);
    return builder.start();
  }

  /** Up when /health answers 200; a request unanswered for 2 s is asked again (see {@link #stats}). */
  private static void awaitUp(int port) throws Exception {
    assertTrue(await(30_000, () -> {
      try {
        return STATUS_CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
            .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
      } catch (Exception notYet) {
        return false;
      }
    }), "receiver did not come up");
  }

  /**
   * The channel's stats; empty when the receiver does not answer within 2 s (a freshly started
   * receiver sometimes leaves a request unanswered after an NPE in Vert.x's HTTP server metrics,
   * "socketMetric is null": the poll asks again instead of waiting for the 30 s client timeout).
   */
  private static JsonObject stats(int port, String channel) {
    try {
      HttpResponse<String> response = STATUS_CLIENT.send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + port + "/connect/status/" + channel))
          .header("Authorization", "Bearer tok").timeout(Duration.ofSeconds(2)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? new JsonObject(response.body()).getJsonObject("stats") : new JsonObject();
    } catch (Exception e) {
      return new JsonObject();
    }
  }

  private static long delivered(int port, String channel) {
    return stats(port, channel).getLong("messages_delivered", -1L);
  }

  /** True when {@code value} keeps {@code expected} for {@code millis} (polled). */
  private static boolean staysAt(long millis, long expected, LongSupplier value) throws InterruptedException {
    return !await(millis, () -> value.getAsLong() != expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"embedded", "redis", "rabbitmq"})
  void leasesOfAKilledReceiverAreDeliveredByTheNextOneWithinSecondsAndCountedOnce(String backend) throws Exception {
    String channel = "rkill-" + backend + "-" + suffix;
    Files.writeString(dir.resolve("webhooks.json"), "{\"relay\": {\"module\": \"webhook_connect\", "
        + "\"module-config\": {\"channel\": \"" + channel + "\", \"channel_token\": \"tok\", \"max_in_flight\": "
        + MESSAGES + "}}}");
    int port = TestServer.freePort();
    Vertx vertx = Vertx.vertx();
    Process first = start(backend, port);
    Process second = null;
    try {
      awaitUp(port);
      Set<String> accepted = new HashSet<>();
      for (int i = 0; i < MESSAGES; i++) {
        HttpResponse<String> response = Http.post(port, "/webhook/relay", "{\"n\":" + i + "}");
        assertEquals(200, response.statusCode(), response::body);
        accepted.add(response.headers().firstValue("x-webhook-message-id").orElseThrow());
      }
      TestConnector before = new TestConnector(vertx).echoHeartbeats(true).connect(port, channel, "tok");
      assertTrue(await(20_000, () -> before.unique().size() == MESSAGES), "all leased to the first connector");
      List<String> leased = new ArrayList<>(before.received());
      List<String> acked = leased.subList(0, MESSAGES / 2);
      acked.forEach(before::ack);
      assertTrue(await(10_000, () -> delivered(port, channel) == acked.size()), "acks counted");
      // the kill comes well after the acks: what the backends promise about the moments before a kill is
      // the documented bound, not this test's subject
      assertTrue(staysAt(1500, acked.size(), () -> delivered(port, channel)), "no more acks");
      first.destroyForcibly(); // SIGKILL with half the messages leased and unacked (ack timeout 120 s)
      first.waitFor(10, TimeUnit.SECONDS);
      long killed = System.nanoTime();
      before.close();

      second = start(backend, port);
      awaitUp(port);
      int unacked = MESSAGES - acked.size();
      // ready again on the restarted receiver: its buffer gives them back (the connector is not the subject here)
      assertTrue(await(30_000, () -> {
        JsonObject now = stats(port, channel);
        return now.getLong("messages_queued", -1L) == unacked && now.getLong("messages_in_flight", -1L) == 0;
      }), () -> "not ready again: " + stats(port, channel).encode());
      long backMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
      System.out.printf("ReceiverKillIT %s: the %d leased messages of the killed receiver ready again %d ms after the "
          + "kill (restart of the receiver included)%n", backend, unacked, backMillis);
      assertTrue(backMillis <= 20_000, "ready again after " + backMillis + " ms");
      TestConnector after = new TestConnector(vertx).autoAck(true).echoHeartbeats(true).connect(port, channel, "tok");
      Set<String> everything = new HashSet<>(accepted);
      everything.removeAll(acked);
      assertTrue(await(60_000, () -> after.unique().containsAll(everything)), "all delivered again");
      assertTrue(await(10_000, () -> delivered(port, channel) == MESSAGES),
          () -> "messages_delivered " + delivered(port, channel) + ", expected " + MESSAGES);
      JsonObject stats = stats(port, channel);
      assertEquals(0, stats.getLong("messages_queued"), stats::encode);
      assertEquals(0, stats.getLong("messages_in_flight"), stats::encode);
      assertTrue(staysAt(1000, MESSAGES, () -> delivered(port, channel)), "counted once");
      after.close();
    } catch (AssertionError failed) {
      List<String> log = Files.readAllLines(dir.resolve("out.log")).stream()
          .filter(line -> !line.startsWith("\tat ") && !line.startsWith("\t...")).toList();
      throw new AssertionError(failed.getMessage() + "\n--- receivers' log (last 80 lines, no stack frames) ---\n"
          + String.join("\n", log.subList(Math.max(0, log.size() - 80), log.size())), failed);
    } finally {
      first.destroyForcibly();
      if (second != null) {
        second.destroy();
        second.waitFor(10, TimeUnit.SECONDS);
      }
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      cleanUp(backend, channel);
    }
  }

  /** Leaves nothing in the machine's shared Redis or RabbitMQ. */
  private void cleanUp(String backend, String channel) throws Exception {
    if (backend.equals("redis")) {
      RedisCleanup.deleteKeysContaining(suffix);
    } else if (backend.equals("rabbitmq")) {
      ConnectionFactory factory = new ConnectionFactory();
      factory.setUri(RABBITMQ_URL.endsWith("/") ? RABBITMQ_URL.substring(0, RABBITMQ_URL.length() - 1) : RABBITMQ_URL);
      try (Connection connection = factory.newConnection("cwm-test-cleanup"); Channel amqp = connection.createChannel()) {
        for (String queue : List.of("webhook_connect." + channel + ".relay", "webhook_connect." + channel + ".relay.dlq",
            "webhook_connect.j.state." + channel, "webhook_connect.j.counts." + channel)) {
          amqp.queueDelete(queue);
        }
      }
    }
  }
}
