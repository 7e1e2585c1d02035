package io.cwm.connect;

import io.cwm.buffer.ChannelSpec;
import io.cwm.validate.ConstantTime;
import io.vertx.core.http.HttpServerRequest;
import java.util.Map;

/**
 * Channel-token extraction and checking (spec §3.1). The {@code Authorization} header with
 * every {@code "Bearer "} removed (a bare token works too), else {@code ?token=}; compared in
 * constant time with the channel's tokens. Unknown channel or empty token: invalid.
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

  public static boolean valid(ChannelSpec channel, String token) {
    if (channel == null || token == null || token.isEmpty()) {
      return false;
    }
    return ConstantTime.equals(channel.token(), token);
  }

  /** The channel this token opens, or null (used where the request names no channel). */
  public static ChannelSpec channelFor(Map<String, ChannelSpec> channels, String token) {
    ChannelSpec found = null;
    for (ChannelSpec channel : channels.values()) {
      if (valid(channel, token)) {
        found = channel;
      }
    }
    return found;
  }
}
