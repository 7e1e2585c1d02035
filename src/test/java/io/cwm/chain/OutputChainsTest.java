package io.cwm.chain;

import static io.cwm.testing.Futures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.testing.Http;
import io.cwm.testing.KafkaBroker;
import io.cwm.testing.S3Server;
import io.cwm.testing.TestConnector;
import io.cwm.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Chains over the output modules, end to end through a real receiver and real services: a
 * sequential chain postgresql → redis_rq → http_webhook and a parallel chain postgresql + kafka
 * + s3, with {@code continue_on_error} both ways and a connection named on every chain item (one
 * string item inherits the entry's connection with its details, which Python drops). Each test
 * posts a unique marker and looks for it in each service.
 */
class OutputChainsTest {
  static final String PG_HOST = System.getenv().getOrDefault("PGHOST", "127.0.0.1");
  static final int PG_PORT = Integer.parseInt(System.getenv().getOrDefault("PGPORT", "5432"));
  static final String SUFFIX = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
  static final String TABLE = "cwm_chain_" + SUFFIX;
  static final String QUEUE = "cwm-chain-" + SUFFIX;
  static final String TOPIC = "cwm-chain-" + SUFFIX;
  static final String BUCKET = "cwm-chain-" + SUFFIX;

  static Vertx vertx;
  static HttpServer target;
  static final Set<String> targetSaw = ConcurrentHashMap.newKeySet();
  static Pool pg;
  static Redis redis;
  static S3Server s3;
  static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    target = await(vertx.createHttpServer()
        .requestHandler(request -> request.body().onSuccess(body -> {
          targetSaw.add(body.toJsonObject().getString("marker"));
          request.response().end();
        }))
        .listen(0, "127.0.0.1"));
    pg = PgBuilder.pool().connectingTo(new PgConnectOptions().setHost(PG_HOST).setPort(PG_PORT)
        .setDatabase("test").setUser("postgres")).using(vertx).build();
    redis = Redis.createClient(vertx, "redis://127.0.0.1:6379/0");
    KafkaBroker.createTopic(TOPIC, 1);
    s3 = S3Server.shared();
    s3.createBucket(BUCKET);
    int closed = TestServer.freePort();
    String pgItem = "{\"module\": \"postgresql\", \"connection\": \"pg\", \"module-config\": {\"table\": \"" + TABLE + "\"}}";
    String rqItem = "{\"module\": \"redis_rq\", \"connection\": \"%s\", "
        + "\"module-config\": {\"queue_name\": \"" + QUEUE + "\", \"function\": \"tasks.handle\"}}";
    String httpItem = "{\"module\": \"http_webhook\", \"module-config\": {\"url\": \"http://127.0.0.1:"
        + target.actualPort() + "/in\", \"allowed_hosts\": [\"127.0.0.1\"]}}";
    String kafkaItem = "{\"module\": \"kafka\", \"connection\": \"kafka\", \"module-config\": {\"topic\": \"" + TOPIC + "\"}}";
    String s3Item = "{\"module\": \"s3\", \"connection\": \"s3\", \"module-config\": {\"bucket\": \"%s\", \"prefix\": \"chains\"}}";
    server = TestServer.start("""
        {
          "seq": {"chain": [%1$s, %2$s, %3$s], "chain-config": {"execution": "sequential", "continue_on_error": false}},
          "seq_stop": {"chain": [%1$s, %4$s, %3$s], "chain-config": {"execution": "sequential", "continue_on_error": false}},
          "seq_go_on": {"chain": [%1$s, %4$s, %3$s], "chain-config": {"execution": "sequential", "continue_on_error": true}},
          "par": {"chain": [%1$s, %5$s, %6$s], "chain-config": {"execution": "parallel", "continue_on_error": true}},
          "par_go_on": {"chain": [%1$s, %5$s, %7$s], "chain-config": {"execution": "parallel", "continue_on_error": true}},
          "par_stop": {"chain": [%1$s, %5$s, %7$s], "chain-config": {"execution": "parallel", "continue_on_error": false}},
          "inherit": {"connection": "pg", "module-config": {"table": "%8$s"}, "chain": ["postgresql", %3$s]}
        }
        """.formatted(pgItem, rqItem.formatted("rq"), httpItem, rqItem.formatted("rq_down"), kafkaItem,
            s3Item.formatted(BUCKET), s3Item.formatted(BUCKET + "-missing"), TABLE), """
        {
          "pg": {"type": "postgresql", "host": "%s", "port": %d, "database": "test", "user": "postgres"},
          "rq": {"type": "redis-rq", "host": "127.0.0.1", "port": 6379},
          "rq_down": {"type": "redis-rq", "host": "127.0.0.1", "port": %d},
          "kafka": {"type": "kafka", "bootstrap_servers": "%s"},
          "s3": %s
        }
        """.formatted(PG_HOST, PG_PORT, closed, KafkaBroker.bootstrapServers(), s3.connectionJson()),
        Map.of("ALLOW_LOCALHOST_FOR_TESTS", "true"));
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (server != null) {
        server.close();
      }
    } finally {
      await(pg.query("DROP TABLE IF EXISTS \"" + TABLE + "\"").execute());
      Response ids = await(redis.send(Request.cmd(Command.LRANGE).arg("rq:queue:" + QUEUE).arg(0).arg(-1)));
      for (Response id : ids) {
        await(redis.send(Request.cmd(Command.DEL).arg("rq:job:" + id)));
      }
      await(redis.send(Request.cmd(Command.DEL).arg("rq:queue:" + QUEUE)));
      await(redis.send(Request.cmd(Command.SREM).arg("rq:queues").arg("rq:queue:" + QUEUE)));
      KafkaBroker.deleteTopics(TOPIC);
      s3.deleteBucket(BUCKET);
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }


  static HttpResponse<String> post(String webhook, String marker) throws Exception {
    return Http.post(server.port(), "/webhook/" + webhook,
        new JsonObject().put("marker", marker).put("amount", 42).encode(),
        "Content-Type", "application/json", "Authorization", "Bearer must-not-travel");
  }

  static String marker() {
    return "m-" + UUID.randomUUID();
  }

  /** Rows of the chain table carrying {@code marker}. */
  static int rows(String marker) throws Exception {
    List<Row> rows = new ArrayList<>();
    await(pg.preparedQuery("SELECT headers FROM \"" + TABLE + "\" WHERE payload->>'marker' = $1")
        .execute(Tuple.of(marker))).forEach(rows::add);
    for (Row row : rows) {
      assertFalse(String.valueOf(row.getValue("headers")).contains("must-not-travel"), "credentials cleaned");
    }
    return rows.size();
  }

  /** RQ jobs of the chain queue whose (pickled, zlib) data carries {@code marker}. */
  static int jobs(String marker) throws Exception {
    int found = 0;
    Response ids = await(redis.send(Request.cmd(Command.LRANGE).arg("rq:queue:" + QUEUE).arg(0).arg(-1)));
    for (Response id : ids) {
      Response data = await(redis.send(Request.cmd(Command.HGET).arg("rq:job:" + id).arg("data")));
      java.util.zip.Inflater inflater = new java.util.zip.Inflater();
      inflater.setInput(data.toBytes());
      byte[] out = new byte[64 * 1024];
      int length = inflater.inflate(out);
      inflater.end();
      if (new String(out, 0, length, StandardCharsets.ISO_8859_1).contains(marker)) {
        found++;
      }
    }
    return found;
  }

  /** Whether the chain topic holds a record carrying {@code marker} (polled: other tests write there too). */
  static boolean recorded(String marker) throws InterruptedException {
    return TestConnector.await(15_000, () -> KafkaBroker.read(TOPIC, 1, 2_000).stream()
        .anyMatch(record -> new String(record.value(), StandardCharsets.UTF_8).contains(marker)));
  }

  static int objects(String marker) {
    int found = 0;
    try (S3Client client = s3.client()) {
      for (S3Object object : client.listObjectsV2(request -> request.bucket(BUCKET).prefix("chains/")).contents()) {
        String body = client.getObjectAsBytes(request -> request.bucket(BUCKET).key(object.key())).asUtf8String();
        if (body.contains(marker)) {
          found++;
        }
      }
    }
    return found;
  }

  @Test
  void sequentialChainWritesTheRowQueuesTheJobAndCallsTheTarget() throws Exception {
    String marker = marker();
    HttpResponse<String> response = post("seq", marker);
    assertEquals(200, response.statusCode(), response.body());
    assertEquals(1, rows(marker));
    assertEquals(1, jobs(marker));
    assertTrue(targetSaw.contains(marker));
  }

  @Test
  void sequentialChainStopsAtAFailureWithoutContinueOnError() throws Exception {
    String marker = marker();
    HttpResponse<String> response = post("seq_stop", marker);
    assertEquals(503, response.statusCode(), "Redis down is transient: retry later. " + response.body());
    assertEquals(1, rows(marker), "the step before the failure ran");
    assertEquals(0, jobs(marker));
    assertFalse(targetSaw.contains(marker), "the step after the failure did not run");
  }

  @Test
  void sequentialChainGoesOnAfterAFailureWithContinueOnError() throws Exception {
    String marker = marker();
    HttpResponse<String> response = post("seq_go_on", marker);
    assertEquals(503, response.statusCode(), "one step failed (transient): the sender retries. " + response.body());
    assertEquals(1, rows(marker));
    assertTrue(targetSaw.contains(marker), "the step after the failure ran");
  }

  @Test
  void parallelChainWritesToPostgresKafkaAndS3() throws Exception {
    String marker = marker();
    HttpResponse<String> response = post("par", marker);
    assertEquals(200, response.statusCode(), response.body());
    assertEquals(1, rows(marker));
    assertTrue(recorded(marker));
    assertEquals(1, objects(marker));
  }

  @Test
  void parallelChainWithAPermanentFailureRunsTheOthersAndAnswers500() throws Exception {
    String marker = marker();
    HttpResponse<String> response = post("par_go_on", marker);
    assertEquals(500, response.statusCode(), "a missing bucket is not transient. " + response.body());
    assertEquals(1, rows(marker));
    assertTrue(recorded(marker), "kafka step ran");
  }

  @Test
  void parallelChainWithoutContinueOnErrorFailsAtTheFirstFailure() throws Exception {
    HttpResponse<String> response = post("par_stop", marker());
    assertEquals(500, response.statusCode(), response.body());
  }

  @Test
  void aStringItemInheritsTheEntrysConnectionWithItsDetails() throws Exception {
    String marker = marker();
    HttpResponse<String> response = post("inherit", marker);
    assertEquals(200, response.statusCode(), response.body());
    assertEquals(1, rows(marker), "Python passes the name without the details, so its postgres step fails");
    assertTrue(targetSaw.contains(marker));
  }
}
