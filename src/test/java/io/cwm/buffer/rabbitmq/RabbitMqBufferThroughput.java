package io.cwm.buffer.rabbitmq;

import io.cwm.config.ChannelSpec;
import io.cwm.buffer.Envelope;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
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
 * Rough publishes per second and publish → lease → ack cycles per second of one RabbitMqBuffer on
 * loopback; prints, asserts nothing. Run with
 * {@code mvn test -Dtest=RabbitMqBufferThroughput -Dcwm.bench=true}.
 */
@EnabledIfSystemProperty(named = "cwm.bench", matches = "true")
class RabbitMqBufferThroughput {

  @Test
  void printPublishesAndCyclesPerSecond() throws Exception {
    Vertx vertx = Vertx.vertx();
    RabbitMqBuffer buffer = new RabbitMqBuffer(vertx, RabbitBroker.URL, Clock.systemUTC(), false);
    String name = "bench-" + UUID.randomUUID().toString().substring(0, 8);
    ChannelSpec channel = new ChannelSpec(name, "token",
        Map.of("hook-a", new ChannelSpec.Queue("hook-a", 3600, 1_000_000),
            "hook-b", new ChannelSpec.Queue("hook-b", 3600, 1_000_000)), 10, 100, 120, 30, 10);
    try {
      buffer.open(List.of(channel)).await(10, TimeUnit.SECONDS);
      publishes(buffer, channel, 64, 2); // warm-up
      publishes(buffer, channel, 64, 3);
      publishes(buffer, channel, 1, 2);
      drain(buffer, channel);
      cycles(buffer, channel, 1, 2);
      cycles(buffer, channel, 16, 3);
    } finally {
      buffer.close().await(10, TimeUnit.SECONDS);
      vertx.close().await(10, TimeUnit.SECONDS);
      try (RabbitBroker broker = new RabbitBroker()) {
        broker.deleteQueues(List.of(name), List.of("hook-a", "hook-b"));
      }
    }
  }

  private static Envelope envelope(ChannelSpec channel, String webhookId, long n) {
    return Envelope.create(channel.name(), webhookId, new JsonObject().put("content-type", "application/json"),
        new JsonObject().put("event", "bench").put("n", n), Instant.now(), 3600);
  }

  private static void publishes(RabbitMqBuffer buffer, ChannelSpec channel, int concurrency, int seconds)
      throws Exception {
    AtomicLong done = new AtomicLong();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    long start = System.nanoTime();
    List<Future<Void>> loops = new ArrayList<>();
    for (int i = 0; i < concurrency; i++) {
      loops.add(publishLoop(buffer, channel, i % 2 == 0 ? "hook-a" : "hook-b", end, done));
    }
    Future.all(loops).await(seconds + 30L, TimeUnit.SECONDS);
    double elapsed = (System.nanoTime() - start) / 1e9;
    System.out.printf("RabbitMqBuffer: concurrency %d: %.0f confirmed publishes per second%n", concurrency,
        done.get() / elapsed);
  }

  private static Future<Void> publishLoop(RabbitMqBuffer buffer, ChannelSpec channel, String webhookId, long end,
      AtomicLong done) {
    if (System.nanoTime() >= end) {
      return Future.succeededFuture();
    }
    return buffer.publish(channel, envelope(channel, webhookId, done.get())).compose(published -> {
      done.incrementAndGet();
      return publishLoop(buffer, channel, webhookId, end, done);
    });
  }

  private static void drain(RabbitMqBuffer buffer, ChannelSpec channel) throws Exception {
    long start = System.nanoTime();
    long drained = 0;
    while (true) {
      List<Envelope> leased = buffer.lease(channel, "drain", 100, 60_000).await(30, TimeUnit.SECONDS);
      if (leased.isEmpty()) {
        break;
      }
      Future.all(leased.stream().map(e -> buffer.ack(channel, e.messageId())).toList()).await(30, TimeUnit.SECONDS);
      drained += leased.size();
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    System.out.printf("RabbitMqBuffer: drained %d (lease 100 + acks) at %.0f messages per second%n", drained,
        drained / elapsed);
  }

  private static void cycles(RabbitMqBuffer buffer, ChannelSpec channel, int concurrency, int seconds)
      throws Exception {
    AtomicLong done = new AtomicLong();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    long start = System.nanoTime();
    List<Future<Void>> loops = new ArrayList<>();
    for (int i = 0; i < concurrency; i++) {
      String owner = "bench-" + i;
      String webhookId = i % 2 == 0 ? "hook-a" : "hook-b";
      loops.add(cycleLoop(buffer, channel, owner, webhookId, end, done));
    }
    Future.all(loops).await(seconds + 30L, TimeUnit.SECONDS);
    double elapsed = (System.nanoTime() - start) / 1e9;
    System.out.printf("RabbitMqBuffer: concurrency %d: %.0f publish/lease/ack cycles per second%n", concurrency,
        done.get() / elapsed);
  }

  private static Future<Void> cycleLoop(RabbitMqBuffer buffer, ChannelSpec channel, String owner, String webhookId,
      long end, AtomicLong done) {
    if (System.nanoTime() >= end) {
      return Future.succeededFuture();
    }
    return buffer.publish(channel, envelope(channel, webhookId, done.get()))
        .compose(published -> buffer.lease(channel, owner, 1, 60_000))
        .compose(leased -> Future.all(leased.stream().map(e -> buffer.ack(channel, e.messageId())).toList()))
        .compose(acked -> {
          done.incrementAndGet();
          return cycleLoop(buffer, channel, owner, webhookId, end, done);
        });
  }
}
