package io.cwm.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.testing.Http;
import io.cwm.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The default entry, /stats guards, / rate limit and hardening headers, over real HTTP. */
class ReceiverEndpointsTest {

  @Test
  void defaultEntryServesUnknownIdsButNotInvalidOnes() throws Exception {
    try (TestServer server = TestServer.start("{\"default\": {\"module\": \"log\"}}")) {
      assertEquals(200, Http.post(server.port(), "/webhook/anything-at-all", "{}").statusCode());
      assertEquals(200, Http.post(server.port(), "/webhook/team-a/orders", "{}").statusCode());
      assertEquals(400, Http.post(server.port(), "/webhook/__x", "{}").statusCode());
      assertEquals(400, Http.post(server.port(), "/webhook/..%2Fx/orders", "{}").statusCode());
      JsonObject stats = new JsonObject(Http.get(server.port(), "/stats").body());
      assertEquals(1, stats.getJsonObject("anything-at-all").getInteger("total"), "stats use the requested id");
      assertEquals(1, stats.getJsonObject("team-a/orders").getInteger("total"));
    }
  }

  @Test
  void statsAreGuardedByTokenAndCanHideIds() throws Exception {
    Map<String, String> env = Map.of("STATS_AUTH_TOKEN", "stats-token", "STATS_SANITIZE_IDS", "true");
    try (TestServer server = TestServer.start("{\"orders\": {\"module\": \"log\"}}", "{}", env)) {
      assertEquals(200, Http.post(server.port(), "/webhook/orders", "{}").statusCode());
      HttpResponse<String> missing = Http.get(server.port(), "/stats");
      assertEquals(401, missing.statusCode());
      assertEquals("{\"detail\":\"Authentication required\"}", missing.body());
      assertEquals("{\"detail\":\"Invalid authentication token\"}",
          Http.get(server.port(), "/stats", "Authorization", "Bearer nope").body());
      HttpResponse<String> ok = Http.get(server.port(), "/stats", "Authorization", "Bearer stats-token");
      assertEquals(200, ok.statusCode());
      assertFalse(ok.body().contains("orders"), ok.body());
      assertTrue(ok.body().contains("\"webhook_"), ok.body());
    }
  }

  @Test
  void rootIsRateLimitedPerClient() throws Exception {
    try (TestServer server = TestServer.start("{}", "{}", Map.of("DEFAULT_ENDPOINT_RATE_LIMIT", "3"))) {
      for (int i = 0; i < 3; i++) {
        assertEquals(200, Http.get(server.port(), "/").statusCode());
      }
      HttpResponse<String> limited = Http.get(server.port(), "/");
      assertEquals(429, limited.statusCode());
      assertEquals("{\"detail\":\"Rate limit exceeded. Limit: 3 requests per minute\"}", limited.body());
    }
  }

  @Test
  void hstsOnlyWhenForcedOrFromATrustedProxy() throws Exception {
    try (TestServer server = TestServer.start("{}")) {
      HttpResponse<String> plain = Http.get(server.port(), "/health", "X-Forwarded-Proto", "https");
      assertTrue(plain.headers().firstValue("strict-transport-security").isEmpty(),
          "X-Forwarded-Proto from an untrusted peer is ignored");
      assertEquals("DENY", plain.headers().firstValue("x-frame-options").orElse(""));
    }
    try (TestServer server = TestServer.start("{}", "{}", Map.of("TRUSTED_PROXY_IPS", "127.0.0.1"))) {
      HttpResponse<String> proxied = Http.get(server.port(), "/health", "X-Forwarded-Proto", "https");
      assertEquals("max-age=31536000; includeSubDomains",
          proxied.headers().firstValue("strict-transport-security").orElse(""));
    }
  }

  @Test
  void corsIsOffByDefaultAndOnlyForValidOrigins() throws Exception {
    try (TestServer server = TestServer.start("{}", "{}",
        Map.of("CORS_ALLOWED_ORIGINS", "*,https://app.example.com,https://example.com@evil.com"))) {
      HttpResponse<String> allowed = Http.get(server.port(), "/", "Origin", "https://app.example.com");
      assertEquals("https://app.example.com",
          allowed.headers().firstValue("access-control-allow-origin").orElse(""));
      HttpResponse<String> other = Http.get(server.port(), "/", "Origin", "https://evil.com");
      assertTrue(other.headers().firstValue("access-control-allow-origin").isEmpty());
    }
  }
}
