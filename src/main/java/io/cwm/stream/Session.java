package io.cwm.stream;

import io.vertx.core.Promise;
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
  /** message id → lease deadline (ms). */
  final Map<String, Long> inFlight = new HashMap<>();
  boolean closed;
  /** Long-poll only: the request waiting for messages, its size and its timer. */
  Promise<List<io.cwm.buffer.Envelope>> pendingPoll;
  int pollMax;
  long pollTimer = -1;
  long lastPollAt;

  Session(String id, String channel, String connectorId, String protocol, long connectedAt) {
    this.id = id;
    this.channel = channel;
    this.connectorId = connectorId;
    this.protocol = protocol;
    this.connectedAt = connectedAt;
  }

  boolean isPoll() {
    return "long_poll".equals(protocol);
  }

  /** Counts toward max_connections: streams always, poll sessions while a poll waits. */
  boolean active() {
    return !closed && (!isPoll() || pendingPoll != null);
  }

  /** How many messages this session can take now. */
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
