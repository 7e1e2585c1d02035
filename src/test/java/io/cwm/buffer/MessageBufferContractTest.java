package io.cwm.buffer;

import static io.cwm.testing.Futures.failure;
import static io.cwm.testing.Futures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.buffer.MessageBuffer.NackOutcome;
import io.cwm.buffer.TokenState.Match;
import io.vertx.core.Future;
import io.cwm.testing.TestConnector;
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
import io.cwm.config.ChannelSpec;

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



  /** The same channel with another configured token (as after a config reload). */
  protected static ChannelSpec withToken(ChannelSpec spec, String token) {
    return new ChannelSpec(spec.name(), token, spec.queues(), spec.maxConnections(), spec.maxInFlight(),
        spec.ackTimeoutSeconds(), spec.heartbeatIntervalSeconds(), spec.maxDeliveries());
  }

  /**
   * Waits (spinning, a millisecond at most) until the wall clock has moved on, so the next dead
   * letter is later than the last one: Redis orders dead letters by time to the millisecond.
   */
  protected static void nextMillisecond() {
    long now = System.currentTimeMillis();
    while (System.currentTimeMillis() <= now) {
      Thread.onSpinWait();
    }
  }

  protected List<String> ids(List<?> items) {
    return items.stream().map(item -> item instanceof Envelope envelope ? envelope.messageId()
        : ((JsonObject) item).getString("message_id")).toList();
  }

  protected static ChannelSpec spec(String name, int maxQueueSize, long ttlSeconds, int maxDeliveries) {
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

  /**
   * Leases (one session) until {@code expected} messages came or 5 s passed. A lease may answer
   * with fewer than are ready: the RabbitMQ buffer hands over what its consumers have pushed so
   * far, and two webhook queues (or a replay's publishes) reach it in separate pushes. Tests that
   * want every ready message use this; a lease answering with more than its size still fails them.
   */
  protected List<Envelope> leaseAll(ChannelSpec spec, String session, int expected) {
    List<Envelope> leased = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (leased.size() < expected && System.nanoTime() < deadline) {
      leased.addAll(await(buffer.lease(spec, session, 10, 60_000)));
    }
    return leased;
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

  /** Issue 20: a session that broke with several in flight gives their deliveries back. */
  @Test
  void releaseGivesBackTheDeliveriesOfTheUncountedOnly() {
    Envelope blameless = publish(channel, "hook-a", 1);
    Envelope counted = publish(channel, "hook-a", 2);
    Envelope other = publish(channel, "hook-a", 3);
    assertEquals(3, leaseAll(channel, "broken", 3).size());
    assertEquals(3, await(buffer.release(channel, "broken", Set.of(blameless.messageId(), other.messageId(),
        "msg_0000000000000000"))));
    Map<String, Integer> deliveries = new java.util.HashMap<>();
    leaseAll(channel, "next", 3).forEach(envelope -> deliveries.put(envelope.messageId(), envelope.deliveryCount()));
    assertEquals(Map.of(blameless.messageId(), 1, counted.messageId(), 2, other.messageId(), 1), deliveries);
    assertEquals(0, await(buffer.release(channel, "broken", Set.of(blameless.messageId()))), "not its lease any more");
    assertEquals(3, await(buffer.release(channel, "next", Set.of())));
    assertEquals(2, leaseAll(channel, "third", 3).stream().filter(e -> e.messageId().equals(blameless.messageId()))
        .findFirst().orElseThrow().deliveryCount(), "a plain release counts the delivery");
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

  /** Issue 12 point 2.3: the counters are the acks and dead letters made, also after a restart. */
  @Test
  void countersMatchTheAcksAndDeadLettersMadeAfterAReopen() throws Exception {
    for (int i = 0; i < 6; i++) {
      publish(channel, "hook-a", i);
    }
    List<Envelope> leased = await(buffer.lease(channel, "s1", 6, 60_000));
    assertEquals(6, leased.size());
    for (int i = 0; i < 4; i++) {
      assertTrue(await(buffer.ack(channel, leased.get(i).messageId())));
    }
    assertEquals(NackOutcome.DEAD_LETTERED, await(buffer.nack(channel, leased.get(4).messageId(), false)));
    assertFalse(await(buffer.ack(channel, leased.get(0).messageId())), "a second ack counts nothing");
    ChannelStats before = await(buffer.stats(channel));
    assertEquals(4, before.delivered());
    assertEquals(1, before.deadLettered());
    await(buffer.close());
    buffer = reopen(vertx);
    await(buffer.open(List.of(channel, tiny)));
    ChannelStats after = await(buffer.stats(channel));
    assertEquals(4, after.delivered());
    assertEquals(1, after.deadLettered());
    assertEquals(0, after.expired());
  }

  /**
   * Polled: where a broker pushes messages ahead to consumers (RabbitMQ), a stats call reads the
   * broker's ready count and what waits here over two connections, so a push in between counts
   * twice for a moment; the figures settle once the pushes are in.
   */
  @Test
  void statsCountQueuedAndInFlight() throws Exception {
    publish(channel, "hook-a", 1);
    publish(channel, "hook-b", 2);
    publish(channel, "hook-b", 3);
    assertEquals(1, await(buffer.lease(channel, "s1", 1, 60_000)).size());
    ChannelStats[] last = {null};
    assertTrue(TestConnector.await(5_000, () -> {
      last[0] = await(buffer.stats(channel));
      return last[0].queued() == 2 && last[0].inFlight() == 1;
    }), () -> "queued " + last[0].queued() + ", in flight " + last[0].inFlight());
    assertNotEquals(null, last[0].channel());
  }

  @Test
  void leaseOwnerOfAQueuedMessageIsNull() {
    Envelope queued = publish(channel, "hook-a", 1);
    assertNull(await(buffer.leaseOwner(channel, queued.messageId())));
  }

  @Test
  void statsListTheQueuedDepthOfEveryWebhook() {
    Envelope first = publish(channel, "hook-a", 1);
    Envelope second = publish(channel, "hook-a", 2);
    assertEquals(List.of(first.messageId(), second.messageId()), ids(await(buffer.lease(channel, "s1", 2, 60_000))));
    assertEquals(NackOutcome.REQUEUED, await(buffer.nack(channel, second.messageId(), true)));
    publish(channel, "hook-b", 3);
    ChannelStats stats = await(buffer.stats(channel));
    assertEquals(Map.of("hook-a", 1L, "hook-b", 1L), stats.pending(), "waiting for a retry counts, in flight not");
    assertEquals(2, stats.queued());
    assertEquals(1, stats.inFlight());
    ChannelStats empty = await(buffer.stats(tiny));
    assertEquals(Map.of("hook-a", 0L, "hook-b", 0L), empty.pending(), "every webhook of the channel is listed");
    assertEquals(0, empty.queued());
  }

  @Test
  void tokenStateStartsFromTheConfiguredToken() {
    TokenState state = await(buffer.tokenState(channel));
    assertEquals(TokenState.initial("token"), state);
    long now = System.currentTimeMillis();
    assertEquals(Match.CURRENT, state.match(TokenState.hash("token"), now));
    assertEquals(Match.NONE, state.match(TokenState.hash("ch_tok_other"), now));
  }

  @Test
  void rotatedTokenAndThePreviousOneBothWorkUntilTheGraceEnds() {
    String rotatedTo = TokenState.hash("ch_tok_first");
    long before = System.currentTimeMillis();
    TokenState rotated = await(buffer.rotateToken(channel, rotatedTo, 60_000));
    long after = System.currentTimeMillis();
    assertEquals(rotated, await(buffer.tokenState(channel)), "the answer is what every reader sees");
    assertEquals(rotatedTo, rotated.currentHash());
    assertEquals(TokenState.hash("token"), rotated.previousHash());
    assertEquals(TokenState.hash("token"), rotated.configHash(), "the configured token is unchanged");
    assertTrue(rotated.previousExpiresAtMillis() >= before + 60_000 && rotated.previousExpiresAtMillis() <= after + 60_000);
    assertEquals(Match.CURRENT, rotated.match(rotatedTo, after));
    assertEquals(Match.PREVIOUS, rotated.match(TokenState.hash("token"), after));
    assertEquals(Match.NONE, rotated.match(TokenState.hash("token"), rotated.previousExpiresAtMillis()));
    assertEquals(TokenState.initial("token"), await(buffer.tokenState(tiny)), "other channels keep theirs");
  }

  @Test
  void secondRotationDropsTheFirstPreviousToken() {
    String first = TokenState.hash("ch_tok_first");
    String second = TokenState.hash("ch_tok_second");
    await(buffer.rotateToken(channel, first, 60_000));
    TokenState state = await(buffer.rotateToken(channel, second, 60_000));
    assertEquals(state, await(buffer.tokenState(channel)));
    long now = System.currentTimeMillis();
    assertEquals(Match.CURRENT, state.match(second, now));
    assertEquals(Match.PREVIOUS, state.match(first, now));
    assertEquals(Match.NONE, state.match(TokenState.hash("token"), now), "only one previous token is kept");
  }

  @Test
  void rotationSurvivesAReopenWithTheSameConfiguredToken() throws Exception {
    TokenState rotated = await(buffer.rotateToken(channel, TokenState.hash("ch_tok_new"), 60_000));
    await(buffer.close());
    buffer = reopen(vertx);
    await(buffer.open(List.of(channel, tiny)));
    assertEquals(rotated, await(buffer.tokenState(channel)), "the configured token does not undo a rotation");
  }

  @Test
  void changedConfiguredTokenBecomesCurrentAndTheOldOneGetsAnHourOfGrace() throws Exception {
    await(buffer.close());
    buffer = reopen(vertx);
    ChannelSpec reconfigured = withToken(channel, "token-2");
    long before = System.currentTimeMillis();
    await(buffer.open(List.of(reconfigured, tiny)));
    long after = System.currentTimeMillis();
    TokenState state = await(buffer.tokenState(reconfigured));
    assertEquals(TokenState.hash("token-2"), state.currentHash());
    assertEquals(TokenState.hash("token"), state.previousHash());
    assertEquals(TokenState.hash("token-2"), state.configHash());
    assertTrue(state.rotatedAtMillis() >= before && state.rotatedAtMillis() <= after);
    assertEquals(TokenState.CONFIG_CHANGE_GRACE_SECONDS * 1000, state.previousExpiresAtMillis() - state.rotatedAtMillis());
    assertEquals(Match.PREVIOUS, state.match(TokenState.hash("token"), after));

    await(buffer.close());
    buffer = reopen(vertx);
    await(buffer.open(List.of(reconfigured, tiny)));
    assertEquals(state, await(buffer.tokenState(reconfigured)), "the same configuration again changes nothing");
  }

  @Test
  void replayOfAllDeadLettersQueuesThemAgainOldestFirst() {
    Envelope first = publish(channel, "hook-a", 1);
    Envelope second = publish(channel, "hook-a", 2);
    Envelope third = publish(channel, "hook-b", 3);
    assertEquals(3, await(buffer.lease(channel, "s1", 10, 60_000)).size());
    List<String> deadOrder = List.of(third.messageId(), first.messageId(), second.messageId());
    for (String messageId : deadOrder) {
      nextMillisecond();
      assertEquals(NackOutcome.DEAD_LETTERED, await(buffer.nack(channel, messageId, false)));
    }
    assertEquals(deadOrder, await(buffer.replayDeadLetters(channel, null)), "in dead-letter order, not publish order");
    assertTrue(await(buffer.deadLetters(channel, 10)).isEmpty(), "no longer dead letters");
    ChannelStats stats = await(buffer.stats(channel));
    assertEquals(Map.of("hook-a", 2L, "hook-b", 1L), stats.pending());
    assertEquals(3, stats.deadLettered(), "the counter counts dead-letter events");
    List<Envelope> again = leaseAll(channel, "s2", 3);
    assertEquals(Set.copyOf(deadOrder), Set.copyOf(ids(again)));
    assertTrue(await(buffer.replayDeadLetters(channel, null)).isEmpty(), "nothing left to replay");
  }

  @Test
  void replayedMessageIsAFreshDeliveryWithANewTtl() {
    Envelope stale = new Envelope(Envelope.newMessageId(), channel.name(), "hook-a",
        Envelope.format(Instant.now().minusSeconds(7200)), Envelope.format(Instant.now().minusSeconds(3600)),
        new JsonObject().put("x-test", "stale"), new JsonObject().put("old", true), 0, 0);
    stale = await(buffer.publish(channel, stale));
    Envelope tired = publish(channel, "hook-b", 2);
    assertEquals(List.of(tired.messageId()), ids(await(buffer.lease(channel, "s1", 10, 60_000))), "stale expired");
    assertEquals(1, await(buffer.release(channel, "s1")));
    assertEquals(2, await(buffer.lease(channel, "s1", 10, 60_000)).get(0).deliveryCount());
    assertEquals(NackOutcome.DEAD_LETTERED, await(buffer.nack(channel, tired.messageId(), false)));

    Instant replayedAt = Instant.now();
    List<String> replayed = await(buffer.replayDeadLetters(channel, null));
    assertEquals(Set.of(stale.messageId(), tired.messageId()), Set.copyOf(replayed));
    List<Envelope> again = leaseAll(channel, "s2", 2);
    assertEquals(Set.copyOf(replayed), Set.copyOf(ids(again)));
    for (Envelope delivered : again) {
      Envelope original = delivered.messageId().equals(stale.messageId()) ? stale : tired;
      assertEquals(1, delivered.deliveryCount(), "deliveries start again");
      assertFalse(Envelope.parse(delivered.expiresAt()).isBefore(replayedAt.plusSeconds(3600).minusMillis(1)),
          "expires_at = replay time + the queue's TTL");
      assertEquals(original.sequence(), delivered.sequence(), "a redelivery keeps its sequence");
      assertEquals(original.payload(), delivered.payload());
      assertEquals(original.headers(), delivered.headers());
      assertEquals(original.webhookId(), delivered.webhookId());
    }
    ChannelStats stats = await(buffer.stats(channel));
    assertEquals(1, stats.expired());
    assertEquals(1, stats.deadLettered());
  }

  @Test
  void replayByIdsTakesOnlyDeadLettersOfTheChannelInTheirOrder() {
    List<Envelope> sent = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      sent.add(publish(channel, "hook-a", i));
    }
    assertEquals(3, await(buffer.lease(channel, "s1", 10, 60_000)).size());
    for (Envelope envelope : sent) {
      nextMillisecond();
      await(buffer.nack(channel, envelope.messageId(), false));
    }
    Envelope queued = publish(channel, "hook-a", 9);
    List<String> asked = List.of(sent.get(2).messageId(), "msg_0000000000000000", queued.messageId(),
        sent.get(0).messageId());
    assertEquals(List.of(sent.get(0).messageId(), sent.get(2).messageId()),
        await(buffer.replayDeadLetters(channel, asked)), "unknown and queued ids are skipped");
    assertEquals(List.of(sent.get(1).messageId()), ids(await(buffer.deadLetters(channel, 10))));
    assertTrue(await(buffer.replayDeadLetters(tiny, List.of(sent.get(1).messageId()))).isEmpty(),
        "a dead letter of another channel is not replayed");
    List<Envelope> again = leaseAll(channel, "s2", 3);
    assertEquals(Set.of(sent.get(0).messageId(), sent.get(2).messageId(), queued.messageId()), Set.copyOf(ids(again)));
  }

  @Test
  void replayStopsAtAFullQueue() {
    Envelope first = publish(tiny, "hook-a", 1);
    Envelope second = publish(tiny, "hook-a", 2);
    assertEquals(2, await(buffer.lease(tiny, "s1", 10, 60_000)).size());
    await(buffer.nack(tiny, first.messageId(), false));
    nextMillisecond();
    await(buffer.nack(tiny, second.messageId(), false));
    Envelope newer = publish(tiny, "hook-a", 3); // tiny holds 2 per webhook: room for one
    assertEquals(List.of(first.messageId()), await(buffer.replayDeadLetters(tiny, null)));
    assertEquals(List.of(second.messageId()), ids(await(buffer.deadLetters(tiny, 10))), "still a dead letter");
    assertEquals(2L, await(buffer.stats(tiny)).pending().get("hook-a"));
    assertEquals(BufferException.Reason.QUEUE_FULL, assertInstanceOf(BufferException.class,
        failure(buffer.publish(tiny, message(tiny, "hook-a", 4)))).reason());

    List<Envelope> drained = leaseAll(tiny, "s2", 2);
    assertEquals(Set.of(first.messageId(), newer.messageId()), Set.copyOf(ids(drained)));
    drained.forEach(envelope -> assertTrue(await(buffer.ack(tiny, envelope.messageId()))));
    assertEquals(List.of(second.messageId()), await(buffer.replayDeadLetters(tiny, null)), "room again");
  }

  @Test
  void deadLettersCanBeReplayedAfterAReopen() throws Exception {
    Envelope sent = publish(channel, "hook-a", 1);
    await(buffer.lease(channel, "s1", 1, 60_000));
    await(buffer.nack(channel, sent.messageId(), false));
    await(buffer.close());
    buffer = reopen(vertx);
    await(buffer.open(List.of(channel, tiny)));
    assertEquals(List.of(sent.messageId()), await(buffer.replayDeadLetters(channel, List.of(sent.messageId()))));
    assertEquals(List.of(sent.messageId()), ids(await(buffer.lease(channel, "s2", 10, 60_000))));
  }

  @Test
  void deleteDropsADeadLetterForGood() {
    Envelope dropped = publish(channel, "hook-a", 1);
    Envelope kept = publish(channel, "hook-a", 2);
    assertEquals(2, await(buffer.lease(channel, "s1", 10, 60_000)).size());
    await(buffer.nack(channel, dropped.messageId(), false));
    await(buffer.nack(channel, kept.messageId(), false));
    Envelope queued = publish(channel, "hook-b", 3);
    assertTrue(await(buffer.deleteDeadLetter(channel, dropped.messageId())));
    assertFalse(await(buffer.deleteDeadLetter(channel, dropped.messageId())), "already gone");
    assertFalse(await(buffer.deleteDeadLetter(channel, "msg_0000000000000000")));
    assertFalse(await(buffer.deleteDeadLetter(channel, queued.messageId())), "a queued message is not a dead letter");
    assertFalse(await(buffer.deleteDeadLetter(tiny, kept.messageId())), "nor one of another channel");
    assertEquals(List.of(kept.messageId()), ids(await(buffer.deadLetters(channel, 10))));
    assertEquals(List.of(kept.messageId()), await(buffer.replayDeadLetters(channel, null)));
    assertEquals(Set.of(kept.messageId(), queued.messageId()), Set.copyOf(ids(leaseAll(channel, "s2", 2))));
    assertEquals(2, await(buffer.stats(channel)).deadLettered());
  }

  // ------------------------------------------------------------------ dedup (issue 16, idempotency)

  /** {@code spec} with a dedup window on every queue (the buffer reads it from the spec of each call). */
  protected static ChannelSpec deduplicating(ChannelSpec spec, long windowSeconds) {
    Map<String, ChannelSpec.Queue> queues = new java.util.HashMap<>();
    spec.queues().forEach((id, queue) -> queues.put(id,
        new ChannelSpec.Queue(id, queue.ttlSeconds(), queue.maxQueueSize(), windowSeconds)));
    return new ChannelSpec(spec.name(), spec.token(), Map.copyOf(queues), spec.maxConnections(), spec.maxInFlight(),
        spec.ackTimeoutSeconds(), spec.heartbeatIntervalSeconds(), spec.maxDeliveries());
  }

  protected Envelope keyed(ChannelSpec spec, String webhookId, int n, String key) {
    Envelope envelope = message(spec, webhookId, n);
    return key == null ? envelope : envelope.withExtras(envelope.extras().withDedupKey(key));
  }

  @Test
  void aDuplicateInsideTheWindowIsAnsweredWithTheFirstIdAndNotStored() {
    ChannelSpec dedup = deduplicating(channel, 3600);
    Envelope first = keyed(dedup, "hook-a", 1, "evt_1");
    Envelope stored = await(buffer.publish(dedup, first));
    assertFalse(MessageBuffer.isDuplicate(first, stored));
    Envelope again = keyed(dedup, "hook-a", 2, "evt_1");
    Envelope answered = await(buffer.publish(dedup, again));
    assertTrue(MessageBuffer.isDuplicate(again, answered));
    assertEquals(first.messageId(), answered.messageId());
    List<Envelope> leased = leaseAll(dedup, "s1", 1);
    assertEquals(List.of(first.messageId()), ids(leased));
    assertEquals("evt_1", leased.get(0).extras().dedupKey(), "the key travels with the message");
    assertTrue(await(buffer.ack(dedup, first.messageId())));
    Envelope late = keyed(dedup, "hook-a", 3, "evt_1");
    assertEquals(first.messageId(), await(buffer.publish(dedup, late)).messageId(),
        "still a duplicate after the first was delivered and acked");
    assertTrue(await(buffer.lease(dedup, "s1", 10, 60_000)).isEmpty());
  }

  @Test
  void theSameKeyAfterTheWindowIsANewMessage() {
    ChannelSpec dedup = deduplicating(channel, 1);
    Envelope first = await(buffer.publish(dedup, keyed(dedup, "hook-a", 1, "evt_w")));
    long start = System.nanoTime();
    Envelope later = null;
    while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10)) {
      Envelope attempt = keyed(dedup, "hook-a", 2, "evt_w");
      Envelope answered = await(buffer.publish(dedup, attempt));
      if (!MessageBuffer.isDuplicate(attempt, answered)) {
        later = answered;
        break;
      }
      assertEquals(first.messageId(), answered.messageId());
      await(vertx.timer(50));
    }
    assertTrue(later != null, "the key is forgotten after its window");
    assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(900), "not before the window ended");
    assertEquals(Set.of(first.messageId(), later.messageId()), Set.copyOf(ids(leaseAll(dedup, "s1", 2))));
  }

  @Test
  void theSameKeyOfAnotherWebhookIsNotADuplicate() {
    ChannelSpec dedup = deduplicating(channel, 3600);
    Envelope a = await(buffer.publish(dedup, keyed(dedup, "hook-a", 1, "evt_2")));
    Envelope b = keyed(dedup, "hook-b", 2, "evt_2");
    assertFalse(MessageBuffer.isDuplicate(b, await(buffer.publish(dedup, b))));
    assertEquals(Set.of(a.messageId(), b.messageId()), Set.copyOf(ids(leaseAll(dedup, "s1", 2))));
  }

  @Test
  void withoutAKeyOrWithoutAWindowNothingIsDeduplicated() {
    ChannelSpec dedup = deduplicating(channel, 3600);
    Envelope first = await(buffer.publish(dedup, keyed(dedup, "hook-a", 1, null)));
    Envelope second = await(buffer.publish(dedup, keyed(dedup, "hook-a", 2, null)));
    Envelope keyedOne = await(buffer.publish(channel, keyed(channel, "hook-a", 3, "evt_3")));
    Envelope keyedTwo = await(buffer.publish(channel, keyed(channel, "hook-a", 4, "evt_3")));
    assertEquals(4, Set.of(first.messageId(), second.messageId(), keyedOne.messageId(), keyedTwo.messageId()).size());
    assertEquals(4, leaseAll(channel, "s1", 4).size());
  }

  @Test
  void aRefusedPublishLeavesNoRecord() {
    ChannelSpec dedup = deduplicating(tiny, 3600);
    Envelope one = await(buffer.publish(dedup, keyed(dedup, "hook-a", 1, "evt_a")));
    await(buffer.publish(dedup, keyed(dedup, "hook-a", 2, "evt_b")));
    Throwable refused = failure(buffer.publish(dedup, keyed(dedup, "hook-a", 3, "evt_c")));
    assertEquals(BufferException.Reason.QUEUE_FULL, assertInstanceOf(BufferException.class, refused).reason());
    List<Envelope> leased = leaseAll(dedup, "s1", 1);
    assertEquals(one.messageId(), leased.get(0).messageId());
    assertTrue(await(buffer.ack(dedup, one.messageId())));
    Envelope retry = keyed(dedup, "hook-a", 3, "evt_c");
    Envelope stored = await(buffer.publish(dedup, retry));
    assertFalse(MessageBuffer.isDuplicate(retry, stored), "the refused message was not stored: its retry is");
    assertTrue(ids(leaseAll(dedup, "s1", 2)).contains(retry.messageId()));
  }

  @Test
  void racingArrivalsOfOneKeyStoreOneMessage() {
    ChannelSpec dedup = deduplicating(channel, 3600);
    List<Future<Envelope>> answers = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      answers.add(buffer.publish(dedup, keyed(dedup, "hook-a", i, "evt_race")));
    }
    await(Future.all(answers));
    Set<String> answeredIds = new HashSet<>();
    answers.forEach(answer -> answeredIds.add(answer.result().messageId()));
    assertEquals(1, answeredIds.size(), "every arrival is answered with the one stored id");
    assertEquals(List.copyOf(answeredIds), ids(leaseAll(dedup, "s1", 1)));
    assertTrue(await(buffer.lease(dedup, "s2", 10, 60_000)).isEmpty());
  }

  @Test
  void aRecordOutlivesAReopen() throws Exception {
    ChannelSpec dedup = deduplicating(channel, 3600);
    Envelope first = await(buffer.publish(dedup, keyed(dedup, "hook-a", 1, "evt_restart")));
    await(buffer.close());
    buffer = reopen(vertx);
    await(buffer.open(List.of(channel, tiny)));
    Envelope again = keyed(dedup, "hook-a", 2, "evt_restart");
    assertEquals(first.messageId(), await(buffer.publish(dedup, again)).messageId());
    assertEquals(List.of(first.messageId()), ids(leaseAll(dedup, "s1", 1)));
  }
}
