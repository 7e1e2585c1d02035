package io.cwm.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.buffer.MessageBuffer.NackOutcome;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link MessageBuffer}: one abstract suite, one subclass per backend (embedded,
 * Redis, and RabbitMQ when it lands). Each test uses fresh channel names so backends that keep
 * state outside the process (Redis) do not see each other's data.
 */
public abstract class MessageBufferContractTest {
  protected Vertx vertx;
  protected MessageBuffer buffer;
  protected ChannelSpec channel;
  protected ChannelSpec tiny;

  /** Creates the backend under test (not yet opened). */
  protected abstract MessageBuffer create(Vertx vertx) throws Exception;

  /** Opens a second instance on the same storage, as after a restart or on a second node. */
  protected abstract MessageBuffer reopen(Vertx vertx) throws Exception;

  protected static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("failed: " + e.getCause(), e.getCause());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  protected static Throwable failure(Future<?> future) {
    try {
      future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure");
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static ChannelSpec spec(String name, int maxQueueSize, long ttlSeconds, int maxDeliveries) {
    return new ChannelSpec(name, "token", Map.of(
        "hook-a", new ChannelSpec.Queue("hook-a", ttlSeconds, maxQueueSize),
        "hook-b", new ChannelSpec.Queue("hook-b", ttlSeconds, maxQueueSize)),
        10, 100, 120, 30, maxDeliveries);
  }

  @BeforeEach
  void open() throws Exception {
    vertx = Vertx.vertx();
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    channel = spec("contract-" + suffix, 1000, 3600, 3);
    tiny = spec("tiny-" + suffix, 2, 3600, 10);
    buffer = create(vertx);
    await(buffer.open(List.of(channel, tiny)));
  }

  @AfterEach
  void close() {
    await(buffer.close());
    await(vertx.close());
  }

  protected Envelope message(ChannelSpec spec, String webhookId, int n) {
    return Envelope.create(spec.name(), webhookId, new JsonObject().put("content-type", "application/json"),
        new JsonObject().put("n", n), Instant.now(), spec.queue(webhookId).ttlSeconds());
  }

  protected Envelope publish(ChannelSpec spec, String webhookId, int n) {
    return await(buffer.publish(spec, message(spec, webhookId, n)));
  }

  @Test
  void publishStampsIncreasingSequenceNumbers() {
    Envelope first = publish(channel, "hook-a", 1);
    Envelope second = publish(channel, "hook-b", 2);
    assertTrue(first.sequence() > 0);
    assertTrue(second.sequence() > first.sequence());
  }

  @Test
  void leaseReturnsMessagesOfOneWebhookInPublishOrder() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(publish(channel, "hook-a", i).messageId());
    }
    List<Envelope> leased = await(buffer.lease(channel, "s1", 10, 60_000));
    assertEquals(ids, leased.stream().map(Envelope::messageId).toList());
    assertEquals(1, leased.get(0).deliveryCount());
    assertEquals(new JsonObject().put("n", 0), leased.get(0).payload());
    assertEquals("hook-a", leased.get(0).webhookId());
  }

  @Test
  void leaseGivesEachMessageToOneOwnerAtATime() {
    for (int i = 0; i < 4; i++) {
      publish(channel, "hook-a", i);
    }
    List<Envelope> first = await(buffer.lease(channel, "s1", 2, 60_000));
    List<Envelope> second = await(buffer.lease(channel, "s2", 10, 60_000));
    assertEquals(2, first.size());
    assertEquals(2, second.size());
    Set<String> all = new HashSet<>();
    first.forEach(e -> all.add(e.messageId()));
    second.forEach(e -> all.add(e.messageId()));
    assertEquals(4, all.size());
    assertTrue(await(buffer.lease(channel, "s3", 10, 60_000)).isEmpty());
    assertEquals("s1", await(buffer.leaseOwner(channel, first.get(0).messageId())));
  }

  @Test
  void ackRemovesTheMessage() {
    Envelope sent = publish(channel, "hook-a", 1);
    Envelope leased = await(buffer.lease(channel, "s1", 1, 60_000)).get(0);
    assertTrue(await(buffer.ack(channel, leased.messageId())));
    assertFalse(await(buffer.ack(channel, sent.messageId())), "a second ack finds nothing in flight");
    assertEquals(0, await(buffer.release(channel, "s1")));
    assertTrue(await(buffer.lease(channel, "s2", 10, 60_000)).isEmpty());
    ChannelStats stats = await(buffer.stats(channel));
    assertEquals(0, stats.queued());
    assertEquals(0, stats.inFlight());
    assertEquals(1, stats.delivered());
  }

  @Test
  void ackOfAMessageNotInFlightIsFalse() {
    Envelope queued = publish(channel, "hook-a", 1);
    assertFalse(await(buffer.ack(channel, queued.messageId())), "queued, not leased");
    assertFalse(await(buffer.ack(channel, "msg_0000000000000000")));
    assertEquals(1, await(buffer.lease(channel, "s1", 10, 60_000)).size());
  }

  @Test
  void nackWithoutRetryMovesMessageToDeadLetters() {
    Envelope sent = publish(channel, "hook-a", 1);
    await(buffer.lease(channel, "s1", 1, 60_000));
    assertEquals(NackOutcome.DEAD_LETTERED, await(buffer.nack(channel, sent.messageId(), false)));
    assertTrue(await(buffer.lease(channel, "s1", 10, 60_000)).isEmpty());
    List<JsonObject> dead = await(buffer.deadLetters(channel, 10));
    assertEquals(1, dead.size());
    assertEquals(sent.messageId(), dead.get(0).getString("message_id"));
    assertEquals("rejected", dead.get(0).getString("reason"));
    assertEquals(1, await(buffer.stats(channel)).deadLettered());
  }

  @Test
  void nackWithRetryRedeliversAfterADelayNotAtOnce() throws Exception {
    Envelope sent = publish(channel, "hook-a", 1);
    await(buffer.lease(channel, "s1", 1, 60_000));
    long nackedAt = System.nanoTime();
    assertEquals(NackOutcome.REQUEUED, await(buffer.nack(channel, sent.messageId(), true)));
    assertTrue(await(buffer.lease(channel, "s1", 10, 60_000)).isEmpty(), "not redelivered at once");
    List<Envelope> again = List.of();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (again.isEmpty() && System.nanoTime() < deadline) {
      again = await(buffer.lease(channel, "s1", 10, 60_000));
      if (again.isEmpty()) {
        TimeUnit.MILLISECONDS.sleep(50); // polling with a deadline
      }
    }
    assertEquals(1, again.size(), "redelivered after the delay");
    assertTrue(System.nanoTime() - nackedAt >= TimeUnit.MILLISECONDS.toNanos(900), "waited about 1 s");
    assertEquals(2, again.get(0).deliveryCount());
  }

  @Test
  void messageIsDeadLetteredWhenItsDeliveriesAreUsedUp() {
    // channel allows 3 deliveries
    Envelope sent = publish(channel, "hook-a", 1);
    for (int delivery = 1; delivery <= 2; delivery++) {
      assertEquals(1, await(buffer.lease(channel, "s1", 1, 60_000)).size());
      assertEquals(1, await(buffer.release(channel, "s1")));
    }
    assertEquals(3, await(buffer.lease(channel, "s1", 1, 60_000)).get(0).deliveryCount());
    assertEquals(NackOutcome.DEAD_LETTERED, await(buffer.nack(channel, sent.messageId(), true)));
    assertEquals("max_deliveries", await(buffer.deadLetters(channel, 10)).get(0).getString("reason"));
  }

  @Test
  void releaseRequeuesAtOnceForAnotherOwner() {
    Envelope sent = publish(channel, "hook-a", 1);
    await(buffer.lease(channel, "gone", 1, 60_000));
    assertEquals(1, await(buffer.release(channel, "gone")));
    List<Envelope> again = await(buffer.lease(channel, "other", 10, 60_000));
    assertEquals(sent.messageId(), again.get(0).messageId());
    assertEquals("other", await(buffer.leaseOwner(channel, sent.messageId())));
  }

  @Test
  void expiredLeaseIsReclaimed() throws Exception {
    publish(channel, "hook-a", 1);
    await(buffer.lease(channel, "slow", 1, 100));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    int reclaimed = 0;
    while (reclaimed == 0 && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(50); // polling with a deadline
      reclaimed = await(buffer.reclaimExpiredLeases(channel));
    }
    assertEquals(1, reclaimed);
    assertEquals(1, await(buffer.lease(channel, "fast", 10, 60_000)).size());
  }

  @Test
  void expiredMessagesAreNeverDeliveredAndAreCounted() throws Exception {
    ChannelSpec shortLived = spec(channel.name() + "-ttl", 100, 1, 10);
    await(buffer.open(List.of(shortLived)));
    Envelope stale = new Envelope(Envelope.newMessageId(), shortLived.name(), "hook-a",
        Envelope.format(Instant.now().minusSeconds(10)), Envelope.format(Instant.now().minusSeconds(5)),
        new JsonObject(), new JsonObject().put("old", true), 0, 0);
    await(buffer.publish(shortLived, stale));
    Envelope fresh = publish(shortLived, "hook-a", 2);
    List<Envelope> leased = await(buffer.lease(shortLived, "s1", 10, 60_000));
    assertEquals(List.of(fresh.messageId()), leased.stream().map(Envelope::messageId).toList());
    ChannelStats stats = await(buffer.stats(shortLived));
    assertEquals(1, stats.expired());
    assertEquals("expired", await(buffer.deadLetters(shortLived, 10)).get(0).getString("reason"));
  }

  @Test
  void fullQueueRefusesAndStoresNothing() {
    publish(tiny, "hook-a", 1);
    publish(tiny, "hook-a", 2);
    Throwable refused = failure(buffer.publish(tiny, message(tiny, "hook-a", 3)));
    assertEquals(BufferException.Reason.QUEUE_FULL, assertInstanceOf(BufferException.class, refused).reason());
    publish(tiny, "hook-b", 4); // another webhook's queue of the same channel has room
    assertEquals(3, await(buffer.lease(tiny, "s1", 10, 60_000)).size());
  }

  @Test
  void inFlightMessagesCountTowardsTheQueueSize() {
    publish(tiny, "hook-a", 1);
    publish(tiny, "hook-a", 2);
    await(buffer.lease(tiny, "s1", 10, 60_000));
    assertInstanceOf(BufferException.class, failure(buffer.publish(tiny, message(tiny, "hook-a", 3))));
    List<Envelope> inFlight = await(buffer.lease(tiny, "s2", 10, 60_000));
    assertTrue(inFlight.isEmpty());
  }

  @Test
  void unknownChannelIsRefused() {
    ChannelSpec unknown = spec("never-registered-" + UUID.randomUUID(), 10, 60, 10);
    Throwable refused = failure(buffer.publish(unknown, message(unknown, "hook-a", 1)));
    assertInstanceOf(BufferException.class, refused);
  }

  @Test
  void acceptedMessagesSurviveAReopen() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(publish(channel, "hook-a", i).messageId());
    }
    await(buffer.lease(channel, "s1", 1, 60_000)); // one in flight when the process "dies"
    await(buffer.close());
    buffer = reopen(vertx);
    await(buffer.open(List.of(channel, tiny)));
    // the in-flight lease may survive (shared backend) or not (embedded): release it either way
    await(buffer.release(channel, "s1"));
    List<Envelope> after = await(buffer.lease(channel, "s2", 10, 60_000));
    assertEquals(new HashSet<>(ids), new HashSet<>(after.stream().map(Envelope::messageId).toList()));
    long nextSequence = publish(channel, "hook-a", 9).sequence();
    assertTrue(after.stream().allMatch(e -> e.sequence() < nextSequence), "sequence numbers never reused");
  }

  @Test
  void statsCountQueuedAndInFlight() {
    publish(channel, "hook-a", 1);
    publish(channel, "hook-b", 2);
    publish(channel, "hook-b", 3);
    await(buffer.lease(channel, "s1", 1, 60_000));
    ChannelStats stats = await(buffer.stats(channel));
    assertEquals(2, stats.queued());
    assertEquals(1, stats.inFlight());
    assertNotEquals(null, stats.channel());
  }

  @Test
  void leaseOwnerOfAQueuedMessageIsNull() {
    Envelope queued = publish(channel, "hook-a", 1);
    assertNull(await(buffer.leaseOwner(channel, queued.messageId())));
  }
}
