package io.cwm.stream;

import io.cwm.buffer.Envelope;
import io.cwm.config.ChannelSpec;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The connector sessions of one channel and the rules that govern them (spec §4), as plain logic:
 * admission ({@code max_connections}), the in-flight accounting of each session's window
 * ({@code max_in_flight}), the choice of the session with the most free slots for the next lease
 * (competing consumers), the pump's one-lease-at-a-time state, and when an idle long-poll session
 * ends. It calls nothing: StreamVerticle asks it what to do and does the leasing, releasing,
 * sending and timing. Time comes from the {@link Clock} given.
 *
 * <p>The three transports share one set of limits: a long-poll session (one per channel and
 * connector id) counts toward {@code max_connections} like a WebSocket or SSE session and never
 * holds more than {@code max_in_flight} unacked leases. Having no socket, it ends when its client
 * leaves during a poll while it holds no leases, or after {@link #POLL_IDLE_HEARTBEATS} heartbeat
 * intervals with no poll waiting and no lease held.
 *
 * <p>A message that breaks the socket of every session it is sent on (a poison message: too
 * large for the connector, or one that crashes it) must not take its neighbours down with it
 * (issue 20). When a WebSocket or SSE session ends with messages in flight they become
 * <em>suspects</em> ({@link #broke}): if there were several, none can be blamed and their
 * deliveries are given back; while any suspect is left, every session of the channel holds one
 * message at a time, so the next break has exactly one culprit, and only its delivery counts. A
 * suspect is cleared when it is acked or nacked, or {@link #leaseMillis} after it was last leased
 * here (a dead-lettered culprit is never leased again).
 *
 * <p>Not thread-safe: used from StreamVerticle's event loop only.
 */
final class ChannelWindow {
  /**
   * A poll session ends after this many heartbeat intervals with no poll waiting and no lease
   * held (90 s by default: the WebSocket's stale rule), so a poll client that is gone does not
   * keep a max_connections slot.
   */
  static final int POLL_IDLE_HEARTBEATS = 3;

  /** A lease to ask the buffer for: at most {@code max} messages for {@code session}. */
  record Pull(Session session, int max) {}

  private ChannelSpec spec;
  private final Clock clock;
  /** By connection id, in the order they opened (ties of the most-free-slots choice go to the oldest). */
  private final Map<String, Session> sessions = new LinkedHashMap<>();
  private final Collection<Session> view = Collections.unmodifiableCollection(sessions.values());
  /** A lease is under way: another pull waits for it ({@link #again} remembers that one was asked for). */
  private boolean pumping;
  private boolean again;
  /** Suspects (see above) by message id: until when they count as such (epoch ms). */
  private final Map<String, Long> suspects = new HashMap<>();

  ChannelWindow(ChannelSpec spec, Clock clock) {
    this.spec = spec;
    this.clock = clock;
  }

  ChannelSpec spec() {
    return spec;
  }

  /**
   * The channel's spec after a reload: admission, windows, lease length and poll idleness follow
   * it from the next call on; no session is closed (a lowered {@code max_connections} only refuses
   * new sessions while more are open, a lowered {@code max_in_flight} only holds back further leases).
   */
  void update(ChannelSpec changed) {
    if (!changed.name().equals(spec.name())) {
      throw new IllegalArgumentException("spec of channel " + changed.name() + " given to " + spec.name());
    }
    this.spec = changed;
  }

  String name() {
    return spec.name();
  }

  /** How long a lease runs: the channel's ack timeout. */
  long leaseMillis() {
    return spec.ackTimeoutSeconds() * 1000L;
  }

  /** How many messages a session may hold now: one while suspects are left, else {@code max_in_flight}. */
  int maxInFlight() {
    return suspects.isEmpty() ? spec.maxInFlight() : 1;
  }

  /** Messages that one broken session held, not yet cleared (read-only). */
  Set<String> suspects() {
    return Collections.unmodifiableSet(suspects.keySet());
  }

  /**
   * {@code session} (WebSocket or SSE) ended while messages were in flight on it: they become
   * suspects. Call before its leases are released.
   *
   * @return the messages whose delivery is given back: all of them when several were in flight
   *     (none can be blamed), none when only one was (sent alone, its delivery counts)
   */
  Set<String> broke(Session session) {
    if (session.inFlight.isEmpty()) {
      return Set.of();
    }
    long until = clock.millis() + leaseMillis();
    session.inFlight.keySet().forEach(messageId -> suspects.put(messageId, until));
    return session.inFlight.size() > 1 ? Set.copyOf(session.inFlight.keySet()) : Set.of();
  }

  /** How long a poll session may sit with no poll waiting and no lease before it ends. */
  long pollIdleMillis() {
    return POLL_IDLE_HEARTBEATS * spec.heartbeatIntervalSeconds() * 1000L;
  }

  // ---------------------------------------------------------------- sessions, admission

  /** A session of this channel, opened now; not yet admitted. */
  Session newSession(String connectionId, String connectorId, String protocol, String remoteIp) {
    return new Session(connectionId, spec.name(), connectorId, protocol, clock.millis(), remoteIp);
  }

  /** Sessions that count toward {@code max_connections}. */
  int activeCount() {
    int count = 0;
    for (Session session : sessions.values()) {
      if (session.active()) {
        count++;
      }
    }
    return count;
  }

  /** Whether one more session fits in {@code max_connections} (in this process). */
  boolean admits() {
    return activeCount() < spec.maxConnections();
  }

  void add(Session session) {
    sessions.put(session.id, session);
  }

  Session get(String connectionId) {
    return sessions.get(connectionId);
  }

  /** Every session of the channel in this process (read-only). */
  Collection<Session> sessions() {
    return view;
  }

  int size() {
    return sessions.size();
  }

  /**
   * Ends the session: it takes nothing more and leaves the channel; a poll waiting on it is
   * answered empty. Its leases stay with the buffer (the caller releases them or lets them run).
   *
   * @return the session, or null if it was not here
   */
  Session remove(String connectionId) {
    Session session = sessions.remove(connectionId);
    if (session != null) {
      session.closed = true;
      if (session.pendingPoll != null) {
        session.pendingPoll.tryComplete(List.of());
      }
    }
    return session;
  }

  /** The admin view of the channel's sessions. */
  List<JsonObject> clients() {
    List<JsonObject> clients = new ArrayList<>(sessions.size());
    sessions.values().forEach(session -> clients.add(session.toJson()));
    return clients;
  }

  /** The client of {@code session} showed it is alive. */
  void heartbeat(Session session) {
    session.lastHeartbeatAt = clock.millis();
  }

  // ---------------------------------------------------------------- the pump

  /** The session with the most free slots (the oldest of equals), or null when none has room. */
  Session mostFreeSlots() {
    Session target = null;
    int room = 0;
    for (Session session : sessions.values()) {
      int free = session.room(maxInFlight());
      if (free > room) {
        room = free;
        target = session;
      }
    }
    return target;
  }

  /**
   * The next lease to ask for: the session with the most free slots, as many as it has. Null
   * when none has room, or while a lease is under way (then it is asked for again when that one
   * ends, see {@link #pulled}).
   */
  Pull nextPull() {
    if (pumping) {
      again = true;
      return null;
    }
    Session target = mostFreeSlots();
    if (target == null) {
      return null;
    }
    pumping = true;
    again = false;
    return new Pull(target, target.room(maxInFlight()));
  }

  /**
   * The lease of {@code pull} answered {@code leased} messages.
   *
   * @return whether to pull again now: asked for meanwhile, or a full batch (more may be waiting)
   */
  boolean pulled(Pull pull, int leased) {
    pumping = false;
    return again || leased == pull.max();
  }

  /** The lease of the last pull failed; the next trigger (a publish, the tick) pulls again. */
  void pullFailed() {
    pumping = false;
  }

  // ---------------------------------------------------------------- in flight

  /**
   * Hands leased messages to {@code session}: each is in flight on it until settled or until its
   * lease ends; a poll session's waiting poll is answered with them.
   *
   * @return false when the session cannot take them (it ended, or its poll is gone meanwhile):
   *     the caller gives them back to the buffer
   */
  boolean accept(Session session, List<Envelope> leased) {
    if (leased.isEmpty()) {
      return true; // nothing to take, nothing to give back (a waiting poll waits on)
    }
    if (session.closed) {
      return false;
    }
    if (session.isPoll() && (session.pendingPoll == null || !session.pendingPoll.tryComplete(new ArrayList<>(leased)))) {
      return false;
    }
    long now = clock.millis();
    long deadline = now + leaseMillis();
    for (Envelope envelope : leased) {
      suspects.computeIfPresent(envelope.messageId(), (id, until) -> deadline);
      Instant received = Envelope.parse(envelope.timestamp());
      session.inFlight.put(envelope.messageId(),
          new Session.InFlight(deadline, received == null ? 0 : received.toEpochMilli()));
      session.received++;
      session.lastMessageAt = now;
    }
    return true;
  }

  /**
   * An ack or nack of a message in flight on {@code session}: it leaves the window (a slot is
   * free) and is counted.
   *
   * @return its lease, or null when it was not in flight on that session (nothing changed)
   */
  Session.InFlight settle(Session session, String messageId, boolean ack) {
    Session.InFlight lease = session.inFlight.remove(messageId);
    if (lease == null) {
      return null;
    }
    suspects.remove(messageId);
    session.lastPollActivityAt = clock.millis();
    if (ack) {
      session.acked++;
    } else {
      session.nacked++;
    }
    return lease;
  }

  // ---------------------------------------------------------------- flow (issue 16)

  /**
   * The connector of {@code session} asks for a window of {@code maxInFlight} messages (null: the
   * channel's own again), e.g. 0 while a target's circuit is open and 1 for its probe. With 0,
   * every message the session holds is handed back: it leaves the session's window here (the caller
   * releases it in the buffer, its delivery given back).
   *
   * @param circuits what the connector reports about its circuits (admin view), or null
   * @return the messages handed back (empty unless {@code maxInFlight} is 0)
   */
  Set<String> flow(Session session, Integer maxInFlight, io.vertx.core.json.JsonArray circuits) {
    int limit = maxInFlight == null ? -1 : Math.max(0, maxInFlight);
    if (limit < 0) {
      session.flowSince = 0;
    } else if (session.flowLimit < 0) {
      session.flowSince = clock.millis();
    }
    session.flowLimit = limit;
    session.circuits = limit < 0 ? null : report(circuits);
    if (limit != 0 || session.inFlight.isEmpty()) {
      return Set.of();
    }
    Set<String> handedBack = Set.copyOf(session.inFlight.keySet());
    session.inFlight.values().forEach(lease -> lease.ended("handed_back"));
    session.inFlight.clear();
    handedBack.forEach(suspects::remove);
    session.lastPollActivityAt = clock.millis();
    return handedBack;
  }

  /** Entries of a connector's circuit report kept for the admin view, and the longest text of one. */
  static final int MAX_REPORTED_CIRCUITS = 16;
  static final int MAX_REPORTED_TEXT = 200;

  /**
   * The connector's circuit report as the admin view shows it: at most {@link #MAX_REPORTED_CIRCUITS}
   * objects of {@code target}, {@code state}, {@code since} (texts, shortened) and {@code probes} (a
   * number); anything else the client sent is left out. Null when it sent none.
   */
  static io.vertx.core.json.JsonArray report(io.vertx.core.json.JsonArray circuits) {
    if (circuits == null) {
      return null;
    }
    io.vertx.core.json.JsonArray kept = new io.vertx.core.json.JsonArray();
    for (Object item : circuits) {
      if (kept.size() == MAX_REPORTED_CIRCUITS) {
        break;
      }
      if (item instanceof JsonObject circuit) {
        JsonObject entry = new JsonObject();
        for (String key : List.of("target", "state", "since")) {
          if (circuit.getValue(key) instanceof String text) {
            entry.put(key, text.length() > MAX_REPORTED_TEXT ? text.substring(0, MAX_REPORTED_TEXT) : text);
          }
        }
        if (circuit.getValue("probes") instanceof Number probes) {
          entry.put("probes", probes.longValue());
        }
        kept.add(entry);
      }
    }
    return kept;
  }

  /** Sessions whose connector asked for a window of 0 (paused). */
  int pausedCount() {
    int count = 0;
    for (Session session : sessions.values()) {
      if (session.flowLimit == 0 && !session.closed) {
        count++;
      }
    }
    return count;
  }

  // ---------------------------------------------------------------- long-poll

  /**
   * A poll of {@code session} waits for up to {@code max} messages: it replaces a waiting one
   * (answered empty) and counts as a sign of life.
   */
  void pollStarted(Session session, Promise<List<Envelope>> poll, String pollId, int max) {
    if (session.pendingPoll != null) {
      session.pendingPoll.tryComplete(List.of());
    }
    long now = clock.millis();
    session.lastHeartbeatAt = now;
    session.lastPollActivityAt = now;
    session.pendingPoll = poll;
    session.pendingPollId = pollId;
    session.pollMax = max;
  }

  /**
   * {@code poll} was answered (messages, timeout, replaced, cancelled).
   *
   * @return whether it was the session's waiting poll (its timer can go)
   */
  boolean pollEnded(Session session, Promise<List<Envelope>> poll) {
    session.lastPollActivityAt = clock.millis();
    if (session.pendingPoll != poll) {
      return false;
    }
    session.pendingPoll = null;
    session.pendingPollId = null;
    return true;
  }

  /**
   * The client of poll {@code pollId} went away: if that poll still waits it is answered empty
   * (no messages for a gone client).
   *
   * @return whether the session should end now: its waiting poll was cancelled and it holds no leases
   */
  boolean cancelPoll(Session session, String pollId) {
    if (session.pendingPoll == null || session.pendingPollId == null || !session.pendingPollId.equals(pollId)) {
      return false;
    }
    session.pendingPoll.tryComplete(List.of());
    return session.inFlight.isEmpty();
  }

  // ---------------------------------------------------------------- the periodic sweep

  /**
   * Forgets leases past their deadline (the buffer requeues them by itself) and suspects past
   * theirs, and finds the poll sessions idle for longer than {@link #pollIdleMillis}.
   *
   * @return the sessions to end (empty when none)
   */
  List<Session> sweep() {
    long now = clock.millis();
    suspects.values().removeIf(until -> until < now);
    long idleMillis = pollIdleMillis();
    List<Session> idle = List.of();
    for (Session session : sessions.values()) {
      if (session.inFlight.values().removeIf(lease -> {
        if (lease.deadline() >= now) {
          return false;
        }
        lease.ended("lease_expired");
        return true;
      })) {
        session.lastPollActivityAt = now;
      }
      long idleSince = session.pollIdleSince();
      if (idleSince >= 0 && now - idleSince > idleMillis) {
        if (idle.isEmpty()) {
          idle = new ArrayList<>();
        }
        idle.add(session);
      }
    }
    return idle;
  }

  /** Whether some session could take a message now. */
  boolean hasRoom() {
    for (Session session : sessions.values()) {
      if (session.room(maxInFlight()) > 0) {
        return true;
      }
    }
    return false;
  }
}
