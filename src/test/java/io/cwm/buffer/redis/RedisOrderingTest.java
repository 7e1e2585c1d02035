package io.cwm.buffer.redis;

import static io.cwm.testing.Futures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.buffer.Envelope;
import io.cwm.buffer.MessageBuffer;
import io.cwm.buffer.OrderingContractTest;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Ordering per key on the Redis buffer (the heads and parked lists live in Redis). */
class RedisOrderingTest extends OrderingContractTest {

  @Override
  protected MessageBuffer create(Vertx vertx) {
    return new RedisBuffer(vertx, RedisBufferTest.REDIS_URL, Clock.systemUTC());
  }

  /** A second receiver on the same Redis (another node, or the channel's next owner) sees the key's head. */
  @Test
  void secondReceiverWaitsForTheHeadTheFirstHolds() {
    String a1 = publish("A", 1);
    String a2 = publish("A", 2);
    assertEquals(List.of(a1), leaseAll("s1", 1));
    MessageBuffer second = create(vertx);
    await(second.open(List.of(channel)));
    try {
      assertTrue(await(second.lease(channel, "s2", 10, 60_000)).isEmpty(), "a2 waits for a1, leased on the first");
      assertTrue(await(second.ack(channel, a1)));
      assertEquals(List.of(a2), await(second.lease(channel, "s2", 10, 60_000)).stream()
          .map(Envelope::messageId).toList());
    } finally {
      await(second.close());
    }
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
