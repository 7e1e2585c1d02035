package io.cwm.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.testing.Http;
import io.cwm.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Dot segments in any spelling are refused before routing: {@code /webhook/%2e%2e/stats} used to be
 * served by {@code /stats}, and {@code /webhook/%2e%2e/admin/...} reached the admin router.
 */
class PathGuardTest {

  @ParameterizedTest
  @ValueSource(strings = {"/webhook/../stats", "/webhook/%2e%2e/stats", "/webhook/%2E%2E/stats", "/webhook/.%2e/x",
      "/webhook/%2e./x", "/webhook/a/..", "/webhook/a%2f..%2fstats", "/webhook/a%2F%2E%2E", "/webhook\\..\\stats",
      "/webhook/%5c..%5cstats", "/.."})
  void dotSegmentsAreFound(String path) {
    assertTrue(PathGuard.hasDotSegment(path), path);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/webhook/github", "/webhook/a..b", "/webhook/...", "/webhook/.hidden", "/webhook/a.",
      "/webhook/%2e", "/webhook/%2e%2e%2e", "/webhook/%zz..", "/", "/webhook/ns/id"})
  void otherPathsPass(String path) {
    assertFalse(PathGuard.hasDotSegment(path), path);
  }

  @Test
  void encodedDotSegmentsAreRefusedBeforeRoutingOnBothPorts() throws Exception {
    int adminPort = TestServer.freePort();
    try (TestServer server = TestServer.start("{\"hook\": {\"module\": \"log\"}}", "{}",
        Map.of("WEBHOOK_CONNECT_ADMIN_TOKEN", "path-guard-admin-token"))) {
      for (String path : new String[] {"/webhook/%2e%2e/stats", "/webhook/%2e%2e/admin/webhook-connect/channels",
          "/webhook/hook/%2E%2E/%2e%2e/health"}) {
        var answer = Http.get(server.port(), path, "Authorization", "Bearer path-guard-admin-token");
        assertEquals(400, answer.statusCode(), path + ": " + answer.body());
        assertEquals("Invalid path: dot segments are not allowed", new JsonObject(answer.body()).getString("detail"));
      }
      assertEquals(200, Http.get(server.port(), "/stats").statusCode(), "the plain path still works");
    }
    try (TestServer server = TestServer.start("{}", "{}", Map.of("WEBHOOK_CONNECT_ADMIN_PORT",
        String.valueOf(adminPort), "WEBHOOK_CONNECT_ADMIN_TOKEN", "path-guard-admin-token"))) {
      var answer = Http.get(adminPort, "/x/%2e%2e/admin/webhook-connect/channels",
          "Authorization", "Bearer path-guard-admin-token");
      assertEquals(400, answer.statusCode(), answer.body());
    }
  }
}
