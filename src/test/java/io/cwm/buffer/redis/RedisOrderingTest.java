package io.cwm.buffer.redis;

import static io.cwm.testing.Futures.await;

import io.cwm.buffer.MessageBuffer;
import io.cwm.buffer.OrderingContractTest;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Clock;

/** Ordering per key on the Redis buffer (the heads and parked lists live in Redis). */
class RedisOrderingTest extends OrderingContractTest {

  @Override
  protected MessageBuffer create(Vertx vertx) {
    return new RedisBuffer(vertx, RedisBufferTest.REDIS_URL, Clock.systemUTC());
  }

  @Override
  protected void cleanUp(String channelName) {
    Redis raw = Redis.createClient(vertx, RedisBufferTest.REDIS_URL);
    String cursor = "0";
    do {
      Response page = await(raw.send(Request.cmd(Command.SCAN, cursor, "MATCH", "webhook_connect:*" + channelName + "*",
          "COUNT", 1000)));
      cursor = page.get(0).toString();
      for (Response key : page.get(1)) {
        await(raw.send(Request.cmd(Command.DEL, key.toString())));
      }
    } while (!"0".equals(cursor));
    await(raw.close());
  }
}
