package io.cwm.stream;

/**
 * A request to StreamVerticle from the edge that holds a connector's connection.
 *
 * @param op what to do
 * @param channel channel name
 * @param connectionId the session (server-assigned)
 * @param connectorId client-chosen id (X-Connector-Id)
 * @param protocol websocket | sse | long_poll
 * @param messageId for ACK/NACK/SETTLE_ANY
 * @param retry for NACK/SETTLE_ANY: nack with retry
 * @param ack for SETTLE_ANY: ack (true) or nack (false)
 * @param max for POLL: most messages to return
 * @param timeoutMillis for POLL: how long to wait while nothing is available
 * @param remoteIp for OPEN/POLL: the client's address (admin view)
 * @param pollId for POLL and CANCEL_POLL: the poll request (a cancel ends only the poll it names)
 */
public record StreamCall(Op op, String channel, String connectionId, String connectorId, String protocol,
    String messageId, boolean ack, boolean retry, int max, long timeoutMillis, String remoteIp, String pollId) {

  /**
   * COUNT: active sessions of the channel; SESSIONS: every session this verticle tracks
   * (channel null) or every session of one channel, open or closing; CLIENTS: the admin view of
   * the channel's sessions (a list of JSON objects); DISCONNECT: an admin ends a session (refused
   * with a {@link StreamFailure} NOT_FOUND or WRONG_CHANNEL); HEARTBEAT: the edge saw the client alive;
   * CANCEL_POLL: the client of a waiting poll went away (the poll session ends if it holds no
   * leases).
   */
  public enum Op {
    OPEN, CLOSE, ACK, NACK, SETTLE_ANY, POLL, CANCEL_POLL, COUNT, SESSIONS, CLIENTS, DISCONNECT, HEARTBEAT
  }

  /** A reply value carried without copying. */
  public record Reply(Object value) {}
}
