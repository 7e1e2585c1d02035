package io.cwm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cwm.testing.EtcdServer;
import io.cwm.testing.Http;
import io.cwm.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/**
 * A receiver whose config lives in a real etcd ({@code CONFIG_BACKEND=etcd}): namespaced routing,
 * one key changed goes live, a bad value keeps the last good config, etcd lost keeps serving and
 * says so in /health, and a start with etcd down fails clearly. The files given are not read.
 */
class EtcdReceiverTest {
  static final String PREFIX = "/cwm-test/";

  static Map<String, String> env(EtcdServer etcd) {
    return Map.of("CONFIG_BACKEND", "etcd", "ETCD_HOST", etcd.host(), "ETCD_PORT", String.valueOf(etcd.port()),
        "ETCD_PREFIX", PREFIX, "ETCD_NAMESPACE", "default", "CONFIG_RELOAD_ADMIN_TOKEN", ConfigReloadTest.TOKEN);
  }

  @Test
  void servesNamespacesFollowsKeysAndSurvivesEtcd() throws Exception {
    assumeTrue(EtcdServer.available(), "etcd-server is not installed (.ci/run installs it)");
    try (EtcdServer etcd = EtcdServer.launch()) {
      etcd.put(PREFIX + "default/webhooks/github", "{\"module\": \"log\"}");
      etcd.put(PREFIX + "team-a/webhooks/github", "{\"module\": \"log\", \"authorization\": \"Bearer team-a-token-0123456789\"}");
      etcd.put(PREFIX + "global/connections/cache", "{\"type\": \"redis-rq\", \"host\": \"cache.example.com\"}");
      try (TestServer server = TestServer.start("{\"not-read\": {\"module\": \"log\"}}", "{}", env(etcd))) {
        int port = server.port();
        assertEquals(200, Http.post(port, "/webhook/github", "{}").statusCode(), "the default namespace");
        assertEquals(401, Http.post(port, "/webhook/team-a/github", "{}").statusCode(), "team-a's own entry");
        assertEquals(200, Http.post(port, "/webhook/team-a/github", "{}", "Authorization",
            "Bearer team-a-token-0123456789").statusCode());
        assertEquals(404, Http.post(port, "/webhook/team-b/github", "{}").statusCode(), "no such namespace");
        assertEquals(404, Http.post(port, "/webhook/not-read", "{}").statusCode(), "the files are not read");
        JsonObject status = ConfigReloadTest.status(server);
        assertEquals("etcd", status.getJsonObject("provider").getString("type"));
        assertEquals(1, status.getInteger("connections_count"));

        etcd.put(PREFIX + "default/webhooks/stripe", "{\"module\": \"log\"}");
        assertTrue(ConfigReloadTest.await(() -> Http.post(port, "/webhook/stripe", "{}").statusCode() == 200),
            "a new key serves");
        etcd.put(PREFIX + "default/webhooks/broken", "{\"module\": \"no_such_module\"}");
        assertTrue(ConfigReloadTest.await(() -> ConfigReloadTest.status(server).getJsonObject("reloads")
            .getLong("failed") >= 1), "the bad value is refused");
        assertEquals(200, Http.post(port, "/webhook/stripe", "{}").statusCode(), "the last good config serves");
        etcd.delete(PREFIX + "default/webhooks/broken");
        etcd.delete(PREFIX + "default/webhooks/stripe");
        assertTrue(ConfigReloadTest.await(() -> Http.post(port, "/webhook/stripe", "{}").statusCode() == 404),
            "a deleted key stops serving");

        etcd.kill();
        assertTrue(ConfigReloadTest.await(() -> "disconnected".equals(health(port))), "etcd lost is reported");
        assertEquals(200, Http.post(port, "/webhook/github", "{}").statusCode(), "the last good config serves");
        etcd.start();
        assertTrue(ConfigReloadTest.await(() -> "healthy".equals(health(port))), "etcd back");
      }
    }
  }

  @Test
  void startWithEtcdDownFailsClearly() throws Exception {
    assumeTrue(EtcdServer.available(), "etcd-server is not installed");
    int nobody = TestServer.freePort();
    Map<String, String> env = Map.of("CONFIG_BACKEND", "etcd", "ETCD_HOST", "127.0.0.1", "ETCD_PORT",
        String.valueOf(nobody));
    ExecutionException failed = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> TestServer.start("{}", "{}", env));
    assertTrue(failed.getCause().getMessage().contains("etcd at 127.0.0.1:" + nobody + " unreachable"),
        failed.getCause().getMessage());
  }

  private static String health(int port) throws Exception {
    return new JsonObject(Http.get(port, "/health").body()).getJsonObject("components").getString("config_backend");
  }
}
