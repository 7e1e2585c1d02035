package io.cwm.app;

import static io.cwm.testing.TestConnector.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.testing.Http;
import io.cwm.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two processes (receiver jar, connector jar) and a real HTTP target: 10,000 webhooks, the
 * connector killed with {@code kill -9} and restarted twice, the target answering 503 for 10
 * seconds. Every accepted webhook reaches the target at least once; the duplicates are counted
 * and reported (target/connector-e2e.txt).
 */
class ConnectorEndToEndIT {
  static final int MESSAGES = 10_000;

  private static Process java(Path dir, String name, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of("java", "-Xmx512m", "-jar", JarIT.JAR.toAbsolutePath().toString()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".log").toFile())).start();
  }

  private static void kill9(Process process) throws InterruptedException {
    process.destroyForcibly(); // SIGKILL: no drain, no acks for what was in flight
    process.waitFor(10, TimeUnit.SECONDS);
  }

  @Test
  void tenThousandWebhooksSurviveConnectorKillsAndATargetOutage(@TempDir Path dir) throws Exception {
    Vertx vertx = Vertx.vertx();
    Set<String> received = ConcurrentHashMap.newKeySet();
    AtomicInteger deliveries = new AtomicInteger();
    AtomicLong outageUntil = new AtomicLong();
    HttpServer target = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      if (System.currentTimeMillis() < outageUntil.get()) {
        request.response().setStatusCode(503).end();
        return;
      }
      deliveries.incrementAndGet();
      received.add(request.getHeader("X-Webhook-Message-ID"));
      request.response().end("ok");
    }));
    int targetPort = target.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get().actualPort();
    int port = TestServer.freePort();
    Files.writeString(dir.resolve("webhooks.json"), """
        {"relay": {"module": "webhook_connect", "module-config": {"channel": "e2e", "channel_token": "tok",
          "max_queue_size": 20000, "max_in_flight": 50, "ack_timeout_seconds": 30}}}""");
    Files.writeString(dir.resolve("connector.json"), """
        {"cloud_url": "http://127.0.0.1:%d", "channel": "e2e", "token": "tok", "protocol": "websocket",
         "reconnect_delay": 0.2, "max_reconnect_delay": 2, "max_concurrent_requests": 20,
         "default_target": {"url": "http://127.0.0.1:%d/sink", "timeout_seconds": 5,
                            "retry_max_attempts": 2, "retry_delay_seconds": 0.2}}""".formatted(port, targetPort));
    Process receiver = java(dir, "receiver", "receiver", "--webhooks", dir.resolve("webhooks.json").toString(),
        "--data-dir", dir.resolve("data").toString(), "--host", "127.0.0.1", "--port", String.valueOf(port));
    List<Process> connectors = new ArrayList<>();
    ExecutorService senders = Executors.newFixedThreadPool(16);
    Set<String> accepted = ConcurrentHashMap.newKeySet();
    try {
      assertTrue(await(30_000, () -> {
        try {
          return Http.get(port, "/ready").statusCode() == 200;
        } catch (Exception notYet) {
          return false;
        }
      }), "receiver up");
      connectors.add(java(dir, "connector-1", "connector", "--config", dir.resolve("connector.json").toString()));
      List<Future<?>> posts = new ArrayList<>();
      for (int i = 0; i < MESSAGES; i++) {
        int n = i;
        posts.add(senders.submit(() -> {
          HttpResponse<String> response = Http.post(port, "/webhook/relay", "{\"n\":" + n + "}",
              "Content-Type", "application/json");
          assertEquals(200, response.statusCode(), response::body);
          accepted.add(response.headers().firstValue("x-webhook-message-id").orElseThrow());
          return null;
        }));
      }
      // chaos while the webhooks flow: two kill -9 of the connector, a 10 s outage of the target
      assertTrue(await(60_000, () -> received.size() >= 2_000), "first deliveries");
      kill9(connectors.get(0));
      connectors.add(java(dir, "connector-2", "connector", "--config", dir.resolve("connector.json").toString()));
      assertTrue(await(60_000, () -> received.size() >= 4_000), "deliveries after the first restart");
      outageUntil.set(System.currentTimeMillis() + 10_000);
      assertTrue(await(30_000, () -> System.currentTimeMillis() > outageUntil.get() - 5_000));
      kill9(connectors.get(1));
      connectors.add(java(dir, "connector-3", "connector", "--config", dir.resolve("connector.json").toString()));
      for (Future<?> post : posts) {
        post.get(120, TimeUnit.SECONDS);
      }
      assertEquals(MESSAGES, accepted.size());
      assertTrue(await(240_000, () -> received.containsAll(accepted)),
          () -> "not delivered: " + accepted.stream().filter(id -> !received.contains(id)).count());
      int duplicates = deliveries.get() - received.size();
      String report = "connector e2e: " + MESSAGES + " webhooks accepted, " + received.size()
          + " delivered, " + duplicates + " duplicate deliveries (2 x kill -9 of the connector, 10 s of 503)";
      System.out.println(report);
      Files.writeString(Path.of("target", "connector-e2e.txt"), report + "\n");
    } finally {
      senders.shutdownNow();
      for (Process connector : connectors) {
        connector.destroyForcibly();
      }
      receiver.destroy();
      receiver.waitFor(10, TimeUnit.SECONDS);
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void sigtermFinishesRunningDeliveriesAcksThemAndExitsZero(@TempDir Path dir) throws Exception {
    Vertx vertx = Vertx.vertx();
    AtomicInteger started = new AtomicInteger();
    AtomicInteger finished = new AtomicInteger();
    HttpServer target = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      started.incrementAndGet();
      vertx.setTimer(1500, id -> {
        finished.incrementAndGet();
        request.response().end("slow but fine");
      });
    }));
    int targetPort = target.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get().actualPort();
    int port = TestServer.freePort();
    Files.writeString(dir.resolve("webhooks.json"), """
        {"relay": {"module": "webhook_connect", "module-config": {"channel": "term", "channel_token": "tok"}}}""");
    Files.writeString(dir.resolve("connector.json"), """
        {"cloud_url": "http://127.0.0.1:%d", "channel": "term", "token": "tok", "max_concurrent_requests": 2,
         "default_target": {"url": "http://127.0.0.1:%d/slow"}}""".formatted(port, targetPort));
    Process receiver = java(dir, "receiver", "receiver", "--webhooks", dir.resolve("webhooks.json").toString(),
        "--data-dir", dir.resolve("data").toString(), "--host", "127.0.0.1", "--port", String.valueOf(port));
    Process connector = null;
    try {
      assertTrue(await(30_000, () -> {
        try {
          return Http.get(port, "/ready").statusCode() == 200;
        } catch (Exception notYet) {
          return false;
        }
      }), "receiver up");
      for (int i = 0; i < 6; i++) {
        assertEquals(200, Http.post(port, "/webhook/relay", "{\"n\":" + i + "}").statusCode());
      }
      connector = java(dir, "connector", "connector", "--config", dir.resolve("connector.json").toString());
      assertTrue(await(30_000, () -> started.get() == 2), "two deliveries running");
      connector.destroy(); // SIGTERM
      assertTrue(connector.waitFor(30, TimeUnit.SECONDS), "stopped within the grace");
      assertEquals(0, connector.exitValue(), "a clean stop exits 0");
      assertEquals(2, finished.get(), "the running deliveries were allowed to finish");
      io.vertx.core.json.JsonObject stats = new io.vertx.core.json.JsonObject(Http.get(port, "/connect/status/term",
          "Authorization", "Bearer tok").body()).getJsonObject("stats");
      assertEquals(2, stats.getLong("messages_delivered"), stats::encode);
      assertTrue(await(10_000, () -> {
        try {
          return new io.vertx.core.json.JsonObject(Http.get(port, "/connect/status/term", "Authorization",
              "Bearer tok").body()).getJsonObject("stats").getLong("messages_queued") == 4;
        } catch (Exception e) {
          return false;
        }
      }), "the other four are back in the channel, not lost");
    } finally {
      if (connector != null) {
        connector.destroyForcibly();
      }
      receiver.destroy();
      receiver.waitFor(10, TimeUnit.SECONDS);
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
