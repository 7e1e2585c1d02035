package io.cwm.stream;

/**
 * Sent by StreamVerticle to the edge that holds a session ({@code cwm.session.<id>}) when the
 * session must end from the server side: why it ends. The edge picks the close frame (WebSocket
 * close code and reason, SSE {@code error} event) that says so.
 */
public enum SessionEnd {
  /** An admin disconnected the session. */
  ADMIN_DISCONNECT
}
