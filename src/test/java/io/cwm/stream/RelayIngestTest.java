package io.cwm.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cwm.testing.Http;
import io.cwm.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Ingest into a channel when the buffer cannot take the message. */
class RelayIngestTest {
  static final String RELAY = "{\"relay\": {\"module\": \"webhook_connect\", \"module-config\": "
      + "{\"channel\": \"ch\", \"channel_token\": \"tok\"}}}";

  @Test
  void unreachableBufferAnswers503WithRetryAfter() throws Exception {
    Map<String, String> env = Map.of("WEBHOOK_CONNECT_BUFFER", "redis",
        "WEBHOOK_CONNECT_REDIS_URL", "redis://127.0.0.1:1/0");
    try (TestServer server = TestServer.start(RELAY, "{}", env)) {
      HttpResponse<String> response = Http.post(server.port(), "/webhook/relay", "{\"a\":1}");
      assertEquals(503, response.statusCode(), response::body);
      assertEquals("30", response.headers().firstValue("retry-after").orElse(""));
      assertEquals(new JsonObject().put("detail", "Message buffer unavailable").put("error", "buffer_error"),
          new JsonObject(response.body()));
    }
  }

  @Test
  void envelopeOverTenMebibytesIs413() throws Exception {
    try (TestServer server = TestServer.start(RELAY)) {
      // the body fits the 10 MiB HTTP limit (strings under 1 MiB each); the envelope around it,
      // which also carries the headers, does not
      String chunk = "\"" + "x".repeat(1_048_000) + "\"";
      String body = "[" + String.join(",", java.util.Collections.nCopies(10, chunk)) + "]";
      HttpResponse<String> response = Http.post(server.port(), "/webhook/relay", body, "X-Pad", "p".repeat(8000));
      assertEquals(413, response.statusCode(), () -> response.body().substring(0, Math.min(200, response.body().length())));
      assertEquals(new JsonObject().put("detail", "Message too large for channel").put("error", "message_too_large"),
          new JsonObject(response.body()));
    }
  }
}
