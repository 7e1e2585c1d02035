package io.cwm.stream.edge;

import io.cwm.stream.SessionEnd;

/**
 * The ways this edge ends a stream, with the WebSocket close code and reason of each (spec §3.2):
 * protocol frames, not HTTP errors. An SSE stream ended by the server gets an {@code error}
 * event with the same reason and code.
 */
enum CloseCode {
  /** This receiver is stopping (SIGTERM): the connector reconnects, through the balancer to another. */
  GOING_AWAY(1001, "Server shutting down"),
  /** An admin disconnected the session. */
  ADMIN_DISCONNECT(1000, "Disconnected by admin"),
  /** The session could not be opened (not a refusal: a failure on our side). */
  INTERNAL_ERROR(1011, "Internal error"),
  /** No heartbeat from the client for three heartbeat intervals. */
  STALE(4000, "Stale connection"),
  /** The token the stream authenticated with is no longer valid (its rotation grace is over). */
  TOKEN_EXPIRED(4001, "Token expired"),
  /** The channel already has max_connections sessions. */
  MAX_CONNECTIONS(4003, "Max connections reached");

  private final int code;
  private final String reason;

  CloseCode(int code, String reason) {
    this.code = code;
    this.reason = reason;
  }

  int code() {
    return code;
  }

  String reason() {
    return reason;
  }

  /** The close that says why the stream side ended a session. */
  static CloseCode of(SessionEnd end) {
    return switch (end) {
      case ADMIN_DISCONNECT -> ADMIN_DISCONNECT;
    };
  }
}
