package io.cwm.buffer;

import static io.cwm.testing.Futures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.buffer.MessageBuffer.NackOutcome;
import io.cwm.config.ChannelSpec;
import io.cwm.config.FieldSelector;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Ordering per key (issue 16, {@code "ordering": {"key": ...}}): what every backend promises for a
 * channel whose messages carry an ordering key. One abstract suite, one subclass per backend.
 * Messages of one key are out (leased or waiting for a redelivery) one at a time, in publish
 * order; other keys and messages without a key are not held back.
 */
public abstract class OrderingContractTest {
  protected Vertx vertx;
  protected MessageBuffer buffer;
  protected ChannelSpec channel;

  protected abstract MessageBuffer create(Vertx vertx) throws Exception;

  /** Deletes what the backend keeps of the channel outside the process. */
  protected abstract void cleanUp(String channelName) throws Exception;

  @BeforeEach
  void open() throws Exception {
    vertx = Vertx.vertx();
    channel = new ChannelSpec("ordered-" + UUID.randomUUID().toString().substring(0, 8), "token", Map.of(
        "hook-a", new ChannelSpec.Queue("hook-a", 3600, 1000),
        "hook-b", new ChannelSpec.Queue("hook-b", 3600, 1000)),
        10, 100, 120, 30, 5, FieldSelector.parse("/object_id"));
    buffer = create(vertx);
    await(buffer.open(List.of(channel)));
  }

  @AfterEach
  void close() throws Exception {
    await(buffer.close());
    cleanUp(channel.name());
    await(vertx.close());
  }

  /** Publishes one message of {@code key} (null: without a key) and returns its id. */
  protected String publish(String key, int n) {
    return publish("hook-a", key, n);
  }

  protected String publish(String webhookId, String key, int n) {
    JsonObject payload = new JsonObject().put("n", n);
    if (key != null) {
      payload.put("object_id", key);
    }
    Envelope envelope = Envelope.create(channel.name(), webhookId, new JsonObject(), payload, Instant.now(), 3600);
    if (key != null) {
      envelope = envelope.withExtras(envelope.extras().withOrderingKey(key));
    }
    return await(buffer.publish(channel, envelope)).messageId();
  }

  /** Leases until {@code expected} came or 5 s passed (RabbitMQ hands over what was pushed so far). */
  protected List<String> leaseAll(String session, int expected, long leaseMillis) {
    List<String> leased = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (leased.size() < expected && System.nanoTime() < deadline) {
      await(buffer.lease(channel, session, 10, leaseMillis)).forEach(envelope -> leased.add(envelope.messageId()));
    }
    return leased;
  }

  protected List<String> leaseAll(String session, int expected) {
    return leaseAll(session, expected, 60_000);
  }

  /** One lease now: what is leasable at once. */
  protected List<String> leaseNow(String session) {
    return await(buffer.lease(channel, session, 10, 60_000)).stream().map(Envelope::messageId).toList();
  }

  /** Leases (polling with a deadline) until something comes. */
  protected List<String> leaseWhenDue(String session, long withinMillis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(withinMillis);
    List<String> leased = List.of();
    while (leased.isEmpty() && System.nanoTime() < deadline) {
      leased = leaseNow(session);
      if (leased.isEmpty()) {
        TimeUnit.MILLISECONDS.sleep(50); // polling with a deadline
      }
    }
    return leased;
  }

  @Test
  void sameKeyIsNeverTwiceInFlightWhileOtherKeysAndUnkeyedFlow() {
    String a1 = publish("A", 1);
    publish("A", 2);
    String b1 = publish("B", 1);
    String plain1 = publish(null, 1);
    publish("B", 2);
    String plain2 = publish(null, 2);
    List<String> first = leaseAll("s1", 4);
    assertEquals(List.of(a1, b1, plain1, plain2), first, "one of each key, every unkeyed message");
    assertTrue(leaseNow("s2").isEmpty(), "the keys' next messages wait for their heads");
  }

  @Test
  void ackOfTheHeadHandsOutTheKeysNextMessageInPublishOrder() {
    List<String> a = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      a.add(publish("A", i));
    }
    List<String> delivered = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      List<String> leased = leaseAll("s1", 1);
      assertEquals(1, leased.size(), "one at a time");
      delivered.addAll(leased);
      assertTrue(await(buffer.ack(channel, leased.get(0))));
    }
    assertEquals(a, delivered);
  }

  @Test
  void keyWaitsForTheRedeliveryOfANackedHead() throws Exception {
    String a1 = publish("A", 1);
    String a2 = publish("A", 2);
    assertEquals(List.of(a1), leaseAll("s1", 1));
    assertEquals(NackOutcome.REQUEUED, await(buffer.nack(channel, a1, true)));
    assertTrue(leaseNow("s1").isEmpty(), "a2 does not overtake the nacked a1");
    assertEquals(List.of(a1), leaseWhenDue("s1", 5000), "a1 again after its delay");
    assertTrue(leaseNow("s1").isEmpty());
    assertTrue(await(buffer.ack(channel, a1)));
    assertEquals(List.of(a2), leaseAll("s1", 1));
  }

  @Test
  void deadLetteredHeadReleasesTheKey() {
    String a1 = publish("A", 1);
    String a2 = publish("A", 2);
    assertEquals(List.of(a1), leaseAll("s1", 1));
    assertEquals(NackOutcome.DEAD_LETTERED, await(buffer.nack(channel, a1, false)));
    assertEquals(List.of(a2), leaseAll("s1", 1));
  }

  @Test
  void headWhoseDeliveriesAreUsedUpIsDeadLetteredAndTheKeyMovesOn() {
    String a1 = publish("A", 1);
    String a2 = publish("A", 2);
    for (int delivery = 1; delivery <= channel.maxDeliveries(); delivery++) {
      assertEquals(List.of(a1), leaseAll("s1", 1), "delivery " + delivery);
      assertEquals(1, await(buffer.release(channel, "s1")));
    }
    assertEquals(List.of(a2), leaseAll("s1", 1), "a1 dead-lettered at the next lease, a2 handed out");
    assertEquals(a1, await(buffer.deadLetters(channel, 10)).get(0).getString("message_id"));
  }

  @Test
  void releasedHeadComesBackBeforeTheKeysNextMessage() {
    String a1 = publish("A", 1);
    String a2 = publish("A", 2);
    assertEquals(List.of(a1), leaseAll("gone", 1));
    assertEquals(1, await(buffer.release(channel, "gone")));
    assertEquals(List.of(a1), leaseAll("other", 1));
    assertTrue(leaseNow("other").isEmpty());
    assertTrue(await(buffer.ack(channel, a1)));
    assertEquals(List.of(a2), leaseAll("other", 1));
  }

  @Test
  void headWhoseLeaseExpiredComesBackBeforeTheKeysNextMessage() throws Exception {
    String a1 = publish("A", 1);
    String a2 = publish("A", 2);
    assertEquals(List.of(a1), leaseAll("slow", 1, 100));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    int reclaimed = 0;
    while (reclaimed == 0 && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(50); // polling with a deadline
      reclaimed = await(buffer.reclaimExpiredLeases(channel));
    }
    assertEquals(1, reclaimed);
    assertEquals(List.of(a1), leaseAll("fast", 1));
    assertTrue(await(buffer.ack(channel, a1)));
    assertEquals(List.of(a2), leaseAll("fast", 1));
  }

  @Test
  void blockedKeyDoesNotHoldBackOtherKeys() {
    String a1 = publish("A", 1);
    publish("A", 2);
    publish("A", 3);
    List<String> b = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      b.add(publish("hook-b", "B" + i, i));
    }
    List<String> leased = leaseAll("s1", 4);
    assertEquals(4, leased.size());
    assertTrue(leased.contains(a1) && leased.containsAll(b), "A's head and every B key: " + leased);
  }

  @Test
  void keyInTwoWebhookQueuesIsStillOneAtATime() {
    String a1 = publish("hook-a", "A", 1);
    String a2 = publish("hook-b", "A", 2);
    List<String> first = leaseAll("s1", 1);
    assertEquals(1, first.size());
    assertTrue(leaseNow("s1").isEmpty(), "the other webhook's message of A waits");
    assertTrue(await(buffer.ack(channel, first.get(0))));
    List<String> second = leaseAll("s1", 1);
    assertEquals(1, second.size());
    assertEquals(List.of(a1, a2).stream().sorted().toList(),
        List.of(first.get(0), second.get(0)).stream().sorted().toList());
  }

  @Test
  void restartKeepsTheKeysOrder() throws Exception {
    String a1 = publish("A", 1);
    String a2 = publish("A", 2);
    assertEquals(List.of(a1), leaseAll("s1", 1));
    await(buffer.close());
    buffer = create(vertx);
    await(buffer.open(List.of(channel)));
    await(buffer.release(channel, "s1")); // Redis keeps the lease across a restart; the session is gone
    assertEquals(List.of(a1), leaseAll("s2", 1));
    assertTrue(leaseNow("s2").isEmpty(), "a2 still waits for a1");
    assertTrue(await(buffer.ack(channel, a1)));
    assertEquals(List.of(a2), leaseAll("s2", 1));
  }
}
