package io.cwm.http;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.util.Set;

/**
 * Client IP for {@code /} and {@code /stats} (spec §11): the TCP peer, or — only when the peer is
 * listed in {@code TRUSTED_PROXY_IPS} — the first {@code X-Forwarded-For} entry, else
 * {@code X-Real-IP}. Forwarding headers from anyone else are ignored.
 */
public final class ClientIp {
  private ClientIp() {}

  public static String peer(HttpServerRequest request) {
    SocketAddress remote = request.remoteAddress();
    return remote == null ? null : remote.hostAddress();
  }

  public static String resolve(HttpServerRequest request, Set<String> trustedProxies) {
    String peer = peer(request);
    if (peer == null) {
      return "unknown";
    }
    if (!trustedProxies.contains(peer)) {
      return peer;
    }
    String forwarded = request.getHeader("X-Forwarded-For");
    if (forwarded != null && !forwarded.isBlank()) {
      return strip(forwarded.split(",")[0]);
    }
    String realIp = request.getHeader("X-Real-IP");
    return realIp == null || realIp.isBlank() ? peer : strip(realIp);
  }

  private static String strip(String value) {
    return value.replace("\r", "").replace("\n", "").replace("\0", "").trim();
  }
}
