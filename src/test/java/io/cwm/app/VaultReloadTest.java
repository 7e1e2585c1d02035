package io.cwm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.testing.Http;
import io.cwm.testing.TestServer;
import io.cwm.testing.VaultTestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A receiver whose webhook token lives in Vault (the test server speaking KV v2 and AppRole):
 * resolved at start, read again by an admin reload after a rotation, and a reload whose secret is
 * gone keeps the last good config.
 */
class VaultReloadTest {
  static final String TOKEN = ConfigReloadTest.TOKEN;

  @Test
  void aRotatedSecretIsReadAgainOnReload() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (VaultTestServer vault = VaultTestServer.start(vertx)) {
      vault.approle("role-1", "secret-id-1").put("hooks/a", new JsonObject().put("token", "first-token-value-0001"));
      Map<String, String> env = Map.of("SECRETS_BACKEND", "vault", "VAULT_ADDR", vault.address(),
          "VAULT_ROLE_ID", "role-1", "VAULT_SECRET_ID", "secret-id-1", "CONFIG_RELOAD_ADMIN_TOKEN", TOKEN);
      try (TestServer server = TestServer.start(
          "{\"a\": {\"module\": \"log\", \"authorization\": \"Bearer {$vault:hooks/a#token}\"}}", "{}", env)) {
        assertEquals(200, post(server, "first-token-value-0001"));
        assertEquals(401, post(server, "second-token-value-0002"));

        vault.put("hooks/a", new JsonObject().put("token", "second-token-value-0002"));
        HttpResponse<String> reloaded = ConfigReloadTest.reload(server, "{}");
        assertEquals(200, reloaded.statusCode(), reloaded::body);
        assertEquals(new JsonObject().put("changed", new io.vertx.core.json.JsonArray().add("a")).getValue("changed"),
            new JsonObject(reloaded.body()).getJsonObject("details").getJsonObject("webhooks").getJsonArray("changed"));
        assertFalse(reloaded.body().contains("token-value"), "no secret in the answer");
        assertEquals(200, post(server, "second-token-value-0002"));
        assertEquals(401, post(server, "first-token-value-0001"));

        vault.delete("secret", "hooks/a");
        HttpResponse<String> refused = ConfigReloadTest.reload(server, "{}");
        assertEquals(400, refused.statusCode(), refused::body);
        assertTrue(refused.body().contains("{$vault:hooks/a#token}"), refused::body);
        assertEquals(200, post(server, "second-token-value-0002"), "the last good config serves");
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }

  private static int post(TestServer server, String token) throws Exception {
    return Http.post(server.port(), "/webhook/a", "{}", "Authorization", "Bearer " + token).statusCode();
  }
}
