package io.cwm.connector;

import static io.cwm.testing.TestConnector.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.config.ConfigProblem;
import io.cwm.config.Env;
import io.cwm.connector.config.ConnectorConfigLoader;
import io.cwm.connector.config.ConnectorFlags;
import io.cwm.connector.http.HttpDeliverer;
import io.cwm.filter.Filter;
import io.cwm.testing.ConnectApi;
import io.cwm.testing.TestConnectors;
import io.cwm.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Connector-side {@code filters} (connector.json target level), end to end: a real receiver, our
 * connector loaded from a connector.json, and a local HTTP target. Filtered messages are acked
 * (the channel drains) and never reach the target; the others are delivered.
 */
class ConnectorFiltersTest {
  static final String TOKEN = "pay-channel-token";

  @TempDir
  Path dir;
  Vertx vertx;
  HttpServer target;
  /** The bodies the local target received, with the path they came to. */
  final List<String> received = new CopyOnWriteArrayList<>();

  @BeforeEach
  void startTarget() throws Exception {
    vertx = Vertx.vertx();
    target = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      received.add(request.path() + " " + body.toString());
      request.response().end("ok");
    }));
    target.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  ConnectorConfigLoader.Result load(String connectorJson) throws Exception {
    Path file = dir.resolve("connector.json");
    Files.writeString(file, connectorJson);
    return ConnectorConfigLoader.load(List.of(file), ConnectorFlags.NONE, Env.of(Map.of()),
        ConnectorConfigLoader.Purpose.START);
  }

  @ParameterizedTest
  @ValueSource(strings = {"websocket", "long_poll"})
  void filteredMessagesAreAckedSoTheChannelDrainsAndOnlyAcceptedOnesReachTheTarget(String protocol)
      throws Exception {
    try (TestServer server = TestServer.start("""
        {"stripe": {"module": "webhook_connect", "module-config": {"channel": "pay", "channel_token": "%s"}},
         "github": {"module": "webhook_connect", "module-config": {"channel": "pay", "channel_token": "%s"}}}
        """.formatted(TOKEN, TOKEN))) {
      String local = "http://127.0.0.1:" + target.actualPort();
      ConnectorConfigLoader.Result loaded = load("""
          {"cloud_url": "http://127.0.0.1:%d", "channel": "pay", "token": "%s", "protocol": "%s",
           "reconnect_delay": 0.2,
           "default_target": {"url": "%s/default",
                              "filters": {"drop": [{"field": "X-GitHub-Event", "equals": "ping"}]}},
           "targets": {"stripe": {"url": "%s/stripe",
                                  "filters": {"accept": [{"field": "/type", "in": ["payment_intent.succeeded"]}]}}}}
          """.formatted(server.port(), TOKEN, protocol, local, local));
      assertTrue(loaded.ok(), () -> loaded.problems().toString());
      ConnectorConfig config = loaded.connectors().get(0);
      assertNotNull(config.targetFor("stripe").filters());

      ConnectApi api = new ConnectApi(server);
      for (int i = 0; i < 10; i++) {
        String type = i % 2 == 0 ? "payment_intent.succeeded" : "charge.refunded";
        api.post("stripe", new JsonObject().put("n", i).put("type", type).encode());
      }
      for (String event : new String[] {"push", "ping", "issues", "ping"}) {
        assertEquals(200, io.cwm.testing.Http.post(server.port(), "/webhook/github", "{\"event\": \"" + event + "\"}",
            "Content-Type", "application/json", "X-GitHub-Event", event).statusCode());
      }
      assertEquals(14, api.stats("pay", TOKEN).getInteger("messages_queued"), "all queued at the receiver");

      vertx.deployVerticle(new ConnectorVerticle(config, v -> new HttpDeliverer(v, config), reason -> { }))
          .await(10, TimeUnit.SECONDS);

      api.awaitStats("pay", TOKEN, stats -> stats.getInteger("messages_queued") == 0
          && stats.getInteger("messages_in_flight") == 0 && stats.getInteger("messages_delivered") == 14);
      assertTrue(await(10_000, () -> received.size() >= 7), () -> "delivered: " + received);
      List<String> stripe = new ArrayList<>();
      List<String> other = new ArrayList<>();
      for (String delivery : received) {
        (delivery.startsWith("/stripe ") ? stripe : other).add(delivery);
      }
      assertEquals(5, stripe.size(), () -> "stripe: " + stripe);
      assertTrue(stripe.stream().allMatch(body -> body.contains("payment_intent.succeeded")), stripe::toString);
      assertEquals(2, other.size(), () -> "github: " + other);
      assertTrue(other.stream().noneMatch(body -> body.contains("ping")), other::toString);
      JsonObject stats = api.stats("pay", TOKEN);
      assertEquals(0, stats.getInteger("messages_dead_lettered"), stats.encode());
      assertEquals(7, received.size(), "nothing more arrives: " + received);
    }
  }

  /**
   * Module mode (role both): the filters of the local webhooks.json entry apply at the connector;
   * what they drop is acked, the rest runs the entry's module (save_to_disk).
   */
  @Test
  void inModuleModeTheLocalEntrysFiltersApply() throws Exception {
    Path local = dir.resolve("local-webhooks.json");
    Files.writeString(local, """
        {"stripe": {"module": "save_to_disk", "module-config": {"path": "out"},
                    "filters": {"accept": [{"field": "/type", "in": ["payment_intent.succeeded"]}]}}}""");
    int port = TestServer.freePort();
    ConnectorConfig connector = TestConnectors.module(port, "pay", TOKEN, "websocket", local, null);
    try (TestServer server = TestServer.startIn(dir, port, "both", """
        {"stripe": {"module": "webhook_connect", "module-config": {"channel": "pay", "channel_token": "%s"}}}
        """.formatted(TOKEN), "{}", Map.of(), List.of(connector))) {
      ConnectApi api = new ConnectApi(server);
      for (int i = 0; i < 6; i++) {
        String type = i % 3 == 0 ? "payment_intent.succeeded" : "charge.refunded";
        api.post("stripe", new JsonObject().put("n", i).put("type", type).encode());
      }
      JsonObject stats = api.awaitStats("pay", TOKEN, s -> s.getInteger("messages_delivered") == 6);
      assertEquals(0, stats.getInteger("messages_queued"), stats.encode());
      assertEquals(0, stats.getInteger("messages_dead_lettered"), stats.encode());
      try (Stream<Path> written = Files.list(dir.resolve("out"))) {
        assertEquals(2, written.count(), "only the accepted events ran the module");
      }
    }
  }

  @Test
  void badTargetFiltersAreRefusedAtLoadWithTheirFullKey() throws Exception {
    ConnectorConfigLoader.Result loaded = load("""
        {"cloud_url": "http://127.0.0.1:1", "channel": "pay", "token": "t",
         "default_target": {"url": "http://127.0.0.1:2/", "filters": {"drop": [{"field": "X-Count", "equals": 5}]}},
         "targets": {"stripe": {"url": "http://127.0.0.1:2/s",
                                "filters": {"accept": [{"field": "/type", "regex": "(a)\\\\1"}], "reject": []}}}}
        """);
    List<String> errors = loaded.errors().stream().map(ConfigProblem::toString).toList();
    assertEquals(3, errors.size(), errors::toString);
    assertTrue(errors.stream().anyMatch(error -> error.contains("default_target.filters.drop[0].equals")
        && error.contains("must be a string: a header's value is text")), errors::toString);
    assertTrue(errors.stream().anyMatch(error -> error.contains("targets.stripe.filters.accept[0].regex")
        && error.contains("is not a valid RE2 regular expression")), errors::toString);
    assertTrue(errors.stream().anyMatch(error -> error.contains("targets.stripe.filters.reject")
        && error.contains("unknown key 'reject'")), errors::toString);
  }

  @Test
  void theConnectorCountsWhatItFiltersPerWebhookId() {
    Target target = new Target("http://127.0.0.1:2/", "POST", Map.of(), 5, true, 3, 0.2, 2,
        Filter.parse(new JsonObject("{\"drop\": [{\"field\": \"/type\", \"prefix\": \"charge.\"}]}")));
    ConnectorFilters filters = (ConnectorFilters) ConnectorFilters.of(
        TestConnectors.http(1, "pay", TOKEN, "websocket", target), "[channel: pay]", () -> 0);
    JsonObject charge = new JsonObject().put("type", "charge.refunded");
    assertEquals("drop[0]", filters.dropReason(new Delivery("m1", "stripe", new JsonObject(), charge, 1)));
    assertEquals("drop[0]", filters.dropReason(new Delivery("m2", "stripe", new JsonObject(), charge, 1)));
    assertEquals("drop[0]", filters.dropReason(new Delivery("m3", "shop", new JsonObject(), charge, 1)));
    assertNull(filters.dropReason(new Delivery("m4", "stripe", new JsonObject(), new JsonObject(), 1)));
    assertEquals(3, filters.total());
    assertEquals(Map.of("stripe", 2L, "shop", 1L), filters.counts());
  }

  @Test
  void aConnectorWhoseTargetsHaveNoFiltersScreensNothing() throws Exception {
    ConnectorConfigLoader.Result loaded = load("""
        {"cloud_url": "http://127.0.0.1:1", "channel": "pay", "token": "t",
         "default_target": {"url": "http://127.0.0.1:2/"}}
        """);
    assertTrue(loaded.ok(), () -> loaded.problems().toString());
    assertNull(loaded.connectors().get(0).defaultTarget().filters());
    assertEquals(DeliveryWindow.Screen.NONE, ConnectorFilters.of(loaded.connectors().get(0), "[t]", () -> 0));
  }
}
