package io.cwm.stream;

import io.cwm.buffer.Envelope;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The connector sessions of this process, as the streaming edge and the admin API use them: one
 * method per operation. StreamVerticle holds the sessions; {@link StreamClient} is the
 * implementation callers use (an event-bus request per call, local to the process). A refusal
 * fails the future with a {@link StreamFailure}.
 */
public interface StreamService {

  /**
   * Opens a WebSocket or SSE session of {@code channel}; its frames then go to
   * {@code cwm.session.<connectionId>}. Fails with {@link StreamFailure.Reason#FULL} when the
   * channel has max_connections sessions.
   *
   * @param protocol websocket | sse
   */
  Future<Void> open(String channel, String connectionId, String connectorId, String protocol, String remoteIp);

  /** The edge's side of the session ended: its messages in flight go back to the channel. */
  Future<Void> close(String channel, String connectionId);

  /**
   * Acks or nacks (with or without retry) a message in flight on this session; false when it
   * is not in flight there (nothing done).
   */
  Future<Boolean> settle(String channel, String connectionId, String messageId, boolean ack, boolean retry);

  /**
   * {@link #settle} when nobody reads the answer (a WebSocket ack or nack): one event-bus message
   * to the channel's owner and no reply crossing back.
   */
  void settleNoReply(String channel, String connectionId, String messageId, boolean ack, boolean retry);

  /**
   * Acks or nacks a message in flight anywhere in the channel ({@code connectionId} is a hint);
   * false when it is not in flight.
   */
  Future<Boolean> settleAny(String channel, String connectionId, String messageId, boolean ack, boolean retry);

  /**
   * One long poll of the session {@code connectionId} (created on its first poll, one per channel
   * and connector): up to {@code max} messages, empty after {@code timeoutMillis}. Fails with
   * {@link StreamFailure.Reason#FULL} when a new session does not fit in max_connections.
   *
   * @param pollId names this poll for {@link #cancelPoll}
   */
  Future<List<Envelope>> poll(String channel, String connectionId, String connectorId, int max, long timeoutMillis,
      String remoteIp, String pollId);

  /** The client of poll {@code pollId} went away: it takes no messages, and its session ends if it holds none. */
  Future<Void> cancelPoll(String channel, String connectionId, String pollId);

  /**
   * Issue 16: the session's connector asks for a window of {@code maxInFlight} messages (0 paused:
   * what the session holds is handed back, its deliveries given back; null: the channel's own).
   * Answers how many were handed back; fails with {@link StreamFailure.Reason#NOT_FOUND} when the
   * session is not one of the channel's.
   */
  Future<Integer> flow(String channel, String connectionId, Integer maxInFlight,
      io.vertx.core.json.JsonArray circuits);

  /** The client of a session is alive (fire and forget). */
  void heartbeat(String channel, String connectionId);

  /** Active sessions of the channel (across the cluster when clustered). */
  Future<Integer> count(String channel);

  /** Sessions this process tracks, open or closing: of one channel, or of every channel when {@code channel} is null. */
  Future<Integer> sessions(String channel);

  /** The admin view of the channel's sessions (spec §6.4 {@code connected_clients} items). */
  Future<List<JsonObject>> clients(String channel);

  /**
   * Ends a session for an admin (on whichever node holds it). Fails with
   * {@link StreamFailure.Reason#NOT_FOUND} or {@link StreamFailure.Reason#WRONG_CHANNEL}.
   */
  Future<Void> disconnect(String channel, String connectionId);
}
