package io.cwm.module.rabbitmq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.cwm.testing.Http;
import io.cwm.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The rabbitmq module against the machine's RabbitMQ (RABBITMQ_HOST/RABBITMQ_PORT, default
 * 127.0.0.1:5672, guest/guest), through a real receiver; messages are read back with the plain
 * AMQP client.
 */
class RabbitMqModuleTest {
  static final String HOST = System.getenv().getOrDefault("RABBITMQ_HOST", "127.0.0.1");
  static final int PORT = Integer.parseInt(System.getenv().getOrDefault("RABBITMQ_PORT", "5672"));
  static final String QUEUE = "cwm-test-" + UUID.randomUUID();
  static final String FALLBACK_QUEUE = "cwm-test-fallback-" + UUID.randomUUID();
  static final String DOWN_QUEUE = "cwm-test-down-" + UUID.randomUUID();
  static final String CLASHING_QUEUE = "cwm-test-clash-" + UUID.randomUUID();

  static TestServer server;
  static Connection plain;
  static Channel channel;

  @BeforeAll
  static void start() throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setHost(HOST);
    factory.setPort(PORT);
    plain = factory.newConnection("cwm-test-reader");
    channel = plain.createChannel();
    // declared up front (with the module's properties) so that purging between tests works
    channel.queueDeclare(QUEUE, true, false, false, null);
    // exists as non-durable: the module's durable declare is refused by the broker (406)
    channel.queueDeclare(CLASHING_QUEUE, false, false, false, null);
    int closedPort = TestServer.freePort(); // nothing listens there
    server = TestServer.start("""
        {
          "rmq": {"module": "rabbitmq", "connection": "broker", "module-config": {"queue_name": "%s"}},
          "fallback": {"module": "rabbitmq", "connection": "broker", "queue_name": "%s"},
          "clash": {"module": "rabbitmq", "connection": "broker", "queue_name": "%s"},
          "down": {"module": "rabbitmq", "connection": "nobroker", "module-config": {"queue_name": "%s"}}
        }
        """.formatted(QUEUE, FALLBACK_QUEUE, CLASHING_QUEUE, DOWN_QUEUE), """
        {
          "broker": {"type": "rabbitmq", "host": "%s", "port": %d, "user": "guest", "pass": "guest"},
          "nobroker": {"type": "rabbitmq", "host": "127.0.0.1", "port": "%d"}
        }
        """.formatted(HOST, PORT, closedPort), Map.of("ALLOW_LOCALHOST_FOR_TESTS", "true"));
  }

  @AfterEach
  void drain() throws Exception {
    channel.queuePurge(QUEUE);
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    Channel cleanup = plain.createChannel();
    for (String queue : new String[] {QUEUE, FALLBACK_QUEUE, CLASHING_QUEUE, DOWN_QUEUE}) {
      cleanup.queueDelete(queue);
    }
    plain.close();
  }

  private static GetResponse next(String queue) throws Exception {
    GetResponse message = channel.basicGet(queue, true);
    assertNotNull(message, "no message in " + queue);
    return message;
  }

  @Test
  void publishesPersistentJsonWithTheRequestHeaders() throws Exception {
    HttpResponse<String> response = Http.post(server.port(), "/webhook/rmq",
        "{\"event\":\"push\",\"n\":1,\"ok\":true}", "Content-Type", "application/json", "X-Event", "push");
    assertEquals(200, response.statusCode(), response::body);

    GetResponse message = next(QUEUE);
    assertEquals(new JsonObject().put("event", "push").put("n", 1).put("ok", true),
        new JsonObject(new String(message.getBody(), StandardCharsets.UTF_8)));
    assertEquals(2, message.getProps().getDeliveryMode());
    assertEquals("application/json", message.getProps().getContentType());
    assertEquals("push", String.valueOf(message.getProps().getHeaders().get("x-event")));
    assertEquals("", message.getEnvelope().getExchange());
    assertEquals(QUEUE, message.getEnvelope().getRoutingKey());
  }

  @Test
  void successiveWebhooksLandInOneDurableQueueInOrder() throws Exception {
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> response = Http.post(server.port(), "/webhook/rmq", "{\"i\":" + i + "}",
          "Content-Type", "application/json");
      assertEquals(200, response.statusCode(), response::body);
    }
    // passive redeclare with durable=true would fail the channel if the queue were not durable
    assertEquals(3, channel.queueDeclare(QUEUE, true, false, false, null).getMessageCount());
    for (int i = 0; i < 3; i++) {
      assertEquals(new JsonObject().put("i", i), new JsonObject(new String(next(QUEUE).getBody(), StandardCharsets.UTF_8)));
    }
  }

  @Test
  void entryLevelQueueNameIsTheFallback() throws Exception {
    HttpResponse<String> response = Http.post(server.port(), "/webhook/fallback", "[1,2]",
        "Content-Type", "application/json");
    assertEquals(200, response.statusCode(), response::body);
    assertEquals("[1,2]", new String(next(FALLBACK_QUEUE).getBody(), StandardCharsets.UTF_8));
  }

  @Test
  void queueTheBrokerRefusesToDeclareIsA500AndTheConnectionRecovers() throws Exception {
    HttpResponse<String> refused = Http.post(server.port(), "/webhook/clash", "{\"a\":1}",
        "Content-Type", "application/json");
    assertEquals(500, refused.statusCode(), refused::body);
    // the shared connection's channel was closed by the broker; the next webhook reopens it
    HttpResponse<String> next = Http.post(server.port(), "/webhook/rmq", "{\"after\":\"clash\"}",
        "Content-Type", "application/json");
    assertEquals(200, next.statusCode(), next::body);
    assertEquals(new JsonObject().put("after", "clash"), new JsonObject(new String(next(QUEUE).getBody(), StandardCharsets.UTF_8)));
  }

  @Test
  void unreachableBrokerIsARetryable503() throws Exception {
    HttpResponse<String> response = Http.post(server.port(), "/webhook/down", "{\"a\":1}",
        "Content-Type", "application/json");
    assertEquals(503, response.statusCode(), response::body);
    assertTrue(response.headers().firstValue("retry-after").isPresent(), response.headers()::toString);
  }
}
