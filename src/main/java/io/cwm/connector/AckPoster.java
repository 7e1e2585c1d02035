package io.cwm.connector;

import io.cwm.retry.RetryCurve;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Acks and nacks of the SSE and long-poll protocols: {@code POST /connect/ack} with the query
 * parameters, {@code X-Connection-ID} and the channel token of spec §3.4.
 * Until the connection id is known (SSE {@code connected}), acks wait.
 *
 * <p>A transport failure or a 5xx is tried again, up to {@link #ATTEMPTS} attempts in all, after
 * the delays of {@link #RETRIES} (0.5 s, 1 s, 2 s); any other answer is final. Each ack or nack ends in one
 * call of the settle listener: true for a 2xx, false otherwise (the long-poll link then slows its
 * polling).
 */
final class AckPoster {
  private static final Logger LOG = LoggerFactory.getLogger(AckPoster.class);
  static final int ATTEMPTS = 4;
  /** Pauses before the second, third and fourth attempt. */
  static final RetryCurve RETRIES = RetryCurve.ofMillis(500, 2, 2_000);

  private final Vertx vertx;
  private final HttpClient client;
  private final Endpoints endpoints;
  private final String authorization;
  private final Consumer<Boolean> settled;
  private final List<String[]> waiting = new ArrayList<>();
  private String connectionId;
  private boolean warnedNotInFlight;
  /** Issue 16: flow requests not sent yet (in order: a 0 hands messages back, the next one may not replace it). */
  private final java.util.ArrayDeque<io.vertx.core.json.JsonObject> pendingFlows = new java.util.ArrayDeque<>();
  /** Flow requests are sent one at a time, in order: one is on its way. */
  private boolean flowSending;
  /** Failed attempts of the flow request at the head (up to {@link #ATTEMPTS} in all). */
  private int flowRetries;

  /** @param settled told the final result of every ack and nack (true: 2xx) */
  AckPoster(Vertx vertx, HttpClient client, Endpoints endpoints, String token, Consumer<Boolean> settled) {
    this.vertx = vertx;
    this.client = client;
    this.endpoints = endpoints;
    this.authorization = "Bearer " + token;
    this.settled = settled;
  }

  void connectionId(String id) {
    connectionId = id;
    List<String[]> pending = List.copyOf(waiting);
    waiting.clear();
    pending.forEach(args -> post(args[0], args[1], args[2]));
    sendFlow();
  }

  /**
   * Issue 16: {@code POST /connect/flow} with {@code {"max_in_flight": n, "circuits": [...]}}. Sent
   * in order, one at a time. A transport failure or a 5xx is tried again after the delays of
   * {@link #RETRIES} (while no later request waits), up to {@link #ATTEMPTS} attempts; any other refusal
   * is logged.
   */
  void flow(Integer maxInFlight, io.vertx.core.json.JsonArray circuits) {
    pendingFlows.add(new io.vertx.core.json.JsonObject().put("max_in_flight", maxInFlight).put("circuits", circuits));
    sendFlow();
  }

  private void sendFlow() {
    if (flowSending || pendingFlows.isEmpty() || connectionId == null) {
      return;
    }
    io.vertx.core.json.JsonObject body = pendingFlows.poll();
    flowSending = true;
    RequestOptions options = endpoints.request(HttpMethod.POST, endpoints.flowPath())
        .putHeader("Authorization", authorization)
        .putHeader("X-Connection-ID", connectionId)
        .putHeader("Content-Type", "application/json")
        .setTimeout(30_000);
    client.request(options)
        .compose(request -> request.send(body.encode()))
        .compose(response -> response.body().map(drained -> response.statusCode()))
        .onComplete(done -> {
          flowSending = false;
          boolean retryable = (done.failed() || done.result() >= 500) && ++flowRetries < ATTEMPTS;
          if (done.succeeded() && done.result() < 300) {
            flowRetries = 0;
          }
          if (done.failed() || done.result() < 200 || done.result() >= 300) {
            long wait = RETRIES.delayMillis(flowRetries - 1);
            LOG.warn("flow request (max_in_flight {}) not taken by the receiver: {}{}", body.getValue("max_in_flight"),
                done.failed() ? done.cause().getMessage() : "HTTP " + done.result(),
                retryable && pendingFlows.isEmpty() ? "; again in " + wait + " ms" : "");
            if (retryable && pendingFlows.isEmpty()) {
              pendingFlows.add(body);
              flowSending = true;
              vertx.setTimer(wait, id -> {
                flowSending = false;
                sendFlow();
              });
              return;
            }
          }
          flowRetries = 0;
          sendFlow();
        });
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
    attempt(uri, connectionId, messageId, status, 1);
  }

  private void attempt(String uri, String connection, String messageId, String status, int attempt) {
    RequestOptions options = endpoints.request(HttpMethod.POST, uri)
        .putHeader("Authorization", authorization)
        .putHeader("X-Connection-ID", connection)
        .setTimeout(30_000);
    client.request(options)
        .compose(request -> request.send())
        .compose(response -> response.body().map(drained -> response.statusCode()),
            failure -> {
              LOG.debug("{} of {} not sent: {}", status, messageId, failure.getMessage());
              return Future.succeededFuture(-1);
            })
        .onSuccess(code -> {
          if (code >= 200 && code < 300) {
            settled.accept(true);
            return;
          }
          boolean retryable = code == -1 || code >= 500;
          if (retryable && attempt < ATTEMPTS) {
            long wait = RETRIES.delayMillis(attempt - 1);
            LOG.info("{} of {} {}: attempt {}/{}, again in {} ms", status, messageId,
                code == -1 ? "not sent" : "answered HTTP " + code, attempt, ATTEMPTS, wait);
            vertx.setTimer(wait, id -> attempt(uri, connection, messageId, status, attempt + 1));
            return;
          }
          if (code == 404 && !warnedNotInFlight) {
            warnedNotInFlight = true;
            LOG.warn("the receiver answered 404 to an {} (message no longer in flight there, or a receiver whose "
                + "long-poll cannot take acks); the message will be redelivered", status);
          } else if (code != 404) {
            LOG.warn("{} of {} {} after {} attempt(s): the receiver will redeliver it", status, messageId,
                code == -1 ? "could not be sent" : "answered HTTP " + code, attempt);
          }
          settled.accept(false);
        });
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }
}
