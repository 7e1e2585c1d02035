package io.cwm.buffer.rabbitmq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import io.cwm.buffer.Envelope;
import io.cwm.testing.ConnectApi;
import io.cwm.testing.Http;
import io.cwm.testing.TestConnector;
import io.cwm.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A receiver on RabbitMQ end to end: a message published the Python way is streamed (issue 7
 * point 1), and stats, dead-letter listing, replay and delete work through the admin API (point 3).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RabbitMqAdminApiTest {
  static final String ADMIN = "admin-secret-token";
  static final String PREFIX = "/admin/webhook-connect";
  private final String suffix = UUID.randomUUID().toString().substring(0, 8);
  private final String stats = "stats-" + suffix;
  private final String dlq = "dlq-" + suffix;
  private final String python = "py-" + suffix;
  private TestServer server;
  private ConnectApi api;
  private Vertx client;

  private String relay(String id, String channel) {
    return "\"" + id + "\": {\"module\": \"webhook_connect\", \"module-config\": {\"channel\": \"" + channel
        + "\", \"channel_token\": \"tok\", \"ttl_seconds\": 600, \"max_queue_size\": 50, \"max_in_flight\": 10}}";
  }

  @BeforeAll
  void start() throws Exception {
    String webhooks = "{" + String.join(",", relay("first-" + suffix, stats), relay("second-" + suffix, stats),
        relay("dlq-" + suffix, dlq), relay("py-" + suffix, python)) + "}";
    server = TestServer.start(webhooks, "{}", Map.of("WEBHOOK_CONNECT_ADMIN_TOKEN", ADMIN,
        "WEBHOOK_CONNECT_BUFFER", "rabbitmq", "WEBHOOK_CONNECT_RABBITMQ_URL", RabbitBroker.URL));
    api = new ConnectApi(server);
    client = Vertx.vertx();
  }

  @AfterAll
  void stop() throws Exception {
    client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    server.close();
    try (RabbitBroker broker = new RabbitBroker()) {
      broker.deleteQueuesContaining(suffix);
    }
  }

  private HttpResponse<String> admin(String method, String path, String body) throws Exception {
    return Http.send(server.port(), method, PREFIX + path,
        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body),
        "Authorization", "Bearer " + ADMIN, "Content-Type", "application/json");
  }

  private JsonObject adminJson(String method, String path, String body, int status) throws Exception {
    HttpResponse<String> response = admin(method, path, body);
    assertEquals(status, response.statusCode(), response::body);
    return new JsonObject(response.body());
  }

  @Test
  void aMessagePublishedThePythonWayIsStreamedToTheConnector() throws Exception {
    String webhookId = "py-" + suffix;
    Instant now = Instant.now();
    JsonObject envelope = new JsonObject("""
        {"message_id": "msg_f8b51a26173d4d8b", "channel": "test-channel", "webhook_id": "relay_a",
         "timestamp": "2026-11-28T22:44:56.988106+00:00", "expires_at": "2026-11-28T22:54:56.988112+00:00",
         "metadata": {"source": "webhook_connect_module"},
         "headers": {"host": "127.0.0.1:8790", "x-stripe-signature": "t=1,v1=x", "authorization": "***REDACTED***",
                     "accept": "*/*", "user-agent": "curl/7.88.1", "content-length": "22", "content-type": "application/json"},
         "payload": {"n": 0, "event": "a"}, "sequence": 1, "delivery_count": 0, "state": "pending"}""")
        .put("channel", python).put("webhook_id", webhookId)
        .put("timestamp", Envelope.format(now)).put("expires_at", Envelope.format(now.plusSeconds(600)));
    try (RabbitBroker broker = new RabbitBroker(); Channel amqp = broker.channel()) {
      AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
          .messageId("msg_f8b51a26173d4d8b")
          .timestamp(new Date(now.getEpochSecond() * 1000))
          .deliveryMode(2)
          .headers(Map.of("channel", python, "webhook_id", webhookId))
          .build();
      amqp.confirmSelect();
      amqp.basicPublish("webhook_connect", python + "." + webhookId, properties,
          envelope.encode().getBytes(StandardCharsets.UTF_8));
      amqp.waitForConfirmsOrDie(5000);
    }
    try (TestConnector connector = new TestConnector(client).connect(server.port(), python, "tok")) {
      JsonObject frame = connector.next("webhook", 5000);
      assertNotNull(frame, "streamed over the WebSocket");
      assertEquals("msg_f8b51a26173d4d8b", frame.getString("message_id"));
      assertEquals(1, frame.getLong("sequence"));
      assertEquals(webhookId, frame.getString("webhook_id"));
      assertEquals(envelope.getJsonObject("payload"), frame.getJsonObject("payload"));
      assertEquals(envelope.getJsonObject("headers"), frame.getJsonObject("headers"));
      connector.ack("msg_f8b51a26173d4d8b");
      assertTrue(TestConnector.await(5000, () -> {
        try (RabbitBroker broker = new RabbitBroker()) {
          return adminJson("GET", "/channels/" + python + "/stats", null, 200).getLong("messages_delivered") == 1
              && broker.ready("webhook_connect." + python + "." + webhookId) == 0;
        } catch (Exception e) {
          return false;
        }
      }), "acked at the broker");
    }
  }

  @Test
  void statsAndWebhookStatsCountTheBrokersQueuesAndTheLeases() throws Exception {
    api.post("first-" + suffix, "{\"n\":1}");
    api.post("second-" + suffix, "{\"n\":2}");
    api.post("second-" + suffix, "{\"n\":3}");
    JsonObject queued = adminJson("GET", "/channels/" + stats + "/stats", null, 200);
    assertEquals(3, queued.getLong("messages_queued"), queued::encode);
    assertEquals(0, queued.getLong("messages_in_flight"));
    JsonObject perWebhook = adminJson("GET", "/channels/" + stats + "/webhook-stats", null, 200)
        .getJsonObject("webhooks");
    assertEquals(1, perWebhook.getJsonObject("first-" + suffix).getLong("pending"), perWebhook::encode);
    assertEquals(2, perWebhook.getJsonObject("second-" + suffix).getLong("pending"));

    try (TestConnector connector = new TestConnector(client).connect(server.port(), stats, "tok")) {
      assertTrue(TestConnector.await(5000, () -> connector.received().size() == 3));
      JsonObject leased = adminJson("GET", "/channels/" + stats + "/stats", null, 200);
      assertEquals(3, leased.getLong("messages_in_flight"), leased::encode);
      assertEquals(0, leased.getLong("messages_queued"));
      assertEquals(1, leased.getInteger("connected_clients"));
      connector.ack(connector.received().get(0));
      assertTrue(TestConnector.await(5000, () -> {
        try {
          return adminJson("GET", "/channels/" + stats + "/stats", null, 200).getLong("messages_delivered") == 1;
        } catch (Exception e) {
          return false;
        }
      }));
    }
    // the connector is gone: its two unacked messages are queued again
    assertTrue(TestConnector.await(5000, () -> {
      try {
        JsonObject after = adminJson("GET", "/channels/" + stats + "/stats", null, 200);
        return after.getLong("messages_queued") == 2 && after.getLong("messages_in_flight") == 0;
      } catch (Exception e) {
        return false;
      }
    }));
  }

  @Test
  void deadLettersListReplayAndDelete() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(api.post("dlq-" + suffix, "{\"n\":" + i + "}"));
    }
    try (TestConnector connector = new TestConnector(client).connect(server.port(), dlq, "tok")) {
      for (int i = 0; i < 3; i++) {
        JsonObject frame = connector.next("webhook", 5000);
        connector.nack(frame.getString("message_id"), false);
      }
      JsonObject[] listed = new JsonObject[1];
      assertTrue(TestConnector.await(10_000, () -> {
        try {
          listed[0] = adminJson("GET", "/channels/" + dlq + "/dead-letters", null, 200);
          return listed[0].getInteger("count") == 3;
        } catch (Exception e) {
          return false;
        }
      }), () -> String.valueOf(listed[0]));
      JsonObject item = listed[0].getJsonArray("messages").getJsonObject(0);
      assertEquals("dead_lettered", item.getString("state"));
      assertEquals("dlq-" + suffix, item.getString("webhook_id"));
      assertEquals("rejected", item.getString("dead_letter_reason"));
      assertNotNull(item.getValue("payload"));
      assertEquals(1, adminJson("GET", "/channels/" + dlq + "/dead-letters?limit=1", null, 200).getInteger("count"));
      assertEquals(3, adminJson("GET", "/channels/" + dlq + "/stats", null, 200).getLong("messages_dead_lettered"));

      JsonObject replayed = adminJson("POST", "/channels/" + dlq + "/dead-letters/replay",
          new JsonObject().put("message_ids", new JsonArray().add(ids.get(0)).add("msg_nope")).encode(), 200);
      assertEquals(1, replayed.getInteger("replayed_count"));
      assertEquals(List.of("msg_nope"), replayed.getJsonArray("not_replayed").getList());
      JsonObject again = connector.next("webhook", 5000);
      assertNotNull(again, "the replayed message is delivered again");
      assertEquals(ids.get(0), again.getString("message_id"));
      connector.ack(ids.get(0));

      assertEquals("deleted", adminJson("DELETE", "/channels/" + dlq + "/dead-letters/" + ids.get(1), null, 200)
          .getString("status"));
      assertEquals(404, admin("DELETE", "/channels/" + dlq + "/dead-letters/" + ids.get(1), null).statusCode());
      JsonObject all = adminJson("POST", "/channels/" + dlq + "/dead-letters/replay", "{\"all\": true}", 200);
      assertEquals(List.of(ids.get(2)), all.getJsonArray("replayed").getList());
      assertEquals(ids.get(2), connector.next("webhook", 5000).getString("message_id"));
      connector.ack(ids.get(2));
      assertNull(connector.next("webhook", 500), "the deleted one never comes back");
      assertEquals(0, adminJson("GET", "/channels/" + dlq + "/dead-letters", null, 200).getInteger("count"));
    }
  }
}
