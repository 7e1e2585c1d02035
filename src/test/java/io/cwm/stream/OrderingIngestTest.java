package io.cwm.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.cwm.testing.Http;
import io.cwm.testing.TestConnector;
import io.cwm.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The receiver reads a channel's ordering key at ingest into the envelope ({@code ordering_key},
 * in the stored JSON and the webhook frame); a message without the key has none (unordered).
 */
class OrderingIngestTest {

  @Test
  void keyFromAHeaderOrAJsonPointerTravelsInTheEnvelope() throws Exception {
    String webhooks = "{\"byHeader\": {\"module\": \"webhook_connect\", \"module-config\": {\"channel\": \"h\", "
        + "\"channel_token\": \"tok\", \"ordering\": {\"key\": \"X-Object-Id\"}}},"
        + "\"byPointer\": {\"module\": \"webhook_connect\", \"module-config\": {\"channel\": \"p\", "
        + "\"channel_token\": \"tok\", \"ordering\": {\"key\": \"/data/object/id\"}}}}";
    try (TestServer server = TestServer.start(webhooks)) {
      Vertx vertx = Vertx.vertx();
      try (TestConnector headers = new TestConnector(vertx).connect(server.port(), "h", "tok");
          TestConnector pointers = new TestConnector(vertx).connect(server.port(), "p", "tok")) {
        assertEquals(200, Http.post(server.port(), "/webhook/byHeader", "{\"n\":1}",
            "Content-Type", "application/json", "X-Object-Id", "cus_42").statusCode());
        assertEquals("cus_42", webhook(headers).getString("ordering_key"));

        assertEquals(200, Http.post(server.port(), "/webhook/byPointer", "{\"data\":{\"object\":{\"id\":7}}}",
            "Content-Type", "application/json").statusCode());
        assertEquals("7", webhook(pointers).getString("ordering_key"), "a number as JSON writes it");

        assertEquals(200, Http.post(server.port(), "/webhook/byPointer", "{\"data\":{}}",
            "Content-Type", "application/json").statusCode());
        assertFalse(webhook(pointers).containsKey("ordering_key"), "without the key: unordered");
      } finally {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    }
  }

  private static JsonObject webhook(TestConnector connector) throws InterruptedException {
    JsonObject frame = connector.next("webhook", 5000);
    assertNotNull(frame, "a webhook frame");
    connector.ack(frame.getString("message_id"));
    return frame;
  }
}
