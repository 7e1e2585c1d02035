package io.cwm.stream;

import io.cwm.buffer.Envelope;
import io.cwm.trace.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One connector session as the stream side tracks it: its window of messages in flight, its
 * counters for the admin view and, for long-poll, the poll waiting for messages. Its rules are
 * applied by {@link ChannelWindow}; the poll timer is StreamVerticle's.
 */
final class Session {
  final String id;
  final String channel;
  final String connectorId;
  final String protocol;
  final long connectedAt;
  final String remoteIp;
  /** message id → its lease. */
  final Map<String, InFlight> inFlight = new HashMap<>();
  boolean closed;
  long lastHeartbeatAt;
  long lastMessageAt;
  long received;
  long acked;
  long nacked;
  /** Long-poll only: the request waiting for messages, its id, its size and its timer (a Vert.x timer id). */
  Promise<List<Envelope>> pendingPoll;
  String pendingPollId;
  int pollMax;
  long pollTimer = -1;
  /** Long-poll only: when a poll last started or ended or a lease last ended (the idle rule's baseline). */
  long lastPollActivityAt;
  /**
   * Issue 16: the window the connector asked for with a {@code flow} request (0 paused, 1 probing),
   * or -1 when it asked for none (the channel's max_in_flight). Only our connector asks.
   */
  int flowLimit = -1;
  /** When the connector first asked for a smaller window (ms; 0 while it has none). */
  long flowSince;
  /** The connector's open circuits as it reported them (target, state, since, probes), or null. */
  io.vertx.core.json.JsonArray circuits;

  /**
   * A message handed to this session: until when its lease runs, when it was received (ms) and the
   * span of this delivery attempt (issue 19; null when tracing is off), ended when the lease ends.
   */
  record InFlight(long deadline, long receivedAt, Span attempt) {
    InFlight(long deadline, long receivedAt) {
      this(deadline, receivedAt, null);
    }

    InFlight withAttempt(Span span) {
      return new InFlight(deadline, receivedAt, span);
    }

    /** Ends this attempt's span with {@code outcome} ({@code ack}, {@code nack_retry}, ...), if it has one. */
    void ended(String outcome) {
      if (attempt != null) {
        attempt.setAttribute(Tracing.OUTCOME, outcome);
        if (!outcome.equals("ack")) {
          attempt.setStatus(StatusCode.ERROR, outcome);
        }
        attempt.end();
      }
    }
  }

  Session(String id, String channel, String connectorId, String protocol, long connectedAt, String remoteIp) {
    this.id = id;
    this.channel = channel;
    this.connectorId = connectorId;
    this.protocol = protocol;
    this.connectedAt = connectedAt;
    this.remoteIp = remoteIp;
    this.lastHeartbeatAt = connectedAt;
    this.lastPollActivityAt = connectedAt;
  }

  /** The admin view (spec §6.4 {@code connected_clients} item). */
  JsonObject toJson() {
    return new JsonObject()
        .put("connection_id", id)
        .put("connector_id", connectorId)
        .put("channel", channel)
        .put("protocol", protocol)
        .put("connected_at", time(connectedAt))
        .put("last_heartbeat_at", time(lastHeartbeatAt))
        .put("last_message_at", lastMessageAt == 0 ? null : time(lastMessageAt))
        .put("state", closed ? "disconnected" : "connected")
        .put("in_flight_count", inFlight.size())
        .put("messages_received", received)
        .put("messages_acked", acked)
        .put("messages_nacked", nacked)
        .put("remote_ip", remoteIp)
        .put("paused", flowLimit == 0)
        .put("flow", flowLimit < 0 ? null : new JsonObject().put("max_in_flight", flowLimit)
            .put("since", time(flowSince)).put("circuits", circuits == null ? null : circuits.copy()));
  }

  private static String time(long millis) {
    return Envelope.format(Instant.ofEpochMilli(millis));
  }

  boolean isPoll() {
    return "long_poll".equals(protocol);
  }

  /**
   * Counts toward max_connections: every session until it ends, whatever its transport (a poll
   * session between two polls too: see {@link #pollIdleSince}).
   */
  boolean active() {
    return !closed;
  }

  /**
   * How many messages this session can take now: what its window ({@code max_in_flight}, or the
   * smaller one its connector asked for) leaves;
   * a poll session only while a poll waits, and no more than that poll asked for.
   */
  int room(int maxInFlight) {
    if (closed) {
      return 0;
    }
    int limit = flowLimit >= 0 ? Math.min(maxInFlight, flowLimit) : maxInFlight;
    int window = Math.max(0, limit - inFlight.size());
    if (isPoll()) {
      return pendingPoll == null ? 0 : Math.min(pollMax, window);
    }
    return window;
  }

  /**
   * A poll session has no socket to tell when its client is gone: it is idle, and ends after the
   * idle period, while no poll waits and it holds no leases; idle since the later of its last
   * poll and its last lease's end. -1: not idle.
   */
  long pollIdleSince() {
    return isPoll() && pendingPoll == null && inFlight.isEmpty() ? lastPollActivityAt : -1;
  }
}
