package io.cwm.module.pubsub;

import static io.cwm.testing.Futures.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.pubsub.v1.PubsubMessage;
import io.cwm.app.Launcher;
import io.cwm.bus.Addresses;
import io.cwm.config.Env;
import io.cwm.module.ModuleCall;
import io.cwm.module.ModuleFailure;
import io.cwm.module.ModuleFailure.Category;
import io.cwm.testing.Futures;
import io.cwm.testing.Http;
import io.cwm.testing.PubSubServer;
import io.cwm.testing.TcpProxy;
import io.cwm.testing.TestConnector;
import io.cwm.testing.TestServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gcp_pubsub module with the real google-cloud-pubsub client against the test's in-process
 * Pub/Sub server ({@link PubSubServer}): the verticle on its own (exact data and attributes,
 * blobs, create_topic, one publisher per connection and topic, the emulator variable, typed
 * failures) and through a real receiver (200 once the server holds the message, 500 for what
 * Pub/Sub refuses for good). Topics are run-unique and removed at the end.
 */
class PubSubModuleTest {
  static final Env LOCAL = Env.of(Map.of("ALLOW_LOCALHOST_FOR_TESTS", "true"));
  static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  static final String TOPIC = "cwm-test-" + RUN;
  static final String DENIED = "cwm-denied-" + RUN;
  static final List<String> topics = new ArrayList<>(List.of(TOPIC, DENIED));
  static PubSubServer pubsub;
  static Vertx vertx;
  static PubSubModuleVerticle verticle;
  static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    pubsub = PubSubServer.shared();
    pubsub.createTopic(TOPIC);
    pubsub.deny(DENIED);
    vertx = Vertx.vertx();
    Launcher.registerCodecs(vertx);
    verticle = new PubSubModuleVerticle(LOCAL);
    await(vertx.deployVerticle(verticle));
    server = TestServer.start("""
        {
          "events": {"module": "gcp_pubsub", "connection": "ps", "module-config": {"topic": "%1$s"}},
          "raw": {"module": "gcp_pubsub", "connection": "ps", "data_type": "blob", "module-config": {"topic": "%1$s"}},
          "missing": {"module": "gcp_pubsub", "connection": "ps", "module-config": {"topic": "cwm-missing-%2$s"}},
          "denied": {"module": "gcp_pubsub", "connection": "ps", "module-config": {"topic": "%3$s"}}
        }
        """.formatted(TOPIC, RUN, DENIED), new JsonObject().put("ps", pubsub.connection()).encode(),
        Map.of("ALLOW_LOCALHOST_FOR_TESTS", "true"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    if (vertx != null) {
      await(vertx.close());
    }
    topics.forEach(pubsub::deleteTopic);
  }

  private static Future<Object> call(Vertx on, JsonObject config, String connectionName, JsonObject connection,
      Object payload, Map<String, String> headers) {
    PubSubTarget target = PubSubModuleVerticle.TYPE.target(config, new JsonObject().put("module", "gcp_pubsub"), LOCAL);
    ModuleCall call = new ModuleCall("hook-1", "gcp_pubsub", target, connectionName, connection, payload, headers, null);
    return on.eventBus().request(Addresses.module("gcp_pubsub"), call).map(reply -> reply.body());
  }

  private static Future<Object> publish(String topic, Object payload, Map<String, String> headers) {
    return call(vertx, new JsonObject().put("topic", topic), "ps", pubsub.connection(), payload, headers);
  }

  private static ModuleFailure failure(Future<Object> call) {
    return ModuleFailure.from(Futures.failure(call));
  }

  /** The one message the topic got since {@code before} messages. */
  private static PubsubMessage onlyNew(String topic, int before) {
    List<PubsubMessage> messages = pubsub.messages(topic);
    assertEquals(before + 1, messages.size(), () -> messages.size() + " messages");
    return messages.get(before);
  }

  @Test
  void jsonDataAndHeadersAsAttributes() {
    int before = pubsub.messages(TOPIC).size();
    await(publish(TOPIC, new JsonObject().put("event", "push").put("n", 1),
        Map.of("x-github-event", "push", "content-type", "application/json", "x.dotted", "dropped",
            "x-long", "v".repeat(1025))));
    PubsubMessage message = onlyNew(TOPIC, before);
    assertEquals("{\"event\":\"push\",\"n\":1}", message.getData().toStringUtf8());
    assertEquals(Map.of("x-github-event", "push", "content-type", "application/json"), message.getAttributesMap());
    assertFalse(message.getMessageId().isEmpty());
  }

  @Test
  void textAndBlobData() {
    int before = pubsub.messages(TOPIC).size();
    await(publish(TOPIC, "plain ✓", Map.of()));
    assertEquals("plain ✓", onlyNew(TOPIC, before).getData().toStringUtf8());
    byte[] bytes = {0, 1, (byte) 0xfe, (byte) 0xff};
    await(publish(TOPIC, Buffer.buffer(bytes), Map.of("content-type", "application/octet-stream")));
    PubsubMessage blob = onlyNew(TOPIC, before + 1);
    assertArrayEquals(bytes, blob.getData().toByteArray());
    assertEquals(Map.of("content-type", "application/octet-stream"), blob.getAttributesMap());
  }

  @Test
  void notFoundIsPermanentUnlessCreateTopicIsSet() {
    String topic = "cwm-created-" + RUN;
    topics.add(topic);
    ModuleFailure missing = failure(publish(topic, "x", Map.of()));
    assertEquals(Category.CONFIG, missing.category());
    assertTrue(missing.getMessage().contains("does not exist") && missing.getMessage().contains("create_topic"),
        missing::getMessage);
    assertFalse(pubsub.hasTopic(topic));
    await(call(vertx, new JsonObject().put("topic", topic).put("create_topic", true), "ps", pubsub.connection(),
        "created", Map.of()));
    assertTrue(pubsub.hasTopic(topic));
    assertEquals("created", onlyNew(topic, 0).getData().toStringUtf8());
  }

  @Test
  void refusalsArePermanent() {
    assertEquals(Category.PERMISSION, failure(publish(DENIED, "x", Map.of())).category());
    // an empty message (no data, no attributes): INVALID_ARGUMENT
    assertEquals(Category.REJECTED, failure(publish(TOPIC, "", Map.of())).category());
    ModuleFailure noConnection = failure(call(vertx, new JsonObject().put("topic", TOPIC), null, null, "x", Map.of()));
    assertEquals(Category.CONFIG, noConnection.category());
    ModuleFailure noProject = failure(call(vertx, new JsonObject().put("topic", TOPIC), "np",
        new JsonObject().put("type", "gcp_pubsub").put("endpoint", "127.0.0.1:" + pubsub.port()), "x", Map.of()));
    assertEquals(Category.CONFIG, noProject.category());
    assertEquals("gcp_pubsub config invalid: project_id", noProject.getMessage());
  }

  @Test
  void onePublisherPerConnectionAndTopicReused() {
    PubSubModuleVerticle own = new PubSubModuleVerticle(LOCAL);
    Vertx other = Vertx.vertx();
    try {
      Launcher.registerCodecs(other);
      String id = await(other.deployVerticle(own));
      int before = pubsub.messages(TOPIC).size();
      List<Future<Object>> calls = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        calls.add(call(other, new JsonObject().put("topic", TOPIC), "ps", pubsub.connection(), "reuse " + i, Map.of()));
      }
      await(Future.all(calls));
      assertEquals(before + 20, pubsub.messages(TOPIC).size());
      assertEquals(1, own.linksCreated());
      assertEquals(1, own.publishersCreated());
      // another topic: another publisher on the same connection
      await(call(other, new JsonObject().put("topic", DENIED), "ps", pubsub.connection(), "x", Map.of())
          .otherwiseEmpty());
      assertEquals(1, own.linksCreated());
      assertEquals(2, own.publishersCreated());
      // a changed connection: new clients, the old ones shut down
      await(call(other, new JsonObject().put("topic", TOPIC), "ps", pubsub.connection().put("credentials",
          new JsonObject()), "changed", Map.of()));
      assertEquals(2, own.linksCreated());
      assertTrue(awaitQuietly(() -> own.openLinks() == 1), () -> "open: " + own.openLinks());
      await(other.undeploy(id));
      assertEquals(0, own.openLinks());
    } finally {
      await(other.close());
    }
  }

  @Test
  void theEmulatorVariableIsUsedWithoutEndpoint() {
    PubSubModuleVerticle own = new PubSubModuleVerticle(Env.of(Map.of("ALLOW_LOCALHOST_FOR_TESTS", "true",
        "PUBSUB_EMULATOR_HOST", "127.0.0.1:" + pubsub.port())));
    Vertx other = Vertx.vertx();
    try {
      Launcher.registerCodecs(other);
      await(other.deployVerticle(own));
      int before = pubsub.messages(TOPIC).size();
      await(call(other, new JsonObject().put("topic", TOPIC), "env",
          new JsonObject().put("type", "gcp_pubsub").put("project_id", PubSubServer.PROJECT), "via env", Map.of()));
      assertEquals("via env", onlyNew(TOPIC, before).getData().toStringUtf8());
    } finally {
      await(other.close());
    }
  }

  @Test
  void aStoppedServerIsRetryableAndComesBackQuickly() throws Exception {
    PubSubServer down = PubSubServer.start();
    JsonObject connection = down.connection();
    down.stop();
    long started = System.nanoTime();
    ModuleFailure failure = failure(call(vertx, new JsonObject().put("topic", TOPIC), "down", connection, "x",
        Map.of()));
    long millis = (System.nanoTime() - started) / 1_000_000;
    assertTrue(failure.retryable(), failure::getMessage);
    assertEquals(Category.CONNECTION, failure.category(), failure::getMessage);
    assertTrue(millis < 5_000, "took " + millis + " ms");
  }

  @Test
  void aServerThatStopsAnsweringFailsWithin10sAsTimeout() throws Exception {
    try (TcpProxy proxy = new TcpProxy("127.0.0.1", pubsub.port())) {
      JsonObject connection = PubSubServer.connection("127.0.0.1", proxy.port());
      await(call(vertx, new JsonObject().put("topic", TOPIC), "holed", connection, "before", Map.of()));
      proxy.blackHole();
      long started = System.nanoTime();
      ModuleFailure failure = failure(call(vertx, new JsonObject().put("topic", TOPIC), "holed", connection, "held",
          Map.of()));
      long millis = (System.nanoTime() - started) / 1_000_000;
      assertEquals(Category.TIMEOUT, failure.category(), failure::getMessage);
      assertTrue(millis >= 9_000 && millis < 15_000, "took " + millis + " ms");
      proxy.restore();
    }
  }

  private static boolean awaitQuietly(java.util.function.BooleanSupplier condition) {
    try {
      return TestConnector.await(10_000, condition);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Test
  void throughTheReceiver() throws Exception {
    int before = pubsub.messages(TOPIC).size();
    String marker = UUID.randomUUID().toString();
    HttpResponse<String> response = Http.post(server.port(), "/webhook/events", "{\"marker\":\"" + marker + "\"}",
        "Content-Type", "application/json", "X-GitHub-Event", "push", "Authorization", "Bearer very-secret");
    assertEquals(200, response.statusCode(), response::body);
    PubsubMessage message = onlyNew(TOPIC, before);
    assertEquals(marker, new JsonObject(message.getData().toStringUtf8()).getString("marker"));
    assertEquals("push", message.getAttributesMap().get("x-github-event"));
    assertFalse(message.getAttributesMap().toString().contains("very-secret"));

    HttpResponse<String> blob = Http.post(server.port(), "/webhook/raw", new byte[] {1, 2, 3},
        "Content-Type", "application/octet-stream");
    assertEquals(200, blob.statusCode(), blob::body);
    assertArrayEquals(new byte[] {1, 2, 3}, onlyNew(TOPIC, before + 1).getData().toByteArray());

    HttpResponse<String> missing = Http.post(server.port(), "/webhook/missing", "{}", "Content-Type", "application/json");
    assertEquals(500, missing.statusCode(), missing::body);
    HttpResponse<String> denied = Http.post(server.port(), "/webhook/denied", "{}", "Content-Type", "application/json");
    assertEquals(500, denied.statusCode(), denied::body);
  }
}
