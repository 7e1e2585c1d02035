package io.cwm.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.testing.Http;
import io.cwm.testing.TestConnector;
import io.cwm.testing.TestServer;
import io.cwm.webhook.CredentialCleaner;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Provider presets through a real receiver (embedded buffer): a signed delivery is relayed, a stale
 * or unsigned one is answered 401 with a JSON error, a replayed delivery id is answered as a
 * duplicate (the preset's default dedup key), and GitLab's token never reaches the channel in clear.
 */
class ProviderRelayTest {
  private static final String GH_SECRET = "gh-e2e-secret-7f1c";
  private static final String STRIPE_SECRET = "whsec_e2e_stripe_91ab";
  private static final String GITLAB_TOKEN = "gl-e2e-token-55d0";
  private static final String WEBHOOKS = """
      {
        "gh": {"module": "webhook_connect", "provider": {"name": "github", "secret": "{$GH_SECRET}"},
               "module-config": {"channel": "preset-gh", "channel_token": "tok-preset-gh"}},
        "pay": {"module": "webhook_connect", "provider": {"name": "stripe", "secret": "{$STRIPE_SECRET}"},
               "module-config": {"channel": "preset-pay", "channel_token": "tok-preset-pay"}},
        "lab": {"module": "webhook_connect", "provider": {"name": "gitlab", "secret": "{$GITLAB_TOKEN}"},
               "module-config": {"channel": "preset-lab", "channel_token": "tok-preset-lab"}}
      }
      """;
  private static TestServer server;
  private static Vertx vertx;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(WEBHOOKS, "{}", Map.of("GH_SECRET", GH_SECRET, "STRIPE_SECRET", STRIPE_SECRET,
        "GITLAB_TOKEN", GITLAB_TOKEN));
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  private static String hex(String secret, String data) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
  }

  private static HttpResponse<String> github(String delivery, String body, String secret) throws Exception {
    return Http.post(server.port(), "/webhook/gh", body, "Content-Type", "application/json",
        "X-GitHub-Delivery", delivery, "X-GitHub-Event", "push", "X-Hub-Signature-256", "sha256=" + hex(secret, body));
  }

  private static HttpResponse<String> stripe(String body, long t) throws Exception {
    return Http.post(server.port(), "/webhook/pay", body, "Content-Type", "application/json",
        "Stripe-Signature", "t=" + t + ",v1=" + hex(STRIPE_SECRET, t + "." + body));
  }

  private static String messageId(HttpResponse<String> response) {
    return response.headers().firstValue("x-webhook-message-id").orElseThrow();
  }

  private static void assertRefused(String detail, HttpResponse<String> response) {
    assertEquals(401, response.statusCode(), response::body);
    assertEquals("application/json", response.headers().firstValue("content-type").orElse(""));
    assertEquals(detail, new JsonObject(response.body()).getString("detail"));
  }

  @Test
  void github() throws Exception {
    HttpResponse<String> first = github("d-1", "{\"zen\": \"first\"}", GH_SECRET);
    HttpResponse<String> replay = github("d-1", "{\"zen\": \"replayed\"}", GH_SECRET);
    HttpResponse<String> other = github("d-2", "{\"zen\": \"other\"}", GH_SECRET);
    assertEquals(200, first.statusCode(), first::body);
    assertEquals(200, replay.statusCode(), replay::body);
    assertEquals(messageId(first), messageId(replay), "the replayed delivery id is answered as a duplicate");
    assertNotEquals(messageId(first), messageId(other));
    assertRefused("Invalid HMAC signature", github("d-3", "{\"zen\": \"forged\"}", "not-the-secret"));
    assertRefused("Missing X-Hub-Signature-256 header",
        Http.post(server.port(), "/webhook/gh", "{}", "Content-Type", "application/json"));
    try (TestConnector connector = new TestConnector(vertx).autoAck(true)
        .connect(server.port(), "preset-gh", "tok-preset-gh")) {
      assertTrue(TestConnector.await(10_000, () -> connector.unique().size() == 2), () -> "got " + connector.received());
      assertEquals("d-1", connector.next("webhook", 1000).getString("dedup_key"));
    }
  }

  @Test
  void stripe() throws Exception {
    long now = System.currentTimeMillis() / 1000;
    String event = "{\"id\": \"evt_preset_1\", \"type\": \"invoice.paid\"}";
    HttpResponse<String> first = stripe(event, now);
    assertEquals(200, first.statusCode(), first::body);
    HttpResponse<String> retry = stripe(event, now + 1);
    assertEquals(200, retry.statusCode(), retry::body);
    assertEquals(messageId(first), messageId(retry), "Stripe's retry of evt_preset_1 is a duplicate");
    HttpResponse<String> stale = stripe("{\"id\": \"evt_preset_2\"}", now - 3600);
    assertRefused("HMAC signature timestamp outside the tolerance window", stale);
    assertFalse(stale.body().contains(STRIPE_SECRET));
    assertRefused("HMAC signature timestamp outside the tolerance window", stripe("{\"id\": \"evt_preset_3\"}",
        now + 3600));
  }

  @Test
  void gitlabTokenIsCheckedAndNeverRelayedInClear() throws Exception {
    String body = "{\"object_kind\": \"push\", \"ref\": \"refs/heads/main\"}";
    HttpResponse<String> ok = Http.post(server.port(), "/webhook/lab", body, "Content-Type", "application/json",
        "X-Gitlab-Token", GITLAB_TOKEN, "X-Gitlab-Event", "Push Hook", "Idempotency-Key", "idem-1");
    assertEquals(200, ok.statusCode(), ok::body);
    assertRefused("Invalid X-Gitlab-Token header", Http.post(server.port(), "/webhook/lab", body,
        "Content-Type", "application/json", "X-Gitlab-Token", "guess", "Idempotency-Key", "idem-2"));
    try (TestConnector connector = new TestConnector(vertx).autoAck(true)
        .connect(server.port(), "preset-lab", "tok-preset-lab")) {
      JsonObject frame = connector.next("webhook", 10_000);
      assertFalse(frame.encode().contains(GITLAB_TOKEN), frame.encode());
      assertEquals(CredentialCleaner.MASK, frame.getJsonObject("headers").getString("x-gitlab-token"), frame.encode());
      assertEquals("idem-1", frame.getString("dedup_key"));
    }
  }
}
