package io.cwm.connector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cwm.config.etcd.EtcdSettings;
import io.cwm.testing.ConnectApi;
import io.cwm.testing.EtcdServer;
import io.cwm.testing.TestConnector;
import io.cwm.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/**
 * The connector's etcd mode (spec §8.14) in one process (role both) against a real etcd: the
 * entries of its namespace run as in module mode, a key added later serves without a restart, and
 * a start with etcd unreachable fails clearly.
 */
class ConnectorEtcdModeTest {
  static final String PREFIX = "/cwm-connector/";
  static final String WEBHOOKS = """
      {"to_disk": {"module": "webhook_connect", "module-config": {"channel": "fleet", "channel_token": "tok"}},
       "later": {"module": "webhook_connect", "module-config": {"channel": "fleet", "channel_token": "tok"}}}""";

  static ConnectorConfig etcdConnector(int port, EtcdSettings etcd) {
    return new ConnectorConfig("test", "http://127.0.0.1:" + port, "fleet", "tok", "websocket",
        0.2, 2, 2, 60, 5, 10, 30, "test-connector", null, Map.of(), null, null,
        true, null, null, null, "INFO", 0, true, 5, ConnectorConfig.DEFAULT_MAX_MESSAGE_BYTES, etcd);
  }

  @Test
  void entriesComeFromTheNamespaceAndFollowItsKeys() throws Exception {
    assumeTrue(EtcdServer.available(), "etcd-server is not installed (.ci/run installs it)");
    try (EtcdServer etcd = EtcdServer.launch()) {
      etcd.put(PREFIX + "fleet/webhooks/to_disk", "{\"module\": \"save_to_disk\", \"module-config\": {\"path\": \"out\"}}");
      etcd.put(PREFIX + "other/webhooks/later", "{\"module\": \"save_to_disk\", \"module-config\": {\"path\": \"wrong\"}}");
      Path dir = Files.createTempDirectory("cwm-etcd-connector");
      int port = TestServer.freePort();
      ConnectorConfig connector = etcdConnector(port, new EtcdSettings(etcd.host(), etcd.port(), PREFIX, "fleet",
          null, null));
      try (TestServer server = TestServer.startIn(dir, port, "both", WEBHOOKS, "{}",
          Map.of("WEBHOOK_CONNECT_EMBEDDED_FSYNC", "false"), List.of(connector))) {
        ConnectApi api = new ConnectApi(server);
        for (int i = 0; i < 5; i++) {
          api.post("to_disk", "{\"n\":" + i + "}");
        }
        assertTrue(TestConnector.await(20_000, () -> count(dir.resolve("out")) == 5), "delivered by the etcd entry");
        api.post("later", "{\"early\":true}"); // not in namespace fleet (only in "other"): a dead letter
        api.awaitStats("fleet", "tok", s -> s.getLong("messages_dead_lettered") == 1);

        etcd.put(PREFIX + "fleet/webhooks/later", "{\"module\": \"save_to_disk\", \"module-config\": {\"path\": \"out-later\"}}");
        assertTrue(TestConnector.await(20_000, () -> {
          try {
            api.post("later", "{\"late\":true}");
          } catch (Exception e) {
            return false;
          }
          return count(dir.resolve("out-later")) > 0;
        }), "a key added to the namespace serves without a restart");
        assertEquals(0, count(dir.resolve("wrong")), "another namespace's entry is never used");
      }
    }
  }

  @Test
  void startWithEtcdUnreachableFailsClearly() throws Exception {
    int port = TestServer.freePort();
    int nobody = TestServer.freePort();
    ConnectorConfig connector = etcdConnector(port, new EtcdSettings("127.0.0.1", nobody, PREFIX, "fleet", null,
        null));
    ExecutionException failed = assertThrows(ExecutionException.class, () -> TestServer.startIn(
        Files.createTempDirectory("cwm-etcd-down"), port, "both", WEBHOOKS, "{}", Map.of(), List.of(connector)));
    assertTrue(failed.getCause().getMessage().contains("etcd at 127.0.0.1:" + nobody + " unreachable"),
        failed.getCause().getMessage());
  }

  private static long count(Path dir) {
    try {
      return ConnectorModuleModeTest.files(dir);
    } catch (Exception e) {
      return -1;
    }
  }
}
