package io.cwm.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.testing.ConnectApi;
import io.cwm.testing.Http;
import io.cwm.testing.TestConnector;
import io.cwm.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Idempotency over real HTTP (embedded buffer): a provider's retry of the same event is answered
 * 200 with the first message's id and delivered once; a webhook without the key is relayed as
 * usual; both are counted in {@code /metrics}.
 */
class DedupRelayTest {
  private static final String WEBHOOKS = """
      {
        "gh": {"module": "webhook_connect", "dedup": "github",
               "module-config": {"channel": "dedup-gh", "channel_token": "tok-gh"}},
        "stripe": {"module": "webhook_connect", "dedup": {"preset": "stripe", "window_seconds": 3600},
               "module-config": {"channel": "dedup-stripe", "channel_token": "tok-stripe"}},
        "plain": {"module": "webhook_connect",
               "module-config": {"channel": "dedup-plain", "channel_token": "tok-plain"}}
      }
      """;
  private static TestServer server;
  private static ConnectApi api;
  private static Vertx vertx;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(WEBHOOKS, "{}", Map.of("METRICS_TOKEN", "scrape"));
    api = new ConnectApi(server);
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  private static HttpResponse<String> postGitHub(String delivery, String body) throws Exception {
    return Http.post(server.port(), "/webhook/gh", body, "Content-Type", "application/json",
        "X-GitHub-Delivery", delivery, "X-GitHub-Event", "push");
  }

  private static String metric(String name, String webhookId) throws Exception {
    HttpResponse<String> scrape = Http.get(server.port(), "/metrics", "Authorization", "Bearer scrape");
    assertEquals(200, scrape.statusCode());
    return scrape.body().lines().filter(line -> line.startsWith(name + "{") && line.contains("webhook_id=\"" + webhookId + "\""))
        .findFirst().map(line -> line.substring(line.lastIndexOf(' ') + 1)).orElse(null);
  }

  @Test
  void aRetriedGitHubDeliveryIsAnsweredWithTheFirstIdAndDeliveredOnce() throws Exception {
    HttpResponse<String> first = postGitHub("72d3162e-cc78-11e3-81ab-4c9367dc0958", "{\"zen\": \"first\"}");
    HttpResponse<String> retry = postGitHub("72d3162e-cc78-11e3-81ab-4c9367dc0958", "{\"zen\": \"retry\"}");
    HttpResponse<String> other = postGitHub("9a0c1f00-cc78-11e3-81ab-4c9367dc0958", "{\"zen\": \"other\"}");
    assertEquals(200, first.statusCode(), first::body);
    assertEquals(200, retry.statusCode(), retry::body);
    assertEquals("{\"message\":\"200 OK\"}", retry.body(), "a duplicate gets the same answer as the first");
    String firstId = first.headers().firstValue("x-webhook-message-id").orElseThrow();
    assertEquals(firstId, retry.headers().firstValue("x-webhook-message-id").orElseThrow());
    String otherId = other.headers().firstValue("x-webhook-message-id").orElseThrow();
    assertNotEquals(firstId, otherId);

    try (TestConnector connector = new TestConnector(vertx).autoAck(true).connect(server.port(), "dedup-gh", "tok-gh")) {
      assertTrue(TestConnector.await(10_000, () -> connector.unique().size() == 2), () -> "got " + connector.received());
      JsonObject frame = connector.next("webhook", 1000);
      assertEquals("72d3162e-cc78-11e3-81ab-4c9367dc0958", frame.getString("dedup_key"),
          "the key travels in the frame as an extra field: " + frame.encode());
      assertEquals(new JsonObject().put("zen", "first"), frame.getValue("payload"), "the first arrival is the one kept");
      api.awaitStats("dedup-gh", "tok-gh", stats -> stats.getLong("messages_delivered", 0L) == 2);
      assertEquals(2, connector.received().size(), "the retry was never queued");
    }
    assertEquals("1.0", metric("cwm_dedup_duplicates_total", "gh"));
  }

  @Test
  void aStripeEventWithoutAnIdIsRelayedWithoutDedupAndCounted() throws Exception {
    String event = "{\"id\": \"evt_1NG8Du2eZvKYlo2CUI79vXWy\", \"type\": \"payment_intent.succeeded\"}";
    String one = api.post("stripe", event);
    assertEquals(one, api.post("stripe", event));
    String keyless = "{\"type\": \"payment_intent.succeeded\"}";
    String first = api.post("stripe", keyless);
    String second = api.post("stripe", keyless);
    assertNotEquals(first, second, "no key: both are relayed");
    assertEquals("2.0", metric("cwm_dedup_missing_key_total", "stripe"));
    assertEquals("1.0", metric("cwm_dedup_duplicates_total", "stripe"));
    JsonObject stats = api.awaitStats("dedup-stripe", "tok-stripe", s -> s.getLong("messages_queued", 0L) == 3);
    assertEquals(3, stats.getLong("messages_queued"));
  }

  @Test
  void anEntryWithoutDedupKeepsRelayingEveryArrival() throws Exception {
    String body = "{\"id\": \"evt_same\"}";
    assertNotEquals(api.post("plain", body), api.post("plain", body));
    assertNull(metric("cwm_dedup_duplicates_total", "plain"));
  }
}
