package io.cwm.buffer.redis;

import io.cwm.config.ChannelSpec;
import io.cwm.buffer.Envelope;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Rough publish → lease → ack cycles per second of one RedisBuffer on loopback; prints, asserts
 * nothing. Run with {@code mvn test -Dtest=RedisBufferThroughput -Dcwm.bench=true}.
 */
@EnabledIfSystemProperty(named = "cwm.bench", matches = "true")
class RedisBufferThroughput {

  @Test
  void printCyclesPerSecond() throws Exception {
    Vertx vertx = Vertx.vertx();
    RedisBuffer buffer = new RedisBuffer(vertx, RedisBufferTest.REDIS_URL, Clock.systemUTC());
    String name = "bench-" + UUID.randomUUID().toString().substring(0, 8);
    ChannelSpec channel = new ChannelSpec(name, "token",
        Map.of("hook-a", new ChannelSpec.Queue("hook-a", 3600, 1_000_000),
            "hook-b", new ChannelSpec.Queue("hook-b", 3600, 1_000_000)), 10, 100, 120, 30, 10);
    try {
      buffer.open(List.of(channel)).await(10, TimeUnit.SECONDS);
      cycles(buffer, channel, 1, 1); // warm-up
      cycles(buffer, channel, 1, 3);
      cycles(buffer, channel, 16, 1); // warm-up
      cycles(buffer, channel, 16, 3);
      cycles(buffer, channel, 64, 3);
    } finally {
      buffer.close().await(10, TimeUnit.SECONDS);
      Redis raw = Redis.createClient(vertx, RedisBufferTest.REDIS_URL);
      String cursor = "0";
      do {
        Response page = raw.send(Request.cmd(Command.SCAN, cursor, "MATCH", "webhook_connect:*" + name + "*",
            "COUNT", 1000)).await(10, TimeUnit.SECONDS);
        cursor = page.get(0).toString();
        for (Response key : page.get(1)) {
          raw.send(Request.cmd(Command.DEL, key.toString())).await(10, TimeUnit.SECONDS);
        }
      } while (!"0".equals(cursor));
      raw.close().await(10, TimeUnit.SECONDS);
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  /** {@code concurrency} independent loops of publish, lease 1, ack for {@code seconds}. */
  private static void cycles(RedisBuffer buffer, ChannelSpec channel, int concurrency, int seconds)
      throws Exception {
    AtomicLong done = new AtomicLong();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    List<Future<Void>> loops = new ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < concurrency; i++) {
      loops.add(loop(buffer, channel, "bench-" + i, i % 2 == 0 ? "hook-a" : "hook-b", end, done));
    }
    Future.all(loops).await(seconds + 30L, TimeUnit.SECONDS);
    double elapsed = (System.nanoTime() - start) / 1e9;
    System.out.printf("RedisBuffer throughput: concurrency %d: %.0f publish/lease/ack cycles per second (%d in %.1f s)%n",
        concurrency, done.get() / elapsed, done.get(), elapsed);
  }

  private static Future<Void> loop(RedisBuffer buffer, ChannelSpec channel, String owner, String webhookId,
      long end, AtomicLong done) {
    if (System.nanoTime() >= end) {
      return Future.succeededFuture();
    }
    Envelope envelope = Envelope.create(channel.name(), webhookId,
        new JsonObject().put("content-type", "application/json"),
        new JsonObject().put("event", "bench").put("n", done.get()), Instant.now(), 3600);
    return buffer.publish(channel, envelope)
        .compose(published -> buffer.lease(channel, owner, 1, 60_000))
        .compose(leased -> Future.all(leased.stream().map(e -> buffer.ack(channel, e.messageId())).toList()))
        .compose(acked -> {
          done.incrementAndGet();
          return loop(buffer, channel, owner, webhookId, end, done);
        });
  }
}
