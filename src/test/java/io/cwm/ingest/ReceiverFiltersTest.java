package io.cwm.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.testing.Http;
import io.cwm.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Receiver-side {@code filters} over real HTTP: a filtered request is answered 200 with
 * {@code X-Webhook-Filtered} (the sender must not retry), counted in {@code /metrics}, and neither
 * delivered (direct module) nor queued (webhook_connect: the channel's stats through the admin API).
 */
class ReceiverFiltersTest {
  static final String ADMIN = "admin-secret-token";
  static final String SUCCEEDED = "{\"id\": \"evt_1\", \"type\": \"payment_intent.succeeded\"}";
  static final String REFUNDED = "{\"id\": \"evt_2\", \"type\": \"charge.refunded\"}";
  static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start("""
        {
          "stripe": {"module": "save_to_disk", "module-config": {"path": "out/stripe"},
                     "filters": {"accept": [{"field": "/type", "in": ["payment_intent.succeeded"]}]}},
          "github": {"module": "webhook_connect",
                     "module-config": {"channel": "gh", "channel_token": "gh-channel-token"},
                     "filters": {"drop": [{"field": "X-GitHub-Event", "in": ["ping", "star"]}]}},
          "signed": {"module": "save_to_disk", "module-config": {"path": "out/signed"},
                     "authorization": "Bearer signed-token",
                     "filters": {"drop": [{"field": "/type", "exists": true}]}},
          "raw": {"module": "save_to_disk", "data_type": "blob", "module-config": {"path": "out/raw"},
                  "filters": {"accept": [{"field": "Content-Type", "prefix": "application/xml"}]}},
          "plain": {"module": "save_to_disk", "module-config": {"path": "out/plain"}}
        }
        """, "{}", Map.of("METRICS_TOKEN", "scrape-token", "WEBHOOK_CONNECT_ADMIN_TOKEN", ADMIN));
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  static HttpResponse<String> post(String id, String body, String... headers) throws Exception {
    String[] all = Stream.concat(Stream.of("Content-Type", "application/json"), Stream.of(headers))
        .toArray(String[]::new);
    return Http.post(server.port(), "/webhook/" + id, body, all);
  }

  static long files(String path) throws IOException {
    Path dir = server.dir().resolve(path);
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> listed = Files.list(dir)) {
      return listed.count();
    }
  }

  static double metric(String sample) throws Exception {
    HttpResponse<String> response = Http.get(server.port(), "/metrics", "Authorization", "Bearer scrape-token");
    assertEquals(200, response.statusCode(), response::body);
    for (String line : response.body().split("\n")) {
      if (line.startsWith(sample + " ")) {
        return Double.parseDouble(line.substring(sample.length() + 1));
      }
    }
    return 0;
  }

  @Test
  void aDirectEntryDeliversWhatItsFiltersAcceptAndAnswers200FilteredToTheRest() throws Exception {
    HttpResponse<String> accepted = post("stripe", SUCCEEDED);
    assertEquals(200, accepted.statusCode(), accepted::body);
    assertFalse(accepted.headers().firstValue("x-webhook-filtered").isPresent());

    HttpResponse<String> filtered = post("stripe", REFUNDED);
    assertEquals(200, filtered.statusCode(), "the sender must not retry");
    assertEquals("accept[0]", filtered.headers().firstValue("x-webhook-filtered").orElse(null));
    assertEquals(true, new JsonObject(filtered.body()).getBoolean("filtered"), filtered.body());
    assertEquals(1, files("out/stripe"), "only the accepted event was delivered");
    assertEquals(1.0, metric("cwm_webhooks_filtered_total{webhook_id=\"stripe\"}"));
  }

  @Test
  void aWebhookConnectEntryQueuesNothingItFilters() throws Exception {
    HttpResponse<String> push = post("github", "{\"ref\": \"refs/heads/main\"}", "X-GitHub-Event", "push");
    assertEquals(200, push.statusCode(), push::body);
    assertTrue(push.headers().firstValue("x-webhook-message-id").isPresent(), "queued: it has a message id");
    for (String event : new String[] {"ping", "star", "ping"}) {
      HttpResponse<String> dropped = post("github", "{\"zen\": \"x\"}", "X-GitHub-Event", event);
      assertEquals(200, dropped.statusCode(), dropped::body);
      assertEquals("drop[0]", dropped.headers().firstValue("x-webhook-filtered").orElse(null));
      assertFalse(dropped.headers().firstValue("x-webhook-message-id").isPresent(), "not queued: no message id");
    }
    HttpResponse<String> stats = Http.get(server.port(), "/admin/webhook-connect/channels/gh/stats",
        "Authorization", "Bearer " + ADMIN);
    assertEquals(200, stats.statusCode(), stats::body);
    assertEquals(1, new JsonObject(stats.body()).getInteger("messages_queued"), stats.body());
    assertEquals(3.0, metric("cwm_webhooks_filtered_total{webhook_id=\"github\"}"));
  }

  @Test
  void theValidatorsRunFirstSoAnUnauthenticatedRequestIsRefusedNotFiltered() throws Exception {
    HttpResponse<String> refused = post("signed", SUCCEEDED, "Authorization", "Bearer wrong");
    assertEquals(401, refused.statusCode());
    assertFalse(refused.headers().firstValue("x-webhook-filtered").isPresent());
    HttpResponse<String> filtered = post("signed", SUCCEEDED, "Authorization", "Bearer signed-token");
    assertEquals(200, filtered.statusCode());
    assertEquals("drop[0]", filtered.headers().firstValue("x-webhook-filtered").orElse(null));
    assertEquals(0, files("out/signed"));
  }

  @Test
  void aBlobEntryIsFilteredOnItsHeaders() throws Exception {
    HttpResponse<String> xml = Http.post(server.port(), "/webhook/raw", "<a/>", "Content-Type",
        "application/xml; charset=utf-8");
    assertEquals(200, xml.statusCode(), xml::body);
    assertFalse(xml.headers().firstValue("x-webhook-filtered").isPresent());
    HttpResponse<String> json = post("raw", SUCCEEDED);
    assertEquals("accept[0]", json.headers().firstValue("x-webhook-filtered").orElse(null));
    assertEquals(1, files("out/raw"));
  }

  @Test
  void anEntryWithoutFiltersDeliversEverything() throws Exception {
    HttpResponse<String> answer = post("plain", REFUNDED);
    assertEquals(200, answer.statusCode());
    assertEquals("{\"message\":\"200 OK\"}", answer.body());
    assertFalse(answer.headers().firstValue("x-webhook-filtered").isPresent());
    assertEquals(1, files("out/plain"));
    assertEquals(0.0, metric("cwm_webhooks_filtered_total{webhook_id=\"plain\"}"));
  }
}
