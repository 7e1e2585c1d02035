package io.cwm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.config.Env;
import io.cwm.testing.Http;
import io.cwm.testing.TestConnector;
import io.cwm.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Live config over real HTTP: {@code POST /admin/reload-config} and {@code GET /admin/config-status}
 * with Python's bodies and statuses, the last-good rule, partial reloads, file watching of files
 * with any name, and SIGHUP.
 */
class ConfigReloadTest {
  static final String TOKEN = "reload-token-0123456789";
  static final String[] AUTH = {"Authorization", "Bearer " + TOKEN};
  static final String ONE = "{\"a\": {\"module\": \"log\"}}";
  static final String TWO = "{\"a\": {\"module\": \"log\"}, \"b\": {\"module\": \"log\"}}";

  static HttpResponse<String> reload(TestServer server, String body) throws Exception {
    return Http.post(server.port(), "/admin/reload-config", body, AUTH[0], AUTH[1], "Content-Type",
        "application/json");
  }

  static JsonObject status(TestServer server) throws Exception {
    HttpResponse<String> status = Http.get(server.port(), "/admin/config-status", AUTH);
    assertEquals(200, status.statusCode(), status::body);
    return new JsonObject(status.body());
  }

  static int post(TestServer server, String id) throws Exception {
    return Http.post(server.port(), "/webhook/" + id, "{\"x\":1}").statusCode();
  }

  @Test
  void tokenRulesAsInPython() throws Exception {
    try (TestServer closed = TestServer.start(ONE)) {
      HttpResponse<String> disabled = Http.post(closed.port(), "/admin/reload-config", "{}", AUTH);
      assertEquals(403, disabled.statusCode());
      assertEquals("Admin API disabled. Set CONFIG_RELOAD_ADMIN_TOKEN environment variable.",
          new JsonObject(disabled.body()).getString("detail"));
      assertEquals(403, Http.get(closed.port(), "/admin/config-status", AUTH).statusCode());
    }
    try (TestServer server = TestServer.start(ONE, "{}", Map.of("CONFIG_RELOAD_ADMIN_TOKEN", TOKEN))) {
      HttpResponse<String> missing = Http.post(server.port(), "/admin/reload-config", "{}");
      assertEquals(401, missing.statusCode());
      assertEquals("Authentication required", new JsonObject(missing.body()).getString("detail"));
      HttpResponse<String> wrong = Http.post(server.port(), "/admin/reload-config", "{}", "Authorization", "Bearer no");
      assertEquals(401, wrong.statusCode());
      assertEquals("Invalid authentication token", new JsonObject(wrong.body()).getString("detail"));
      assertEquals(200, Http.get(server.port(), "/admin/config-status", "Authorization", TOKEN).statusCode(),
          "a bare token works too");
      assertFalse(wrong.body().contains(TOKEN));
    }
  }

  @Test
  void reloadAddsChangesAndRemovesWebhooksAndReportsWhat() throws Exception {
    try (TestServer server = TestServer.start(ONE, "{}", Map.of("CONFIG_RELOAD_ADMIN_TOKEN", TOKEN))) {
      assertEquals(404, post(server, "b"));
      Files.writeString(server.dir().resolve("webhooks.json"), TWO);
      HttpResponse<String> added = reload(server, "");
      assertEquals(200, added.statusCode(), added::body);
      JsonObject body = new JsonObject(added.body());
      assertEquals("success", body.getString("status"));
      assertEquals(new JsonObject().put("webhooks", true).put("connections", true), body.getJsonObject("reloaded"));
      JsonObject webhooks = body.getJsonObject("details").getJsonObject("webhooks");
      assertEquals(new JsonArray().add("b"), webhooks.getJsonArray("added"));
      assertEquals(2, webhooks.getInteger("count"));
      assertEquals(2L, body.getJsonObject("details").getLong("config_version"));
      assertTrue(body.getString("timestamp").endsWith("Z"));
      assertEquals(200, post(server, "b"), "the new entry serves at once");

      JsonObject again = new JsonObject(reload(server, "{}").body());
      assertFalse(again.getJsonObject("details").getBoolean("changed"), "nothing changed: no new version");
      assertEquals(2L, again.getJsonObject("details").getLong("config_version"));

      Files.writeString(server.dir().resolve("webhooks.json"), ONE);
      JsonObject removed = new JsonObject(reload(server, "{}").body());
      assertEquals(new JsonArray().add("b"), removed.getJsonObject("details").getJsonObject("webhooks")
          .getJsonArray("removed"));
      assertEquals(404, post(server, "b"));

      JsonObject status = status(server);
      assertEquals(1, status.getInteger("webhooks_count"));
      assertEquals(false, status.getBoolean("reload_in_progress"));
      assertEquals("file", status.getJsonObject("provider").getString("type"));
      assertEquals("webhooks.json", status.getJsonObject("provider").getString("webhooks_file"));
      assertEquals(false, status.getBoolean("file_watching_enabled"));
      assertEquals(3L, status.getLong("config_version"));
      assertEquals(3L, status.getJsonObject("reloads").getLong("succeeded"));
    }
  }

  @Test
  void aConfigWithErrorsKeepsTheLastGoodOneAndSaysWhyWithoutSecrets() throws Exception {
    String connections = "{\"db\": {\"type\": \"postgresql\", \"host\": \"db.example.com\", \"port\": 5432,"
        + " \"database\": \"x\", \"user\": \"u\", \"password\": \"pg-secret-value\"}}";
    try (TestServer server = TestServer.start(ONE, connections, Map.of("CONFIG_RELOAD_ADMIN_TOKEN", TOKEN))) {
      Files.writeString(server.dir().resolve("webhooks.json"),
          "{\"a\": {\"module\": \"log\"}, \"b\": {\"module\": \"no_such_module\"},"
              + " \"c\": {\"module\": \"log\", \"authorization\": \"Bearer c-secret-token-value\", \"bogus\": {}}}");
      HttpResponse<String> refused = reload(server, "{}");
      assertEquals(400, refused.statusCode(), refused::body);
      JsonObject body = new JsonObject(refused.body());
      assertEquals("error", body.getString("status"));
      assertEquals("Processing error occurred in reload_config", body.getString("error"));
      JsonArray errors = body.getJsonObject("details").getJsonArray("errors");
      assertTrue(errors.stream().anyMatch(e -> e.toString().contains("'b'")), errors::encode);
      assertFalse(refused.body().contains("c-secret-token-value"), "no secret in the answer");
      assertFalse(refused.body().contains("pg-secret-value"), "no secret in the answer");
      assertFalse(refused.body().contains(server.dir().toString()), "no directory in the answer");
      assertEquals(200, post(server, "a"), "the last good config serves");
      assertEquals(404, post(server, "c"), "nothing of the refused config is live");

      // Python's weakness 11: a connections-only reload after a refused webhooks file must not make it live
      HttpResponse<String> connectionsOnly = reload(server, "{\"reload_webhooks\": false}");
      assertEquals(200, connectionsOnly.statusCode(), connectionsOnly::body);
      assertEquals(new JsonObject().put("webhooks", false).put("connections", true),
          new JsonObject(connectionsOnly.body()).getJsonObject("reloaded"));
      assertEquals(404, post(server, "c"), "the refused webhooks file stays refused");
      JsonObject status = status(server);
      assertEquals(1L, status.getJsonObject("reloads").getLong("failed"));
      assertEquals(1, status.getInteger("webhooks_count"));
    }
  }

  /** An entry that did not change keeps its validators, and so their state: a reload lets no burst through. */
  @Test
  void unchangedEntriesKeepTheirRateLimitWindow() throws Exception {
    String limited = "{\"a\": {\"module\": \"log\", \"rate_limit\": {\"max_requests\": 2, \"window_seconds\": 600}}";
    try (TestServer server = TestServer.start(limited + "}", "{}", Map.of("CONFIG_RELOAD_ADMIN_TOKEN", TOKEN))) {
      assertEquals(200, post(server, "a"));
      assertEquals(200, post(server, "a"));
      assertEquals(429, post(server, "a"), "the window is full");
      Files.writeString(server.dir().resolve("webhooks.json"), limited + ", \"b\": {\"module\": \"log\"}}");
      assertEquals(200, reload(server, "{}").statusCode());
      assertEquals(200, post(server, "b"));
      assertEquals(429, post(server, "a"), "the unchanged entry kept its window");
      Files.writeString(server.dir().resolve("webhooks.json"), limited.replace("\"max_requests\": 2",
          "\"max_requests\": 3") + "}");
      assertEquals(200, reload(server, "{}").statusCode());
      assertEquals(200, post(server, "a"), "a changed entry starts afresh");
    }
  }

  @Test
  void validateOnlyAndNothingToReload() throws Exception {
    try (TestServer server = TestServer.start(ONE, "{}", Map.of("CONFIG_RELOAD_ADMIN_TOKEN", TOKEN))) {
      Files.writeString(server.dir().resolve("webhooks.json"), TWO);
      HttpResponse<String> validated = reload(server, "{\"validate_only\": true}");
      assertEquals(200, validated.statusCode(), validated::body);
      assertEquals("valid", new JsonObject(validated.body()).getString("status"));
      assertEquals(404, post(server, "b"), "validation puts nothing in force");

      HttpResponse<String> nothing = reload(server, "{\"reload_webhooks\": false, \"reload_connections\": false}");
      assertEquals(200, nothing.statusCode());
      assertEquals("No reload operation specified", new JsonObject(nothing.body()).getString("error"));
      assertEquals(400, reload(server, "{\"validate_only\": \"yes\"}").statusCode());
      assertEquals(400, reload(server, "not json").statusCode());
    }
  }

  /** Files with any name are watched; a burst of writes gives one reload; a broken save keeps the last good. */
  @Test
  void watchedFilesReloadWhateverTheirNames() throws Exception {
    Path dir = Files.createTempDirectory("cwm-watch");
    Path webhooks = dir.resolve("hooks-production.json");
    Path connections = dir.resolve("links.json");
    Files.writeString(webhooks, ONE);
    Files.writeString(connections, "{}");
    int port = TestServer.freePort();
    Launcher.Options options = new Launcher.Options("receiver", webhooks, connections, null, "127.0.0.1", port, null,
        dir.resolve("data"), Env.of(Map.of("CONFIG_FILE_WATCHING_ENABLED", "true", "CONFIG_RELOAD_DEBOUNCE_SECONDS",
            "0.2", "CONFIG_RELOAD_ADMIN_TOKEN", TOKEN)), List.of());
    Launcher.Running running = Launcher.start(options).toCompletionStage().toCompletableFuture().get(30,
        TimeUnit.SECONDS);
    try {
      for (int i = 0; i < 5; i++) { // an editor saving several times
        Files.writeString(webhooks, "{\"a\": {\"module\": \"log\"}, \"b" + i + "\": {\"module\": \"log\"}}");
      }
      assertTrue(await(() -> Http.post(port, "/webhook/b4", "{}").statusCode() == 200), "the last save is live");
      JsonObject status = new JsonObject(Http.get(port, "/admin/config-status", AUTH).body());
      assertEquals(true, status.getBoolean("file_watching_enabled"));
      assertEquals("file watching", status.getJsonObject("last_result").getString("trigger"));
      assertTrue(status.getLong("config_version") <= 3, "debounced: " + status.encode());

      Files.writeString(webhooks, "{\"a\": {\"module\": ");
      assertTrue(await(() -> new JsonObject(Http.get(port, "/admin/config-status", AUTH).body())
          .getJsonObject("reloads").getLong("failed") == 1), "the broken save is refused");
      assertEquals(200, Http.post(port, "/webhook/b4", "{}").statusCode(), "the last good config serves");

      Files.writeString(connections, "{\"cache\": {\"type\": \"redis-rq\", \"host\": \"cache.example.com\"}}");
      Files.writeString(webhooks, ONE);
      assertTrue(await(() -> new JsonObject(Http.get(port, "/admin/config-status", AUTH).body())
          .getInteger("connections_count") == 1), "the connections file is watched too");
    } finally {
      running.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /** A condition that may throw (an HTTP call): false while it does. */
  interface Check {
    boolean test() throws Exception;
  }

  static boolean await(Check check) throws InterruptedException {
    return TestConnector.await(10_000, () -> {
      try {
        return check.test();
      } catch (Exception notYet) {
        return false;
      }
    });
  }

  @Test
  void sighupReloads() throws Exception {
    try (TestServer server = TestServer.start(ONE, "{}", Map.of("CONFIG_RELOAD_ADMIN_TOKEN", TOKEN))) {
      Files.writeString(server.dir().resolve("webhooks.json"), TWO);
      Process kill = new ProcessBuilder("kill", "-HUP", String.valueOf(ProcessHandle.current().pid())).start();
      assertEquals(0, kill.waitFor());
      assertTrue(await(() -> post(server, "b") == 200), "SIGHUP reloaded");
      assertEquals("SIGHUP", status(server).getJsonObject("last_result").getString("trigger"));
    }
  }
}
