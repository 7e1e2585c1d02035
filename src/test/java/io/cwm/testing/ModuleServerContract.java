package io.cwm.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.connector.ConnectorConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What every output module must do against its real server, run by each module's test class
 * (which extends this one and starts the server): a webhook answered 200 only once the server
 * holds it; the same module run by a connector in module mode; a chain that mixes it with
 * save_to_disk; and the server down, seen through a {@link TcpProxy} in front of it (the shared
 * server stays up): the receiver answers 503 with Retry-After, the connector nacks with retry
 * and delivers everything once the server is back, with nothing dead-lettered.
 *
 * <p>One process in role both serves it all: {@code direct} and {@code chained} run the module
 * on the receiver; {@code relayed} goes through a Webhook Connect channel to the in-process
 * connector, whose own webhooks.json runs the module. Every payload carries a random
 * {@code marker}; the subclass reads back the markers its server holds.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ModuleServerContract {
  private static final String CHANNEL = "module-contract";
  private static final String TOKEN = "contract-token";

  private TcpProxy proxy;
  private TestServer server;
  private ConnectApi api;

  /** The module name as webhooks.json gives it. */
  protected abstract String module();

  /** Starts the server (or checks the machine's) and makes a fresh destination; runs once, first. */
  protected abstract void startServer() throws Exception;

  /** Stops what {@link #startServer} started and removes the destination; runs once, last. */
  protected abstract void stopServer() throws Exception;

  /** Where the server listens (the proxy relays there). */
  protected abstract String serverHost();

  protected abstract int serverPort();

  /** The module-config for a server reached at host:port (the proxy); the destination of this class. */
  protected abstract JsonObject moduleConfig(String host, int port);

  /** The connection object for a server reached at host:port, or null when the module takes none. */
  protected abstract JsonObject connection(String host, int port);

  /** Every {@code marker} of a payload the server holds so far (read from the server itself). */
  protected abstract Set<String> markersReceived() throws Exception;

  /** The receiver's environment (localhost allowed for tests; subclasses may add). */
  protected Map<String, String> env() {
    return Map.of("ALLOW_LOCALHOST_FOR_TESTS", "true", "WEBHOOK_CONNECT_EMBEDDED_FSYNC", "false");
  }

  /** The proxy in front of the server, for subclasses' own outage tests. */
  protected final TcpProxy proxy() {
    return proxy;
  }

  /** The running receiver (role both), for subclasses' own tests. */
  protected final TestServer server() {
    return server;
  }

  @BeforeAll
  final void startAll() throws Exception {
    startServer();
    proxy = new TcpProxy(serverHost(), serverPort());
    Path dir = Files.createTempDirectory("cwm-" + module() + "-contract");
    JsonObject config = moduleConfig("127.0.0.1", proxy.port());
    JsonObject connection = connection("127.0.0.1", proxy.port());
    JsonObject step = new JsonObject().put("module", module()).put("module-config", config);
    JsonObject connections = new JsonObject();
    if (connection != null) {
      step.put("connection", "server");
      connections.put("server", connection);
    }
    JsonObject webhooks = new JsonObject()
        .put("direct", step.copy())
        .put("chained", new JsonObject()
            .put("chain", new JsonArray().add(step.copy())
                .add(new JsonObject().put("module", "save_to_disk").put("module-config",
                    new JsonObject().put("path", "chain-out"))))
            .put("chain-config", new JsonObject().put("execution", "sequential").put("continue_on_error", false)))
        .put("relayed", new JsonObject().put("module", "webhook_connect").put("module-config",
            new JsonObject().put("channel", CHANNEL).put("channel_token", TOKEN)));
    Path localWebhooks = dir.resolve("local-webhooks.json");
    Path localConnections = dir.resolve("local-connections.json");
    Files.writeString(localWebhooks, new JsonObject().put("relayed", step.copy()).encodePrettily());
    Files.writeString(localConnections, connections.encodePrettily());
    int port = TestServer.freePort();
    ConnectorConfig connector = TestConnectors.module(port, CHANNEL, TOKEN, "websocket", localWebhooks,
        localConnections);
    server = TestServer.startIn(dir, port, "both", webhooks.encodePrettily(), connections.encodePrettily(),
        env(), List.of(connector));
    api = new ConnectApi(server);
  }

  @AfterAll
  final void stopAll() throws Exception {
    try {
      if (server != null) {
        server.close();
      }
      if (proxy != null) {
        proxy.close();
      }
    } finally {
      stopServer();
    }
  }

  /** A JSON payload of about 1 KB carrying a new marker. */
  protected static JsonObject payload(String marker, int n) {
    return new JsonObject().put("marker", marker).put("n", n).put("event", "contract.test")
        .put("pad", "p".repeat(900));
  }

  protected static String newMarker() {
    return UUID.randomUUID().toString();
  }

  /** Posts {@code payload} to {@code /webhook/<id>} as JSON. */
  protected final HttpResponse<String> post(String webhookId, JsonObject payload) throws Exception {
    return Http.post(server.port(), "/webhook/" + webhookId, payload.encode(), "Content-Type", "application/json",
        "X-Contract-Test", "yes");
  }

  /** Waits (20 s deadline) until the server holds every marker. */
  protected final void awaitMarkers(List<String> markers) throws Exception {
    assertTrue(TestConnector.await(20_000, () -> {
      try {
        return markersReceived().containsAll(markers);
      } catch (Exception e) {
        return false;
      }
    }), () -> module() + " server never got all of " + markers);
  }

  @Test
  void receiverAnswers200OnlyOnceTheServerHoldsTheMessage() throws Exception {
    List<String> markers = new ArrayList<>();
    for (int n = 0; n < 3; n++) {
      String marker = newMarker();
      HttpResponse<String> response = post("direct", payload(marker, n));
      assertEquals(200, response.statusCode(), response::body);
      markers.add(marker);
    }
    awaitMarkers(markers);
  }

  @Test
  void connectorInModuleModeDeliversThroughTheModule() throws Exception {
    JsonObject before = api.stats(CHANNEL, TOKEN);
    List<String> markers = new ArrayList<>();
    for (int n = 0; n < 5; n++) {
      String marker = newMarker();
      api.post("relayed", payload(marker, n).encode());
      markers.add(marker);
    }
    awaitMarkers(markers);
    long delivered = before.getLong("messages_delivered") + markers.size();
    JsonObject stats = api.awaitStats(CHANNEL, TOKEN, s -> s.getLong("messages_delivered") >= delivered
        && s.getLong("messages_queued") == 0 && s.getLong("messages_in_flight") == 0);
    assertEquals(before.getLong("messages_dead_lettered"), stats.getLong("messages_dead_lettered"), stats::encode);
  }

  @Test
  void chainRunsTheModuleThenSaveToDisk() throws Exception {
    String marker = newMarker();
    HttpResponse<String> response = post("chained", payload(marker, 0));
    assertEquals(200, response.statusCode(), response::body);
    awaitMarkers(List.of(marker));
    Path out = server.dir().resolve("chain-out");
    try (Stream<Path> files = Files.list(out)) {
      assertTrue(files.anyMatch(file -> {
        try {
          return Files.readString(file, StandardCharsets.UTF_8).contains(marker);
        } catch (Exception e) {
          return false;
        }
      }), "save_to_disk after the module holds no file with " + marker);
    }
  }

  @Test
  void serverDownIsARetryable503AndTheConnectorDeliversWhenItReturns() throws Exception {
    JsonObject before = api.stats(CHANNEL, TOKEN);
    List<String> relayed = new ArrayList<>();
    proxy.cut();
    try {
      HttpResponse<String> refused = post("direct", payload(newMarker(), 0));
      assertEquals(503, refused.statusCode(), refused::body);
      assertTrue(refused.headers().firstValue("retry-after").isPresent(), refused.headers()::toString);
      assertTrue(new JsonObject(refused.body()).containsKey("detail"), refused::body);

      int attempts = proxy.accepted();
      for (int n = 0; n < 5; n++) {
        String marker = newMarker();
        api.post("relayed", payload(marker, n).encode()); // accepted: the buffer holds it
        relayed.add(marker);
      }
      // the connector tries (and nacks with retry) while the server is away
      assertTrue(TestConnector.await(20_000, () -> proxy.accepted() > attempts),
          "the connector never tried the server during the outage");
      Set<String> held = markersReceived();
      assertTrue(relayed.stream().noneMatch(held::contains), "a message reached the server through the cut");
    } finally {
      proxy.restore();
    }
    awaitMarkers(relayed);
    long delivered = before.getLong("messages_delivered") + relayed.size();
    JsonObject stats = api.awaitStats(CHANNEL, TOKEN, s -> s.getLong("messages_delivered") >= delivered
        && s.getLong("messages_queued") == 0 && s.getLong("messages_in_flight") == 0);
    assertEquals(before.getLong("messages_dead_lettered"), stats.getLong("messages_dead_lettered"), stats::encode);
    HttpResponse<String> after = post("direct", payload(newMarker(), 1));
    assertEquals(200, after.statusCode(), after::body);
  }

  /** Builds an env map from pairs over {@link #env()} of this class, for subclasses that add variables. */
  protected final Map<String, String> envWith(String... pairs) {
    Map<String, String> env = new HashMap<>(Map.of("ALLOW_LOCALHOST_FOR_TESTS", "true",
        "WEBHOOK_CONNECT_EMBEDDED_FSYNC", "false"));
    for (int i = 0; i + 1 < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return env;
  }
}
