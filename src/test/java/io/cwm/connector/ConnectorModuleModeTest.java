package io.cwm.connector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.testing.ConnectApi;
import io.cwm.testing.TestConnector;
import io.cwm.testing.TestConnectors;
import io.cwm.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Module mode end to end in one process (role both): webhooks reach the receiver, the connector
 * streams them over each protocol and runs the local webhooks.json entry (save_to_disk); an id
 * missing from the local file is dead-lettered, not retried.
 */
class ConnectorModuleModeTest {

  static long files(Path dir) throws Exception {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> list = Files.list(dir)) {
      return list.count();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"websocket", "sse", "long_poll"})
  void deliversThroughTheLocalModuleAndDeadLettersUnknownIds(String protocol) throws Exception {
    Path dir = Files.createTempDirectory("cwm-module-mode");
    String channel = "mod-" + protocol.replace('_', '-');
    String webhooks = """
        {"to_disk": {"module": "webhook_connect", "module-config": {"channel": "%1$s", "channel_token": "tok"}},
         "orphan": {"module": "webhook_connect", "module-config": {"channel": "%1$s", "channel_token": "tok"}}}
        """.formatted(channel);
    Path local = dir.resolve("local-webhooks.json");
    // ingress-side fields in the local file are ignored on the connector side
    Files.writeString(local, """
        {"to_disk": {"module": "save_to_disk", "module-config": {"path": "out"},
                     "hmac": {"secret": "never-checked-here"}}}""");
    int port = TestServer.freePort();
    ConnectorConfig connector = TestConnectors.module(port, channel, "tok", protocol, local, null);
    try (TestServer server = TestServer.startIn(dir, port, "both", webhooks, "{}",
        Map.of("WEBHOOK_CONNECT_EMBEDDED_FSYNC", "false"), List.of(connector))) {
      ConnectApi api = new ConnectApi(server);
      for (int i = 0; i < 20; i++) {
        api.post("to_disk", "{\"n\":" + i + "}");
      }
      api.post("orphan", "{\"lost\":true}");
      Path out = dir.resolve("out");
      assertTrue(TestConnector.await(20_000, () -> {
        try {
          return files(out) == 20;
        } catch (Exception e) {
          return false;
        }
      }), () -> "written: " + out);
      JsonObject stats = api.awaitStats(channel, "tok",
          s -> s.getLong("messages_delivered") == 20 && s.getLong("messages_dead_lettered") == 1);
      assertEquals(0, stats.getLong("messages_queued"), stats::encode);
    }
  }

  @org.junit.jupiter.api.Test
  void oneProcessServesSeveralChannelsOneVerticleEach() throws Exception {
    Path dir = Files.createTempDirectory("cwm-two-channels");
    String webhooks = """
        {"a_in": {"module": "webhook_connect", "module-config": {"channel": "chan-a", "channel_token": "tok-a"}},
         "b_in": {"module": "webhook_connect", "module-config": {"channel": "chan-b", "channel_token": "tok-b"}}}""";
    Path local = dir.resolve("local-webhooks.json");
    Files.writeString(local, """
        {"a_in": {"module": "save_to_disk", "module-config": {"path": "out-a"}},
         "b_in": {"module": "save_to_disk", "module-config": {"path": "out-b"}}}""");
    int port = TestServer.freePort();
    List<ConnectorConfig> connectors = List.of(
        TestConnectors.module(port, "chan-a", "tok-a", "websocket", local, null),
        TestConnectors.module(port, "chan-b", "tok-b", "sse", local, null));
    try (TestServer server = TestServer.startIn(dir, port, "both", webhooks, "{}",
        Map.of("WEBHOOK_CONNECT_EMBEDDED_FSYNC", "false"), connectors)) {
      ConnectApi api = new ConnectApi(server);
      for (int i = 0; i < 5; i++) {
        api.post("a_in", "{\"n\":" + i + "}");
        api.post("b_in", "{\"n\":" + i + "}");
      }
      assertTrue(TestConnector.await(20_000, () -> {
        try {
          return files(dir.resolve("out-a")) == 5 && files(dir.resolve("out-b")) == 5;
        } catch (Exception e) {
          return false;
        }
      }), "both channels delivered");
      api.awaitStats("chan-a", "tok-a", s -> s.getLong("messages_delivered") == 5);
      api.awaitStats("chan-b", "tok-b", s -> s.getLong("messages_delivered") == 5);
    }
  }
}
