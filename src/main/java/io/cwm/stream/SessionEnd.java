package io.cwm.stream;

/**
 * Sent by StreamVerticle to the edge that holds a session ({@code cwm.session.<id>}) when the
 * session must end from the server side (an admin disconnect): the edge closes the socket with
 * this WebSocket close code and reason (SSE: ends the response).
 */
public record SessionEnd(int code, String reason) {
  public static final SessionEnd ADMIN = new SessionEnd(1000, "Disconnected by admin");
}
