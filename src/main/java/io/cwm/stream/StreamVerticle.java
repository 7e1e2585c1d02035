package io.cwm.stream;

import io.cwm.buffer.BufferClient;
import io.cwm.config.ChannelSpec;
import io.cwm.buffer.Envelope;
import io.cwm.buffer.MessageBuffer;
import io.cwm.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connector sessions per channel (spec §4): pulls messages from the buffer while a session has
 * room in its window ({@code max_in_flight}), hands each to exactly one session (the one with
 * the most free slots: competing consumers, not Python's hot standby), settles acks and nacks,
 * and on a session's end returns its in-flight messages to the buffer at once.
 *
 * <p>The three transports share one set of limits: a long-poll session (one per channel and
 * connector id) counts toward {@code max_connections} like a WebSocket or SSE session and never
 * holds more than {@code max_in_flight} unacked leases. Having no socket, it ends when its client
 * leaves during a poll while it holds no leases, or after {@link #POLL_IDLE_HEARTBEATS} heartbeat
 * intervals with no poll waiting and no lease held.
 *
 * <p>Single instance, one event loop: all session state is touched from one thread. Frames go
 * to the edge that holds the socket over {@code cwm.session.<connection id>}.
 */
public final class StreamVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(StreamVerticle.class);
  /** Pulls again this often while a session has room, for delayed retries and other nodes' publishes. */
  static final long TICK_MS = 200;
  /**
   * A poll session ends after this many heartbeat intervals with no poll waiting and no lease
   * held (90 s by default: the WebSocket's stale rule), so a poll client that is gone does not
   * keep a max_connections slot.
   */
  static final int POLL_IDLE_HEARTBEATS = 3;

  private final Map<String, ChannelSpec> specs;
  private final Map<String, ChannelState> channels = new LinkedHashMap<>();
  private final Map<String, Session> sessions = new LinkedHashMap<>();
  private MessageBuffer buffer;
  private MessageConsumer<StreamCall> calls;
  private MessageConsumer<String> ready;
  private long tick = -1;
  /** Null unless this process is a member of a cluster. */
  private ClusterSessions cluster;
  private long refresh = -1;
  /** Sessions whose (asynchronous, cluster-wide) admission is under way. */
  private final Set<String> opening = new HashSet<>();

  /** Pump state of one channel. */
  private static final class ChannelState {
    final ChannelSpec spec;
    final Map<String, Session> sessions = new LinkedHashMap<>();
    boolean pumping;
    boolean again;

    ChannelState(ChannelSpec spec) {
      this.spec = spec;
    }
  }

  /** What this verticle reports to metrics; null for none. */
  public interface Observer {
    /** A message received at the receiver was acked after {@code millis}. */
    void acked(String channel, long millis);

    /** The channel now has {@code count} active sessions of {@code protocol} in this process. */
    void connectors(String channel, String protocol, int count);
  }

  private final Observer observer;

  public StreamVerticle(Map<String, ChannelSpec> specs) {
    this(specs, null);
  }

  public StreamVerticle(Map<String, ChannelSpec> specs, Observer observer) {
    this.specs = specs;
    this.observer = observer;
  }

  @Override
  public Future<?> start() {
    buffer = new BufferClient(vertx);
    specs.values().forEach(spec -> channels.put(spec.name(), new ChannelState(spec)));
    calls = vertx.eventBus().localConsumer(Addresses.STREAM_CALL, this::onCall);
    ready = vertx.eventBus().consumer(Addresses.STREAM_READY, message -> {
      ChannelState state = channels.get(message.body());
      if (state != null) {
        pump(state);
      }
    });
    tick = vertx.setPeriodic(TICK_MS, id -> onTick());
    if (!vertx.isClustered()) {
      return Future.all(calls.completion(), ready.completion());
    }
    cluster = new ClusterSessions(vertx);
    refresh = vertx.setPeriodic(ClusterSessions.REFRESH_MS, id -> cluster.refresh(sessions.values()));
    return Future.all(calls.completion(), ready.completion(), cluster.start(this::disconnectFromPeer));
  }

  /** Another node's admin asks this node to end one of its sessions. */
  private Future<Boolean> disconnectFromPeer(JsonObject request) {
    Session session = sessions.get(request.getString("connection_id"));
    if (session == null) {
      return Future.failedFuture(new StreamFailure(StreamFailure.Reason.NOT_FOUND));
    }
    if (!session.channel.equals(request.getString("channel"))) {
      return Future.failedFuture(new StreamFailure(StreamFailure.Reason.WRONG_CHANNEL));
    }
    end(session);
    return Future.succeededFuture(true);
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(tick);
    if (cluster != null) {
      vertx.cancelTimer(refresh);
      new ArrayList<>(sessions.keySet()).forEach(cluster::removed);
      return Future.all(calls.unregister(), ready.unregister(), cluster.stop());
    }
    return Future.all(calls.unregister(), ready.unregister());
  }

  /** One request of {@link StreamService}: dispatched by its record type (the most frequent first). */
  private void onCall(Message<StreamCall> message) {
    StreamCall call = message.body();
    ChannelState state = channels.get(call.channel());
    if (state == null && !(call instanceof StreamCall.Close) && !(call instanceof StreamCall.Sessions)) {
      StreamFailure.fail(message, StreamFailure.Reason.UNKNOWN_CHANNEL);
      return;
    }
    if (call instanceof StreamCall.Settle settle) {
      settleOwn(state, settle, message);
    } else if (call instanceof StreamCall.Heartbeat heartbeat) {
      Session session = sessions.get(heartbeat.connectionId());
      if (session != null) {
        session.lastHeartbeatAt = System.currentTimeMillis();
      }
    } else if (call instanceof StreamCall.SettleAny settle) {
      settleAny(state, settle, message);
    } else if (call instanceof StreamCall.Poll poll) {
      poll(state, poll, message);
    } else if (call instanceof StreamCall.CancelPoll cancel) {
      cancelPoll(cancel, message);
    } else if (call instanceof StreamCall.Open open) {
      open(state, open, message);
    } else if (call instanceof StreamCall.Close close) {
      close(close.connectionId(), "client gone");
      message.reply(StreamCall.Reply.NONE);
    } else if (call instanceof StreamCall.Count) {
      count(state, message);
    } else if (call instanceof StreamCall.Sessions) {
      message.reply(new StreamCall.Reply(call.channel() == null ? sessions.size()
          : state == null ? 0 : state.sessions.size()));
    } else if (call instanceof StreamCall.Clients) {
      clients(state, message);
    } else if (call instanceof StreamCall.Disconnect disconnect) {
      disconnect(state, disconnect, message);
    }
  }

  private void cancelPoll(StreamCall.CancelPoll call, Message<StreamCall> message) {
    Session session = sessions.get(call.connectionId());
    if (session != null && session.pendingPoll != null && session.pendingPollId != null
        && session.pendingPollId.equals(call.pollId())) {
      vertx.cancelTimer(session.pollTimer);
      session.pendingPoll.tryComplete(List.of()); // takes no more messages for a gone client
      if (session.inFlight.isEmpty()) {
        close(session.id, "client left during a poll");
      }
    }
    message.reply(StreamCall.Reply.NONE);
  }

  private void count(ChannelState state, Message<StreamCall> message) {
    if (cluster == null) {
      message.reply(new StreamCall.Reply(activeCount(state)));
    } else {
      clusterClients(state).onComplete(all -> message.reply(new StreamCall.Reply(all.succeeded()
          ? all.result().size() : activeCount(state))));
    }
  }

  private void clients(ChannelState state, Message<StreamCall> message) {
    if (cluster == null) {
      message.reply(new StreamCall.Reply(localClients(state)));
    } else {
      clusterClients(state).onComplete(all -> message.reply(new StreamCall.Reply(all.succeeded()
          ? all.result() : localClients(state))));
    }
  }

  private static int activeCount(ChannelState state) {
    int count = 0;
    for (Session session : state.sessions.values()) {
      if (session.active()) {
        count++;
      }
    }
    return count;
  }

  private static List<JsonObject> localClients(ChannelState state) {
    List<JsonObject> clients = new ArrayList<>();
    state.sessions.values().forEach(session -> clients.add(session.toJson()));
    return clients;
  }

  /** Every session of the channel in the cluster: this node's as they are now, the others' as last refreshed. */
  private Future<List<JsonObject>> clusterClients(ChannelState state) {
    return cluster.sessions(state.spec.name()).map(all -> {
      List<JsonObject> clients = localClients(state);
      for (JsonObject entry : all) {
        if (!cluster.nodeId().equals(entry.getString("node"))) {
          clients.add(entry.copy());
        }
      }
      return clients;
    });
  }

  /**
   * Admission of a new session: the channel's {@code max_connections} in this process and, when
   * clustered, across the cluster. A cluster map that cannot be reached does not lock connectors
   * out: the local limit then stands alone (logged).
   */
  private Future<Boolean> admit(ChannelState state, Session session) {
    if (activeCount(state) >= state.spec.maxConnections()) {
      return Future.succeededFuture(false);
    }
    if (cluster == null) {
      return Future.succeededFuture(true);
    }
    opening.add(session.id);
    return cluster.admit(session, state.spec.maxConnections())
        .recover(failure -> {
          LOG.warn("[channel: {}] cluster session map unavailable ({}): admitting on the local limit",
              state.spec.name(), failure.getMessage());
          return Future.succeededFuture(activeCount(state) < state.spec.maxConnections());
        })
        .map(admitted -> {
          boolean goneMeanwhile = !opening.remove(session.id);
          if (admitted && goneMeanwhile) {
            cluster.removed(session.id);
            return false;
          }
          return admitted;
        });
  }

  private void open(ChannelState state, StreamCall.Open call, Message<StreamCall> message) {
    Session session = new Session(call.connectionId(), state.spec.name(), call.connectorId(), call.protocol(),
        System.currentTimeMillis(), call.remoteIp());
    admit(state, session).onComplete(admitted -> {
      if (admitted.failed() || !admitted.result()) {
        StreamFailure.fail(message, StreamFailure.Reason.FULL);
        return;
      }
      opened(state, session, message);
    });
  }

  private void opened(ChannelState state, Session session, Message<StreamCall> message) {
    sessions.put(session.id, session);
    state.sessions.put(session.id, session);
    LOG.info("[channel: {}, connection_id: {}, connector_id: {}] {} session open", session.channel, session.id,
        session.connectorId, session.protocol);
    message.reply(StreamCall.Reply.NONE);
    reportConnectors(state);
    pump(state);
  }

  /** Sessions of this process per protocol, for the connectors gauge. */
  private void reportConnectors(ChannelState state) {
    if (observer == null) {
      return;
    }
    int websocket = 0;
    int sse = 0;
    int poll = 0;
    for (Session session : state.sessions.values()) {
      switch (session.protocol) {
        case "websocket" -> websocket++;
        case "sse" -> sse++;
        default -> poll++;
      }
    }
    observer.connectors(state.spec.name(), "websocket", websocket);
    observer.connectors(state.spec.name(), "sse", sse);
    observer.connectors(state.spec.name(), "long_poll", poll);
  }

  private void close(String connectionId, String why) {
    opening.remove(connectionId); // an admission still under way is void
    Session session = sessions.remove(connectionId);
    if (session == null) {
      return;
    }
    if (cluster != null) {
      cluster.removed(connectionId);
    }
    session.closed = true;
    ChannelState state = channels.get(session.channel);
    state.sessions.remove(connectionId);
    reportConnectors(state);
    if (session.pendingPoll != null) {
      vertx.cancelTimer(session.pollTimer);
      session.pendingPoll.tryComplete(List.of());
    }
    int inFlight = session.inFlight.size();
    // Poll sessions keep their leases until acked or timed out (a later poll may ack them).
    if (!session.isPoll()) {
      buffer.release(state.spec, connectionId).onComplete(done -> pump(state));
    }
    LOG.info("[channel: {}, connection_id: {}] {} session closed: {} ({} in flight returned)", session.channel,
        connectionId, session.protocol, why, session.isPoll() ? 0 : inFlight);
  }

  /** Admin: ends a session, telling its edge to close the socket; a session of another node is ended there. */
  private void disconnect(ChannelState state, StreamCall.Disconnect call, Message<StreamCall> message) {
    Session session = sessions.get(call.connectionId());
    if (session == null && cluster != null) {
      cluster.owner(call.connectionId())
          .compose(node -> node == null || node.equals(cluster.nodeId())
              ? Future.failedFuture(new StreamFailure(StreamFailure.Reason.NOT_FOUND))
              : cluster.disconnectRemote(node, state.spec.name(), call.connectionId()))
          .onComplete(done -> {
            if (done.succeeded()) {
              message.reply(StreamCall.Reply.NONE);
            } else if (StreamFailure.is(done.cause(), StreamFailure.Reason.WRONG_CHANNEL)) {
              StreamFailure.fail(message, StreamFailure.Reason.WRONG_CHANNEL);
            } else {
              StreamFailure.fail(message, StreamFailure.Reason.NOT_FOUND);
            }
          });
      return;
    }
    if (session == null) {
      StreamFailure.fail(message, StreamFailure.Reason.NOT_FOUND);
      return;
    }
    if (!session.channel.equals(state.spec.name())) {
      StreamFailure.fail(message, StreamFailure.Reason.WRONG_CHANNEL);
      return;
    }
    end(session);
    message.reply(StreamCall.Reply.NONE);
  }

  /** Ends a session of this process: its edge closes the socket. */
  private void end(Session session) {
    if (!session.isPoll()) {
      vertx.eventBus().send(Addresses.session(session.id), SessionEnd.ADMIN, Addresses.LOCAL);
    }
    close(session.id, "disconnected by admin");
  }

  private void settleOwn(ChannelState state, StreamCall.Settle call, Message<StreamCall> message) {
    Session session = sessions.get(call.connectionId());
    Session.InFlight lease = session == null ? null : session.inFlight.remove(call.messageId());
    if (lease == null) {
      message.reply(StreamCall.Reply.FALSE); // not in flight on this session: ignored
      return;
    }
    settled(state, session, lease, call.ack());
    settle(state, call.messageId(), call.ack(), call.retry())
        .onComplete(done -> message.reply(StreamCall.Reply.of(done.succeeded() && done.result())));
    pump(state);
  }

  /** /connect/ack: the message is looked up within the channel (the connection id is a hint). */
  private void settleAny(ChannelState state, StreamCall.SettleAny call, Message<StreamCall> message) {
    Session hinted = sessions.get(call.connectionId());
    // the hint counts only within the channel the token grants: another channel's session is left alone
    Session.InFlight hintedLease = hinted != null && hinted.channel.equals(state.spec.name())
        ? hinted.inFlight.remove(call.messageId()) : null;
    if (hintedLease != null) {
      settled(state, hinted, hintedLease, call.ack());
      settle(state, call.messageId(), call.ack(), call.retry())
          .onComplete(done -> message.reply(StreamCall.Reply.of(done.succeeded() && done.result())));
      pump(state);
      return;
    }
    buffer.leaseOwner(state.spec, call.messageId()).onComplete(owner -> {
      if (owner.failed() || owner.result() == null) {
        message.reply(StreamCall.Reply.FALSE);
        return;
      }
      Session holder = sessions.get(owner.result());
      Session.InFlight lease = holder == null ? null : holder.inFlight.remove(call.messageId());
      if (lease != null) {
        settled(state, holder, lease, call.ack());
      }
      settle(state, call.messageId(), call.ack(), call.retry())
          .onComplete(done -> message.reply(StreamCall.Reply.of(done.succeeded() && done.result())));
      pump(state);
    });
  }

  /** Bookkeeping of a settle by a session of this process (admin counters, latency). */
  private void settled(ChannelState state, Session session, Session.InFlight lease, boolean ack) {
    session.lastPollActivityAt = System.currentTimeMillis();
    if (ack) {
      session.acked++;
      if (observer != null && lease.receivedAt() > 0) {
        observer.acked(state.spec.name(), System.currentTimeMillis() - lease.receivedAt());
      }
    } else {
      session.nacked++;
    }
  }

  private Future<Boolean> settle(ChannelState state, String messageId, boolean ack, boolean retry) {
    if (ack) {
      return buffer.ack(state.spec, messageId);
    }
    return buffer.nack(state.spec, messageId, retry)
        .map(outcome -> outcome != MessageBuffer.NackOutcome.NOT_IN_FLIGHT);
  }

  private void poll(ChannelState state, StreamCall.Poll call, Message<StreamCall> message) {
    Session existing = sessions.get(call.connectionId());
    if (existing != null) {
      polled(state, existing, call, message);
      return;
    }
    Session created = new Session(call.connectionId(), state.spec.name(), call.connectorId(), "long_poll",
        System.currentTimeMillis(), call.remoteIp());
    admit(state, created).onComplete(admitted -> {
      if (admitted.failed() || !admitted.result()) {
        StreamFailure.fail(message, StreamFailure.Reason.FULL);
        return;
      }
      Session raced = sessions.get(created.id); // another poll of the same session got in first
      Session session = raced != null ? raced : created;
      if (raced == null) {
        sessions.put(session.id, session);
        state.sessions.put(session.id, session);
        reportConnectors(state);
      }
      polled(state, session, call, message);
    });
  }

  private void polled(ChannelState state, Session session, StreamCall.Poll call, Message<StreamCall> message) {
    if (session.pendingPoll != null) { // a newer poll replaces a waiting one
      vertx.cancelTimer(session.pollTimer);
      session.pendingPoll.tryComplete(List.of());
    }
    Promise<List<Envelope>> result = Promise.promise();
    Session polling = session;
    session.lastHeartbeatAt = System.currentTimeMillis();
    session.lastPollActivityAt = session.lastHeartbeatAt;
    session.pendingPoll = result;
    session.pendingPollId = call.pollId();
    session.pollMax = call.max();
    session.pollTimer = vertx.setTimer(call.timeoutMillis(), id -> result.tryComplete(List.of()));
    result.future().onComplete(done -> {
      if (polling.pendingPoll == result) {
        polling.pendingPoll = null;
        polling.pendingPollId = null;
        vertx.cancelTimer(polling.pollTimer);
      }
      polling.lastPollActivityAt = System.currentTimeMillis();
      message.reply(new StreamCall.Reply(done.result()));
    });
    pump(state);
  }

  private void onTick() {
    long now = System.currentTimeMillis();
    for (ChannelState state : channels.values()) {
      long idleMillis = POLL_IDLE_HEARTBEATS * state.spec.heartbeatIntervalSeconds() * 1000L;
      List<Session> idle = new ArrayList<>();
      boolean room = false;
      for (Session session : state.sessions.values()) {
        if (session.inFlight.values().removeIf(lease -> lease.deadline() < now)) { // the buffer requeued them
          session.lastPollActivityAt = now;
        }
        long idleSince = session.pollIdleSince();
        if (idleSince >= 0 && now - idleSince > idleMillis) {
          idle.add(session);
        }
        room |= session.room(state.spec.maxInFlight()) > 0;
      }
      for (Session session : idle) {
        close(session.id, "no poll and no lease for " + idleMillis / 1000 + " s");
      }
      if (room) {
        pump(state);
      }
    }
  }

  /** Leases for the session with the most room; repeats while messages keep coming. */
  private void pump(ChannelState state) {
    if (state.pumping) {
      state.again = true;
      return;
    }
    Session target = null;
    int room = 0;
    for (Session session : state.sessions.values()) {
      int free = session.room(state.spec.maxInFlight());
      if (free > room) {
        room = free;
        target = session;
      }
    }
    if (target == null) {
      return;
    }
    state.pumping = true;
    state.again = false;
    Session session = target;
    int asked = room;
    long leaseMillis = state.spec.ackTimeoutSeconds() * 1000L;
    buffer.lease(state.spec, session.id, asked, leaseMillis).onComplete(done -> {
      state.pumping = false;
      if (done.failed()) {
        LOG.warn("[channel: {}] lease failed: {}", state.spec.name(), done.cause().getMessage());
        return;
      }
      List<Envelope> leased = done.result();
      deliver(state, session, leased, leaseMillis);
      if (state.again || leased.size() == asked) {
        pump(state);
      }
    });
  }

  private void deliver(ChannelState state, Session session, List<Envelope> leased, long leaseMillis) {
    if (leased.isEmpty()) {
      return;
    }
    if (session.closed) {
      buffer.release(state.spec, session.id); // it went away while we were leasing
      return;
    }
    long now = System.currentTimeMillis();
    long deadline = now + leaseMillis;
    if (session.isPoll()) {
      List<Envelope> batch = new ArrayList<>(leased);
      if (session.pendingPoll == null || !session.pendingPoll.tryComplete(batch)) {
        buffer.release(state.spec, session.id);
        return;
      }
    }
    for (Envelope envelope : leased) {
      Instant received = Envelope.parse(envelope.timestamp());
      session.inFlight.put(envelope.messageId(), new Session.InFlight(deadline, received == null ? 0 : received.toEpochMilli()));
      session.received++;
      session.lastMessageAt = now;
      if (!session.isPoll()) {
        vertx.eventBus().send(Addresses.session(session.id), envelope, Addresses.LOCAL);
      }
    }
  }
}
