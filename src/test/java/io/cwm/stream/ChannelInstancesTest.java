package io.cwm.stream;

import static io.cwm.testing.TestConnector.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.bus.ChannelDirectory;
import io.cwm.config.ChannelOwners;
import io.cwm.testing.Http;
import io.cwm.testing.TestConnector;
import io.cwm.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Instances per channel: the buffer and stream verticles split the channels among their
 * instances (one owner each, a pinned channel on its instance), every channel relays through its
 * owner, and the admin API names the owners.
 */
class ChannelInstancesTest {
  private static final String ADMIN = "instances-admin-token";
  private static final List<String> CHANNELS = List.of("c0", "c1", "c2", "hot");

  /** Separate buffer and stream verticles, or one channel verticle (both parts) per instance. */
  private static String verticles(boolean channelVerticle, String instances, String pins) {
    String line = "\"instances\": " + instances + (pins == null ? "" : ", \"channels\": " + pins);
    String owners = channelVerticle ? "{\"verticle\": \"channel\", " + line + "},"
        : "{\"verticle\": \"buffer\", " + line + "}, {\"verticle\": \"stream\", " + line + "},";
    return "{\"receiver\": [" + owners
        + " {\"verticle\": \"admin\", \"instances\": 1}, {\"verticle\": \"ingest\", \"instances\": \"event-loops\"}]}";
  }

  private static String webhooks() {
    List<String> entries = new ArrayList<>();
    for (String channel : CHANNELS) {
      entries.add("\"" + channel + "\": {\"module\": \"webhook_connect\", \"module-config\": {\"channel\": \"" + channel
          + "\", \"channel_token\": \"tok-" + channel + "\"}}");
    }
    return "{" + String.join(",", entries) + "}";
  }

  @ParameterizedTest(name = "channel verticle: {0}")
  @ValueSource(booleans = {true, false})
  void channelsAreSplitAmongTheInstancesPinsHoldAndEveryChannelRelays(boolean channelVerticle) throws Exception {
    try (TestServer server = TestServer.startWithVerticles(verticles(channelVerticle, "3", "{\"hot\": 2}"), webhooks(),
        Map.of("WEBHOOK_CONNECT_ADMIN_TOKEN", ADMIN, "WEBHOOK_CONNECT_EMBEDDED_FSYNC", "false"))) {
      ChannelOwners expected = ChannelOwners.assign(CHANNELS, 3, Map.of("hot", 2));
      ChannelDirectory buffer = ChannelDirectory.buffer(server.running().vertx());
      ChannelDirectory stream = ChannelDirectory.stream(server.running().vertx());
      Set<Integer> used = new HashSet<>();
      for (String channel : CHANNELS) {
        assertEquals(expected.ownerOf(channel), buffer.owner(channel), channel);
        assertEquals(expected.ownerOf(channel), stream.owner(channel), channel);
        used.add(buffer.owner(channel));
        JsonObject details = new JsonObject(Http.get(server.port(), "/admin/webhook-connect/channels/" + channel,
            "Authorization", "Bearer " + ADMIN).body());
        assertEquals(new JsonObject().put("buffer_instance", expected.ownerOf(channel))
            .put("stream_instance", expected.ownerOf(channel)), details.getJsonObject("owner"), channel);
      }
      assertEquals(2, buffer.owner("hot"));
      String metrics = Http.get(server.port(), "/metrics", "Authorization", "Bearer " + ADMIN).body();
      for (String verticle : List.of("buffer", "stream")) {
        assertTrue(java.util.regex.Pattern.compile("cwm_channel_owner\\{channel=\"hot\",verticle=\"" + verticle
            + "\",?} 2\\.0").matcher(metrics).find(), () -> metrics.lines()
            .filter(line -> line.startsWith("cwm_channel_owner")).toList().toString());
      }
      assertEquals(Set.of(0, 1, 2), used, "every instance owns a channel");
      // the embedded store's size, for the soak's "file under 2x its live data"
      double file = gauge(metrics, "cwm_buffer_store_bytes{kind=\"file\"}");
      double live = gauge(metrics, "cwm_buffer_store_bytes{kind=\"live\"}");
      assertTrue(file > 0 && live >= 0 && live <= file, "file " + file + ", live " + live);

      Vertx vertx = Vertx.vertx();
      try {
        List<TestConnector> connectors = new ArrayList<>();
        for (String channel : CHANNELS) {
          TestConnector connector = new TestConnector(vertx).autoAck(true).connect(server.port(), channel,
              "tok-" + channel);
          assertNotNull(connector.next("connected", 5000), channel);
          connectors.add(connector);
        }
        for (int n = 0; n < 25; n++) {
          for (String channel : CHANNELS) {
            HttpResponse<String> response = Http.post(server.port(), "/webhook/" + channel, "{\"n\":" + n + "}",
                "Content-Type", "application/json");
            assertEquals(200, response.statusCode(), response::body);
          }
        }
        for (int i = 0; i < CHANNELS.size(); i++) {
          TestConnector connector = connectors.get(i);
          assertTrue(await(10_000, () -> connector.unique().size() == 25),
              CHANNELS.get(i) + ": " + connector.unique().size() + " of 25 delivered");
        }
        JsonObject health = new JsonObject(Http.get(server.port(), "/admin/webhook-connect/health",
            "Authorization", "Bearer " + ADMIN).body());
        assertEquals("healthy", health.getString("status"), health::encode);
        assertEquals(4, health.getInteger("connections_count"), "sessions summed over the stream instances");
        for (TestConnector connector : connectors) {
          connector.close();
        }
      } finally {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void aPinToAMissingInstanceOrChannelRefusesTheStart() {
    Exception wrongInstance = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
        () -> TestServer.startWithVerticles(verticles(false, "2", "{\"hot\": 5}"), webhooks(), Map.of()).close());
    assertTrue(String.valueOf(rootMessage(wrongInstance)).contains(
        "'buffer': channel 'hot' is pinned to instance 5, but there are 2 (0 to 1)"), rootMessage(wrongInstance));
    Exception unknownChannel = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
        () -> TestServer.startWithVerticles(verticles(true, "2", "{\"cold\": 1}"), webhooks(), Map.of()).close());
    assertTrue(String.valueOf(rootMessage(unknownChannel)).contains("channel 'cold' is pinned but not configured"),
        rootMessage(unknownChannel));
  }

  private static String rootMessage(Throwable failure) {
    StringBuilder messages = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      messages.append(t.getMessage()).append(" | ");
    }
    return messages.toString();
  }

  private static double gauge(String metrics, String series) {
    return metrics.lines().filter(line -> line.startsWith(series + " ")).mapToDouble(
        line -> Double.parseDouble(line.substring(series.length() + 1))).findFirst()
        .orElseThrow(() -> new AssertionError(series + " not in /metrics"));
  }
}
