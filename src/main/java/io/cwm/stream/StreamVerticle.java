package io.cwm.stream;

import io.cwm.trace.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;

import io.cwm.buffer.BufferClient;
import io.cwm.buffer.Envelope;
import io.cwm.buffer.MessageBuffer;
import io.cwm.bus.Addresses;
import io.cwm.bus.ChannelDirectory;
import io.cwm.config.ChannelOwners;
import io.cwm.config.ChannelSpec;
import io.cwm.config.ChannelUpdate;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@link StreamService} for the channels it owns: their connector sessions, one
 * {@link ChannelWindow} per channel (which decides admission, the windows and which session
 * gets the next lease). This verticle does the wiring: it leases from and settles with the
 * buffer, sends each leased message to the edge that holds the session's socket
 * ({@code cwm.session.<connection id>}), runs the timers (the tick that pulls again and ends idle
 * poll sessions, the poll timeouts, the cluster refresh) and, when clustered, admits and
 * disconnects through {@link ClusterSessions}.
 *
 * <p>One instance owns a share of the channels ({@link io.cwm.config.ChannelOwners}) and claims
 * them in the {@link ChannelDirectory}: everything of one channel (its sessions, window, leases
 * and ready notices) lives on its owner's event loop, so no state is shared between threads.
 *
 * <p>Channels at run time: a {@link ChannelUpdate} on {@link Addresses#CHANNELS_UPDATE} (after a
 * reload) extends the owners ({@link ChannelOwners#extend}); this instance claims the new channels
 * it owns and opens a window for each, and gives a changed spec to the channel's window (see
 * {@link ChannelWindow#update}): connected sessions stay. A channel absent from the update keeps
 * its window and sessions (connectors drain it).
 */
public final class StreamVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(StreamVerticle.class);
  /** Pulls again this often while a session has room, for delayed retries and other nodes' publishes. */
  static final long TICK_MS = 200;
  private static final String SESSION_CHANNELS = "cwm.stream.session.channels";

  /** The channels this instance owns, with their latest spec (only ever grows). */
  private final Map<String, ChannelSpec> specs = new LinkedHashMap<>();
  /** Who owns what on this line; null: this instance is the only one (it owns every channel). */
  private ChannelOwners owners;
  private MessageConsumer<ChannelUpdate> updates;
  private final Clock clock;
  private final Map<String, ChannelWindow> windows = new LinkedHashMap<>();
  /** Every session of this process, by connection id. */
  private final Map<String, Session> sessions = new LinkedHashMap<>();
  private final int index;
  private MessageBuffer buffer;
  private ChannelDirectory directory;
  /** Every session of this process (all instances), connection id to channel name. */
  private LocalMap<String, String> sessionChannels;
  private MessageConsumer<StreamCall> shared;
  private MessageConsumer<StreamCall> calls;
  private MessageConsumer<String> ready;
  private MessageConsumer<String> ownReady;
  private long tick = -1;
  /** Null unless this process is a member of a cluster. */
  private ClusterSessions cluster;
  private long refresh = -1;
  /** Sessions whose (asynchronous, cluster-wide) admission is under way. */
  private final Set<String> opening = new HashSet<>();

  /** What this verticle reports to metrics; null for none. */
  public interface Observer {
    /** A message received at the receiver was acked after {@code millis}. */
    void acked(String channel, long millis);

    /** The channel now has {@code count} active sessions of {@code protocol} in this process. */
    void connectors(String channel, String protocol, int count);

    /** Issue 16: the channel now has {@code count} sessions whose connector paused them (a circuit is open). */
    default void paused(String channel, int count) {
    }
  }

  private final Observer observer;

  public StreamVerticle(Map<String, ChannelSpec> specs) {
    this(specs, null);
  }

  public StreamVerticle(Map<String, ChannelSpec> specs, Observer observer) {
    this(specs, observer, Clock.systemUTC());
  }

  public StreamVerticle(Map<String, ChannelSpec> specs, Observer observer, Clock clock) {
    this(specs, observer, clock, 0);
  }

  /**
   * @param specs the channels this instance owns
   * @param index this instance's number among the stream's instances
   */
  public StreamVerticle(Map<String, ChannelSpec> specs, Observer observer, Clock clock, int index) {
    this(specs, observer, clock, index, null);
  }

  /**
   * @param owners which instance of the line owns which channel, extended by each
   *     {@link ChannelUpdate}; null when this instance is the only one
   */
  private Tracing tracing = Tracing.OFF;

  public StreamVerticle(Map<String, ChannelSpec> specs, Observer observer, Clock clock, int index,
      ChannelOwners owners) {
    this.specs.putAll(specs);
    this.owners = owners;
    this.observer = observer;
    this.clock = clock;
    this.index = index;
  }

  /** Traces each delivery attempt (issue 19) with {@code value}. Before deployment. */
  public StreamVerticle tracing(Tracing value) {
    this.tracing = value;
    return this;
  }

  /**
   * Leases and settles through {@code local} (the buffer part of a {@code channel} verticle, on
   * the same context) instead of over the event bus. Before deployment.
   */
  void useBuffer(MessageBuffer local) {
    this.buffer = local;
  }

  /** A ready notice: messages of {@code channel} may be waiting (ignored unless this instance owns it). */
  void ready(String channel) {
    ChannelWindow window = windows.get(channel);
    if (window != null) {
      pump(window);
    }
  }

  @Override
  public Future<?> start() {
    if (buffer == null) {
      buffer = new BufferClient(vertx);
    }
    specs.values().forEach(spec -> windows.put(spec.name(), new ChannelWindow(spec, clock)));
    directory = ChannelDirectory.stream(vertx);
    sessionChannels = vertx.sharedData().getLocalMap(SESSION_CHANNELS);
    // the shared address takes calls about channels nobody owns (answered: unknown channel)
    shared = vertx.eventBus().localConsumer(directory.sharedAddress(), this::onCall);
    calls = vertx.eventBus().localConsumer(directory.instanceAddress(index), this::onCall);
    specs.keySet().forEach(channel -> directory.claim(channel, index));
    // notices from this process's buffer come to this instance's own address; the cluster-wide
    // address carries other nodes' (every instance hears those and keeps the ones it owns)
    Handler<Message<String>> onReady = message -> ready(message.body());
    ownReady = vertx.eventBus().localConsumer(directory.instanceReadyAddress(index), onReady);
    ready = vertx.eventBus().consumer(Addresses.STREAM_READY, onReady);
    updates = vertx.eventBus().localConsumer(Addresses.CHANNELS_UPDATE, message -> update(message.body()));
    tick = vertx.setPeriodic(TICK_MS, id -> onTick());
    if (!vertx.isClustered()) {
      return Future.all(List.of(shared.completion(), calls.completion(), ready.completion(), ownReady.completion(),
          updates.completion()));
    }
    cluster = new ClusterSessions(vertx);
    refresh = vertx.setPeriodic(ClusterSessions.REFRESH_MS, id -> cluster.refresh(sessions.values()));
    return Future.all(List.of(shared.completion(), calls.completion(), ready.completion(), ownReady.completion(),
        updates.completion(), cluster.start(this::disconnectFromPeer)));
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(tick);
    specs.keySet().forEach(channel -> directory.release(channel, index));
    if (cluster != null) {
      vertx.cancelTimer(refresh);
      new ArrayList<>(sessions.keySet()).forEach(cluster::removed);
      return Future.all(List.of(shared.unregister(), calls.unregister(), ready.unregister(), ownReady.unregister(),
          updates.unregister(), cluster.stop()));
    }
    return Future.all(List.of(shared.unregister(), calls.unregister(), ready.unregister(), ownReady.unregister(),
        updates.unregister()));
  }

  /** A reload: see the class comment. On this instance's context (its own consumer). */
  private void update(ChannelUpdate update) {
    Set<String> mine;
    if (owners == null) {
      mine = update.channels().keySet();
    } else {
      owners = owners.extend(update.channels().keySet());
      mine = new HashSet<>(owners.channelsOf(index));
    }
    update.channels().forEach((name, spec) -> {
      if (!mine.contains(name) || spec.equals(specs.get(name))) {
        return;
      }
      specs.put(name, spec);
      ChannelWindow window = windows.get(name);
      if (window != null) {
        window.update(spec);
        LOG.info("[channel: {}] new spec for new calls and sessions ({} session(s) stay connected)", name,
            window.size());
        pump(window); // a larger window may have room now
        return;
      }
      ChannelWindow created = new ChannelWindow(spec, clock);
      windows.put(name, created);
      directory.claim(name, index);
      LOG.info("stream instance {} takes new channel {}", index, name);
    });
  }

  /** One request of {@link StreamService}: dispatched by its record type (the most frequent first). */
  private void onCall(Message<StreamCall> message) {
    StreamCall call = message.body();
    ChannelWindow window = windows.get(call.channel());
    if (window == null && !(call instanceof StreamCall.Close) && !(call instanceof StreamCall.Sessions)) {
      StreamFailure.fail(message, StreamFailure.Reason.UNKNOWN_CHANNEL);
      return;
    }
    if (call instanceof StreamCall.Settle settle) {
      settle(window, settle, message);
    } else if (call instanceof StreamCall.Heartbeat heartbeat) {
      Session session = sessions.get(heartbeat.connectionId());
      if (session != null) {
        window.heartbeat(session);
      }
    } else if (call instanceof StreamCall.SettleAny settle) {
      settleAny(window, settle, message);
    } else if (call instanceof StreamCall.Poll poll) {
      poll(window, poll, message);
    } else if (call instanceof StreamCall.CancelPoll cancel) {
      cancelPoll(window, cancel, message);
    } else if (call instanceof StreamCall.Flow flow) {
      flow(window, flow, message);
    } else if (call instanceof StreamCall.Open open) {
      open(window, open, message);
    } else if (call instanceof StreamCall.Close close) {
      close(close.connectionId(), "client gone");
      message.reply(StreamCall.Reply.NONE);
    } else if (call instanceof StreamCall.Count) {
      count(window, message);
    } else if (call instanceof StreamCall.Sessions) {
      message.reply(new StreamCall.Reply(call.channel() == null ? sessions.size()
          : window == null ? 0 : window.size()));
    } else if (call instanceof StreamCall.Clients) {
      clients(window, message);
    } else if (call instanceof StreamCall.Disconnect disconnect) {
      disconnect(window, disconnect, message);
    }
  }

  // ---------------------------------------------------------------- open, close, admission

  private void open(ChannelWindow window, StreamCall.Open call, Message<StreamCall> message) {
    Session session = window.newSession(call.connectionId(), call.connectorId(), call.protocol(), call.remoteIp());
    admit(window, session).onComplete(admitted -> {
      if (admitted.failed() || !admitted.result()) {
        StreamFailure.fail(message, StreamFailure.Reason.FULL);
        return;
      }
      added(window, session);
      LOG.info("[channel: {}, connection_id: {}, connector_id: {}] {} session open", session.channel, session.id,
          session.connectorId, session.protocol);
      message.reply(StreamCall.Reply.NONE);
      pump(window);
    });
  }

  private void added(ChannelWindow window, Session session) {
    sessions.put(session.id, session);
    sessionChannels.put(session.id, session.channel);
    window.add(session);
    reportConnectors(window);
  }

  /**
   * Admission of a new session: the channel's {@code max_connections} in this process and, when
   * clustered, across the cluster. A cluster map that cannot be reached does not lock connectors
   * out: the local limit then stands alone (logged).
   */
  private Future<Boolean> admit(ChannelWindow window, Session session) {
    if (!window.admits()) {
      return Future.succeededFuture(false);
    }
    if (cluster == null) {
      return Future.succeededFuture(true);
    }
    opening.add(session.id);
    return cluster.admit(session, window.spec().maxConnections())
        .recover(failure -> {
          LOG.warn("[channel: {}] cluster session map unavailable ({}): admitting on the local limit",
              window.name(), failure.getMessage());
          return Future.succeededFuture(window.admits());
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

  private void close(String connectionId, String why) {
    opening.remove(connectionId); // an admission still under way is void
    Session session = sessions.remove(connectionId);
    if (session != null) {
      sessionChannels.remove(connectionId);
    }
    if (session == null) {
      return;
    }
    if (cluster != null) {
      cluster.removed(connectionId);
    }
    ChannelWindow window = windows.get(session.channel);
    window.remove(connectionId); // a waiting poll is answered (empty) and its timer cancelled
    session.inFlight.values().forEach(lease -> lease.ended("session_closed: " + why));
    reportConnectors(window);
    if (session.flowLimit >= 0 && observer != null) {
      observer.paused(window.name(), window.pausedCount());
    }
    int inFlight = session.inFlight.size();
    // Poll sessions keep their leases until acked or timed out (a later poll may ack them).
    if (!session.isPoll()) {
      Set<String> uncounted = window.broke(session);
      buffer.release(window.spec(), connectionId, uncounted).onComplete(done -> pump(window));
      if (inFlight > 0) {
        LOG.info("[channel: {}, connection_id: {}] {} message(s) in flight on a broken session: each goes to one "
            + "session at a time until acked or nacked{}", session.channel, connectionId, inFlight,
            uncounted.isEmpty() ? "" : " (these deliveries are not counted: none of them can be blamed)");
      }
    }
    LOG.info("[channel: {}, connection_id: {}] {} session closed: {} ({} in flight returned)", session.channel,
        connectionId, session.protocol, why, session.isPoll() ? 0 : inFlight);
  }

  /** Sessions of this process per protocol, for the connectors gauge. */
  private void reportConnectors(ChannelWindow window) {
    if (observer == null) {
      return;
    }
    int websocket = 0;
    int sse = 0;
    int poll = 0;
    for (Session session : window.sessions()) {
      switch (session.protocol) {
        case "websocket" -> websocket++;
        case "sse" -> sse++;
        default -> poll++;
      }
    }
    observer.connectors(window.name(), "websocket", websocket);
    observer.connectors(window.name(), "sse", sse);
    observer.connectors(window.name(), "long_poll", poll);
  }

  // ---------------------------------------------------------------- admin views, disconnect

  private void count(ChannelWindow window, Message<StreamCall> message) {
    if (cluster == null) {
      message.reply(new StreamCall.Reply(window.activeCount()));
    } else {
      clusterClients(window).onComplete(all -> message.reply(new StreamCall.Reply(all.succeeded()
          ? all.result().size() : window.activeCount())));
    }
  }

  private void clients(ChannelWindow window, Message<StreamCall> message) {
    if (cluster == null) {
      message.reply(new StreamCall.Reply(window.clients()));
    } else {
      clusterClients(window).onComplete(all -> message.reply(new StreamCall.Reply(all.succeeded()
          ? all.result() : window.clients())));
    }
  }

  /** Every session of the channel in the cluster: this node's as they are now, the others' as last refreshed. */
  private Future<List<JsonObject>> clusterClients(ChannelWindow window) {
    return cluster.sessions(window.name()).map(all -> {
      List<JsonObject> clients = window.clients();
      for (JsonObject entry : all) {
        if (!cluster.nodeId().equals(entry.getString("node"))) {
          clients.add(entry.copy());
        }
      }
      return clients;
    });
  }

  /** Admin: ends a session, telling its edge to close the socket; a session of another node is ended there. */
  private void disconnect(ChannelWindow window, StreamCall.Disconnect call, Message<StreamCall> message) {
    Session session = sessions.get(call.connectionId());
    if (session == null && cluster != null) {
      cluster.owner(call.connectionId())
          .compose(node -> node == null || node.equals(cluster.nodeId())
              ? Future.failedFuture(new StreamFailure(StreamFailure.Reason.NOT_FOUND))
              : cluster.disconnectRemote(node, window.name(), call.connectionId()))
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
      // a session of another channel lives on that channel's owner: say so rather than "not found"
      String channel = sessionChannels.get(call.connectionId());
      StreamFailure.fail(message, channel != null && !channel.equals(window.name())
          ? StreamFailure.Reason.WRONG_CHANNEL : StreamFailure.Reason.NOT_FOUND);
      return;
    }
    if (!session.channel.equals(window.name())) {
      StreamFailure.fail(message, StreamFailure.Reason.WRONG_CHANNEL);
      return;
    }
    end(session);
    message.reply(StreamCall.Reply.NONE);
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

  /** Ends a session of this process: its edge closes the socket. */
  private void end(Session session) {
    if (!session.isPoll()) {
      vertx.eventBus().send(Addresses.session(session.id), SessionEnd.ADMIN_DISCONNECT, Addresses.LOCAL);
    }
    close(session.id, "disconnected by admin");
  }

  // ---------------------------------------------------------------- settling

  private void settle(ChannelWindow window, StreamCall.Settle call, Message<StreamCall> message) {
    Session session = sessions.get(call.connectionId());
    Session.InFlight lease = session == null ? null : window.settle(session, call.messageId(), call.ack());
    if (lease == null) {
      message.reply(StreamCall.Reply.FALSE); // not in flight on this session: ignored
      return;
    }
    observeAck(window, lease, call.ack(), call.retry());
    settleInBuffer(window, call.messageId(), call.ack(), call.retry())
        .onComplete(done -> message.reply(StreamCall.Reply.of(done.succeeded() && done.result())));
    pump(window);
  }

  /** /connect/ack: the message is looked up within the channel (the connection id is a hint). */
  private void settleAny(ChannelWindow window, StreamCall.SettleAny call, Message<StreamCall> message) {
    Session hinted = sessions.get(call.connectionId());
    // the hint counts only within the channel the token grants: another channel's session is left alone
    Session.InFlight hintedLease = hinted != null && hinted.channel.equals(window.name())
        ? window.settle(hinted, call.messageId(), call.ack()) : null;
    if (hintedLease != null) {
      observeAck(window, hintedLease, call.ack(), call.retry());
      settleInBuffer(window, call.messageId(), call.ack(), call.retry())
          .onComplete(done -> message.reply(StreamCall.Reply.of(done.succeeded() && done.result())));
      pump(window);
      return;
    }
    buffer.leaseOwner(window.spec(), call.messageId()).onComplete(owner -> {
      if (owner.failed() || owner.result() == null) {
        message.reply(StreamCall.Reply.FALSE);
        return;
      }
      Session holder = sessions.get(owner.result());
      Session.InFlight lease = holder == null ? null : window.settle(holder, call.messageId(), call.ack());
      if (lease != null) {
        observeAck(window, lease, call.ack(), call.retry());
      }
      settleInBuffer(window, call.messageId(), call.ack(), call.retry())
          .onComplete(done -> message.reply(StreamCall.Reply.of(done.succeeded() && done.result())));
      pump(window);
    });
  }

  /**
   * Issue 19: one span per delivery attempt, child of the span that stored the message (the
   * envelope's {@code traceparent}; a new trace for a message stored without one), from the send to
   * the ack, nack, lease expiry or session end. The message goes out with the attempt's own
   * {@code traceparent}, so the connector's delivery is the attempt's child.
   */
  private List<Envelope> traced(ChannelWindow window, Session session, List<Envelope> leased,
      Map<String, Span> attempts) {
    List<Envelope> traced = new ArrayList<>(leased.size());
    for (Envelope envelope : leased) {
      Span span = tracing.span("relay.deliver", SpanKind.PRODUCER, Tracing.parent(envelope.extras().traceparent(), null))
          .startSpan();
      if (span.isRecording()) { // an unsampled attempt only passes its context on
        span.setAttribute(Tracing.MESSAGE_ID, envelope.messageId())
            .setAttribute(Tracing.WEBHOOK_ID, envelope.webhookId())
            .setAttribute(Tracing.CHANNEL, window.name())
            .setAttribute(Tracing.CONNECTION_ID, session.id)
            .setAttribute(Tracing.CONNECTOR_ID, session.connectorId)
            .setAttribute("cwm.protocol", session.protocol)
            .setAttribute(Tracing.ATTEMPT, (long) envelope.deliveryCount());
        attempts.put(envelope.messageId(), span);
      }
      traced.add(envelope.withExtras(envelope.extras().withTraceparent(Tracing.traceparent(span))));
    }
    return traced;
  }

  /** Ack latency (receipt at the receiver to ack) for metrics; the attempt's span ends with the verdict. */
  private void observeAck(ChannelWindow window, Session.InFlight lease, boolean ack, boolean retry) {
    lease.ended(ack ? "ack" : retry ? "nack_retry" : "nack_dead_letter");
    if (ack && observer != null && lease.receivedAt() > 0) {
      observer.acked(window.name(), clock.millis() - lease.receivedAt());
    }
  }

  private Future<Boolean> settleInBuffer(ChannelWindow window, String messageId, boolean ack, boolean retry) {
    if (ack) {
      return buffer.ack(window.spec(), messageId);
    }
    return buffer.nack(window.spec(), messageId, retry)
        .map(outcome -> outcome != MessageBuffer.NackOutcome.NOT_IN_FLIGHT);
  }

  // ---------------------------------------------------------------- flow (issue 16)

  /**
   * The connector asks for a smaller window (a target's circuit is open: 0, then 1 for a probe) or
   * for the channel's again. With 0 what the session holds goes back to the buffer at once, its
   * deliveries given back: a message waiting for a target that is down does not spend its attempts.
   */
  private void flow(ChannelWindow window, StreamCall.Flow call, Message<StreamCall> message) {
    Session session = sessions.get(call.connectionId());
    if (session == null || !session.channel.equals(window.name())) {
      StreamFailure.fail(message, StreamFailure.Reason.NOT_FOUND);
      return;
    }
    boolean wasLimited = session.flowLimit >= 0;
    Set<String> handedBack = window.flow(session, call.maxInFlight(), call.circuits());
    if (observer != null) {
      observer.paused(window.name(), window.pausedCount());
    }
    if (session.flowLimit < 0 && wasLimited) {
      LOG.info("[channel: {}, connection_id: {}] connector resumed the session", session.channel, session.id);
    } else if (session.flowLimit >= 0 && (!wasLimited || !handedBack.isEmpty())) {
      LOG.info("[channel: {}, connection_id: {}] connector asked for at most {} in flight (a target's circuit is "
          + "open): {} message(s) handed back, their deliveries not counted", session.channel, session.id,
          session.flowLimit, handedBack.size());
    }
    if (handedBack.isEmpty()) {
      message.reply(new StreamCall.Reply(0));
      pump(window);
      return;
    }
    buffer.release(window.spec(), session.id, handedBack).onComplete(done -> {
      message.reply(new StreamCall.Reply(done.succeeded() ? done.result() : 0));
      pump(window);
    });
  }

  // ---------------------------------------------------------------- long-poll

  private void poll(ChannelWindow window, StreamCall.Poll call, Message<StreamCall> message) {
    Session existing = sessions.get(call.connectionId());
    if (existing != null) {
      polled(window, existing, call, message);
      return;
    }
    Session created = window.newSession(call.connectionId(), call.connectorId(), "long_poll", call.remoteIp());
    admit(window, created).onComplete(admitted -> {
      if (admitted.failed() || !admitted.result()) {
        StreamFailure.fail(message, StreamFailure.Reason.FULL);
        return;
      }
      Session raced = sessions.get(created.id); // another poll of the same session got in first
      Session session = raced != null ? raced : created;
      if (raced == null) {
        added(window, session);
      }
      polled(window, session, call, message);
    });
  }

  private void polled(ChannelWindow window, Session session, StreamCall.Poll call, Message<StreamCall> message) {
    Promise<List<Envelope>> result = Promise.promise();
    result.future().onComplete(done -> {
      if (window.pollEnded(session, result)) {
        vertx.cancelTimer(session.pollTimer);
      }
      message.reply(new StreamCall.Reply(done.result()));
    });
    window.pollStarted(session, result, call.pollId(), call.max()); // answers a waiting poll: this one replaces it
    session.pollTimer = vertx.setTimer(call.timeoutMillis(), id -> result.tryComplete(List.of()));
    pump(window);
  }

  private void cancelPoll(ChannelWindow window, StreamCall.CancelPoll call, Message<StreamCall> message) {
    Session session = sessions.get(call.connectionId());
    if (session != null && window.cancelPoll(session, call.pollId())) {
      close(session.id, "client left during a poll");
    }
    message.reply(StreamCall.Reply.NONE);
  }

  // ---------------------------------------------------------------- the pump

  private void onTick() {
    for (ChannelWindow window : windows.values()) {
      for (Session idle : window.sweep()) {
        close(idle.id, "no poll and no lease for " + window.pollIdleMillis() / 1000 + " s");
      }
      if (window.hasRoom()) {
        pump(window);
      }
    }
  }

  /** Leases for the session with the most room; repeats while messages keep coming. */
  private void pump(ChannelWindow window) {
    ChannelWindow.Pull pull = window.nextPull();
    if (pull == null) {
      return;
    }
    Session session = pull.session();
    buffer.lease(window.spec(), session.id, pull.max(), window.leaseMillis()).onComplete(done -> {
      if (done.failed()) {
        window.pullFailed();
        LOG.warn("[channel: {}] lease failed: {}", window.name(), done.cause().getMessage());
        return;
      }
      List<Envelope> leased = done.result();
      deliver(window, session, leased);
      if (window.pulled(pull, leased.size())) {
        pump(window);
      }
    });
  }

  private void deliver(ChannelWindow window, Session session, List<Envelope> leased) {
    Map<String, Span> attempts = null;
    if (tracing.on() && !leased.isEmpty()) {
      attempts = new HashMap<>();
      leased = traced(window, session, leased, attempts);
    }
    if (!window.accept(session, leased)) {
      if (attempts != null) {
        attempts.values().forEach(span -> span.setAttribute(Tracing.OUTCOME, "not_taken").end());
      }
      buffer.release(window.spec(), session.id); // it went away, or its poll did, while we were leasing
      return;
    }
    if (attempts != null) {
      attempts.forEach((id, span) -> session.inFlight.computeIfPresent(id, (key, lease) -> lease.withAttempt(span)));
    }
    if (!session.isPoll()) {
      for (Envelope envelope : leased) {
        vertx.eventBus().send(Addresses.session(session.id), envelope, Addresses.LOCAL);
      }
    }
  }
}
