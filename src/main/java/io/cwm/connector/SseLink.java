package io.cwm.connector;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.core.parsetools.RecordParser;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Server-Sent Events stream (spec §3.3): {@code event: connected} (its data carries the
 * connection id that acks need), {@code webhook}, {@code heartbeat}, {@code error}. Acks and
 * nacks go by POST ({@link AckPoster}). A line, or the data lines of one event together, longer
 * than {@code max_message_bytes} end the stream (the connector reconnects).
 */
final class SseLink extends PostedAckLink {
  private static final Logger LOG = LoggerFactory.getLogger(SseLink.class);

  private final HttpClient client;
  private final RequestOptions options;
  private final AckPoster acks;
  /** The longest line, and the most data of one event, taken (max_message_bytes). */
  private final int maxEventBytes;
  private HttpClientResponse response;
  private String event = "message";
  private final StringBuilder data = new StringBuilder();
  /** Bytes of the data lines of the event being read. */
  private long dataBytes;

  /** @param maxEventBytes max_message_bytes: the longest line, and the most data of one event, taken */
  SseLink(Vertx vertx, HttpClient client, Endpoints endpoints, RequestOptions options, String token,
      int maxEventBytes, Listener listener) {
    super(listener);
    this.client = client;
    this.options = options;
    this.maxEventBytes = maxEventBytes;
    this.acks = new AckPoster(vertx, client, endpoints, token, settled -> { });
  }

  @Override
  Future<Void> open() {
    return client.request(options)
        .compose(request -> request.send())
        .compose(answer -> {
          int status = answer.statusCode();
          if (status != 200) {
            answer.body();
            if (status == 401 || status == 403 || status == 404) {
              return Future.failedFuture(new Refused(status, "stream refused with HTTP " + status));
            }
            return Future.failedFuture(new IllegalStateException("stream answered HTTP " + status));
          }
          response = answer;
          RecordParser lines = RecordParser.newDelimited("\n").maxRecordSize(maxEventBytes);
          lines.handler(this::onLine);
          lines.exceptionHandler(failure -> tooLarge("a line", failure.getMessage()));
          answer.handler(lines);
          answer.exceptionHandler(failure -> ended.tryFail(failure));
          answer.endHandler(done -> ended.tryFail(new IllegalStateException("stream ended by the receiver")));
          return Future.<Void>succeededFuture();
        })
        .onFailure(ended::tryFail);
  }

  /** Ends the stream: the receiver sent more than max_message_bytes at once. */
  private void tooLarge(String what, String detail) {
    ended.tryFail(new IllegalStateException(what + " of the stream is longer than max_message_bytes ("
        + maxEventBytes + " bytes)" + (detail == null ? "" : ": " + detail)));
    response.request().reset();
  }

  private void onLine(Buffer raw) {
    if (ended.future().isComplete()) {
      return;
    }
    String line = raw.toString(StandardCharsets.UTF_8);
    if (line.endsWith("\r")) {
      line = line.substring(0, line.length() - 1);
    }
    if (line.isEmpty()) {
      dispatch();
      return;
    }
    if (line.startsWith(":")) {
      listener.onAlive(); // comment line: a keep-alive
      return;
    }
    int colon = line.indexOf(':');
    String field = colon < 0 ? line : line.substring(0, colon);
    String value = colon < 0 ? "" : line.substring(colon + 1);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    switch (field) {
      case "event" -> event = value;
      case "data" -> {
        dataBytes += raw.length();
        if (dataBytes > maxEventBytes) {
          tooLarge("an event", null);
          return;
        }
        if (!data.isEmpty()) {
          data.append('\n');
        }
        data.append(value);
      }
      default -> { } // id, retry: not used by this protocol
    }
  }

  private void dispatch() {
    String type = event;
    String text = data.toString();
    event = "message";
    data.setLength(0);
    dataBytes = 0;
    if (text.isEmpty() && type.equals("message")) {
      return;
    }
    listener.onAlive();
    JsonObject body;
    try {
      body = Json.decodeValue(text) instanceof JsonObject object ? object : null;
    } catch (DecodeException malformed) {
      body = null;
    }
    switch (type) {
      case "connected" -> {
        if (body != null && body.getValue("connection_id") instanceof String id) {
          connectionId = id;
          acks.connectionId(id);
          LOG.info("connected: connection_id {}", id);
          features(body.getValue("features"));
        }
      }
      case "webhook" -> {
        Delivery delivery = body == null ? null : parseWebhook(body);
        if (delivery == null) {
          LOG.warn("webhook event without a usable message_id dropped");
        } else {
          listener.onMessage(delivery);
        }
      }
      case "heartbeat" -> { }
      case "error" -> {
        LOG.warn("receiver reported an error: {}", body == null ? text : body.getValue("error"));
        if (body != null && "max_connections_reached".equals(body.getValue("error"))) {
          ended.tryFail(new IllegalStateException("max connections reached"));
        }
      }
      default -> LOG.debug("event '{}' ignored", type);
    }
  }

  @Override
  AckPoster acks() {
    return acks;
  }

  @Override
  void close(int code, String reason) {
    if (response != null) {
      response.request().reset();
    }
    ended.tryComplete();
  }

  static RequestOptions streamRequest(Endpoints endpoints, String token, String connectorId) {
    RequestOptions options = endpoints.request(HttpMethod.GET, endpoints.streamPath() + "/sse")
        .putHeader("Authorization", "Bearer " + token)
        .putHeader("Accept", "text/event-stream")
        .putHeader("Cache-Control", "no-cache");
    if (connectorId != null) {
      options.putHeader("X-Connector-ID", connectorId);
    }
    return options;
  }
}
