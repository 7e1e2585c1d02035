package io.cwm.metrics;

import static io.cwm.metrics.CwmMetricsTest.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.testing.Http;
import io.cwm.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code GET /metrics} of a receiver started in this JVM, after webhooks posted over real HTTP. */
class MetricsEndpointTest {
  static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start("""
        {
          "orders": {"module": "log", "authorization": "Bearer orders-token"},
          "open": {"module": "log"}
        }
        """, "{}", Map.of("METRICS_TOKEN", "scrape-token"));
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  static String scrape() throws Exception {
    HttpResponse<String> response = Http.get(server.port(), "/metrics", "Authorization", "Bearer scrape-token");
    assertEquals(200, response.statusCode(), response::body);
    assertEquals(CwmMetrics.CONTENT_TYPE, response.headers().firstValue("content-type").orElse(""));
    return response.body();
  }

  @Test
  void webhookAnswersAreCountedByIdAndStatus() throws Exception {
    String[] token = {"Authorization", "Bearer orders-token"};
    assertEquals(200, Http.post(server.port(), "/webhook/orders", "{}", token).statusCode());
    assertEquals(200, Http.post(server.port(), "/webhook/orders", "{}", token).statusCode());
    assertEquals(401, Http.post(server.port(), "/webhook/orders", "{}", "Authorization", "Bearer no").statusCode());
    assertEquals(413, Http.post(server.port(), "/webhook/open", new byte[10 * 1024 * 1024 + 1]).statusCode());

    String scrape = scrape();
    assertEquals(2.0, value(scrape, "cwm_webhooks_received_total{status=\"200\",webhook_id=\"orders\"}"), scrape);
    assertEquals(1.0, value(scrape, "cwm_webhooks_received_total{status=\"401\",webhook_id=\"orders\"}"), scrape);
    assertEquals(1.0, value(scrape, "cwm_webhooks_received_total{status=\"413\",webhook_id=\"open\"}"), scrape);
    assertEquals(1.0, value(scrape,
        "cwm_validation_failures_total{reason=\"unauthorized\",validator=\"authorization\"}"), scrape);
    assertTrue(scrape.contains("# HELP cwm_webhooks_received_total "), scrape);
  }

  @Test
  void unknownWebhookIdsShareOneSeries() throws Exception {
    for (int i = 0; i < 5; i++) {
      assertEquals(404, Http.post(server.port(), "/webhook/nobody-" + i, "{}").statusCode());
    }
    String scrape = scrape();
    assertEquals(5.0, value(scrape, "cwm_webhooks_received_total{status=\"404\",webhook_id=\"_unknown\"}"), scrape);
    assertFalse(scrape.contains("nobody-"), "no series, route or label carries the requested id");
  }

  @Test
  void jvmAndVertxMetricsAreExposed() throws Exception {
    assertEquals(200, Http.post(server.port(), "/webhook/open", "{}").statusCode());
    String scrape = scrape();
    assertTrue(scrape.contains("jvm_memory_used_bytes{"), "JVM memory");
    assertTrue(scrape.contains("jvm_gc_"), "JVM GC");
    assertTrue(scrape.contains("jvm_threads_live_threads "), "JVM threads");
    assertTrue(scrape.contains("jvm_classes_loaded_classes "), "class loading");
    assertTrue(scrape.contains("system_cpu_count "), "processor");
    assertTrue(scrape.contains("process_uptime_seconds "), "uptime");
    String webhookRoute = "vertx_http_server_requests_total{code=\"200\",method=\"POST\",route=\"/webhook/:id\"}";
    assertTrue(value(scrape, webhookRoute) >= 1, scrape);
    assertTrue(scrape.contains("vertx_http_server_active_connections"), "Vert.x connection gauge");
    assertTrue(scrape.contains("vertx_pool_"), "Vert.x worker pool meters");
  }

  @Test
  void httpMethodsOutsideTheStandardOnesAreFolded() throws Exception {
    String answer = Http.raw(server.port(), "BREW /webhook/open HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
    assertTrue(answer.startsWith("HTTP/1.1 405"), answer);
    String scrape = scrape();
    assertFalse(scrape.contains("BREW"), "a client-chosen method is not a label value");
    assertTrue(scrape.contains("method=\"OTHER\""), scrape);
  }

  @Test
  void metricsAreClosedWithoutAnyToken() throws Exception {
    try (TestServer bare = TestServer.start("{}")) {
      HttpResponse<String> refused = Http.get(bare.port(), "/metrics");
      assertEquals(403, refused.statusCode());
      assertEquals(MetricsAccess.NO_TOKEN, new JsonObject(refused.body()).getString("detail"));
    }
  }

  @Test
  void metricsTokenThenAdminTokenThenStatsToken() throws Exception {
    assertEquals(401, Http.get(server.port(), "/metrics").statusCode());
    assertEquals(401, Http.get(server.port(), "/metrics", "Authorization", "Bearer wrong").statusCode());
    try (TestServer admin = TestServer.start("{}", "{}", Map.of("WEBHOOK_CONNECT_ADMIN_TOKEN", "admin-scrape"))) {
      assertEquals(401, Http.get(admin.port(), "/metrics").statusCode());
      assertEquals(200, Http.get(admin.port(), "/metrics", "Authorization", "Bearer admin-scrape").statusCode());
    }
    try (TestServer guarded = TestServer.start("{}", "{}", Map.of("STATS_AUTH_TOKEN", "metrics-token"))) {
      assertEquals(401, Http.get(guarded.port(), "/metrics").statusCode());
      HttpResponse<String> ok = Http.get(guarded.port(), "/metrics", "Authorization", "Bearer metrics-token");
      assertEquals(200, ok.statusCode());
      assertTrue(ok.body().contains("jvm_memory_used_bytes{"));
    }
  }

  @Test
  void metricsAuthNoneOpensTheAdminPortOnlyWhenThereIsOne() throws Exception {
    int adminPort = TestServer.freePort();
    try (TestServer split = TestServer.start("{}", "{}", Map.of("METRICS_AUTH", "none",
        "WEBHOOK_CONNECT_ADMIN_PORT", String.valueOf(adminPort), "WEBHOOK_CONNECT_ADMIN_TOKEN", "split-admin"))) {
      assertEquals(200, Http.get(adminPort, "/metrics").statusCode(), "private port: open");
      assertEquals(401, Http.get(split.port(), "/metrics").statusCode(), "public port: still the token");
      assertEquals(200, Http.get(split.port(), "/metrics", "Authorization", "Bearer split-admin").statusCode());
    }
    try (TestServer single = TestServer.start("{}", "{}", Map.of("METRICS_AUTH", "none"))) {
      assertEquals(200, Http.get(single.port(), "/metrics").statusCode(), "explicitly opened on the only port");
    }
  }
}
