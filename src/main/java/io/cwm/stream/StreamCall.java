package io.cwm.stream;

/**
 * The requests StreamVerticle takes on {@code cwm.stream.call}, one record per operation. They
 * stay in the process (local codec, no copy); {@link StreamClient} builds them, callers use
 * {@link StreamService}. Every record names the channel it concerns.
 */
public sealed interface StreamCall {

  /** The channel the call concerns (null only for {@link Sessions} of every channel). */
  String channel();

  /**
   * A WebSocket or SSE session starts. Refused with {@link StreamFailure.Reason#FULL}.
   *
   * @param connectionId the session (assigned by the edge)
   * @param connectorId client-chosen id (X-Connector-Id)
   * @param protocol websocket | sse
   * @param remoteIp the client's address (admin view)
   */
  record Open(String channel, String connectionId, String connectorId, String protocol, String remoteIp)
      implements StreamCall {}

  /** The edge's side of a session ended: its messages in flight go back to the channel. */
  record Close(String channel, String connectionId) implements StreamCall {}

  /**
   * Ack ({@code ack}) or nack (with {@code retry} or not) of a message in flight on this
   * session; ignored (reply false) when it is not.
   */
  record Settle(String channel, String connectionId, String messageId, boolean ack, boolean retry)
      implements StreamCall {}

  /**
   * {@code /connect/ack}: like {@link Settle}, but the message is looked up within the channel
   * ({@code connectionId} is a hint).
   */
  record SettleAny(String channel, String connectionId, String messageId, boolean ack, boolean retry)
      implements StreamCall {}

  /**
   * One long-poll request of the session {@code connectionId} (created on its first poll):
   * answers up to {@code max} messages, or none after {@code timeoutMillis}. Refused with
   * {@link StreamFailure.Reason#FULL}.
   *
   * @param pollId this poll request (a {@link CancelPoll} ends only the poll it names)
   */
  record Poll(String channel, String connectionId, String connectorId, int max, long timeoutMillis, String remoteIp,
      String pollId) implements StreamCall {}

  /** The client of the poll {@code pollId} went away (the poll session ends if it holds no leases). */
  record CancelPoll(String channel, String connectionId, String pollId) implements StreamCall {}

  /**
   * Issue 16, our connector only: the session's connector asks for a window of {@code maxInFlight}
   * messages (0: paused, every message it holds handed back with its delivery given back; null: the
   * channel's window again). Replies the Integer count handed back; refused with
   * {@link StreamFailure.Reason#NOT_FOUND} when the session is not one of the channel's.
   *
   * @param circuits the connector's report of its circuits (admin view), or null
   */
  record Flow(String channel, String connectionId, Integer maxInFlight, io.vertx.core.json.JsonArray circuits)
      implements StreamCall {}

  /** The edge saw the client of a session alive. No reply. */
  record Heartbeat(String channel, String connectionId) implements StreamCall {}

  /** Active sessions of the channel (cluster-wide when clustered): an Integer. */
  record Count(String channel) implements StreamCall {}

  /** Sessions this process tracks, open or closing: of every channel (channel null) or of one. An Integer. */
  record Sessions(String channel) implements StreamCall {}

  /** The admin view of the channel's sessions: a list of JSON objects. */
  record Clients(String channel) implements StreamCall {}

  /**
   * An admin ends a session (of this node or another). Refused with
   * {@link StreamFailure.Reason#NOT_FOUND} or {@link StreamFailure.Reason#WRONG_CHANNEL}.
   */
  record Disconnect(String channel, String connectionId) implements StreamCall {}

  /** A reply value carried without copying. */
  record Reply(Object value) {
    static final Reply NONE = new Reply(null);
    static final Reply TRUE = new Reply(true);
    static final Reply FALSE = new Reply(false);

    static Reply of(boolean value) {
      return value ? TRUE : FALSE;
    }
  }
}
