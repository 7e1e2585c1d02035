package io.cwm.buffer.redis;

import static io.cwm.testing.Futures.failure;
import static io.cwm.testing.Futures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.buffer.BufferException;
import io.cwm.config.ChannelSpec;
import io.cwm.buffer.Envelope;
import io.cwm.buffer.MessageBuffer;
import io.cwm.buffer.MessageBuffer.NackOutcome;
import io.cwm.buffer.MessageBufferContractTest;
import io.cwm.buffer.TokenState;
import io.cwm.testing.TestConnector;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The buffer contract against the Redis on this machine ({@code CWM_TEST_REDIS_URL}, default
 * {@code redis://127.0.0.1:6379/0}), plus what only the Redis backend promises: shared state
 * between receivers and Python's key layout. Each test deletes the keys of its channels.
 */
class RedisBufferTest extends MessageBufferContractTest {
  static final String REDIS_URL = System.getenv().getOrDefault("CWM_TEST_REDIS_URL", "redis://127.0.0.1:6379/0");

  private Redis raw;
  private final List<MessageBuffer> extraBuffers = new ArrayList<>();

  @Override
  protected MessageBuffer create(Vertx vertx) {
    return new RedisBuffer(vertx, REDIS_URL, Clock.systemUTC());
  }

  @Override
  protected MessageBuffer reopen(Vertx vertx) {
    return new RedisBuffer(vertx, REDIS_URL, Clock.systemUTC());
  }

  private Redis raw() {
    if (raw == null) {
      raw = Redis.createClient(vertx, REDIS_URL);
    }
    return raw;
  }

  private Response command(Command command, Object... args) {
    return await(raw().send(Request.cmd(command, args)));
  }

  @AfterEach
  void deleteTestKeys() {
    extraBuffers.forEach(extra -> await(extra.close()));
    for (String name : List.of(channel.name(), tiny.name())) {
      String cursor = "0";
      do {
        Response page = command(Command.SCAN, cursor, "MATCH", "webhook_connect:*" + name + "*", "COUNT", 1000);
        cursor = page.get(0).toString();
        for (Response key : page.get(1)) {
          command(Command.DEL, key.toString());
        }
      } while (!"0".equals(cursor));
    }
    if (raw != null) {
      await(raw.close());
    }
  }

  private MessageBuffer secondReceiver() throws Exception {
    MessageBuffer second = reopen(vertx);
    extraBuffers.add(second);
    await(second.open(List.of(channel, tiny)));
    return second;
  }

  @Test
  void secondReceiverSeesPublishedMessagesAndAcksLeasesOfTheFirst() throws Exception {
    MessageBuffer second = secondReceiver();
    Envelope first = publish(channel, "hook-a", 1);
    List<Envelope> leasedBySecond = await(second.lease(channel, "s2", 10, 60_000));
    assertEquals(List.of(first.messageId()), leasedBySecond.stream().map(Envelope::messageId).toList());
    assertEquals("s2", await(buffer.leaseOwner(channel, first.messageId())), "the lease is visible to both");

    Envelope next = publish(channel, "hook-b", 2);
    assertEquals(1, await(buffer.lease(channel, "s1", 10, 60_000)).size());
    assertTrue(await(second.ack(channel, next.messageId())), "acked on the other receiver");
    assertTrue(await(buffer.ack(channel, first.messageId())));
    assertEquals(2, await(second.stats(channel)).delivered());
    assertEquals(0, await(buffer.stats(channel)).inFlight());
    assertTrue(await(second.publish(channel, message(channel, "hook-a", 3))).sequence() > next.sequence(),
        "one sequence counter for both receivers");
  }

  /** A receiver process of its own (own Vert.x), so the test can let it die: its Vert.x closes, the buffer never does. */
  private record Process(Vertx vertx, RedisBuffer buffer) {
    void die() {
      await(vertx.close()); // its timers and connections stop; no release, no liveness key deleted
    }
  }

  private Process process(long heartbeatMillis, long livenessTtlMillis) {
    Vertx own = Vertx.vertx();
    RedisBuffer receiver = new RedisBuffer(own, REDIS_URL, Clock.systemUTC(), heartbeatMillis, livenessTtlMillis);
    await(receiver.open(List.of(channel, tiny)));
    return new Process(own, receiver);
  }

  /** Reclaims and leases on {@code receiver} as its periodic reclaim and the stream would; true when all are leased. */
  private boolean reclaimedAndLeased(MessageBuffer receiver, Set<String> messages, Map<String, Integer> leased) {
    await(receiver.reclaimExpiredLeases(channel));
    await(receiver.lease(channel, "s-b", 10, 120_000))
        .forEach(envelope -> leased.put(envelope.messageId(), envelope.deliveryCount()));
    return leased.keySet().containsAll(messages);
  }

  /**
   * Issue 12 point 2.2: the leases of a receiver process that was killed (it stops refreshing its
   * liveness key, nothing is released) come back once its key expired, not after the 120 s ack
   * timeout.
   */
  @Test
  void leasesOfAReceiverProcessThatDiedComeBackWithinSecondsNotAfterTheAckTimeout() throws Exception {
    Process a = process(RedisBuffer.HEARTBEAT_MILLIS, RedisBuffer.LIVENESS_TTL_MILLIS);
    Set<String> sent = new HashSet<>();
    for (int i = 0; i < 3; i++) {
      sent.add(publish(channel, "hook-a", i).messageId());
    }
    assertEquals(3, await(a.buffer().lease(channel, "s-a", 10, 120_000)).size());
    a.die();
    long died = System.nanoTime();
    Map<String, Integer> leased = new java.util.HashMap<>();
    assertTrue(TestConnector.await(20_000, () -> reclaimedAndLeased(buffer, sent, leased)),
        () -> "leased again: " + leased);
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - died);
    System.out.printf("RedisBufferTest: leases of a dead receiver process back after %d ms (ack timeout 120 s, "
        + "liveness TTL %d ms)%n", millis, RedisBuffer.LIVENESS_TTL_MILLIS);
    assertTrue(millis <= 15_000, "back after " + millis + " ms");
    assertEquals(Set.of(2), Set.copyOf(leased.values()),
        "the dead process's lease counted as a delivery, as an expired lease does");
  }

  @Test
  void leasesOfALiveReceiverProcessAreLeftToItsAckTimeout() throws Exception {
    Process a = process(200, 1000);
    try {
      Envelope sent = publish(channel, "hook-a", 1);
      assertEquals(1, await(a.buffer().lease(channel, "s-a", 10, 120_000)).size());
      // three liveness periods: a dead process would have been reclaimed twice over by now
      assertFalse(TestConnector.await(3000, () -> await(buffer.reclaimExpiredLeases(channel)) > 0
          || !await(buffer.lease(channel, "s-b", 10, 120_000)).isEmpty()), "nothing taken from a live process");
      assertEquals("s-a", await(buffer.leaseOwner(channel, sent.messageId())));
    } finally {
      await(a.buffer().close());
      a.die();
    }
  }

  @Test
  void twoReceiversReclaimingForADeadProcessRequeueEachLeaseOnce() throws Exception {
    Process a = process(200, 1000);
    for (int i = 0; i < 20; i++) {
      publish(channel, "hook-a", i);
    }
    assertEquals(20, await(a.buffer().lease(channel, "s-a", 20, 120_000)).size());
    a.die();
    String alive = RedisKeys.alive(a.buffer().process());
    assertTrue(TestConnector.await(5000, () -> command(Command.EXISTS, alive).toInteger() == 0), "liveness expired");
    MessageBuffer second = secondReceiver();
    List<Future<Integer>> reclaims = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      reclaims.add(buffer.reclaimExpiredLeases(channel));
      reclaims.add(second.reclaimExpiredLeases(channel));
    }
    await(Future.all(reclaims));
    assertEquals(20, reclaims.stream().mapToInt(Future::result).sum(), "each lease requeued once");
    assertEquals(0, await(buffer.stats(channel)).inFlight());
    assertEquals(0, command(Command.EXISTS, RedisKeys.held(channel.name(), a.buffer().process())).toInteger());
  }

  @Test
  void aCleanShutdownHandsItsLeasesOverAtOnce() throws Exception {
    Process a = process(RedisBuffer.HEARTBEAT_MILLIS, RedisBuffer.LIVENESS_TTL_MILLIS);
    Envelope sent = publish(channel, "hook-a", 1);
    assertEquals(1, await(a.buffer().lease(channel, "s-a", 10, 120_000)).size());
    await(a.buffer().close());
    a.die();
    assertEquals(1, await(buffer.reclaimExpiredLeases(channel)));
    assertEquals(List.of(sent.messageId()), ids(await(buffer.lease(channel, "s-b", 10, 120_000))));
  }

  /**
   * Issue 12 point 2.3: the counters are written by the same script as the change they count, so a
   * receiver that dies loses none of them.
   */
  @Test
  void countersMatchTheAcksAndDeadLettersOfAReceiverThatDied() throws Exception {
    Process a = process(RedisBuffer.HEARTBEAT_MILLIS, RedisBuffer.LIVENESS_TTL_MILLIS);
    for (int i = 0; i < 30; i++) {
      publish(channel, "hook-a", i);
    }
    List<Envelope> leased = await(a.buffer().lease(channel, "s-a", 30, 120_000));
    int acked = 0;
    int rejected = 0;
    for (int i = 0; i < leased.size(); i++) {
      String messageId = leased.get(i).messageId();
      if (i % 3 == 0) {
        assertEquals(NackOutcome.DEAD_LETTERED, await(a.buffer().nack(channel, messageId, false)));
        rejected++;
      } else if (i < 25) {
        assertTrue(await(a.buffer().ack(channel, messageId)));
        acked++;
      }
    }
    a.die();
    MessageBuffer second = secondReceiver();
    var stats = await(second.stats(channel));
    assertEquals(acked, stats.delivered());
    assertEquals(rejected, stats.deadLettered());
    assertEquals(30 - acked - rejected, stats.inFlight(), "the rest still leased by the dead process");
  }

  @Test
  void streamEntryGroupAndMetaFollowThePythonLayout() {
    Envelope sent = publish(channel, "hook-a", 1);
    String stream = "webhook_connect:stream:" + channel.name() + ":hook-a";
    Response entries = command(Command.XRANGE, stream, "-", "+");
    assertEquals(1, entries.size());
    Response fields = entries.get(0).get(1);
    List<String> names = new ArrayList<>();
    for (int i = 0; i < fields.size(); i += 2) {
      names.add(fields.get(i).toString());
    }
    assertEquals(List.of("message_id", "data", "expires_at"), names);
    assertEquals(sent.messageId(), fields.get(1).toString());
    assertEquals(sent.toJson(), new JsonObject(fields.get(3).toString()), "data = the envelope with its sequence");
    assertEquals(sent.expiresAt(), fields.get(5).toString());

    Response groups = command(Command.XINFO, "GROUPS", stream);
    assertEquals(1, groups.size());
    assertEquals("webhook_connect_consumers", groups.get(0).get("name").toString());
    assertEquals("webhook_connect_consumers", command(Command.XINFO, "GROUPS",
        "webhook_connect:stream:" + channel.name() + ":hook-b").get(0).get("name").toString(),
        "every queue of the channel has the group from open()");

    Response meta = command(Command.HGETALL, "webhook_connect:meta:" + channel.name() + ":hook-a");
    assertEquals("3600", meta.get("ttl_seconds").toString());
    assertNotNull(Envelope.parse(meta.get("created_at").toString()));
  }

  @Test
  void deadLetterMemberHasThePythonShape() {
    Envelope sent = publish(channel, "hook-a", 1);
    long before = Instant.now().getEpochSecond();
    await(buffer.lease(channel, "s1", 1, 60_000));
    assertEquals(NackOutcome.DEAD_LETTERED, await(buffer.nack(channel, sent.messageId(), false)));
    Response dlq = command(Command.ZRANGE, "webhook_connect:dlq:" + channel.name(), 0, -1, "WITHSCORES");
    assertEquals(1, dlq.size());
    Response pair = dlq.get(0);
    JsonObject member = new JsonObject(pair.get(0).toString());
    double score = pair.get(1).toDouble();
    assertTrue(score >= before && score < before + 60, "score = failure time in Unix seconds");
    assertFalse(member.getString("stream_id").isEmpty());
    JsonObject data = member.getJsonObject("data");
    assertEquals(sent.messageId(), data.getString("message_id"));
    assertEquals(sent.toJson(), new JsonObject(data.getString("data")));
    assertEquals(sent.expiresAt(), data.getString("expires_at"));
    assertEquals("Permanent failure", member.getString("error"));
    assertNotNull(Envelope.parse(member.getString("failed_at")));
    assertEquals(0, command(Command.XLEN, "webhook_connect:stream:" + channel.name() + ":hook-a").toInteger(),
        "dead-lettered entries are deleted from the stream");
  }

  @Test
  void deadLettersWrittenByPythonAreListed() {
    Envelope lost = message(channel, "hook-b", 1).withSequence(7);
    JsonObject member = new JsonObject()
        .put("stream_id", "1700000000000-0")
        .put("data", new JsonObject().put("message_id", lost.messageId()).put("data", lost.toJson().encode())
            .put("expires_at", lost.expiresAt()))
        .put("error", "Permanent failure")
        .put("failed_at", "2026-11-28T22:44:56.988106");
    command(Command.ZADD, "webhook_connect:dlq:" + channel.name(), "1700000000.5", member.encode());
    JsonObject item = await(buffer.deadLetters(channel, 10)).get(0);
    assertEquals(lost.messageId(), item.getString("message_id"));
    assertEquals("hook-b", item.getString("webhook_id"));
    assertEquals("rejected", item.getString("reason"));
    assertEquals(lost.toJson(), item.getJsonObject("envelope"));
  }

  @Test
  void expiryIsReadWithAnyOffsetAndWithoutFraction() {
    Envelope pastUtc = withExpiry(message(channel, "hook-a", 1), "2020-01-01T00:00:00Z");
    // 1 hour ahead of UTC written as a -05:00 local time: not expired
    String later = Instant.now().plusSeconds(3600).atOffset(ZoneOffset.ofHours(-5)).toString();
    Envelope futureLocal = withExpiry(message(channel, "hook-a", 2), later);
    Envelope pastOffset = withExpiry(message(channel, "hook-a", 3),
        Instant.now().minusSeconds(60).atOffset(ZoneOffset.ofHours(9)).toString());
    for (Envelope envelope : List.of(pastUtc, futureLocal, pastOffset)) {
      await(buffer.publish(channel, envelope));
    }
    List<Envelope> leased = await(buffer.lease(channel, "s1", 10, 60_000));
    assertEquals(List.of(futureLocal.messageId()), leased.stream().map(Envelope::messageId).toList());
    assertEquals(2, await(buffer.stats(channel)).expired());
  }

  private static Envelope withExpiry(Envelope envelope, String expiresAt) {
    return new Envelope(envelope.messageId(), envelope.channel(), envelope.webhookId(), envelope.timestamp(),
        expiresAt, envelope.headers(), envelope.payload(), 0, 0);
  }

  @Test
  void leaseSharesItsMaximumOverTheWebhookQueues() {
    for (int i = 0; i < 3; i++) {
      publish(channel, "hook-a", i);
      publish(channel, "hook-b", i);
    }
    List<Envelope> leased = await(buffer.lease(channel, "s1", 2, 60_000));
    assertEquals(List.of("hook-a", "hook-b"), leased.stream().map(Envelope::webhookId).sorted().toList());
    assertEquals(4, await(buffer.lease(channel, "s1", 10, 60_000)).size());
  }

  @Test
  void deliveryCountIsSharedBetweenReceivers() throws Exception {
    MessageBuffer second = secondReceiver();
    Envelope sent = publish(channel, "hook-a", 1);
    assertEquals(1, await(buffer.lease(channel, "s1", 1, 60_000)).get(0).deliveryCount());
    assertEquals(1, await(second.release(channel, "s1")), "release on any receiver");
    assertEquals(2, await(second.lease(channel, "s2", 1, 60_000)).get(0).deliveryCount());
    assertEquals(NackOutcome.DEAD_LETTERED, await(buffer.nack(channel, sent.messageId(), false)));
    assertEquals(2, await(second.deadLetters(channel, 10)).get(0).getInteger("delivery_count"));
  }

  @Test
  void scriptsMissingFromTheRedisCacheAreSentAgain() {
    LuaScript fresh = new LuaScript("fresh", "return 'ran " + UUID.randomUUID() + "'");
    Response reply = await(fresh.run(raw(), List.of(), List.of()));
    assertTrue(reply.toString().startsWith("ran "));
    assertEquals(1, command(Command.SCRIPT, "EXISTS", fresh.sha()).get(0).toInteger(), "cached by the EVAL");
  }

  @Test
  void unreachableRedisFailsFastAsUnavailable() {
    MessageBuffer down = new RedisBuffer(vertx, "redis://127.0.0.1:1", Clock.systemUTC());
    extraBuffers.add(down);
    long start = System.nanoTime();
    Throwable opening = failure(down.open(List.of(channel)));
    assertEquals(BufferException.Reason.UNAVAILABLE, assertInstanceOf(BufferException.class, opening).reason());
    Future<Envelope> publishing = down.publish(channel, message(channel, "hook-a", 1));
    Throwable refused = failure(publishing);
    assertEquals(BufferException.Reason.UNAVAILABLE, assertInstanceOf(BufferException.class, refused).reason());
    assertFalse(await(down.ping()));
    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "fails within the connect timeout");
    assertTrue(await(buffer.ping()), "the real one answers");
  }

  private List<MessageBuffer> receivers(int count) throws Exception {
    List<MessageBuffer> receivers = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      MessageBuffer receiver = reopen(vertx);
      extraBuffers.add(receiver);
      receivers.add(receiver);
    }
    return receivers;
  }

  @Test
  void receiversStartingTogetherAgreeOnTheTokenState() throws Exception {
    ChannelSpec fresh = spec(channel.name() + "-fresh", 10, 60, 10);
    ChannelSpec reconfigured = withToken(channel, "token-2");
    List<MessageBuffer> receivers = receivers(4);
    await(Future.all(receivers.stream().map(receiver -> receiver.open(List.of(fresh, reconfigured))).toList()));
    Set<TokenState> freshStates = new HashSet<>();
    Set<TokenState> changedStates = new HashSet<>();
    for (MessageBuffer receiver : receivers) {
      freshStates.add(await(receiver.tokenState(fresh)));
      changedStates.add(await(receiver.tokenState(reconfigured)));
    }
    assertEquals(Set.of(TokenState.initial("token")), freshStates);
    assertEquals(1, changedStates.size(), "one state for all: " + changedStates);
    TokenState changed = changedStates.iterator().next();
    assertEquals(TokenState.hash("token-2"), changed.currentHash());
    assertEquals(TokenState.hash("token"), changed.previousHash(), "the old token, not token-2 twice");
    assertEquals(changed, await(buffer.tokenState(channel)), "the receiver that was running sees it too");
  }

  @Test
  void concurrentRotationsOnTwoReceiversApplyOneAfterTheOther() throws Exception {
    MessageBuffer second = secondReceiver();
    for (int round = 0; round < 20; round++) {
      String here = TokenState.hash("ch_tok_here_" + round);
      String there = TokenState.hash("ch_tok_there_" + round);
      await(Future.all(buffer.rotateToken(channel, here, 60_000), second.rotateToken(channel, there, 60_000)));
      TokenState state = await(second.tokenState(channel));
      assertEquals(Set.of(here, there), Set.of(state.currentHash(), state.previousHash()),
          "round " + round + ": neither rotation lost");
    }
  }

  @Test
  void tokenStateIsAHashOfDigestsOnly() {
    TokenState rotated = await(buffer.rotateToken(channel, TokenState.hash("ch_tok_new"), 60_000));
    Response hash = command(Command.HGETALL, "webhook_connect:j:channel:" + channel.name());
    assertEquals(TokenState.hash("ch_tok_new"), hash.get("current").toString());
    assertEquals(TokenState.hash("token"), hash.get("previous").toString());
    assertEquals(String.valueOf(rotated.previousExpiresAtMillis()), hash.get("previous_expires_at").toString());
    assertEquals(TokenState.hash("token"), hash.get("config").toString());
    assertEquals(String.valueOf(rotated.rotatedAtMillis()), hash.get("rotated_at").toString());
    assertFalse(hash.toString().contains("\"token\""), "the token itself is never stored");
  }

  @Test
  void tokenStateLostFromRedisIsCreatedAgainFromTheConfiguredToken() {
    command(Command.DEL, "webhook_connect:j:channel:" + channel.name());
    assertEquals(TokenState.initial("token"), await(buffer.tokenState(channel)));
  }

  @Test
  void deadLettersWrittenByPythonCanBeReplayed() {
    Envelope lost = message(channel, "hook-b", 1).withSequence(7);
    JsonObject member = new JsonObject()
        .put("stream_id", "1700000000000-0")
        .put("data", new JsonObject().put("message_id", lost.messageId()).put("data", lost.toJson().encode())
            .put("expires_at", lost.expiresAt()))
        .put("error", "Permanent failure")
        .put("failed_at", "2026-11-28T22:44:56.988106");
    String dlq = "webhook_connect:dlq:" + channel.name();
    command(Command.ZADD, dlq, "1700000000.5", member.encode());
    command(Command.ZADD, dlq, "1700000001", "{not json");
    assertEquals(List.of(lost.messageId()), await(buffer.replayDeadLetters(channel, null)));
    List<Envelope> leased = await(buffer.lease(channel, "s1", 10, 60_000));
    assertEquals(1, leased.size());
    assertEquals(lost.messageId(), leased.get(0).messageId());
    assertEquals(7, leased.get(0).sequence());
    assertEquals(1, leased.get(0).deliveryCount());
    assertEquals(lost.payload(), leased.get(0).payload());
    assertEquals(1, command(Command.ZCARD, dlq).toInteger(), "the unreadable member stays");
    assertTrue(await(buffer.ack(channel, lost.messageId())));
  }

  @Test
  void replayedEntryFollowsThePythonStreamLayout() {
    Envelope sent = publish(channel, "hook-a", 1);
    await(buffer.lease(channel, "s1", 1, 60_000));
    await(buffer.nack(channel, sent.messageId(), false));
    await(buffer.replayDeadLetters(channel, null));
    Response entries = command(Command.XRANGE, "webhook_connect:stream:" + channel.name() + ":hook-a", "-", "+");
    assertEquals(1, entries.size());
    Response fields = entries.get(0).get(1);
    assertEquals(sent.messageId(), fields.get(1).toString());
    JsonObject data = new JsonObject(fields.get(3).toString());
    assertEquals(sent.sequence(), data.getLong("sequence"));
    assertEquals(0, data.getInteger("delivery_count"));
    assertEquals("pending", data.getString("state"));
    assertEquals(data.getString("expires_at"), fields.get(5).toString());
    assertTrue(Envelope.parse(data.getString("expires_at")).isAfter(Envelope.parse(sent.expiresAt())));
  }

  @Test
  void deleteRemovesEveryMemberOfTheMessage() {
    Envelope sent = publish(channel, "hook-a", 1);
    await(buffer.lease(channel, "s1", 1, 60_000));
    await(buffer.nack(channel, sent.messageId(), false));
    JsonObject copy = new JsonObject().put("stream_id", "1-0")
        .put("data", new JsonObject().put("message_id", sent.messageId()).put("data", sent.toJson().encode()))
        .put("error", "Permanent failure").put("failed_at", "2026-11-28T22:44:56.988106");
    String dlq = "webhook_connect:dlq:" + channel.name();
    command(Command.ZADD, dlq, "1700000000", copy.encode());
    assertTrue(await(buffer.deleteDeadLetter(channel, sent.messageId())));
    assertEquals(0, command(Command.ZCARD, dlq).toInteger());
  }

  /** Replay reads the DLQ in pages by rank and delete scans it: both walk past the first page. */
  @Test
  void replayAndDeleteWalkEveryPageOfALongDeadLetterQueue() {
    String dlq = "webhook_connect:dlq:" + channel.name();
    List<String> all = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      Envelope lost = message(channel, "hook-a", i).withSequence(i + 1);
      all.add(lost.messageId());
      JsonObject member = new JsonObject()
          .put("stream_id", (1700000000000L + i) + "-0")
          .put("data", new JsonObject().put("message_id", lost.messageId()).put("data", lost.toJson().encode()))
          .put("error", "Permanent failure")
          .put("failed_at", "2026-11-28T22:44:56.988106");
      command(Command.ZADD, dlq, String.valueOf(1700000000 + i), member.encode());
    }
    List<String> wanted = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      if (i % 3 != 0) {
        wanted.add(all.get(i));
      }
    }
    assertEquals(wanted, await(buffer.replayDeadLetters(channel, wanted)), "oldest first, past the left ones");
    assertEquals(50, command(Command.ZCARD, dlq).toInteger(), "every third left in the DLQ");
    assertTrue(await(buffer.deleteDeadLetter(channel, all.get(147))));
    assertEquals(49, command(Command.ZCARD, dlq).toInteger());
    assertEquals(all.get(144), ids(await(buffer.deadLetters(channel, 1))).get(0), "the newest left");
  }
}
