package io.cwm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.testing.Http;
import io.cwm.testing.RedisCleanup;
import io.cwm.testing.TestServer;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Two clustered receivers: a reload asked of one reaches the other, which reads its own files
 * again, validates them and keeps its last good config when they have errors.
 */
class ClusterReloadTest {
  @Test
  void aReloadOnOneNodeReloadsTheOthers() throws Exception {
    int clusterA = TestServer.freePort();
    int clusterB = TestServer.freePort();
    Map<String, String> env = new HashMap<>(Map.of("WEBHOOK_CONNECT_BUFFER", "redis",
        "WEBHOOK_CONNECT_REDIS_URL", RedisCleanup.REDIS_URL, "CONFIG_RELOAD_ADMIN_TOKEN", ConfigReloadTest.TOKEN,
        "CWM_CLUSTER_HOST", "127.0.0.1", "CWM_CLUSTER_MEMBERS", "127.0.0.1:" + clusterA + ",127.0.0.1:" + clusterB,
        "CWM_CLUSTER_NAME", "cwm-reload-" + UUID.randomUUID().toString().substring(0, 8)));
    Map<String, String> envA = new HashMap<>(env);
    envA.put("CWM_CLUSTER_PORT", String.valueOf(clusterA));
    Map<String, String> envB = new HashMap<>(env);
    envB.put("CWM_CLUSTER_PORT", String.valueOf(clusterB));
    try (TestServer a = TestServer.startClustered(Files.createTempDirectory("cwm-reload-a"), ConfigReloadTest.ONE, envA);
         TestServer b = TestServer.startClustered(Files.createTempDirectory("cwm-reload-b"), ConfigReloadTest.ONE, envB)) {
      Files.writeString(a.dir().resolve("webhooks.json"), ConfigReloadTest.TWO);
      Files.writeString(b.dir().resolve("webhooks.json"), ConfigReloadTest.TWO);
      assertEquals(200, ConfigReloadTest.reload(a, "{}").statusCode());
      assertEquals(200, ConfigReloadTest.post(a, "b"));
      assertTrue(ConfigReloadTest.await(() -> ConfigReloadTest.post(b, "b") == 200), "node B reloaded too");
      assertTrue(ConfigReloadTest.status(b).getJsonObject("last_result").getString("trigger").startsWith("cluster node"));

      Files.writeString(a.dir().resolve("webhooks.json"), ConfigReloadTest.ONE);
      Files.writeString(b.dir().resolve("webhooks.json"), "{\"a\": {\"module\": \"no_such_module\"}}");
      assertEquals(200, ConfigReloadTest.reload(a, "{}").statusCode());
      assertTrue(ConfigReloadTest.await(() -> ConfigReloadTest.status(b).getJsonObject("reloads").getLong("failed") == 1),
          "node B refused its broken file");
      assertEquals(404, ConfigReloadTest.post(a, "b"));
      assertEquals(200, Http.post(b.port(), "/webhook/b", "{}").statusCode(), "node B keeps its last good config");
    }
  }
}
