package io.cwm.stream;

import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;

/** Delivery semantics on Redis Streams (the machine's Redis). */
class RedisStreamDeliveryTest extends StreamDeliveryTest {
  static final String REDIS_URL = System.getenv().getOrDefault("CWM_TEST_REDIS_URL", "redis://127.0.0.1:6379/0");

  @Override
  protected Map<String, String> backendEnv() {
    return Map.of("WEBHOOK_CONNECT_BUFFER", "redis", "WEBHOOK_CONNECT_REDIS_URL", REDIS_URL);
  }

  /** Leaves nothing behind in the shared Redis: every key of this run's channels. */
  @AfterAll
  void deleteKeys() throws Exception {
    Redis redis = Redis.createClient(vertx, REDIS_URL);
    try {
      String cursor = "0";
      do {
        Response page = redis.send(Request.cmd(Command.SCAN).arg(cursor).arg("MATCH").arg("*" + suffix + "*")
            .arg("COUNT").arg(1000)).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        cursor = page.get(0).toString();
        for (Response key : page.get(1)) {
          redis.send(Request.cmd(Command.DEL).arg(key.toString())).toCompletionStage().toCompletableFuture()
              .get(10, TimeUnit.SECONDS);
        }
      } while (!cursor.equals("0"));
    } finally {
      redis.close();
    }
  }
}
