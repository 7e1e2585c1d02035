package io.cwm.testing;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.concurrent.TimeUnit;

/** Leaves nothing behind in the machine's shared Redis: deletes the keys a test run created. */
public final class RedisCleanup {
  public static final String REDIS_URL =
      System.getenv().getOrDefault("CWM_TEST_REDIS_URL", "redis://127.0.0.1:6379/0");

  private RedisCleanup() {}

  /** Deletes every key whose name contains {@code part} (a run-unique channel suffix). */
  public static void deleteKeysContaining(String part) throws Exception {
    Vertx vertx = Vertx.vertx();
    Redis redis = Redis.createClient(vertx, REDIS_URL);
    try {
      String cursor = "0";
      do {
        Response page = redis.send(Request.cmd(Command.SCAN).arg(cursor).arg("MATCH").arg("*" + part + "*")
            .arg("COUNT").arg(1000)).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        cursor = page.get(0).toString();
        for (Response key : page.get(1)) {
          redis.send(Request.cmd(Command.DEL).arg(key.toString())).toCompletionStage().toCompletableFuture()
              .get(10, TimeUnit.SECONDS);
        }
      } while (!cursor.equals("0"));
    } finally {
      redis.close();
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
