package io.cwm.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.testing.ConnectApi;
import io.cwm.testing.Http;
import io.cwm.testing.TestConnector;
import io.cwm.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The admin API over real HTTP against a running receiver (embedded buffer). */
class AdminApiTest {
  static final String ADMIN = "admin-secret-token";
  static final String PREFIX = "/admin/webhook-connect";
  static TestServer server;
  static ConnectApi api;
  static Vertx client;

  static String webhooks() {
    StringBuilder json = new StringBuilder("{");
    for (String name : List.of("alpha", "beta", "rot", "grace", "kick", "dlq", "flood", "metered")) {
      json.append(json.length() > 1 ? ",\n" : "").append('"').append(name).append("_in\": {\"module\": \"webhook_connect\", ")
          .append("\"module-config\": {\"channel\": \"").append(name).append("\", \"channel_token\": \"tok-")
          .append(name).append("\", \"ttl_seconds\": 600, \"max_queue_size\": 50, \"max_in_flight\": 10}}");
    }
    // a second webhook feeding channel alpha
    json.append(",\n\"alpha_second\": {\"module\": \"webhook_connect\", \"module-config\": {\"channel\": \"alpha\", ")
        .append("\"channel_token\": \"tok-alpha\", \"ttl_seconds\": 300, \"max_queue_size\": 50, \"max_in_flight\": 10}}");
    return json.append('}').toString();
  }

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(webhooks(), "{}", Map.of("WEBHOOK_CONNECT_ADMIN_TOKEN", ADMIN,
        "WEBHOOK_CONNECT_EMBEDDED_FSYNC", "false"));
    api = new ConnectApi(server);
    client = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    server.close();
  }

  static HttpResponse<String> admin(String method, String path, String body) throws Exception {
    return Http.send(server.port(), method, PREFIX + path,
        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body),
        "Authorization", "Bearer " + ADMIN, "Content-Type", "application/json");
  }

  static JsonObject adminJson(String method, String path, String body, int status) throws Exception {
    HttpResponse<String> response = admin(method, path, body);
    assertEquals(status, response.statusCode(), response::body);
    return new JsonObject(response.body());
  }

  static String detail(HttpResponse<String> response) {
    return new JsonObject(response.body()).getString("detail");
  }

  // ---------------------------------------------------------------- auth (bad input)

  @Test
  void noTokenWrongTokenAndChannelTokenAre401() throws Exception {
    HttpResponse<String> none = Http.get(server.port(), PREFIX + "/channels");
    assertEquals(401, none.statusCode());
    assertEquals("Missing authorization header", detail(none));
    HttpResponse<String> wrong = Http.get(server.port(), PREFIX + "/channels", "Authorization", "Bearer nope");
    assertEquals(401, wrong.statusCode());
    assertEquals("Invalid admin token", detail(wrong));
    HttpResponse<String> channelToken = Http.get(server.port(), PREFIX + "/channels", "Authorization", "Bearer tok-alpha");
    assertEquals(401, channelToken.statusCode());
    // a bare token works, as in Python
    assertEquals(200, Http.get(server.port(), PREFIX + "/channels", "Authorization", ADMIN).statusCode());
  }

  @Test
  void adminTokenInTheQueryStringIsRefusedEvenWithAValidHeader() throws Exception {
    HttpResponse<String> query = Http.get(server.port(), PREFIX + "/channels?token=" + ADMIN);
    assertEquals(401, query.statusCode());
    assertTrue(detail(query).contains("query string"), query::body);
    assertFalse(query.body().contains(ADMIN), "the token is never echoed");
    HttpResponse<String> both = Http.get(server.port(), PREFIX + "/channels?admin_token=" + ADMIN,
        "Authorization", "Bearer " + ADMIN);
    assertEquals(401, both.statusCode());
  }

  @Test
  void authComesBeforeNotFound() throws Exception {
    assertEquals(401, Http.get(server.port(), PREFIX + "/channels/nope").statusCode());
    assertEquals(401, Http.get(server.port(), PREFIX + "/no-such-endpoint").statusCode());
    HttpResponse<String> unknown = admin("GET", "/channels/nope", null);
    assertEquals(404, unknown.statusCode());
    assertEquals("Channel not found", detail(unknown));
    for (String path : List.of("/channels/nope/stats", "/channels/nope/webhook-stats", "/channels/nope/dead-letters")) {
      assertEquals(404, admin("GET", path, null).statusCode(), path);
    }
    assertEquals(404, admin("POST", "/channels/nope/rotate-token", "{}").statusCode());
    assertEquals(404, admin("DELETE", "/channels/nope/connections/wsc_1", null).statusCode());
  }

  @Test
  void healthNeedsNoToken() throws Exception {
    HttpResponse<String> health = Http.get(server.port(), PREFIX + "/health");
    assertEquals(200, health.statusCode(), health::body);
    JsonObject body = new JsonObject(health.body());
    assertEquals("healthy", body.getString("status"));
    assertTrue(body.getBoolean("buffer"));
    assertEquals(8, body.getInteger("channels_count"));
    assertNotNull(OffsetDateTime.parse(body.getString("timestamp")));
    HttpResponse<String> ready = Http.get(server.port(), "/ready");
    assertEquals(200, ready.statusCode(), ready::body);
    assertEquals("healthy", new JsonObject(Http.get(server.port(), "/health").body())
        .getJsonObject("components").getString("webhook_connect"));
  }

  // ---------------------------------------------------------------- reading

  @Test
  void channelsDetailsStatsAndWebhookStats() throws Exception {
    api.post("alpha_in", "{\"n\":1}");
    api.post("alpha_second", "{\"n\":2}");
    api.post("alpha_second", "{\"n\":3}");
    HttpResponse<String> list = admin("GET", "/channels", null);
    assertEquals(200, list.statusCode());
    JsonArray channels = new JsonArray(list.body());
    JsonObject alpha = channels.stream().map(JsonObject.class::cast)
        .filter(c -> c.getString("name").equals("alpha")).findFirst().orElseThrow();
    assertEquals("alpha_in", alpha.getString("webhook_id"));
    assertEquals(600, alpha.getInteger("ttl_seconds"));
    assertEquals(50, alpha.getInteger("max_queue_size"));
    assertEquals(0, alpha.getInteger("connected_clients"));

    try (TestConnector connector = new TestConnector(client).connect(server.port(), "alpha", "tok-alpha")) {
      assertNotNull(connector.next("webhook", 5000));
      JsonObject details = adminJson("GET", "/channels/alpha", null, 200);
      assertEquals("alpha", details.getString("name"));
      assertEquals(10, details.getJsonObject("config").getInteger("max_in_flight"));
      assertEquals(300, details.getJsonObject("config").getJsonObject("webhooks").getJsonObject("alpha_second")
          .getInteger("ttl_seconds"));
      assertFalse(details.encode().contains("tok-alpha"), "the token is never shown");
      JsonObject stats = details.getJsonObject("stats");
      assertEquals(3, stats.getLong("messages_in_flight") + stats.getLong("messages_queued"), stats::encode);
      assertEquals(1, stats.getInteger("connected_clients"));
      assertNotNull(stats.getJsonObject("webhook_stats"));
      JsonArray clients = details.getJsonArray("connected_clients");
      assertEquals(1, clients.size());
      JsonObject one = clients.getJsonObject(0);
      assertEquals("test-connector", one.getString("connector_id"));
      assertEquals("websocket", one.getString("protocol"));
      assertEquals("connected", one.getString("state"));
      assertEquals("127.0.0.1", one.getString("remote_ip"));
      assertTrue(one.getString("connection_id").startsWith("wsc_"));
      assertTrue(one.getLong("messages_received") >= 1);

      JsonObject statsOnly = adminJson("GET", "/channels/alpha/stats", null, 200);
      assertEquals("alpha", statsOnly.getString("channel"));
      assertFalse(statsOnly.containsKey("webhook_stats"));
      JsonObject overview = adminJson("GET", "/overview", null, 200);
      assertEquals(8, overview.getInteger("total_channels"));
      assertTrue(overview.getInteger("total_connections") >= 1);
      assertEquals(1, overview.getJsonObject("channels").getJsonObject("alpha").getInteger("connected_clients"));
      assertTrue(overview.getJsonObject("health").getBoolean("buffer"));
    }
    // nothing acked: once the connector is gone, all three are queued again, per webhook
    JsonObject webhookStats = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      webhookStats = adminJson("GET", "/channels/alpha/webhook-stats", null, 200);
      if (webhookStats.getJsonObject("webhooks").getJsonObject("alpha_second").getLong("pending") == 2) {
        break;
      }
      TimeUnit.MILLISECONDS.sleep(20); // polling with a deadline
    }
    assertEquals("alpha", webhookStats.getString("channel"));
    assertEquals(1, webhookStats.getJsonObject("webhooks").getJsonObject("alpha_in").getLong("pending"), webhookStats::encode);
    assertEquals(2, webhookStats.getJsonObject("webhooks").getJsonObject("alpha_second").getLong("pending"));
  }

  // ---------------------------------------------------------------- rotation

  @Test
  void rotationGivesANewTokenAndKeepsTheOldOneForTheGrace() throws Exception {
    JsonObject rotated = adminJson("POST", "/channels/rot/rotate-token", "{\"grace_period_seconds\": 600}", 200);
    assertEquals("rot", rotated.getString("channel"));
    String fresh = rotated.getString("new_token");
    assertTrue(fresh.matches("ch_tok_[0-9a-f]{48}"), fresh);
    Instant expires = OffsetDateTime.parse(rotated.getString("old_token_expires_at")).toInstant();
    assertTrue(expires.isAfter(Instant.now().plusSeconds(590)) && expires.isBefore(Instant.now().plusSeconds(610)));
    assertEquals("Old token valid for 600 seconds grace period", rotated.getString("message"));
    // both work on every protocol during the grace
    for (String token : List.of(fresh, "tok-rot")) {
      assertEquals(200, Http.get(server.port(), "/connect/status/rot", "Authorization", "Bearer " + token).statusCode());
      try (TestConnector connector = new TestConnector(client).connect(server.port(), "rot", token)) {
        assertNotNull(connector.next("connected", 5000));
      }
    }
    // a second rotation with no grace: only the newest works
    JsonObject again = adminJson("POST", "/channels/rot/rotate-token", "{\"grace_period_seconds\": 0}", 200);
    String newest = again.getString("new_token");
    assertNotEquals(fresh, newest);
    assertEquals(401, Http.get(server.port(), "/connect/status/rot", "Authorization", "Bearer " + fresh).statusCode());
    assertEquals(401, Http.get(server.port(), "/connect/status/rot", "Authorization", "Bearer tok-rot").statusCode());
    assertEquals(200, Http.get(server.port(), "/connect/status/rot", "Authorization", "Bearer " + newest).statusCode());
    assertEquals(204, Http.get(server.port(), "/connect/stream/rot/poll?timeout=1", "Authorization", "Bearer " + newest)
        .statusCode());
    // the rotation shows in the channel details, without the token
    JsonObject details = adminJson("GET", "/channels/rot", null, 200);
    assertNotNull(details.getString("token_rotated_at"));
    assertFalse(details.encode().contains(newest));
  }

  @Test
  void aLiveSessionOnTheOldTokenIsClosedWith4001WhenTheGraceEnds() throws Exception {
    try (TestConnector old = new TestConnector(client).connect(server.port(), "grace", "tok-grace")) {
      assertNotNull(old.next("connected", 5000));
      String fresh = adminJson("POST", "/channels/grace/rotate-token", "{\"grace_period_seconds\": 1}", 200)
          .getString("new_token");
      try (TestConnector renewed = new TestConnector(client).connect(server.port(), "grace", fresh)) {
        assertNotNull(renewed.next("connected", 5000));
        assertTrue(TestConnector.await(10_000, () -> old.closeCode() != null), "old-token session closed");
        assertEquals((short) 4001, old.closeCode());
        assertFalse(renewed.isClosed(), "the session on the new token stays");
        assertEquals(401, Http.get(server.port(), "/connect/status/grace", "Authorization", "Bearer tok-grace")
            .statusCode());
      }
    }
  }

  @Test
  void rotateBadInput() throws Exception {
    HttpResponse<String> negative = admin("POST", "/channels/rot/rotate-token", "{\"grace_period_seconds\": -5}");
    assertEquals(400, negative.statusCode(), negative::body);
    HttpResponse<String> huge = admin("POST", "/channels/rot/rotate-token", "{\"grace_period_seconds\": 99999999999}");
    assertEquals(400, huge.statusCode(), huge::body);
    HttpResponse<String> text = admin("POST", "/channels/rot/rotate-token", "{\"grace_period_seconds\": \"soon\"}");
    assertEquals(422, text.statusCode(), text::body);
    assertEquals("grace_period_seconds", new JsonObject(text.body()).getJsonArray("detail").getJsonObject(0)
        .getJsonArray("loc").getString(1));
    HttpResponse<String> noBody = admin("POST", "/channels/rot/rotate-token", null);
    assertEquals(422, noBody.statusCode(), noBody::body);
    HttpResponse<String> notObject = admin("POST", "/channels/rot/rotate-token", "[1]");
    assertEquals(422, notObject.statusCode(), notObject::body);
    // the current token still works: nothing was rotated by a refused request
    JsonObject details = adminJson("GET", "/channels/rot", null, 200);
    assertNotNull(details);
  }

  @Test
  void seedPageAliasRotatesToo() throws Exception {
    HttpResponse<String> unauthorized = Http.post(server.port(), "/admin/channels/beta/rotate-token", "{}");
    assertEquals(401, unauthorized.statusCode());
    HttpResponse<String> alias = Http.post(server.port(), "/admin/channels/beta/rotate-token",
        "{\"grace_period_seconds\": 60}", "Authorization", "Bearer " + ADMIN);
    assertEquals(200, alias.statusCode(), alias::body);
    String fresh = new JsonObject(alias.body()).getString("new_token");
    assertEquals(200, Http.get(server.port(), "/connect/status/beta", "Authorization", "Bearer " + fresh).statusCode());
  }

  // ---------------------------------------------------------------- disconnect

  @Test
  void disconnectClosesTheSocketAndRequeuesItsMessages() throws Exception {
    String messageId = api.post("kick_in", "{\"n\":1}");
    try (TestConnector kicked = new TestConnector(client).connect(server.port(), "kick", "tok-kick")) {
      JsonObject frame = kicked.next("webhook", 5000);
      assertEquals(messageId, frame.getString("message_id"));
      JsonArray clients = adminJson("GET", "/channels/kick", null, 200).getJsonArray("connected_clients");
      String connectionId = clients.getJsonObject(0).getString("connection_id");
      HttpResponse<String> wrongChannel = admin("DELETE", "/channels/alpha/connections/" + connectionId, null);
      assertEquals(400, wrongChannel.statusCode(), wrongChannel::body);
      assertEquals("Connection not on this channel", detail(wrongChannel));
      JsonObject done = adminJson("DELETE", "/channels/kick/connections/" + connectionId, null, 200);
      assertEquals("disconnected", done.getString("status"));
      assertEquals(connectionId, done.getString("connection_id"));
      assertTrue(TestConnector.await(5000, kicked::isClosed), "the socket is closed, not left as a zombie");
      HttpResponse<String> again = admin("DELETE", "/channels/kick/connections/" + connectionId, null);
      assertEquals(404, again.statusCode());
      assertEquals("Connection not found", detail(again));
    }
    try (TestConnector next = new TestConnector(client).connect(server.port(), "kick", "tok-kick")) {
      JsonObject frame = next.next("webhook", 5000);
      assertNotNull(frame, "the unacked message goes to the next connector");
      assertEquals(messageId, frame.getString("message_id"));
      next.ack(messageId);
    }
  }

  // ---------------------------------------------------------------- dead letters

  @Test
  void deadLettersListReplayAndDelete() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(api.post("dlq_in", "{\"n\":" + i + "}"));
    }
    try (TestConnector connector = new TestConnector(client).connect(server.port(), "dlq", "tok-dlq")) {
      for (int i = 0; i < 3; i++) {
        JsonObject frame = connector.next("webhook", 5000);
        connector.nack(frame.getString("message_id"), false);
      }
      JsonObject listed = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (System.nanoTime() < deadline) {
        listed = adminJson("GET", "/channels/dlq/dead-letters", null, 200);
        if (listed.getInteger("count") == 3) {
          break;
        }
        TimeUnit.MILLISECONDS.sleep(20); // polling with a deadline
      }
      assertEquals(3, listed.getInteger("count"), listed::encode);
      JsonObject item = listed.getJsonArray("messages").getJsonObject(0);
      assertEquals("dead_lettered", item.getString("state"));
      assertEquals("dlq_in", item.getString("webhook_id"));
      assertEquals("rejected", item.getString("dead_letter_reason"));
      assertNotNull(item.getValue("payload"));
      assertEquals(1, adminJson("GET", "/channels/dlq/dead-letters?limit=1", null, 200).getInteger("count"));
      assertEquals(422, admin("GET", "/channels/dlq/dead-letters?limit=many", null).statusCode());

      // replay one by id: the connector gets it again
      HttpResponse<String> unknown = admin("POST", "/channels/dlq/dead-letters/replay", "{\"message_ids\": [\"msg_nope\"]}");
      assertEquals(404, unknown.statusCode(), unknown::body);
      assertEquals(422, admin("POST", "/channels/dlq/dead-letters/replay", "{}").statusCode());
      assertEquals(422, admin("POST", "/channels/dlq/dead-letters/replay", null).statusCode());
      JsonObject replayed = adminJson("POST", "/channels/dlq/dead-letters/replay",
          new JsonObject().put("message_ids", new JsonArray().add(ids.get(0)).add("msg_nope")).encode(), 200);
      assertEquals(1, replayed.getInteger("replayed_count"));
      assertEquals(List.of("msg_nope"), replayed.getJsonArray("not_replayed").getList());
      JsonObject again = connector.next("webhook", 5000);
      assertNotNull(again, "the replayed message is delivered again");
      assertEquals(ids.get(0), again.getString("message_id"));
      connector.ack(ids.get(0));

      // delete one, then replay all: only the last one comes
      JsonObject deleted = adminJson("DELETE", "/channels/dlq/dead-letters/" + ids.get(1), null, 200);
      assertEquals("deleted", deleted.getString("status"));
      assertEquals(404, admin("DELETE", "/channels/dlq/dead-letters/" + ids.get(1), null).statusCode());
      JsonObject all = adminJson("POST", "/channels/dlq/dead-letters/replay", "{\"all\": true}", 200);
      assertEquals(List.of(ids.get(2)), all.getJsonArray("replayed").getList());
      JsonObject last = connector.next("webhook", 5000);
      assertEquals(ids.get(2), last.getString("message_id"));
      connector.ack(ids.get(2));
      assertNull(connector.next("webhook", 500), "the deleted one never comes back");
      assertEquals(0, adminJson("GET", "/channels/dlq/dead-letters", null, 200).getInteger("count"));
    }
  }

  // ---------------------------------------------------------------- metrics of the relay

  static String scrape() throws Exception {
    HttpResponse<String> metrics = Http.get(server.port(), "/metrics", "Authorization", "Bearer " + ADMIN);
    assertEquals(200, metrics.statusCode());
    return metrics.body();
  }

  static boolean hasLine(String text, String prefix) {
    return text.lines().anyMatch(line -> line.startsWith(prefix));
  }

  @Test
  void metricsShowConnectorsDepthAndPostToAckLatency() throws Exception {
    String messageId = api.post("metered_in", "{\"n\":1}");
    api.post("metered_in", "{\"n\":2}");
    String before = scrape();
    assertTrue(hasLine(before, "cwm_channel_depth{channel=\"metered\"} 2.0"), before);
    try (TestConnector connector = new TestConnector(client).connect(server.port(), "metered", "tok-metered")) {
      JsonObject frame = connector.next("webhook", 5000);
      assertEquals(messageId, frame.getString("message_id"));
      connector.ack(messageId);
      assertTrue(TestConnector.await(10_000, () -> {
        try {
          String text = scrape();
          return hasLine(text, "cwm_connect_connectors{channel=\"metered\",protocol=\"websocket\"} 1.0")
              && hasLine(text, "cwm_relay_post_to_ack_seconds_count{channel=\"metered\"} 1")
              && hasLine(text, "cwm_channel_delivered_total{channel=\"metered\"} 1.0");
        } catch (Exception e) {
          return false;
        }
      }), TestServerText.of(AdminApiTest::scrape));
    }
    assertTrue(TestConnector.await(10_000, () -> {
      try {
        return hasLine(scrape(), "cwm_connect_connectors{channel=\"metered\",protocol=\"websocket\"} 0.0");
      } catch (Exception e) {
        return false;
      }
    }), "the gauge drops when the connector leaves");
  }

  /** A lazily computed failure message. */
  interface TestServerText {
    String get() throws Exception;

    static java.util.function.Supplier<String> of(TestServerText text) {
      return () -> {
        try {
          return text.get();
        } catch (Exception e) {
          return e.toString();
        }
      };
    }
  }

  // ---------------------------------------------------------------- load

  @Test
  void aThousandAdminRequestsDoNotStopWebhooks() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(32);
    try {
      List<Future<Integer>> adminCalls = new ArrayList<>();
      List<Future<Integer>> webhooks = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        String path = switch (i % 4) {
          case 0 -> "/channels";
          case 1 -> "/channels/flood";
          case 2 -> "/overview";
          default -> "/channels/flood/stats";
        };
        adminCalls.add(pool.submit(() -> admin("GET", path, null).statusCode()));
        if (i % 20 == 0) {
          webhooks.add(pool.submit(() -> Http.post(server.port(), "/webhook/flood_in", "{\"n\":1}",
              "Content-Type", "application/json").statusCode()));
        }
      }
      int served = 0;
      for (Future<Integer> call : adminCalls) {
        int status = call.get(60, TimeUnit.SECONDS);
        assertTrue(status == 200 || status == 429, "admin answered " + status);
        served += status == 200 ? 1 : 0;
      }
      assertTrue(served > 0);
      for (Future<Integer> webhook : webhooks) {
        assertEquals(200, webhook.get(60, TimeUnit.SECONDS), "webhooks keep being accepted");
      }
      assertEquals(50, adminJson("GET", "/channels/flood/stats", null, 200).getLong("messages_queued"));
    } finally {
      pool.shutdownNow();
    }
  }
}
