package io.cwm.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.cwm.testing.Http;
import io.cwm.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Admin API set-ups that need a server of their own: disabled, own port, buffer down, restart. */
class AdminSetupTest {
  static final String CHANNEL = """
      {"relay": {"module": "webhook_connect", "module-config": {"channel": "c1", "channel_token": "tok-c1"}}}""";

  static String detail(HttpResponse<String> response) {
    return new JsonObject(response.body()).getString("detail");
  }

  @Test
  void withoutAnAdminTokenTheApiIsDisabledNeverOpen() throws Exception {
    try (TestServer server = TestServer.start(CHANNEL)) {
      for (String path : new String[] {"/channels", "/overview", "/channels/c1", "/channels/c1/dead-letters"}) {
        HttpResponse<String> response = Http.get(server.port(), AdminRoutes.PREFIX + path, "Authorization", "Bearer x");
        assertEquals(403, response.statusCode(), path);
        assertEquals(AdminAuth.DISABLED, detail(response));
      }
      HttpResponse<String> empty = Http.get(server.port(), AdminRoutes.PREFIX + "/channels", "Authorization", "Bearer ");
      assertEquals(403, empty.statusCode(), "an empty bearer never matches an unset token");
      assertEquals(200, Http.get(server.port(), AdminRoutes.PREFIX + "/health").statusCode());
    }
  }

  @Test
  void anAdminPortTakesTheApiOffThePublicPort() throws Exception {
    Map<String, String> env = Map.of("WEBHOOK_CONNECT_ADMIN_TOKEN", "adm", "WEBHOOK_CONNECT_ADMIN_PORT", "0");
    try (TestServer server = TestServer.start(CHANNEL, "{}", env)) {
      int adminPort = server.running().app().adminBoundPort().get();
      HttpResponse<String> publicSide = Http.get(server.port(), AdminRoutes.PREFIX + "/channels", "Authorization", "Bearer adm");
      assertEquals(404, publicSide.statusCode());
      assertEquals(404, Http.get(server.port(), AdminRoutes.PREFIX + "/health").statusCode());
      assertEquals(200, Http.get(adminPort, AdminRoutes.PREFIX + "/channels", "Authorization", "Bearer adm").statusCode());
      assertEquals(401, Http.get(adminPort, AdminRoutes.PREFIX + "/channels").statusCode());
      assertEquals(404, Http.get(adminPort, "/webhook/relay").statusCode(), "only the admin API is there");
    }
  }

  @Test
  void anUnreachableBufferFailsReadinessNotLiveness() throws Exception {
    Map<String, String> env = Map.of("WEBHOOK_CONNECT_ADMIN_TOKEN", "adm",
        "WEBHOOK_CONNECT_REDIS_URL", "redis://127.0.0.1:1/0");
    try (TestServer server = TestServer.start(CHANNEL, "{}", env)) {
      HttpResponse<String> ready = Http.get(server.port(), "/ready");
      assertEquals(503, ready.statusCode(), ready::body);
      assertEquals("not_ready", new JsonObject(ready.body()).getString("status"));
      HttpResponse<String> health = Http.get(server.port(), "/health");
      assertEquals(200, health.statusCode());
      assertEquals("unavailable", new JsonObject(health.body()).getJsonObject("components").getString("webhook_connect"));
      HttpResponse<String> adminHealth = Http.get(server.port(), AdminRoutes.PREFIX + "/health");
      assertEquals(503, adminHealth.statusCode(), adminHealth::body);
      JsonObject body = new JsonObject(adminHealth.body());
      assertEquals("unhealthy", body.getString("status"));
      assertFalse(body.getBoolean("buffer"));
      HttpResponse<String> stats = Http.get(server.port(), AdminRoutes.PREFIX + "/channels/c1/stats",
          "Authorization", "Bearer adm");
      assertEquals(503, stats.statusCode(), stats::body);
    }
  }

  @Test
  void aRotatedTokenSurvivesARestartAndTheConfiguredTokenStaysInitialOnly() throws Exception {
    Path dir = Files.createTempDirectory("cwm-admin-restart");
    Map<String, String> env = new HashMap<>(Map.of("WEBHOOK_CONNECT_ADMIN_TOKEN", "adm"));
    String fresh;
    try (TestServer first = TestServer.startIn(dir, CHANNEL, "{}", env)) {
      HttpResponse<String> rotated = Http.post(first.port(), AdminRoutes.PREFIX + "/channels/c1/rotate-token",
          "{\"grace_period_seconds\": 0}", "Authorization", "Bearer adm");
      assertEquals(200, rotated.statusCode(), rotated::body);
      fresh = new JsonObject(rotated.body()).getString("new_token");
    }
    try (TestServer second = TestServer.startIn(dir, CHANNEL, "{}", env)) {
      assertEquals(200, Http.get(second.port(), "/connect/status/c1", "Authorization", "Bearer " + fresh).statusCode());
      assertEquals(401, Http.get(second.port(), "/connect/status/c1", "Authorization", "Bearer tok-c1").statusCode(),
          "the unchanged configured token does not undo the rotation");
    }
    // a changed channel_token in webhooks.json becomes current; the rotated one keeps a grace
    try (TestServer third = TestServer.startIn(dir, CHANNEL.replace("tok-c1", "tok-c1-v2"), "{}", env)) {
      assertEquals(200, Http.get(third.port(), "/connect/status/c1", "Authorization", "Bearer tok-c1-v2").statusCode());
      assertEquals(200, Http.get(third.port(), "/connect/status/c1", "Authorization", "Bearer " + fresh).statusCode());
    }
  }
}
