package io.cwm.connector;

import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Acks and nacks of the SSE and long-poll protocols: {@code POST /connect/ack} with the query
 * parameters Python's receiver reads, {@code X-Connection-ID} and the channel token (spec §3.4).
 * Until the connection id is known (SSE {@code connected}), acks wait.
 */
final class AckPoster {
  private static final Logger LOG = LoggerFactory.getLogger(AckPoster.class);

  private final HttpClient client;
  private final Endpoints endpoints;
  private final String authorization;
  private final List<String[]> waiting = new ArrayList<>();
  private String connectionId;
  private boolean warnedNotInFlight;

  AckPoster(HttpClient client, Endpoints endpoints, String token) {
    this.client = client;
    this.endpoints = endpoints;
    this.authorization = "Bearer " + token;
  }

  void connectionId(String id) {
    connectionId = id;
    List<String[]> pending = List.copyOf(waiting);
    waiting.clear();
    pending.forEach(args -> post(args[0], args[1], args[2]));
  }

  void ack(String messageId) {
    post(messageId, "ack", null);
  }

  void nack(String messageId, boolean retry) {
    post(messageId, "nack", String.valueOf(retry));
  }

  private void post(String messageId, String status, String retry) {
    if (connectionId == null) {
      waiting.add(new String[] {messageId, status, retry});
      return;
    }
    String uri = endpoints.ackPath() + "?message_id=" + encode(messageId) + "&status=" + status
        + (retry == null ? "" : "&retry=" + retry);
    RequestOptions options = endpoints.request(HttpMethod.POST, uri)
        .putHeader("Authorization", authorization)
        .putHeader("X-Connection-ID", connectionId)
        .setTimeout(30_000);
    client.request(options)
        .compose(request -> request.send())
        .onSuccess(response -> {
          response.body(); // drain
          int code = response.statusCode();
          if (code == 404 && !warnedNotInFlight) {
            warnedNotInFlight = true;
            LOG.warn("the receiver answered 404 to an {} (message no longer in flight there, or a receiver whose "
                + "long-poll cannot take acks); the message will be redelivered", status);
          } else if (code >= 300 && code != 404) {
            LOG.warn("{} of {} answered HTTP {}", status, messageId, code);
          }
        })
        .onFailure(failure -> LOG.warn("{} of {} not sent: {}", status, messageId, failure.getMessage()));
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }
}
