package io.cwm.module.redis;

import static io.cwm.testing.Futures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.app.Launcher;
import io.cwm.bus.Addresses;
import io.cwm.config.Env;
import io.cwm.module.ModuleCall;
import io.cwm.module.ModuleFailure;
import io.cwm.testing.Http;
import io.cwm.testing.TestServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * redis_rq against the machine's Redis: the job RQ would find, with {@code data} unpickled by
 * python3. Each test uses its own queue and deletes the keys it created.
 */
@ExtendWith(VertxExtension.class)
class RedisRqModuleVerticleTest {
  static final int REDIS_PORT = RedisPublishModuleVerticleTest.REDIS_PORT;
  private static final String UNPICKLE_JSON = "import pickle, zlib, sys, json; "
      + "f, instance, args, kwargs = pickle.loads(zlib.decompress(sys.stdin.buffer.read())); "
      + "print(json.dumps({'function': f, 'instance': instance, 'args_type': type(args).__name__, "
      + "'args': list(args), 'kwargs': kwargs}))";

  private final String queue = "cwm_test_rq_" + UUID.randomUUID().toString().replace("-", "");
  private Redis redis;

  @BeforeEach
  void connect(Vertx vertx) {
    redis = Redis.createClient(vertx, "redis://127.0.0.1:" + REDIS_PORT);
  }

  @AfterEach
  void cleanUp() throws Exception {
    List<String> jobs = new ArrayList<>();
    await(redis.send(Request.cmd(Command.LRANGE).arg("rq:queue:" + queue).arg(0).arg(-1)))
        .forEach(id -> jobs.add("rq:job:" + id));
    for (String key : jobs) {
      await(redis.send(Request.cmd(Command.DEL).arg(key)));
    }
    await(redis.send(Request.cmd(Command.DEL).arg("rq:queue:" + queue)));
    await(redis.send(Request.cmd(Command.SREM).arg("rq:queues").arg("rq:queue:" + queue)));
    redis.close();
  }


  private static void deploy(Vertx vertx) throws Exception {
    Launcher.registerCodecs(vertx);
    await(vertx.deployVerticle(new RedisRqModuleVerticle(Env.of(Map.of("ALLOW_LOCALHOST_FOR_TESTS", "true")))));
  }

  private JsonObject connection(int port) {
    return new JsonObject().put("type", "redis-rq").put("host", "127.0.0.1").put("port", port).put("db", 0);
  }

  private Future<Object> call(Vertx vertx, JsonObject connection, Object payload) {
    JsonObject config = new JsonObject().put("function", "tasks.process_webhook").put("queue_name", queue);
    RqTarget target = RedisRqModuleVerticle.TYPE.target(config, new JsonObject(), Env.of(Map.of()));
    ModuleCall call = new ModuleCall("hook", "redis_rq", target, connection == null ? null : "rq", connection,
        payload, Map.of("content-type", "application/json"), null);
    return vertx.eventBus().request(Addresses.module("redis_rq"), call).map(reply -> reply.body());
  }

  private List<String> queuedJobIds() throws Exception {
    List<String> ids = new ArrayList<>();
    await(redis.send(Request.cmd(Command.LRANGE).arg("rq:queue:" + queue).arg(0).arg(-1)))
        .forEach(id -> ids.add(id.toString()));
    return ids;
  }

  private Map<String, Response> jobHash(String id) throws Exception {
    Response hash = await(redis.send(Request.cmd(Command.HGETALL).arg("rq:job:" + id)));
    Map<String, Response> fields = new java.util.HashMap<>();
    for (String key : hash.getKeys()) {
      fields.put(key, hash.get(key));
    }
    return fields;
  }

  @Test
  void aBurstOfConcurrentCallsAllQueueTheirJob(Vertx vertx) throws Exception {
    deploy(vertx);
    List<Future<Object>> calls = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      calls.add(call(vertx, connection(REDIS_PORT), new JsonObject().put("n", i)));
    }
    await(Future.all(calls));
    assertEquals(300, queuedJobIds().size());
  }

  @Test
  void enqueuedJobIsWhatAnRqWorkerReads(Vertx vertx) throws Exception {
    deploy(vertx);
    JsonObject payload = new JsonObject().put("order", 42).put("total", 9.5).put("paid", true)
        .putNull("note").put("items", new JsonArray().add("a").add(2));
    await(call(vertx, connection(REDIS_PORT), payload));

    List<String> ids = queuedJobIds();
    assertEquals(1, ids.size());
    Response member = await(redis.send(Request.cmd(Command.SISMEMBER).arg("rq:queues").arg("rq:queue:" + queue)));
    assertEquals(1, member.toInteger());

    Map<String, Response> job = jobHash(ids.get(0));
    assertEquals("queued", job.get("status").toString());
    assertEquals(queue, job.get("origin").toString());
    assertEquals("180", job.get("timeout").toString());
    assertTrue(job.get("created_at").toString().matches("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z$"));
    assertEquals(job.get("created_at").toString(), job.get("enqueued_at").toString());
    assertTrue(job.get("description").toString().startsWith("tasks.process_webhook({"), job.get("description").toString());
    for (String empty : List.of("started_at", "ended_at", "last_heartbeat", "worker_name", "group_id")) {
      assertEquals("", job.get(empty).toString(), empty);
    }

    JsonObject data = new JsonObject(Python.run(UNPICKLE_JSON, job.get("data").toBytes()));
    assertEquals("tasks.process_webhook", data.getString("function"));
    assertEquals(null, data.getValue("instance"));
    assertEquals("tuple", data.getString("args_type"));
    assertEquals(new JsonArray().add(payload).add(new JsonObject().put("content-type", "application/json")),
        data.getJsonArray("args"));
    assertEquals(new JsonObject(), data.getJsonObject("kwargs"));
  }

  @Test
  void blobPayloadIsPickledAsBytes(Vertx vertx) throws Exception {
    deploy(vertx);
    await(call(vertx, connection(REDIS_PORT), Buffer.buffer(new byte[] {(byte) 0xde, (byte) 0xad, 0})));
    Map<String, Response> job = jobHash(queuedJobIds().get(0));
    assertEquals("b'\\xde\\xad\\x00'", Python.run("import pickle, zlib, sys; "
        + "print(repr(pickle.loads(zlib.decompress(sys.stdin.buffer.read()))[2][0]))", job.get("data").toBytes()));
  }

  @Test
  void missingConnectionIsAConfigFailure(Vertx vertx) throws Exception {
    deploy(vertx);
    Throwable failure = call(vertx, null, "x").toCompletionStage().toCompletableFuture()
        .handle((ok, error) -> error).get(10, TimeUnit.SECONDS);
    ModuleFailure typed = ModuleFailure.from(failure);
    assertEquals(ModuleFailure.Category.CONFIG, typed.category());
    assertEquals("Redis connection is not defined", typed.getMessage());
  }

  @Test
  void unreachableRedisIsARetryableConnectionFailure(Vertx vertx) throws Exception {
    deploy(vertx);
    Throwable failure = call(vertx, connection(TestServer.freePort()), "x").toCompletionStage().toCompletableFuture()
        .handle((ok, error) -> error).get(15, TimeUnit.SECONDS);
    ModuleFailure typed = ModuleFailure.from(failure);
    assertEquals(ModuleFailure.Category.CONNECTION, typed.category(), typed.getMessage());
    assertTrue(typed.retryable());
  }

  @Test
  void webhookThroughTheServerIsEnqueued() throws Exception {
    try (TestServer server = TestServer.start("""
        {"rq": {"module": "redis_rq", "connection": "jobs",
                "module-config": {"function": "tasks.process_webhook", "queue_name": "%s"}}}
        """.formatted(queue), """
        {"jobs": {"type": "redis-rq", "host": "127.0.0.1", "port": %d, "db": 0}}
        """.formatted(REDIS_PORT), Map.of("ALLOW_LOCALHOST_FOR_TESTS", "true"))) {
      HttpResponse<String> response = Http.post(server.port(), "/webhook/rq", "{\"event\":\"paid\"}",
          "content-type", "application/json");
      assertEquals(200, response.statusCode(), response.body());
      // the 200 comes after the job was written; the wait only bounds a slow Redis
      io.cwm.testing.TestConnector.await(5_000, () -> {
        try {
          return !queuedJobIds().isEmpty();
        } catch (Exception e) {
          return false;
        }
      });
      List<String> ids = queuedJobIds();
      assertEquals(1, ids.size());
      JsonObject data = new JsonObject(Python.run(UNPICKLE_JSON, jobHash(ids.get(0)).get("data").toBytes()));
      assertEquals(new JsonObject().put("event", "paid"), data.getJsonArray("args").getJsonObject(0));
    }
  }
}
