package io.cwm.stream;

import io.cwm.buffer.Envelope;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** One connector session as StreamVerticle tracks it: its window of messages in flight. */
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
  /** Long-poll only: the request waiting for messages, its size and its timer. */
  Promise<List<Envelope>> pendingPoll;
  int pollMax;
  long pollTimer = -1;
  long lastPollAt;

  /** A message handed to this session: until when its lease runs, and when it was received (ms). */
  record InFlight(long deadline, long receivedAt) {}

  Session(String id, String channel, String connectorId, String protocol, long connectedAt, String remoteIp) {
    this.id = id;
    this.channel = channel;
    this.connectorId = connectorId;
    this.protocol = protocol;
    this.connectedAt = connectedAt;
    this.remoteIp = remoteIp;
    this.lastHeartbeatAt = connectedAt;
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
        .put("remote_ip", remoteIp);
  }

  private static String time(long millis) {
    return Envelope.format(Instant.ofEpochMilli(millis));
  }

  boolean isPoll() {
    return "long_poll".equals(protocol);
  }

  /** Counts toward max_connections: streams always, poll sessions while a poll waits. */
  boolean active() {
    return !closed && (!isPoll() || pendingPoll != null);
  }

  /** How many messages this session can take now (a poll: what it asked for, in-flight aside). */
  int room(int maxInFlight) {
    if (closed) {
      return 0;
    }
    if (isPoll()) {
      return pendingPoll == null ? 0 : pollMax;
    }
    return Math.max(0, maxInFlight - inFlight.size());
  }
}
