package io.cwm.connector;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The receiver URLs derived from {@code cloud_url} (spec §8.7): WebSocket
 * {@code /connect/stream/{channel}} (http→ws, https→wss), SSE {@code .../sse}, long-poll
 * {@code .../poll}, acks {@code /connect/ack}. Any base path of {@code cloud_url} is kept.
 */
record Endpoints(String host, int port, boolean tls, String basePath, String channel) {

  static Endpoints of(String cloudUrl, String channel) {
    URI uri = URI.create(cloudUrl);
    String scheme = uri.getScheme().toLowerCase(java.util.Locale.ROOT);
    boolean tls = scheme.equals("https") || scheme.equals("wss");
    int port = uri.getPort() != -1 ? uri.getPort() : tls ? 443 : 80;
    String base = uri.getRawPath() == null ? "" : uri.getRawPath().replaceAll("/+$", "");
    return new Endpoints(uri.getHost(), port, tls, base, channel);
  }

  String streamPath() {
    return basePath + "/connect/stream/" + URLEncoder.encode(channel, StandardCharsets.UTF_8);
  }

  String ackPath() {
    return basePath + "/connect/ack";
  }

  /** Issue 16: where our receiver takes an SSE or long-poll session's flow requests. */
  String flowPath() {
    return basePath + "/connect/flow";
  }

  RequestOptions request(HttpMethod method, String uri) {
    return new RequestOptions().setMethod(method).setHost(host).setPort(port).setSsl(tls).setURI(uri);
  }

  WebSocketConnectOptions webSocket() {
    WebSocketConnectOptions options = new WebSocketConnectOptions();
    options.setHost(host).setPort(port).setSsl(tls).setURI(streamPath());
    return options;
  }
}
