package io.cwm.module.redis;

import static io.cwm.testing.Futures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.app.Launcher;
import io.cwm.bus.Addresses;
import io.cwm.config.ConfigException;
import io.cwm.config.Env;
import io.cwm.module.ModuleCall;
import io.cwm.module.ModuleFailure;
import io.cwm.testing.Http;
import io.cwm.testing.TestServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** redis_publish against the machine's Redis (REDIS_PORT, default 6379) with a real subscriber. */
@ExtendWith(VertxExtension.class)
class RedisPublishModuleVerticleTest {
  static final int REDIS_PORT = Integer.parseInt(System.getenv().getOrDefault("REDIS_PORT", "6379"));

  private final String channel = "cwm_test_pub_" + UUID.randomUUID().toString().replace("-", "");
  private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
  private Redis subscriberClient;
  private RedisConnection subscriber;

  @BeforeEach
  void subscribe(Vertx vertx) throws Exception {
    subscriberClient = Redis.createClient(vertx, "redis://127.0.0.1:" + REDIS_PORT);
    subscriber = await(subscriberClient.connect());
    subscriber.handler(message -> {
      if (message.size() == 3 && "message".equals(message.get(0).toString())) {
        received.add(message.get(2).toString());
      }
    });
    await(subscriber.send(Request.cmd(Command.SUBSCRIBE).arg(channel)));
  }

  @AfterEach
  void close() {
    subscriber.close();
    subscriberClient.close();
  }


  private JsonObject entry(int port) {
    return new JsonObject().put("module", "redis_publish").put("redis", new JsonObject()
        .put("host", "127.0.0.1").put("port", port).put("channel", channel)
        .put("allowed_hosts", new io.vertx.core.json.JsonArray().add("127.0.0.1")));
  }

  /** The target the load-time check makes of an entry's redis block. */
  private static RedisPublishTarget target(JsonObject entry) {
    return RedisPublishModuleVerticle.TYPE.target(new JsonObject(), entry, Env.of(Map.of()));
  }

  private static Future<Object> call(Vertx vertx, JsonObject entry, Object payload) {
    ModuleCall call = new ModuleCall("hook", "redis_publish", target(entry), null, null, payload,
        Map.of("content-type", "application/json", "x-request-id", "r-1"), null);
    return vertx.eventBus().request(Addresses.module("redis_publish"), call).map(reply -> reply.body());
  }

  private static void deploy(Vertx vertx) throws Exception {
    Launcher.registerCodecs(vertx);
    await(vertx.deployVerticle(new RedisPublishModuleVerticle()));
  }

  @Test
  void subscriberReceivesPayloadAndHeadersAsJson(Vertx vertx) throws Exception {
    deploy(vertx);
    await(call(vertx, entry(REDIS_PORT), new JsonObject().put("order", 42).put("items", new io.vertx.core.json.JsonArray().add("a"))));
    String message = received.poll(10, TimeUnit.SECONDS);
    assertEquals(new JsonObject("""
        {"payload": {"order": 42, "items": ["a"]},
         "headers": {"content-type": "application/json", "x-request-id": "r-1"}}"""), new JsonObject(message));
  }

  @Test
  void aBurstOfConcurrentCallsAllSucceed(Vertx vertx) throws Exception {
    deploy(vertx);
    // more calls at once than the pool has connections, and than Vert.x's default wait queue (24)
    List<Future<Object>> calls = new java.util.ArrayList<>();
    for (int i = 0; i < 300; i++) {
      calls.add(call(vertx, entry(REDIS_PORT), i));
    }
    await(Future.all(calls));
    for (int i = 0; i < 300; i++) {
      assertNotNull(received.poll(10, TimeUnit.SECONDS), "message " + i);
    }
  }

  @Test
  void manyCallsShareOneClient(Vertx vertx) throws Exception {
    deploy(vertx);
    for (int i = 0; i < 20; i++) {
      await(call(vertx, entry(REDIS_PORT), i));
    }
    for (int i = 0; i < 20; i++) {
      assertEquals(i, new JsonObject(received.poll(10, TimeUnit.SECONDS)).getInteger("payload"));
    }
    Response clients = await(subscriberClient.send(Request.cmd(Command.CLIENT).arg("LIST")));
    // The module's pool holds at most 4 connections, however many calls were made.
    long moduleConnections = clients.toString().lines().filter(line -> line.contains("cmd=publish")).count();
    assertTrue(moduleConnections <= 4, clients.toString());
  }

  @Test
  void unreachableRedisIsARetryableConnectionFailure(Vertx vertx) throws Exception {
    deploy(vertx);
    int closedPort = TestServer.freePort();
    Throwable failure = call(vertx, entry(closedPort), "x").toCompletionStage().toCompletableFuture()
        .handle((ok, error) -> error).get(15, TimeUnit.SECONDS);
    ModuleFailure typed = ModuleFailure.from(failure);
    assertEquals(ModuleFailure.Category.CONNECTION, typed.category(), typed.getMessage());
    assertTrue(typed.retryable());
  }

  @Test
  void disallowedHostIsRefusedAtLoad() {
    JsonObject entry = entry(REDIS_PORT);
    entry.getJsonObject("redis").remove("allowed_hosts");
    assertEquals("redis.host", assertThrows(ConfigException.class, () -> target(entry)).key());
  }

  @Test
  void webhookThroughTheServerIsPublished() throws Exception {
    try (TestServer server = TestServer.start("""
        {"pub": {"module": "redis_publish",
                 "redis": {"host": "127.0.0.1", "port": %d, "channel": "%s", "allowed_hosts": ["127.0.0.1"]}}}
        """.formatted(REDIS_PORT, channel))) {
      HttpResponse<String> response = Http.post(server.port(), "/webhook/pub", "{\"event\":\"paid\"}",
          "content-type", "application/json");
      assertEquals(200, response.statusCode(), response.body());
      JsonObject message = new JsonObject(received.poll(10, TimeUnit.SECONDS));
      assertEquals(new JsonObject().put("event", "paid"), message.getJsonObject("payload"));
      assertEquals("application/json", message.getJsonObject("headers").getString("content-type"));
    }
  }
}
