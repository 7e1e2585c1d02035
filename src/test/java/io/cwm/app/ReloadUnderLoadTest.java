package io.cwm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.testing.Http;
import io.cwm.testing.TestConnector;
import io.cwm.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * Issue 18's acceptance test: 20 reloads (webhooks, connections and channels added, changed and
 * removed) while signed webhooks keep arriving and a connector is attached. Every answer is 2xx,
 * every relayed webhook reaches its connector exactly once (nobody disconnects, so the
 * at-least-once bound is zero duplicates), a channel added by a reload takes webhooks and a new
 * connector at once, a changed channel token (once: a second change ends the first token's grace and
 * with it the sessions opened with it) and changed limits leave the connected session alone, and a removed
 * channel keeps what it buffered for a connector to drain.
 */
class ReloadUnderLoadTest {
  static final String SECRET = "reload-load-hmac-secret-0123456789";
  static final String TOKEN = ConfigReloadTest.TOKEN;
  static final int RELOADS = 20;
  static final String ADMIN = "reload-load-admin-token-0123456789";

  /** The config of one step: webhook entries by id and connections by name. */
  private final Map<String, JsonObject> webhooks = new LinkedHashMap<>();
  private final Map<String, JsonObject> connections = new LinkedHashMap<>();

  static JsonObject relay(String channel, String token) {
    return new JsonObject().put("module", "webhook_connect")
        .put("module-config", new JsonObject().put("channel", channel).put("channel_token", token))
        .put("hmac", new JsonObject().put("secret", SECRET));
  }

  static String sign(String body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
  }

  private String webhooksJson() {
    JsonObject json = new JsonObject();
    webhooks.forEach(json::put);
    return json.encodePrettily();
  }

  private String connectionsJson() {
    JsonObject json = new JsonObject();
    connections.forEach(json::put);
    return json.encodePrettily();
  }

  @Test
  void twentyReloadsUnderLoadLoseNothingAndRefuseNothing() throws Exception {
    webhooks.put("relay", relay("main", "main-token-0123456789-a"));
    webhooks.put("direct", new JsonObject().put("module", "log").put("hmac", new JsonObject().put("secret", SECRET)));
    webhooks.put("relay-old", relay("old", "old-token-0123456789-a"));
    Vertx vertx = Vertx.vertx();
    try (TestServer server = TestServer.start(webhooksJson(), connectionsJson(),
        Map.of("CONFIG_RELOAD_ADMIN_TOKEN", TOKEN, "WEBHOOK_CONNECT_ADMIN_TOKEN", ADMIN))) {
      int port = server.port();
      for (int i = 0; i < 5; i++) { // waits in channel "old", which a reload will remove
        assertEquals(200, post(port, "relay-old", "{\"old\":" + i + "}").statusCode());
      }
      TestConnector main = new TestConnector(vertx).autoAck(true).connect(port, "main", "main-token-0123456789-a");
      Map<String, TestConnector> connectors = new ConcurrentHashMap<>(Map.of("relay", main));
      Map<String, Set<String>> accepted = new ConcurrentHashMap<>();
      List<String> refused = new CopyOnWriteArrayList<>();
      List<String> targets = new CopyOnWriteArrayList<>(List.of("relay", "direct"));
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicInteger sent = new AtomicInteger();
      List<Thread> senders = new ArrayList<>();
      for (int s = 0; s < 3; s++) {
        int sender = s;
        Thread thread = new Thread(() -> {
          int n = 0;
          while (running.get()) {
            String target = targets.get(n++ % targets.size());
            try {
              HttpResponse<String> answer = post(port, target, "{\"sender\":" + sender + ",\"n\":" + n + "}");
              if (answer.statusCode() / 100 != 2) {
                refused.add(target + " -> " + answer.statusCode() + " " + answer.body());
              } else if (target.startsWith("relay")) {
                accepted.computeIfAbsent(target, t -> ConcurrentHashMap.newKeySet())
                    .add(answer.headers().firstValue("X-Webhook-Message-Id").orElseThrow());
              }
            } catch (Exception e) {
              refused.add(target + " -> " + e);
            }
            sent.incrementAndGet();
          }
        }, "sender-" + s);
        thread.start();
        senders.add(thread);
      }

      List<String> answers = new ArrayList<>();
      String mainToken = "main-token-0123456789-a";
      for (int i = 0; i < RELOADS; i++) {
        int mark = sent.get();
        assertTrue(TestConnector.await(20_000, () -> sent.get() >= mark + 30), "the load goes on");
        switch (i % 5) {
          case 0 -> webhooks.put("extra-" + i, new JsonObject().put("module", "log"));
          case 1 -> {
            connections.remove("cache-" + (i - 5));
            connections.put("cache-" + i, new JsonObject().put("type", "redis-rq").put("host", "cache" + i + ".example.com")
                .put("port", 6379));
          }
          case 2 -> webhooks.put("relay-" + i, relay("ch-" + i, "ch-" + i + "-token-0123456789"));
          case 3 -> {
            if (i == 3) { // one token change: the session keeps going on the previous token's grace
              mainToken = "main-token-0123456789-" + i;
              webhooks.put("relay", relay("main", mainToken));
            } else { // later: limits change
              JsonObject relay = relay("main", mainToken);
              relay.getJsonObject("module-config").put("max_connections", 10 + i);
              webhooks.put("relay", relay);
            }
            webhooks.put("direct", webhooks.get("direct").copy().put("module-config",
                new JsonObject().put("pretty_print", i % 2 == 0)));
          }
          default -> {
            webhooks.remove("extra-" + (i - 4));
            webhooks.remove("relay-old");
          }
        }
        Files.writeString(server.dir().resolve("webhooks.json"), webhooksJson());
        Files.writeString(server.dir().resolve("connections.json"), connectionsJson());
        HttpResponse<String> reloaded = ConfigReloadTest.reload(server, "{}");
        answers.add(reloaded.statusCode() + " " + new JsonObject(reloaded.body()).getString("status"));
        assertEquals(200, reloaded.statusCode(), reloaded::body);
        if (i % 5 == 2) { // a channel that exists since this reload: a connector and load at once
          String id = "relay-" + i;
          connectors.put(id, new TestConnector(vertx).autoAck(true).connect(port, "ch-" + i,
              "ch-" + i + "-token-0123456789"));
          targets.add(id);
        }
        if (i % 5 == 3) {
          assertEquals(401, Http.get(port, "/connect/status/main", "Authorization", "Bearer wrong").statusCode());
        }
      }
      running.set(false);
      for (Thread sender : senders) {
        sender.join(30_000);
      }

      assertEquals(List.of(), refused, "no answer outside 2xx while reloading");
      assertEquals(RELOADS, answers.stream().filter("200 success"::equals).count(), answers::toString);
      for (Map.Entry<String, Set<String>> channel : accepted.entrySet()) {
        TestConnector connector = connectors.get(channel.getKey());
        assertTrue(TestConnector.await(30_000, () -> connector.unique().containsAll(channel.getValue())),
            () -> channel.getKey() + ": every accepted webhook delivered: " + channel.getValue().size() + " accepted, "
                + channel.getValue().stream().filter(id -> !connector.unique().contains(id)).count() + " missing, "
                + connector.unique().size() + " delivered");
        assertEquals(0, connector.duplicates(), channel.getKey() + ": no duplicate without a disconnect");
        assertFalse(connector.isClosed(), channel.getKey() + ": the session stayed through every reload");
      }
      assertTrue(accepted.keySet().containsAll(List.of("relay", "relay-2", "relay-7", "relay-12", "relay-17")),
          accepted.keySet()::toString);
      assertTrue(accepted.get("relay").size() > 100, "load on the main channel: " + accepted.get("relay").size());

      // the session of the main channel started with the first token; a new one needs the last
      TestConnector late = new TestConnector(vertx).autoAck(true).connect(port, "main", mainToken);
      late.close();
      // channel "old" was removed by a reload: its five waiting webhooks are still delivered
      assertEquals(404, post(port, "relay-old", "{}").statusCode(), "a removed entry takes nothing");
      TestConnector drain = new TestConnector(vertx).autoAck(true).connect(port, "old", "old-token-0123456789-a");
      assertTrue(TestConnector.await(10_000, () -> drain.unique().size() == 5), "the retired channel drains");
      JsonObject status = ConfigReloadTest.status(server);
      assertTrue(status.getJsonArray("retired_channels").contains("old"), status::encode);
      // a channel added by a reload has its owner gauges, as the channels of the start do
      String metrics = Http.get(port, "/metrics", "Authorization", "Bearer " + ADMIN).body();
      for (String verticle : List.of("buffer", "stream")) {
        assertTrue(java.util.regex.Pattern.compile("cwm_channel_owner\\{channel=\"ch-17\",verticle=\"" + verticle
            + "\",?} [0-9]+\\.0").matcher(metrics).find(), () -> metrics.lines()
            .filter(line -> line.startsWith("cwm_channel_owner")).toList().toString());
      }
      for (TestConnector connector : connectors.values()) {
        connector.close();
      }
      drain.close();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }

  private static HttpResponse<String> post(int port, String id, String body) throws Exception {
    return Http.post(port, "/webhook/" + id, body, "X-HMAC-Signature", sign(body), "Content-Type", "application/json");
  }
}
