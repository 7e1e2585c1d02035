package io.cwm.app;

import static io.cwm.testing.TestConnector.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.connector.ConnectorConfig;
import io.cwm.testing.Http;
import io.cwm.testing.RedisCleanup;
import io.cwm.testing.TestConnector;
import io.cwm.testing.TestConnectors;
import io.cwm.testing.TestServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three receivers (the fat jar, three times, {@code --cluster} over TCP on loopback) on one
 * Redis: webhooks posted round-robin to all three reach a connector attached to one of them;
 * the admin API of any node lists the connectors of all nodes; {@code max_connections} holds
 * across the cluster; a token rotated through one node works on another; and when the node
 * holding the connector is killed, the connector (the cwm connector, behind a small TCP
 * balancer that sends each new connection to the first live node) reconnects to another node
 * and every webhook answered 200 is delivered.
 */
class ClusterIT {
  static final String ADMIN = "cluster-admin";

  private static Process start(Path dir, String name, int port, int clusterPort, String members) throws IOException {
    ProcessBuilder builder = new ProcessBuilder("java", "-Xmx384m", "-jar", JarIT.JAR.toAbsolutePath().toString(),
        "receiver", "--cluster", "--webhooks", dir.resolve("webhooks.json").toString(),
        "--data-dir", dir.resolve("data-" + name).toString(), "--host", "127.0.0.1", "--port", String.valueOf(port))
        .directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".log").toFile()));
    Map<String, String> env = builder.environment();
    env.put("WEBHOOK_CONNECT_REDIS_URL", RedisCleanup.REDIS_URL);
    env.put("WEBHOOK_CONNECT_ADMIN_TOKEN", ADMIN);
    env.put("CWM_CLUSTER_HOST", "127.0.0.1");
    env.put("CWM_CLUSTER_PORT", String.valueOf(clusterPort));
    env.put("CWM_CLUSTER_MEMBERS", members);
    env.put("CWM_CLUSTER_NAME", "cwm-it-" + dir.getFileName());
    return builder.start();
  }

  private static void awaitUp(int port) throws Exception {
    // three JVMs joining Hazelcast at once on two busy cores: be patient
    assertTrue(await(120_000, () -> {
      try {
        return Http.get(port, "/ready").statusCode() == 200;
      } catch (Exception notYet) {
        return false;
      }
    }), "receiver on " + port + " did not come up");
  }

  private static JsonArray clients(int port, String channel) {
    try {
      HttpResponse<String> response = Http.get(port, "/admin/webhook-connect/channels/" + channel,
          "Authorization", "Bearer " + ADMIN);
      return response.statusCode() == 200 ? new JsonObject(response.body()).getJsonArray("connected_clients")
          : new JsonArray();
    } catch (Exception e) {
      return new JsonArray();
    }
  }

  /** A TCP balancer: each new connection goes to the first backend that accepts it. */
  private static Future<Integer> balancer(Vertx vertx, List<Integer> backends) {
    NetClient client = vertx.createNetClient();
    return vertx.createNetServer().connectHandler(downstream -> {
      downstream.pause();
      connectFirst(client, backends, 0).onComplete(upstream -> {
        if (upstream.failed()) {
          downstream.close();
          return;
        }
        NetSocket up = upstream.result();
        downstream.pipeTo(up);
        up.pipeTo(downstream);
        downstream.resume();
      });
    }).listen(0, "127.0.0.1").map(server -> server.actualPort());
  }

  private static Future<NetSocket> connectFirst(NetClient client, List<Integer> backends, int index) {
    if (index >= backends.size()) {
      return Future.failedFuture("no backend");
    }
    return client.connect(backends.get(index), "127.0.0.1")
        .recover(down -> connectFirst(client, backends, index + 1));
  }

  @Test
  void threeReceiversServeOneChannelAndSurviveTheLossOfTheConnectorsNode(@TempDir Path dir) throws Exception {
    String channel = "clu-" + UUID.randomUUID().toString().substring(0, 8);
    Files.writeString(dir.resolve("webhooks.json"), """
        {"relay": {"module": "webhook_connect", "module-config": {"channel": "%s", "channel_token": "tok-cluster",
                   "max_connections": 2, "ack_timeout_seconds": 3}}}""".formatted(channel));
    int[] ports = {TestServer.freePort(), TestServer.freePort(), TestServer.freePort()};
    int[] clusterPorts = {TestServer.freePort(), TestServer.freePort(), TestServer.freePort()};
    String members = "127.0.0.1:" + clusterPorts[0] + ",127.0.0.1:" + clusterPorts[1] + ",127.0.0.1:" + clusterPorts[2];
    List<Process> nodes = new ArrayList<>();
    Vertx vertx = Vertx.vertx();
    Set<Integer> delivered = ConcurrentHashMap.newKeySet();
    TestServer connector = null;
    try {
      for (int i = 0; i < 3; i++) {
        nodes.add(start(dir, "node" + i, ports[i], clusterPorts[i], members));
      }
      for (int port : ports) {
        awaitUp(port);
      }
      HttpServer target = vertx.createHttpServer()
          .requestHandler(request -> request.body().onSuccess(body -> {
            delivered.add(body.toJsonObject().getInteger("n"));
            request.response().end();
          }))
          .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      // the connector reaches node 1 through the balancer while node 1 lives, node 2 after
      int entry = balancer(vertx, List.of(ports[1], ports[2])).toCompletionStage().toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
      ConnectorConfig config = TestConnectors.http(entry, channel, "tok-cluster", "websocket",
          TestConnectors.target("http://127.0.0.1:" + target.actualPort() + "/in"));
      connector = TestServer.startIn(dir, TestServer.freePort(), "connector", "{}", "{}", Map.of(), List.of(config));

      // the admin API of node 0 sees the connector that sits on node 1
      assertTrue(await(30_000, () -> clients(ports[0], channel).size() == 1), () -> "clients seen by node 0: "
          + clients(ports[0], channel));

      // webhooks round-robin over the three nodes reach the one connector
      for (int n = 0; n < 30; n++) {
        HttpResponse<String> response = Http.post(ports[n % 3], "/webhook/relay", "{\"n\": " + n + "}",
            "Content-Type", "application/json");
        assertEquals(200, response.statusCode(), response.body());
      }
      assertTrue(await(30_000, () -> delivered.size() == 30), () -> "delivered: " + delivered);

      // max_connections (2) holds across the cluster: one more fits on node 2, a third is refused on node 0
      TestConnector second = new TestConnector(vertx).connect(ports[2], channel, "tok-cluster");
      assertNotNull(second.next("connected", 10_000));
      TestConnector third = new TestConnector(vertx).connect(ports[0], channel, "tok-cluster");
      assertTrue(await(10_000, () -> third.closeCode() != null), "third connection closed");
      assertEquals((short) 4003, third.closeCode());
      assertEquals(2, clients(ports[0], channel).size());
      second.close();
      assertTrue(await(10_000, () -> clients(ports[2], channel).size() == 1), "the second left");

      // a token rotated through node 2 works on node 0 at once
      HttpResponse<String> rotated = Http.post(ports[2], "/admin/webhook-connect/channels/" + channel
          + "/rotate-token", "{\"grace_period_seconds\": 3600}", "Authorization", "Bearer " + ADMIN);
      assertEquals(200, rotated.statusCode(), rotated::body);
      String fresh = new JsonObject(rotated.body()).getString("new_token");
      assertEquals(200, Http.get(ports[0], "/connect/status/" + channel, "Authorization", "Bearer " + fresh)
          .statusCode());

      // kill the node the connector is attached to, while webhooks keep coming to the others
      nodes.get(1).destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      for (int n = 30; n < 60; n++) {
        HttpResponse<String> response = Http.post(ports[n % 2 == 0 ? 0 : 2], "/webhook/relay",
            "{\"n\": " + n + "}", "Content-Type", "application/json");
        assertEquals(200, response.statusCode(), response.body());
      }
      assertTrue(await(90_000, () -> delivered.size() == 60), () -> "delivered after the loss of node 1: "
          + delivered.size());
      assertTrue(await(45_000, () -> {
        JsonArray seen = clients(ports[0], channel);
        return seen.size() == 1 && seen.getJsonObject(0).getString("connector_id") != null;
      }), () -> "node 0 sees the connector again: " + clients(ports[0], channel));
    } finally {
      if (connector != null) {
        connector.close();
      }
      for (Process node : nodes) {
        node.destroy();
      }
      for (Process node : nodes) {
        node.waitFor(15, TimeUnit.SECONDS);
      }
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      RedisCleanup.deleteKeysContaining(channel);
      keepLogs(dir);
    }
  }

  /** The nodes' logs outlive the temporary directory, for a failure to be read after the run. */
  private static void keepLogs(Path dir) throws IOException {
    Path kept = Path.of("target", "cluster-it-logs");
    Files.createDirectories(kept);
    try (var logs = Files.list(dir)) {
      for (Path log : logs.filter(file -> file.toString().endsWith(".log")).toList()) {
        Files.copy(log, kept.resolve(log.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }
}
