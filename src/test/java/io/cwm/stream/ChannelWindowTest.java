package io.cwm.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.buffer.Envelope;
import io.cwm.config.ChannelSpec;
import io.cwm.testing.MutableClock;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The session and window rules of one channel, without Vert.x: a fake clock, no event bus, no buffer. */
class ChannelWindowTest {
  private static final int MAX_CONNECTIONS = 2;
  private static final int MAX_IN_FLIGHT = 3;
  private static final int ACK_TIMEOUT_SECONDS = 60;
  private static final int HEARTBEAT_SECONDS = 10;

  private final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
  private final ChannelWindow window = new ChannelWindow(new ChannelSpec("orders", "token",
      Map.of("wh", new ChannelSpec.Queue("wh", 3600, 100)), MAX_CONNECTIONS, MAX_IN_FLIGHT, ACK_TIMEOUT_SECONDS,
      HEARTBEAT_SECONDS, 5), clock);

  private Session open(String id, String protocol) {
    assertTrue(window.admits(), "room for " + id);
    Session session = window.newSession(id, "connector-" + id, protocol, "10.0.0.1");
    window.add(session);
    return session;
  }

  private List<Envelope> messages(int count) {
    List<Envelope> messages = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      messages.add(Envelope.create("orders", "wh", new JsonObject(), new JsonObject().put("n", i),
          clock.instant().minusSeconds(2), 3600));
    }
    return messages;
  }

  /** Leases {@code count} messages to whatever the window picks, as the pump would; returns them. */
  private List<Envelope> lease(Session expected, int count) {
    ChannelWindow.Pull pull = window.nextPull();
    assertNotNull(pull, "a pull");
    assertSame(expected, pull.session());
    List<Envelope> leased = messages(count);
    assertTrue(window.accept(pull.session(), leased));
    window.pulled(pull, count);
    return leased;
  }

  private Promise<List<Envelope>> startPoll(Session session, String pollId, int max) {
    Promise<List<Envelope>> poll = Promise.promise();
    poll.future().onComplete(done -> window.pollEnded(session, poll));
    window.pollStarted(session, poll, pollId, max);
    return poll;
  }

  // ---------------------------------------------------------------- a session that broke (issue 20)

  @Test
  void aSessionThatBrokeWithSeveralInFlightGivesTheirDeliveriesBackAndTheChannelTakesOneAtATime() {
    Session a = open("a", "websocket");
    List<Envelope> leased = lease(a, 3);
    Set<String> ids = Set.of(leased.get(0).messageId(), leased.get(1).messageId(), leased.get(2).messageId());
    assertEquals(ids, window.broke(a), "none of three can be blamed: none counts");
    window.remove("a");
    assertEquals(ids, window.suspects());
    assertEquals(1, window.maxInFlight());
    Session b = open("b", "websocket");
    ChannelWindow.Pull pull = window.nextPull();
    assertEquals(1, pull.max(), "one message at a time while suspects are left");
    assertTrue(window.accept(b, List.of(leased.get(0))));
    window.pulled(pull, 1);
    assertNull(window.nextPull(), "b holds its one message");
    assertNotNull(window.settle(b, leased.get(0).messageId(), true));
    assertEquals(Set.of(leased.get(1).messageId(), leased.get(2).messageId()), window.suspects(), "an ack clears it");
    assertEquals(1, window.nextPull().max(), "two suspects left");
  }

  @Test
  void aSessionThatBrokeWithOneInFlightCountsItsDeliveryAndSuspectsExpireAfterTheAckTimeout() {
    Session a = open("a", "websocket");
    List<Envelope> leased = lease(a, 1);
    assertEquals(Set.of(), window.broke(a), "sent alone: its delivery counts");
    window.remove("a");
    assertEquals(Set.of(leased.get(0).messageId()), window.suspects());
    clock.advance(Duration.ofSeconds(ACK_TIMEOUT_SECONDS - 1));
    window.sweep();
    assertEquals(1, window.maxInFlight(), "still a suspect");
    clock.advance(Duration.ofSeconds(2));
    window.sweep();
    assertTrue(window.suspects().isEmpty(), "never leased again (dead-lettered): forgotten after the ack timeout");
    assertEquals(MAX_IN_FLIGHT, window.maxInFlight());
    assertEquals(Set.of(), window.broke(open("b", "websocket")), "a session with nothing in flight suspects nothing");
    assertTrue(window.suspects().isEmpty());
  }

  // ---------------------------------------------------------------- admission

  @Test
  void admitsUpToMaxConnectionsAndAnEndedSessionFreesItsSlot() {
    open("a", "websocket");
    Session b = open("b", "sse");
    assertFalse(window.admits(), "max_connections 2 reached");
    assertSame(b, window.remove("b"));
    assertTrue(b.closed);
    assertEquals(1, window.activeCount());
    assertTrue(window.admits(), "the ended session's slot is free");
    assertNull(window.remove("b"), "ending twice does nothing");
  }

  @Test
  void aPollSessionHoldsItsSlotBetweenItsPolls() {
    open("ws", "websocket");
    Session poller = open("poll_x_orders", "long_poll");
    assertNull(poller.pendingPoll, "no poll waiting");
    assertEquals(2, window.activeCount());
    assertFalse(window.admits());
  }

  // ---------------------------------------------------------------- most free slots

  @Test
  void theNextLeaseGoesToTheSessionWithTheMostFreeSlotsAndAsksForAllOfThem() {
    Session a = open("a", "websocket");
    Session b = open("b", "websocket");
    lease(a, 2); // a: 1 free, b: 3 free
    ChannelWindow.Pull pull = window.nextPull();
    assertSame(b, pull.session());
    assertEquals(MAX_IN_FLIGHT, pull.max());
  }

  @Test
  void equallyFreeSessionsGoInTheOrderTheyOpened() {
    Session first = open("first", "websocket");
    open("second", "websocket");
    assertSame(first, window.mostFreeSlots());
  }

  @Test
  void noLeaseWhenNoSessionHasRoom() {
    assertNull(window.nextPull(), "no session at all");
    Session a = open("a", "websocket");
    lease(a, MAX_IN_FLIGHT);
    assertNull(window.nextPull(), "the only session's window is full");
    assertFalse(window.hasRoom());
  }

  // ---------------------------------------------------------------- the pump

  @Test
  void oneLeaseAtATimeAndAPullAskedForMeanwhileRunsWhenItEnds() {
    open("a", "websocket");
    ChannelWindow.Pull pull = window.nextPull();
    assertNotNull(pull);
    assertNull(window.nextPull(), "a lease is under way");
    assertTrue(window.pulled(pull, 0), "asked for meanwhile: pull again although nothing came");
    assertNotNull(window.nextPull(), "the pump is free again");
  }

  @Test
  void aFullBatchPullsAgainAShortOneDoesNot() {
    open("a", "websocket");
    ChannelWindow.Pull full = window.nextPull();
    assertTrue(window.pulled(full, full.max()), "more may be waiting");
    ChannelWindow.Pull shortOne = window.nextPull();
    assertFalse(window.pulled(shortOne, shortOne.max() - 1), "the channel is drained");
  }

  @Test
  void aFailedLeaseFreesThePump() {
    open("a", "websocket");
    assertNotNull(window.nextPull());
    window.pullFailed();
    assertNotNull(window.nextPull());
  }

  // ---------------------------------------------------------------- in flight

  @Test
  void aSessionNeverHoldsMoreThanMaxInFlightAndEachSettleFreesOneSlot() {
    Session a = open("a", "websocket");
    List<Envelope> leased = lease(a, MAX_IN_FLIGHT);
    assertEquals(MAX_IN_FLIGHT, a.inFlight.size());
    assertEquals(0, a.room(MAX_IN_FLIGHT));
    assertNotNull(window.settle(a, leased.get(0).messageId(), true));
    assertEquals(1, a.room(MAX_IN_FLIGHT));
    assertEquals(1, window.nextPull().max(), "exactly the freed slot is asked for");
    assertNotNull(window.settle(a, leased.get(1).messageId(), false));
    assertEquals(1, a.acked);
    assertEquals(1, a.nacked);
    assertEquals(MAX_IN_FLIGHT, a.received);
  }

  @Test
  void settlingAMessageNotInFlightOnTheSessionChangesNothing() {
    Session a = open("a", "websocket");
    Session b = open("b", "websocket");
    List<Envelope> leased = lease(a, 1);
    assertNull(window.settle(b, leased.get(0).messageId(), true), "held by another session");
    assertNull(window.settle(a, "msg_unknown", true));
    assertEquals(1, a.inFlight.size());
    assertEquals(0, a.acked + b.acked);
  }

  @Test
  void aLeaseRunsForTheAckTimeoutAndKeepsTheMessagesReceiptTime() {
    Session a = open("a", "websocket");
    Envelope message = lease(a, 1).get(0);
    Session.InFlight lease = a.inFlight.get(message.messageId());
    assertEquals(clock.millis() + ACK_TIMEOUT_SECONDS * 1000L, lease.deadline());
    assertEquals(Envelope.parse(message.timestamp()).toEpochMilli(), lease.receivedAt());
    assertEquals(clock.millis(), a.lastMessageAt);
  }

  @Test
  void expiredLeasesLeaveTheWindowOnTheSweep() {
    Session a = open("a", "websocket");
    lease(a, MAX_IN_FLIGHT);
    clock.advance(Duration.ofSeconds(ACK_TIMEOUT_SECONDS));
    assertTrue(window.sweep().isEmpty());
    assertEquals(MAX_IN_FLIGHT, a.inFlight.size(), "not past the deadline yet");
    clock.advance(Duration.ofMillis(1));
    window.sweep();
    assertTrue(a.inFlight.isEmpty(), "the buffer requeued them: the slots are free");
    assertTrue(window.hasRoom());
  }

  @Test
  void anEndedSessionTakesNothing() {
    Session a = open("a", "websocket");
    window.remove("a");
    assertFalse(window.accept(a, messages(1)), "the caller gives them back");
    assertTrue(a.inFlight.isEmpty());
    assertEquals(0, a.room(MAX_IN_FLIGHT));
    assertTrue(window.accept(a, List.of()), "nothing leased: nothing to give back");
  }

  // ---------------------------------------------------------------- long-poll

  @Test
  void aPollSessionHasRoomOnlyWhileAPollWaitsAndNoMoreThanItAskedFor() {
    Session poller = open("p", "long_poll");
    assertEquals(0, poller.room(MAX_IN_FLIGHT), "no poll waiting");
    startPoll(poller, "poll-1", 2);
    assertEquals(2, window.nextPull().max(), "the poll asked for 2 of 3 free slots");
  }

  @Test
  void leasedMessagesAnswerTheWaitingPollAndStayInFlight() {
    Session poller = open("p", "long_poll");
    Promise<List<Envelope>> poll = startPoll(poller, "poll-1", 10);
    List<Envelope> leased = lease(poller, MAX_IN_FLIGHT);
    assertEquals(leased, poll.future().result());
    assertNull(poller.pendingPoll, "answered");
    assertEquals(MAX_IN_FLIGHT, poller.inFlight.size());
    assertFalse(window.accept(poller, messages(1)), "no poll waits any more: given back");
  }

  @Test
  void aNewerPollReplacesTheWaitingOne() {
    Session poller = open("p", "long_poll");
    Promise<List<Envelope>> first = startPoll(poller, "poll-1", 10);
    Promise<List<Envelope>> second = startPoll(poller, "poll-2", 10);
    assertEquals(List.of(), first.future().result(), "the replaced poll is answered empty");
    assertSame(second, poller.pendingPoll);
    assertEquals("poll-2", poller.pendingPollId);
  }

  @Test
  void cancellingTheWaitingPollEndsTheSessionOnlyWhenItHoldsNoLeases() {
    Session poller = open("p", "long_poll");
    Promise<List<Envelope>> waiting = startPoll(poller, "poll-1", 10);
    assertFalse(window.cancelPoll(poller, "poll-0"), "another poll's cancel does nothing");
    assertFalse(waiting.future().isComplete());
    assertTrue(window.cancelPoll(poller, "poll-1"), "no leases: the session ends");
    assertEquals(List.of(), waiting.future().result());

    startPoll(poller, "poll-2", 1);
    lease(poller, 1);
    startPoll(poller, "poll-3", 1);
    assertFalse(window.cancelPoll(poller, "poll-3"), "it holds a lease: it stays for a later ack");
  }

  @Test
  void anEndedPollSessionAnswersItsWaitingPollEmpty() {
    Session poller = open("p", "long_poll");
    Promise<List<Envelope>> waiting = startPoll(poller, "poll-1", 10);
    window.remove("p");
    assertEquals(List.of(), waiting.future().result());
  }

  @Test
  void anIdlePollSessionEndsAfterThreeHeartbeatIntervalsButNotWhileItHoldsALeaseOrAPollWaits() {
    Session poller = open("p", "long_poll");
    open("ws", "websocket");
    long idleMillis = ChannelWindow.POLL_IDLE_HEARTBEATS * HEARTBEAT_SECONDS * 1000L;
    assertEquals(idleMillis, window.pollIdleMillis());

    Promise<List<Envelope>> poll = startPoll(poller, "poll-1", 1);
    clock.advance(Duration.ofMillis(idleMillis + 1));
    assertTrue(window.sweep().isEmpty(), "a poll waits");
    Envelope held = messages(1).get(0);
    assertTrue(window.accept(poller, List.of(held)));
    assertTrue(poll.future().isComplete());
    clock.advance(Duration.ofMillis(idleMillis + 1));
    assertTrue(window.sweep().isEmpty(), "it holds a lease (the ack timeout, 60 s, has not passed)");

    window.settle(poller, held.messageId(), true); // the idle period starts again at the ack
    clock.advance(Duration.ofMillis(idleMillis));
    assertTrue(window.sweep().isEmpty(), "exactly the idle period: not yet");
    clock.advance(Duration.ofMillis(1));
    assertEquals(List.of(poller), window.sweep(), "idle for longer than three intervals; the WebSocket stays");
  }

  @Test
  void aLeaseThatExpiresRestartsThePollSessionsIdlePeriod() {
    Session poller = open("p", "long_poll");
    startPoll(poller, "poll-1", 1);
    lease(poller, 1);
    clock.advance(Duration.ofMillis(ACK_TIMEOUT_SECONDS * 1000L + 1));
    assertTrue(window.sweep().isEmpty(), "the lease expired just now: idle from now");
    assertTrue(poller.inFlight.isEmpty());
    clock.advance(Duration.ofMillis(window.pollIdleMillis() + 1));
    assertEquals(List.of(poller), window.sweep());
  }

  // ---------------------------------------------------------------- admin view, heartbeat

  @Test
  void theAdminViewShowsEachSessionsWindowAndCounters() {
    Session a = open("a", "websocket");
    List<Envelope> leased = lease(a, 2);
    window.settle(a, leased.get(0).messageId(), true);
    clock.advance(Duration.ofSeconds(5));
    window.heartbeat(a);
    JsonObject view = window.clients().get(0);
    assertEquals("a", view.getString("connection_id"));
    assertEquals("orders", view.getString("channel"));
    assertEquals("websocket", view.getString("protocol"));
    assertEquals("connected", view.getString("state"));
    assertEquals(1, view.getInteger("in_flight_count"));
    assertEquals(2, view.getLong("messages_received"));
    assertEquals(1, view.getLong("messages_acked"));
    assertEquals(Envelope.format(clock.instant()), view.getString("last_heartbeat_at"));
  }

  @Test
  void aChangedSpecAppliesToAdmissionAndLeasesWithoutClosingSessions() {
    open("a", "websocket");
    open("b", "websocket");
    assertFalse(window.admits());
    window.update(new ChannelSpec("orders", "token2", Map.of("wh", new ChannelSpec.Queue("wh", 3600, 100)), 1, 7,
        30, HEARTBEAT_SECONDS, 5));
    assertEquals(2, window.size(), "sessions above the lowered max_connections stay");
    assertFalse(window.admits());
    assertEquals(7, window.maxInFlight());
    assertEquals(30_000, window.leaseMillis());
    window.update(new ChannelSpec("orders", "token2", Map.of("wh", new ChannelSpec.Queue("wh", 3600, 100)), 3, 7,
        30, HEARTBEAT_SECONDS, 5));
    assertTrue(window.admits(), "a raised max_connections admits the next session");
    assertThrows(IllegalArgumentException.class, () -> window.update(
        new ChannelSpec("other", "t", Map.of(), 1, 1, 1, 1, 1)));
  }
}
