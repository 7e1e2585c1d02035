package io.cwm.module.sqs;

import static io.cwm.testing.Futures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.app.Launcher;
import io.cwm.bus.Addresses;
import io.cwm.config.Env;
import io.cwm.module.ModuleCall;
import io.cwm.module.ModuleFailure;
import io.cwm.module.ModuleFailure.Category;
import io.cwm.testing.ElasticMq;
import io.cwm.testing.Futures;
import io.cwm.testing.Http;
import io.cwm.testing.TestConnector;
import io.cwm.testing.TestServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * The aws_sqs module against ElasticMQ ({@link ElasticMq}, in this JVM): messages are read back
 * with a plain SqsClient. The verticle on its own (calls over the event bus: exact body and
 * attributes, every module-config option, blobs, one client per connection, the permanent
 * failures) and through a real receiver (200 once SQS holds the message, 500 for what SQS or
 * the module refuses for good). Every queue is run-unique and deleted at the end.
 */
class SqsModuleTest {
  static final Env LOCAL = Env.of(Map.of("ALLOW_LOCALHOST_FOR_TESTS", "true"));
  static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  static final String QUEUE = "cwm-test-" + RUN;
  static final String FIFO = "cwm-test-" + RUN + ".fifo";
  static ElasticMq sqs;
  static String queueUrl;
  static String fifoUrl;
  static final List<String> created = new ArrayList<>();
  static Vertx vertx;
  static SqsModuleVerticle verticle;
  static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    sqs = ElasticMq.shared();
    queueUrl = sqs.createQueue(QUEUE);
    fifoUrl = sqs.createQueue(FIFO);
    created.add(queueUrl);
    created.add(fifoUrl);
    vertx = Vertx.vertx();
    Launcher.registerCodecs(vertx);
    verticle = new SqsModuleVerticle(LOCAL);
    await(vertx.deployVerticle(verticle));
    server = TestServer.start("""
        {
          "events": {"module": "aws_sqs", "connection": "mq", "module-config": {"queue_name": "%1$s"}},
          "raw": {"module": "aws_sqs", "connection": "mq", "data_type": "blob", "module-config": {"queue_name": "%1$s"}},
          "missing": {"module": "aws_sqs", "connection": "mq", "module-config": {"queue_name": "cwm-missing-%2$s"}}
        }
        """.formatted(QUEUE, RUN), new JsonObject().put("mq", sqs.connection()).encode(),
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
    created.forEach(sqs::deleteQueue);
  }

  private static Future<Object> call(JsonObject config, String connectionName, JsonObject connection, Object payload,
      Map<String, String> headers) {
    SqsTarget target = SqsModuleVerticle.TYPE.target(config, new JsonObject().put("module", "aws_sqs"), LOCAL);
    ModuleCall call = new ModuleCall("hook-1", "aws_sqs", target, connectionName, connection, payload, headers, null);
    return vertx.eventBus().request(Addresses.module("aws_sqs"), call).map(reply -> reply.body());
  }

  private static Future<Object> send(Object payload, Map<String, String> headers) {
    return call(new JsonObject().put("queue_name", QUEUE), "mq", sqs.connection(), payload, headers);
  }

  private static ModuleFailure failure(Future<Object> call) {
    return ModuleFailure.from(Futures.failure(call));
  }

  private static Message only(String url) {
    List<Message> messages = sqs.drain(url, 10);
    assertEquals(1, messages.size(), () -> messages.size() + " messages: " + messages.stream()
        .map(m -> m.body().substring(0, Math.min(80, m.body().length()))).toList());
    return messages.get(0);
  }

  private static Map<String, String> attributes(Message message) {
    Map<String, String> values = new LinkedHashMap<>();
    message.messageAttributes().forEach((name, value) -> {
      assertEquals("String", value.dataType());
      values.put(name, value.stringValue());
    });
    return values;
  }

  @Test
  void jsonBodyAndTheFirstTenHeadersInNameOrderAsStringAttributes() {
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 11; i >= 0; i--) {
      headers.put(String.format("x-h%02d", i), "value " + i);
    }
    headers.put("x-too-long", "v".repeat(257));
    await(send(new JsonObject().put("event", "push").put("n", 1).put("list", new JsonArray().add("a")), headers));
    Message message = only(queueUrl);
    assertEquals("{\"event\":\"push\",\"n\":1,\"list\":[\"a\"]}", message.body());
    Map<String, String> expected = new LinkedHashMap<>();
    for (int i = 0; i < 10; i++) {
      expected.put(String.format("x-h%02d", i), "value " + i);
    }
    assertEquals(expected, new java.util.TreeMap<>(attributes(message)));
  }

  @Test
  void textScalarsAndBlobs() {
    await(send("plain text ✓", Map.of()));
    assertEquals("plain text ✓", only(queueUrl).body());
    await(send(42, Map.of()));
    assertEquals("42", only(queueUrl).body());
    byte[] bytes = {0, 1, 2, (byte) 0xfe, (byte) 0xff, '{'};
    await(send(Buffer.buffer(bytes), Map.of("content-type", "application/octet-stream")));
    Message blob = only(queueUrl);
    assertEquals(List.of((byte) 0, (byte) 1, (byte) 2, (byte) 0xfe, (byte) 0xff, (byte) '{'),
        toList(Base64.getDecoder().decode(blob.body())));
    assertEquals(Map.of("content-transfer-encoding", "base64", "content-type", "application/octet-stream"),
        attributes(blob));
  }

  private static List<Byte> toList(byte[] bytes) {
    List<Byte> list = new ArrayList<>();
    for (byte b : bytes) {
      list.add(b);
    }
    return list;
  }

  @Test
  void queueUrlIsSentToTheConnectionsEndpointNotToTheUrlsHost() {
    await(call(new JsonObject().put("queue_url", queueUrl), "mq", sqs.connection(), new JsonObject().put("by", "url"),
        Map.of()));
    assertEquals("{\"by\":\"url\"}", only(queueUrl).body());
    // an AWS-looking URL with endpoint_url: the request goes to the endpoint (ElasticMQ), which finds the queue
    String aws = "https://sqs.eu-west-1.amazonaws.com/000000000000/" + QUEUE;
    await(call(new JsonObject().put("queue_url", aws), "mq", sqs.connection(), new JsonObject().put("by", "aws-url"),
        Map.of()));
    assertEquals("{\"by\":\"aws-url\"}", only(queueUrl).body());
  }

  @Test
  void anEmulatorUrlNeedsAConnectionWithEndpointUrl() {
    JsonObject awsOnly = new JsonObject().put("type", "aws_sqs").put("region_name", "eu-west-1")
        .put("aws_access_key_id", "x").put("aws_secret_access_key", "y");
    ModuleFailure failure = failure(call(new JsonObject().put("queue_url", queueUrl), "aws", awsOnly, "x", Map.of()));
    assertEquals(Category.CONFIG, failure.category());
    assertTrue(failure.getMessage().contains("endpoint_url"), failure::getMessage);
    ModuleFailure region = failure(call(new JsonObject()
        .put("queue_url", "https://sqs.us-west-2.amazonaws.com/123456789012/q"), "aws", awsOnly, "x", Map.of()));
    assertEquals(Category.CONFIG, region.category());
    assertTrue(region.getMessage().contains("us-west-2"), region::getMessage);
  }

  @Test
  void aMissingQueueIsPermanentUnlessCreateQueueIsSet() {
    String name = "cwm-created-" + RUN;
    ModuleFailure missing = failure(call(new JsonObject().put("queue_name", name), "mq", sqs.connection(), "x", Map.of()));
    assertEquals(Category.CONFIG, missing.category());
    assertTrue(missing.getMessage().contains("does not exist") && missing.getMessage().contains("create_queue"),
        missing::getMessage);
    assertFalse(sqs.hasQueue(name));

    await(call(new JsonObject().put("queue_name", name).put("create_queue", true), "mq", sqs.connection(),
        "created", Map.of()));
    assertTrue(sqs.hasQueue(name));
    String url = sqs.client().getQueueUrl(request -> request.queueName(name)).queueUrl();
    created.add(url);
    assertEquals("created", only(url).body());
  }

  @Test
  void fifoQueuesGetAGroupIdAndADeduplicationId() {
    await(call(new JsonObject().put("queue_name", FIFO), "mq", sqs.connection(), "first", Map.of()));
    await(call(new JsonObject().put("queue_name", FIFO).put("message_group_id", "tenant-7"), "mq", sqs.connection(),
        "second", Map.of()));
    List<Message> messages = new ArrayList<>();
    assertTrue(awaitQuietly(() -> {
      messages.addAll(sqs.drain(fifoUrl, 10));
      return messages.size() >= 2;
    }));
    Map<String, String> groups = new LinkedHashMap<>();
    messages.forEach(m -> groups.put(m.body(), m.attributes().get(MessageSystemAttributeName.MESSAGE_GROUP_ID)));
    assertEquals(Map.of("first", "hook-1", "second", "tenant-7"), groups);
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
  void oneClientPerConnectionReusedAndANewOneWhenItChanges() {
    SqsModuleVerticle own = new SqsModuleVerticle(LOCAL);
    Vertx other = Vertx.vertx();
    try {
      Launcher.registerCodecs(other);
      String id = await(other.deployVerticle(own));
      List<Future<Object>> calls = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        SqsTarget target = SqsModuleVerticle.TYPE.target(new JsonObject().put("queue_name", QUEUE), new JsonObject(),
            LOCAL);
        calls.add(other.eventBus().request(Addresses.module("aws_sqs"), new ModuleCall("h", "aws_sqs", target, "mq",
            sqs.connection(), "reuse " + i, Map.of(), null)).map(reply -> reply.body()));
      }
      await(Future.all(calls));
      assertEquals(1, own.clientsCreated());
      SqsTarget target = SqsModuleVerticle.TYPE.target(new JsonObject().put("queue_name", QUEUE), new JsonObject(), LOCAL);
      await(other.eventBus().request(Addresses.module("aws_sqs"), new ModuleCall("h", "aws_sqs", target, "mq",
          sqs.connection().put("region", "us-west-2"), "changed", Map.of(), null)));
      assertEquals(2, own.clientsCreated());
      assertTrue(awaitQuietly(() -> own.openClients() == 1), () -> "open: " + own.openClients());
      assertEquals(11, sqs.drain(queueUrl, 20).size());
      await(other.undeploy(id));
      assertEquals(0, own.openClients());
    } finally {
      await(other.close());
    }
  }

  @Test
  void aMessageOverSqsLimitIsRefusedBeforeSending() {
    ModuleFailure failure = failure(send("x".repeat(SqsLink.MAX_MESSAGE_BYTES + 1), Map.of()));
    assertEquals(Category.VALIDATION, failure.category());
    assertTrue(sqs.drain(queueUrl, 10).isEmpty());
  }

  @Test
  void anEndpointRefusedByTheHostRulesIsAConfigFailure() {
    JsonObject metadata = new JsonObject().put("type", "aws_sqs").put("endpoint_url", "http://169.254.169.254");
    ModuleFailure failure = failure(call(new JsonObject().put("queue_name", QUEUE), "meta", metadata, "x", Map.of()));
    assertEquals(Category.CONFIG, failure.category());
    assertEquals("aws_sqs config invalid: endpoint_url", failure.getMessage());
  }

  @Test
  void aClosedPortIsRetryableAndSaysNothingOfTheHost() throws Exception {
    int closed = TestServer.freePort();
    ModuleFailure failure = failure(call(new JsonObject().put("queue_name", QUEUE), "down",
        ElasticMq.connection("127.0.0.1", closed), "x", Map.of()));
    // refused at once; TIMEOUT (as retryable) only if a starved machine lets the 10 s attempt timeout fire first
    assertTrue(failure.category() == Category.CONNECTION || failure.category() == Category.TIMEOUT,
        failure::getMessage);
    assertFalse(failure.getMessage().contains(String.valueOf(closed)), failure::getMessage);
  }

  @Test
  void throughTheReceiver200OnceSqsHoldsIt() throws Exception {
    String marker = UUID.randomUUID().toString();
    HttpResponse<String> response = Http.post(server.port(), "/webhook/events", "{\"marker\":\"" + marker + "\"}",
        "Content-Type", "application/json", "X-GitHub-Event", "push", "Authorization", "Bearer very-secret");
    assertEquals(200, response.statusCode(), response::body);
    Message message = only(queueUrl);
    assertEquals(marker, new JsonObject(message.body()).getString("marker"));
    Map<String, String> attributes = attributes(message);
    assertEquals("push", attributes.get("x-github-event"), attributes::toString);
    assertFalse(attributes.toString().contains("very-secret"), attributes::toString);

    HttpResponse<String> blob = Http.post(server.port(), "/webhook/raw", new byte[] {1, 2, 3},
        "Content-Type", "application/octet-stream");
    assertEquals(200, blob.statusCode(), blob::body);
    assertEquals("AQID", only(queueUrl).body());
  }

  @Test
  void throughTheReceiverPermanentRefusalsAre500() throws Exception {
    HttpResponse<String> missing = Http.post(server.port(), "/webhook/missing", "{}", "Content-Type", "application/json");
    assertEquals(500, missing.statusCode(), missing::body);
    assertNull(missing.headers().firstValue("retry-after").orElse(null));
    // over SQS's 1 MiB: refused by the module before sending, not retried
    HttpResponse<String> large = Http.post(server.port(), "/webhook/events",
        "{\"a\":\"" + "p".repeat(600_000) + "\",\"b\":\"" + "p".repeat(600_000) + "\"}",
        "Content-Type", "application/json");
    assertEquals(500, large.statusCode(), large::body);
    // characters SQS does not accept in a body: InvalidMessageContents from the server, not retried
    HttpResponse<String> control = Http.post(server.port(), "/webhook/events", "\"a\\u0001b\"",
        "Content-Type", "application/json");
    assertEquals(500, control.statusCode(), control::body);
    assertTrue(sqs.drain(queueUrl, 10).isEmpty());
  }
}
