package io.cwm.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.buffer.BufferCall;
import io.cwm.buffer.Envelope;
import io.cwm.buffer.MessageBuffer;
import io.cwm.config.ChannelSpec;
import io.cwm.testing.MutableClock;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The console's memory of recent messages, fed the buffer calls as the buffer verticle does. */
class MessageTrailTest {
  final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T10:00:00Z"));
  final ChannelSpec channel = new ChannelSpec("orders", "token",
      Map.of("hook", new ChannelSpec.Queue("hook", 3600, 100)), 10, 100, 120, 30, 3);
  final MessageTrail trail = new MessageTrail(clock, 1);

  Envelope publish(String body) {
    Envelope envelope = Envelope.create("orders", "hook", new JsonObject(), new JsonObject().put("body", body),
        clock.instant(), 3600);
    Envelope stored = envelope.withSequence(1);
    trail.completed(new BufferCall.Publish(channel, envelope, envelope.storedHead()), stored);
    return stored;
  }

  void lease(Envelope envelope, String owner, int deliveryCount) {
    trail.completed(new BufferCall.Lease(channel, owner, 10, 30_000), List.of(envelope.withDeliveryCount(deliveryCount)));
  }

  String state(Envelope envelope) {
    return trail.inspect("orders", envelope.messageId()).detail().getString("state");
  }

  JsonArray attempts(Envelope envelope) {
    return trail.inspect("orders", envelope.messageId()).detail().getJsonArray("attempts");
  }

  @Test
  void aMessageIsFollowedFromQueuedToDeliveredWithEachAttempt() {
    Envelope message = publish("a");
    assertEquals("queued", state(message));
    assertNotNull(trail.inspect("orders", message.messageId()).envelope(), "its body is held while it waits");
    lease(message, "session-1", 1);
    trail.completed(new BufferCall.Nack(channel, message.messageId(), true), MessageBuffer.NackOutcome.REQUEUED);
    assertEquals("retrying", state(message));
    lease(message, "session-2", 2);
    assertEquals("in_flight", state(message));
    clock.advance(Duration.ofMillis(250));
    trail.completed(new BufferCall.Ack(channel, message.messageId()), true);

    assertEquals("delivered", state(message));
    JsonArray attempts = attempts(message);
    assertEquals(2, attempts.size());
    assertEquals("nack_retry", attempts.getJsonObject(0).getString("outcome"));
    assertEquals("session-2", attempts.getJsonObject(1).getString("connection_id"));
    assertEquals("ack", attempts.getJsonObject(1).getString("outcome"));
    assertNull(trail.inspect("orders", message.messageId()).envelope(), "a delivered body is let go");
    assertEquals(1, trail.failed("orders"));
  }

  @Test
  void anUnansweredLeaseBecomesATimeoutAndAClosedSessionARelease() {
    Envelope late = publish("late");
    Envelope dropped = publish("dropped");
    lease(late, "session-1", 1);
    lease(dropped, "session-2", 1);
    trail.completed(new BufferCall.Release(channel, "session-2", Set.of()), 1);
    assertEquals("released", attempts(dropped).getJsonObject(0).getString("outcome"));
    assertEquals("queued", state(dropped));

    clock.advance(Duration.ofSeconds(31));
    trail.leasesExpired(channel, 1);
    assertEquals("timeout", state(late));
    assertEquals("timeout", attempts(late).getJsonObject(0).getString("outcome"));
  }

  @Test
  void aNackWithoutRetryDeadLettersAndAReplayQueuesAgain() {
    Envelope message = publish("x");
    lease(message, "session-1", 1);
    trail.completed(new BufferCall.Nack(channel, message.messageId(), false), MessageBuffer.NackOutcome.DEAD_LETTERED);
    assertEquals("dead_lettered", state(message));
    assertEquals("rejected", trail.inspect("orders", message.messageId()).detail().getJsonObject("dead_letter")
        .getString("reason"));
    trail.completed(new BufferCall.Replay(channel, List.of(message.messageId())), List.of(message.messageId()));
    assertEquals("queued", state(message));
  }

  @Test
  void aTailGetsEveryChangeAndDropsWhatItCannotHold() {
    MessageTrail.Tail tail = trail.tail("orders");
    Envelope message = publish("t");
    lease(message, "session-1", 1);
    List<JsonObject> events = tail.drain(100);
    assertEquals(List.of("queued", "leased"), events.stream().map(event -> event.getString("event")).toList());
    for (int i = 0; i < MessageTrail.TAIL_CAPACITY + 10; i++) {
      publish("n" + i);
    }
    assertEquals(MessageTrail.TAIL_CAPACITY, tail.drain(Integer.MAX_VALUE).size());
    assertEquals(10, tail.takeDropped());
    tail.close();
    publish("after");
    assertTrue(tail.drain(10).isEmpty(), "a closed tail gets nothing");
  }

  @Test
  void theChannelRemembersItsLastMessagesAndCountsTheSparkline() {
    for (int i = 0; i < MessageTrail.MAX_PER_CHANNEL + 5; i++) {
      publish("m" + i);
    }
    List<JsonObject> recent = trail.recent("orders", 5000);
    assertEquals(MessageTrail.MAX_PER_CHANNEL, recent.size());
    JsonObject activity = trail.activity("orders");
    JsonArray queued = activity.getJsonObject("sparkline").getJsonArray("queued");
    assertEquals(MessageTrail.BUCKETS, queued.size());
    assertEquals(MessageTrail.MAX_PER_CHANNEL + 5L, queued.getLong(MessageTrail.BUCKETS - 1));
    clock.advance(Duration.ofMinutes(16));
    assertEquals(0L, trail.activity("orders").getJsonObject("sparkline").getJsonArray("queued").stream()
        .mapToLong(value -> (Long) value).sum(), "older than 15 minutes: gone");
  }

  @Test
  void aDuplicateIsNotRecorded() {
    Envelope first = publish("once");
    Envelope again = Envelope.create("orders", "hook", new JsonObject(), new JsonObject(), clock.instant(), 3600);
    trail.completed(new BufferCall.Publish(channel, again, again.storedHead()), first); // answered with the first
    assertNull(trail.inspect("orders", again.messageId()));
    assertEquals(1, trail.recent("orders", 10).size());
  }
}
