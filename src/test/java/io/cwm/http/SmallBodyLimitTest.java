package io.cwm.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cwm.testing.Http;
import io.cwm.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Acks and admin calls take bodies of at most 64 KiB, and their 413 says so (it named 10 MiB). */
class SmallBodyLimitTest {
  static final String LIMIT = "Payload too large: 70000 bytes (max: 65536)";

  @Test
  void ackAndAdminBodiesOver64KiBAreRefusedNamingTheirLimit() throws Exception {
    try (TestServer server = TestServer.start("""
        {"relay": {"module": "webhook_connect",
                   "module-config": {"channel": "small-bodies", "channel_token": "small-bodies-token"}}}
        """, "{}", Map.of("WEBHOOK_CONNECT_ADMIN_TOKEN", "small-bodies-admin"))) {
      String big = "{\"pad\":\"" + "x".repeat(70000 - 10) + "\"}";
      HttpResponse<String> ack = Http.post(server.port(), "/connect/ack?message_id=m&status=ack", big,
          "X-Connection-ID", "c", "Authorization", "Bearer small-bodies-token", "Content-Type", "application/json");
      assertEquals(413, ack.statusCode());
      assertEquals(LIMIT, new JsonObject(ack.body()).getString("detail"));
      HttpResponse<String> admin = Http.post(server.port(),
          "/admin/webhook-connect/channels/small-bodies/rotate-token", big,
          "Authorization", "Bearer small-bodies-admin", "Content-Type", "application/json");
      assertEquals(413, admin.statusCode());
      assertEquals(LIMIT, new JsonObject(admin.body()).getString("detail"));
    }
  }
}
