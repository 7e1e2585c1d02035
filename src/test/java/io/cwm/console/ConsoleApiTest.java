package io.cwm.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.testing.Http;
import io.cwm.testing.SseClient;
import io.cwm.testing.TestConnector;
import io.cwm.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The console's server side over real HTTP (issue 17): the page and its policy, the token rule,
 * the live tail and overview streams, the inspector, the dead-letter action, server-side paging
 * of dead letters, the masked configuration. The page itself is driven in a real browser by
 * {@link ConsoleBrowserTest}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleApiTest {
  static final String ADMIN = "console-admin-token-0123456789";
  static final String AUTH = "Bearer " + ADMIN;
  static final String CHANNEL = "console-api";

  Vertx vertx;
  TestServer server;

  static String webhooks(String channel, int extraChannels) {
    StringBuilder json = new StringBuilder("{\"orders\": {\"hmac\": {\"secret\": \"hmac-secret-never-shown\", "
        + "\"header\": \"X-Signature\"}, \"module\": \"webhook_connect\", \"module-config\": {\"channel\": \""
        + channel + "\", \"channel_token\": \"tok\"}},"
        + "\"plain\": {\"module\": \"webhook_connect\", \"module-config\": {\"channel\": \"" + channel
        + "\", \"channel_token\": \"tok\"}}");
    for (int i = 0; i < extraChannels; i++) {
      json.append(String.format(",\"hook-%04d\": {\"module\": \"webhook_connect\", \"module-config\": "
          + "{\"channel\": \"bulk-%04d\", \"channel_token\": \"tok\"}}", i, i));
    }
    return json.append('}').toString();
  }

  @BeforeAll
  void start() throws Exception {
    vertx = Vertx.vertx();
    server = TestServer.start(webhooks(CHANNEL, 500), "{\"pg\": {\"type\": \"postgresql\", \"host\": \"127.0.0.1\", "
        + "\"password\": \"pg-password-never-shown\", \"url\": \"postgresql://app:pw-in-url@127.0.0.1/test\"}}",
        Map.of("WEBHOOK_CONNECT_ADMIN_TOKEN", ADMIN));
  }

  @AfterAll
  void stop() throws Exception {
    server.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void thePageIsServedFromTheJarWithAStrictPolicy() throws Exception {
    HttpResponse<String> page = Http.get(server.port(), "/console/");
    assertEquals(200, page.statusCode());
    assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
    String csp = page.headers().firstValue("Content-Security-Policy").orElseThrow();
    assertFalse(csp.contains("unsafe-inline"), csp);
    assertFalse(csp.contains("unsafe-eval"), csp);
    assertTrue(csp.contains("script-src 'self'") && csp.contains("style-src 'self'") && csp.contains("frame-ancestors 'none'"), csp);
    assertFalse(page.body().contains("<script>"), "no inline script");
    assertFalse(page.body().contains("http://") || page.body().contains("https://"), "no asset from elsewhere");
    assertEquals(302, Http.get(server.port(), "/console").statusCode());
    assertEquals(200, Http.get(server.port(), "/console/app.js").statusCode());
  }

  @Test
  void everyApiCallNeedsTheAdminTokenInTheHeader() throws Exception {
    assertEquals(401, Http.get(server.port(), "/console/api/session").statusCode());
    assertEquals(401, Http.get(server.port(), "/console/api/session", "Authorization", "Bearer wrong").statusCode());
    assertEquals(401, Http.get(server.port(), "/console/api/session?token=" + ADMIN).statusCode(), "never in a URL");
    HttpResponse<String> overview = Http.get(server.port(), "/console/api/overview", "Authorization", "Bearer nope");
    assertEquals(401, overview.statusCode());
    assertFalse(overview.body().contains("Exception"));
    HttpResponse<String> session = Http.get(server.port(), "/console/api/session", "Authorization", AUTH);
    assertEquals(200, session.statusCode());
    assertEquals("embedded", new JsonObject(session.body()).getString("buffer_backend"));
    assertEquals("no-store", session.headers().firstValue("Cache-Control").orElse(""));
    assertEquals(404, Http.get(server.port(), "/console/api/nothing", "Authorization", AUTH).statusCode());
  }

  @Test
  void fiveHundredChannelsArePagedAndSearchedOnTheServer() throws Exception {
    JsonObject first = getJson("/console/api/overview?limit=50");
    assertEquals(501, first.getInteger("total_channels"));
    assertEquals(50, first.getJsonArray("channels").size());
    JsonObject last = getJson("/console/api/overview?offset=500&limit=50");
    assertEquals(1, last.getJsonArray("channels").size());
    JsonObject found = getJson("/console/api/overview?q=bulk-0499");
    assertEquals(1, found.getInteger("matched"));
    JsonObject row = found.getJsonArray("channels").getJsonObject(0);
    assertEquals("bulk-0499", row.getString("name"));
    assertEquals(90, row.getJsonObject("sparkline").getJsonArray("delivered").size(), "15 minutes of 10 s buckets");
    assertEquals(1, getJson("/console/api/channels?q=hook-0007").getInteger("matched"), "found by webhook id");
    assertEquals(400, Http.get(server.port(), "/console/api/overview?limit=100000", "Authorization", AUTH).statusCode());
  }

  @Test
  void theTailShowsAMessageQueuedThenDeliveredAndTheInspectorItsAttempts() throws Exception {
    try (SseClient tail = SseClient.open(server.port(), "/console/api/channels/" + CHANNEL + "/tail",
        "Authorization", AUTH);
        TestConnector connector = new TestConnector(vertx).connect(server.port(), CHANNEL, "tok")) {
      assertEquals(200, tail.status());
      unread.clear();
      assertNotNull(tail.next("snapshot", 5000));
      HttpResponse<String> posted = Http.post(server.port(), "/webhook/plain", "{\"order\": 42, \"password\": \"p\"}",
          "Content-Type", "application/json", "X-Api-Key", "key-never-shown");
      assertEquals(200, posted.statusCode(), posted.body());
      String messageId = waitForEvent(tail, "queued").getString("message_id");
      JsonObject frame = connector.next("webhook", 5000);
      assertEquals(messageId, frame.getString("message_id"));
      assertEquals("leased", waitForEvent(tail, "leased").getString("event"));
      connector.ack(messageId);
      JsonObject acked = waitForEvent(tail, "acked");
      assertEquals("delivered", acked.getString("state"));
      assertEquals(1, acked.getInteger("attempts"));

      JsonObject inspected = getJson("/console/api/channels/" + CHANNEL + "/messages/" + messageId);
      assertEquals("delivered", inspected.getString("state"));
      JsonArray attempts = inspected.getJsonArray("attempts");
      assertEquals("ack", attempts.getJsonObject(0).getString("outcome"));
      assertNotNull(attempts.getJsonObject(0).getString("outcome_at"));
    }
  }

  @Test
  void aMessageInFlightCanBeMovedToTheDeadLettersAndFoundThere() throws Exception {
    try (TestConnector connector = new TestConnector(vertx).connect(server.port(), CHANNEL, "tok")) {
      HttpResponse<String> posted = Http.post(server.port(), "/webhook/plain", "{\"stuck\": true}",
          "Content-Type", "application/json", "X-Api-Key", "key-never-shown");
      assertEquals(200, posted.statusCode());
      String messageId = connector.next("webhook", 5000).getString("message_id");
      JsonObject inFlight = getJson("/console/api/channels/" + CHANNEL + "/messages/" + messageId);
      assertEquals("in_flight", inFlight.getString("state"));
      JsonArray attempts = inFlight.getJsonArray("attempts");
      assertEquals("pending", attempts.getJsonObject(attempts.size() - 1).getString("outcome"));
      assertEquals(true, inFlight.getJsonObject("payload").getBoolean("stuck"));
      assertFalse(inFlight.encode().contains("key-never-shown"), "credentials redacted: " + inFlight.getJsonObject("headers"));

      String path = "/console/api/channels/" + CHANNEL + "/messages/" + messageId + "/dead-letter";
      assertEquals(200, Http.post(server.port(), path, "", "Authorization", AUTH).statusCode());
      HttpResponse<String> again = Http.post(server.port(), path, "", "Authorization", AUTH);
      assertEquals(409, again.statusCode(), "no longer in flight");
      assertTrue(new JsonObject(again.body()).containsKey("detail"));

      JsonObject dead = getJson("/console/api/channels/" + CHANNEL + "/messages/" + messageId);
      assertEquals("dead_lettered", dead.getString("state"));
      assertEquals("rejected", dead.getJsonObject("dead_letter").getString("reason"));
      JsonObject found = getJson("/console/api/channels/" + CHANNEL + "/dead-letters?q=" + messageId);
      assertEquals(1, found.getInteger("total"));
      assertEquals(messageId, found.getJsonArray("messages").getJsonObject(0).getString("message_id"));
    }
  }

  @Test
  void tenThousandDeadLettersArriveAPageAtATime() throws Exception {
    String channel = "bulk-0001";
    int count = 10_000;
    try (TestConnector connector = new TestConnector(vertx).connect(server.port(), channel, "tok")) {
      for (int i = 0; i < count; i++) {
        assertEquals(200, Http.post(server.port(), "/webhook/hook-0001", "{\"n\": " + i + "}",
            "Content-Type", "application/json").statusCode());
      }
      for (int i = 0; i < count; i++) {
        connector.nack(connector.next("webhook", 10_000).getString("message_id"), false);
      }
      assertTrue(TestConnector.await(60_000, () -> deadLetterTotal(channel, "") == count), "all dead-lettered");
    }
    HttpResponse<String> page = Http.get(server.port(), "/console/api/channels/" + channel
        + "/dead-letters?offset=100&limit=50", "Authorization", AUTH);
    assertEquals(200, page.statusCode());
    JsonObject body = new JsonObject(page.body());
    assertEquals(50, body.getJsonArray("messages").size());
    assertTrue(page.body().length() < 20_000, "one page, not everything: " + page.body().length() + " bytes");
    assertEquals(false, body.getBoolean("truncated"));
    String oneId = body.getJsonArray("messages").getJsonObject(7).getString("message_id");
    assertEquals(1, deadLetterTotal(channel, oneId));
    assertEquals(count, deadLetterTotal(channel, "rejected"), "search by reason");
  }

  @Test
  void theConfigurationIsShownWithItsSecretsMasked() throws Exception {
    HttpResponse<String> config = Http.get(server.port(), "/console/api/config", "Authorization", AUTH);
    assertEquals(200, config.statusCode());
    assertFalse(config.body().contains("hmac-secret-never-shown"), config.body());
    assertFalse(config.body().contains("pg-password-never-shown"));
    assertFalse(config.body().contains("pw-in-url"));
    JsonObject body = new JsonObject(config.body());
    assertEquals("X-Signature", body.getJsonObject("webhooks").getJsonObject("orders").getJsonObject("hmac")
        .getString("header"));
    assertEquals("postgresql://***@127.0.0.1/test", body.getJsonObject("connections").getJsonObject("pg").getString("url"));
  }

  @Test
  void theOverviewStreamPushesAChangeWithinASecond() throws Exception {
    String channel = "bulk-0002";
    try (SseClient overview = SseClient.open(server.port(), "/console/api/overview/stream?q=" + channel,
        "Authorization", AUTH)) {
      JsonObject first = new JsonObject(overview.next("overview", 5000).data());
      long queued = first.getJsonArray("channels").getJsonObject(0).getLong("queued");
      assertEquals(200, Http.post(server.port(), "/webhook/hook-0002", "{}", "Content-Type", "application/json")
          .statusCode());
      long posted = System.nanoTime();
      SseClient.Event next = overview.next("overview", 5000);
      long millis = (System.nanoTime() - posted) / 1_000_000;
      assertNotNull(next);
      assertEquals(queued + 1, new JsonObject(next.data()).getJsonArray("channels").getJsonObject(0).getLong("queued"));
      assertTrue(millis <= 1000, "pushed " + millis + " ms after the POST");
    }
  }

  @Test
  void closedStreamsGiveBackTheirPlace() throws Exception {
    for (int i = 0; i < ConsoleRoutes.MAX_STREAMS * 2; i++) {
      try (SseClient tail = SseClient.open(server.port(), "/console/api/channels/" + CHANNEL + "/tail",
          "Authorization", AUTH)) {
        assertEquals(200, tail.status(), "stream " + i);
        assertNotNull(tail.next("snapshot", 5000));
      }
      assertEquals(404, Http.get(server.port(), "/console/api/channels/none/tail", "Authorization", AUTH).statusCode());
    }
    java.util.List<SseClient> open = new java.util.ArrayList<>();
    try {
      for (int i = 0; i < ConsoleRoutes.MAX_STREAMS; i++) {
        open.add(SseClient.open(server.port(), "/console/api/overview/stream?q=bulk-0003", "Authorization", AUTH));
      }
      for (SseClient each : open) {
        assertEquals(200, each.status());
      }
      try (SseClient refused = SseClient.open(server.port(), "/console/api/overview/stream", "Authorization", AUTH)) {
        assertEquals(429, refused.status(), "one stream too many is refused");
      }
    } finally {
      for (SseClient each : open) {
        each.close();
      }
    }
  }

  /** The Config page's reload: the receiver's reload behind the console token, its verdict in the body. */
  @Test
  void theConfigCanBeReloadedFromTheConsole() throws Exception {
    try (TestServer own = TestServer.start(webhooks("console-reload", 0), "{}",
        Map.of("WEBHOOK_CONNECT_ADMIN_TOKEN", ADMIN))) {
      assertEquals(true, new JsonObject(Http.get(own.port(), "/console/api/config", "Authorization", AUTH).body())
          .getBoolean("reload_available"));
      assertEquals(401, Http.post(own.port(), "/console/api/config/reload", "{}").statusCode());
      java.nio.file.Files.writeString(own.dir().resolve("webhooks.json"),
          new JsonObject(webhooks("console-reload", 0)).put("added", new JsonObject().put("module", "log")).encode());
      HttpResponse<String> reloaded = Http.post(own.port(), "/console/api/config/reload", "{}", "Authorization", AUTH);
      assertEquals(200, reloaded.statusCode(), reloaded::body);
      JsonObject body = new JsonObject(reloaded.body());
      assertEquals("success", body.getString("status"));
      assertEquals(200, body.getInteger("http_status"));
      assertEquals(200, Http.post(own.port(), "/webhook/added", "{}").statusCode());
      java.nio.file.Files.writeString(own.dir().resolve("webhooks.json"), "{\"broken\": ");
      JsonObject refused = new JsonObject(Http.post(own.port(), "/console/api/config/reload", "{}",
          "Authorization", AUTH).body());
      assertEquals("error", refused.getString("status"));
      assertEquals(400, refused.getInteger("http_status"));
      assertEquals(200, Http.post(own.port(), "/webhook/added", "{}").statusCode(), "the last good config serves");
    }
  }

  @Test
  void theConsoleCanBeTurnedOff() throws Exception {
    try (TestServer off = TestServer.start(webhooks("console-off", 0), "{}",
        Map.of("WEBHOOK_CONNECT_ADMIN_TOKEN", ADMIN, "CWM_CONSOLE", "false"))) {
      assertEquals(404, Http.get(off.port(), "/console/").statusCode());
      assertEquals(404, Http.get(off.port(), "/console/api/session", "Authorization", AUTH).statusCode());
      assertEquals(200, Http.get(off.port(), "/admin/webhook-connect/channels", "Authorization", AUTH).statusCode(),
          "the admin API stays");
    }
  }

  @Test
  void theConsoleIsOnTheAdminPortWhenOneIsSet() throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("WEBHOOK_CONNECT_ADMIN_TOKEN", ADMIN);
    int adminPort = TestServer.freePort();
    env.put("WEBHOOK_CONNECT_ADMIN_PORT", String.valueOf(adminPort));
    try (TestServer separate = TestServer.start(webhooks("admin-port", 0), "{}", env)) {
      assertEquals(404, Http.get(separate.port(), "/console/").statusCode());
      assertEquals(404, Http.get(separate.port(), "/console/api/session", "Authorization", AUTH).statusCode());
      assertEquals(200, Http.get(adminPort, "/console/").statusCode());
      assertEquals(200, Http.get(adminPort, "/console/api/session", "Authorization", AUTH).statusCode());
    }
  }

  private long deadLetterTotal(String channel, String query) {
    try {
      return getJson("/console/api/channels/" + channel + "/dead-letters?limit=1&q=" + query).getLong("total");
    } catch (Exception failure) {
      throw new AssertionError(failure);
    }
  }

  private JsonObject getJson(String path) throws Exception {
    HttpResponse<String> response = Http.get(server.port(), path, "Authorization", AUTH);
    assertEquals(200, response.statusCode(), path + ": " + response.body());
    return new JsonObject(response.body());
  }

  /** Tail events read but not yet looked for (one batch can hold several). */
  private final java.util.Deque<JsonObject> unread = new java.util.ArrayDeque<>();

  /**
   * The next tail event of type {@code event} (5 s at most); events of other types stay for later
   * calls (under load a message's "leased" can come before its "queued": the publish's answer is
   * observed after the lease it made possible).
   */
  private JsonObject waitForEvent(SseClient tail, String event) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (System.nanoTime() < deadline) {
      for (java.util.Iterator<JsonObject> pending = unread.iterator(); pending.hasNext(); ) {
        JsonObject summary = pending.next();
        if (event.equals(summary.getString("event"))) {
          pending.remove();
          return summary;
        }
      }
      SseClient.Event next = tail.next("messages", 1000);
      if (next != null && next != SseClient.END) {
        new JsonObject(next.data()).getJsonArray("events").forEach(each -> unread.add((JsonObject) each));
      }
    }
    throw new AssertionError("no " + event + " event in the tail within 5 s");
  }
}
