package io.cwm.stream.edge;

import io.vertx.core.http.HttpServerRequest;
import io.cwm.stream.TokenGuard;

/**
 * Channel-token extraction (spec §3.1): the {@code Authorization} header with every
 * {@code "Bearer "} removed (a bare token works too), else {@code ?token=}. Checking is
 * {@link TokenGuard}'s.
 */
public final class ChannelTokens {
  private ChannelTokens() {}

  /** The presented token: header first (WebSocket: only when non-empty), then the query. */
  public static String extract(HttpServerRequest request, boolean headerWinsWhenPresent) {
    String header = request.getHeader("Authorization");
    if (header != null) {
      String token = header.replace("Bearer ", "").trim();
      if (!token.isEmpty() || headerWinsWhenPresent) {
        return token;
      }
    }
    String query = request.getParam("token");
    return query == null ? "" : query.trim();
  }

  /** The header-only form of /connect/ack and /connect/status; null when the header is absent. */
  public static String fromHeader(HttpServerRequest request) {
    String header = request.getHeader("Authorization");
    return header == null ? null : header.replace("Bearer ", "").trim();
  }
}
